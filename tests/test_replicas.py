"""Reads on the standby without a cluster: where a trader's reads go after their writes, a standby
that is down or behind, the pooled settings, a read-only primary after a failover, metrics and logs."""

import itertools
import json
import logging
import re

import psycopg
import pytest
import redis as redis_lib
from django.db import InternalError, connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import logs, outage, replicas
from journal import api as journal_api
from tests.factories import make_trade, make_user
from tests.live import PrivateRedis, run_python

pytestmark = pytest.mark.django_db
# A position is recorded after a commit only (`written` inside a transaction would record one
# before it), so these tests commit.
AFTER_COMMIT = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def redis_url():
    server = PrivateRedis()
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def standby(monkeypatch, settings, redis_url):
    """A replica in the settings' eyes, a standby whose answers the test sets, and the primary's
    WAL position counting up by one per write."""
    settings.REDIS_URL = redis_url
    settings.REPLICA_MAX_LAG = 5
    monkeypatch.setattr(outage, "redis", outage.Outage("Redis"))
    monkeypatch.setattr(replicas, "enabled", lambda: True)
    positions = itertools.count(1000)
    monkeypatch.setattr(replicas, "primary_position", lambda: next(positions))
    fake = replicas.Standby()
    fake.state_to_say = replicas.StandbyState(up=True, replay_position=0, lag=0.0)
    fake.probe = lambda: fake.state_to_say
    fake.timer = lambda: fake.now
    fake.now = 0.0
    monkeypatch.setattr(replicas, "standby", fake)
    return fake


@AFTER_COMMIT
def test_a_trader_reads_on_the_standby_until_they_write_then_on_the_primary_until_it_is_replayed(standby):
    trader = make_user()
    assert replicas.choose(trader.pk) == replicas.REPLICA
    replicas.written(trader.pk)  # the write at position 1000
    standby.state_to_say = replicas.StandbyState(up=True, replay_position=999)
    standby.now += replicas.REPROBE_AFTER
    assert replicas.choose(trader.pk) == replicas.PRIMARY
    # Replay passes the write: the next read asks the standby again at once and reads there.
    standby.state_to_say = replicas.StandbyState(up=True, replay_position=1000)
    standby.now += replicas.REPROBE_AFTER
    assert replicas.choose(trader.pk) == replicas.REPLICA
    # Another trader's write does not keep this one on the primary.
    replicas.written(make_user().pk)
    assert replicas.choose(trader.pk) == replicas.REPLICA


def test_a_standby_down_or_lagging_past_the_bound_serves_nobody(standby):
    trader = make_user()
    standby.state_to_say = replicas.StandbyState(up=False)
    standby.now += replicas.PROBE_EVERY
    assert replicas.choose(trader.pk) == replicas.PRIMARY
    assert replicas.choose(None) == replicas.PRIMARY
    standby.state_to_say = replicas.StandbyState(up=True, replay_position=10**9, lag=5.5)
    standby.now += replicas.PROBE_EVERY
    assert replicas.choose(trader.pk) == replicas.PRIMARY
    standby.state_to_say = replicas.StandbyState(up=True, replay_position=10**9, lag=4.5)
    standby.now += replicas.PROBE_EVERY
    assert replicas.choose(trader.pk) == replicas.REPLICA


def test_without_redis_nobody_knows_a_traders_last_write_so_the_primary_answers(standby, settings):
    trader = make_user()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert replicas.choose(trader.pk) == replicas.PRIMARY


@AFTER_COMMIT
def test_a_write_whose_position_could_not_be_read_keeps_its_trader_on_the_primary(standby, monkeypatch):
    trader = make_user()

    def unreachable():
        raise InternalError("connection lost")

    monkeypatch.setattr(replicas, "primary_position", unreachable)
    replicas.written(trader.pk)
    standby.state_to_say = replicas.StandbyState(up=True, replay_position=10**12)
    standby.now += replicas.PROBE_EVERY
    assert replicas.choose(trader.pk) == replicas.PRIMARY


@AFTER_COMMIT
def test_positions_recorded_out_of_order_keep_the_later_one(standby, monkeypatch):
    trader = make_user()
    for position in (5000, 4000):
        monkeypatch.setattr(replicas, "primary_position", lambda p=position: p)
        replicas.written(trader.pk)
    assert replicas.last_write(trader.pk) == 5000


@AFTER_COMMIT
def test_a_writing_request_records_the_position_for_its_trader_and_a_list_then_reads_the_primary(
    api, user, standby, settings
):
    settings.DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
    standby.state_to_say = replicas.StandbyState(up=True, replay_position=999)
    r = api.post("/api/v1/trades", {"instrument": "ESZ6", "side": "long", "quantity": 1, "entry_price": 100,
                                    "entry_time": "2026-03-02T14:30:00Z"}, format="json")  # fmt: skip
    assert r.status_code == 201, r.content
    assert replicas.last_write(user.pk) >= 1000
    r = api.get("/api/v1/trades")
    assert r.status_code == 200 and r.json()["total"] == 1
    assert r.wsgi_request._replica_reads == (user.pk, replicas.PRIMARY)


@pytest.fixture
def mirror():
    """A `replica` database that is the test database itself, through a connection of its own (made
    here, not in the settings: the test framework allows such a connection)."""
    primary = connections[replicas.PRIMARY].settings_dict
    mirror = load_backend(primary["ENGINE"]).DatabaseWrapper({**primary}, replicas.REPLICA)
    connections[replicas.REPLICA] = mirror
    yield mirror
    mirror.close()
    del connections[replicas.REPLICA]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection to the test database")
@AFTER_COMMIT
def test_the_analytics_statements_and_the_streamed_export_read_on_the_standby(api, user, standby, settings, mirror):
    # Equity and risk run their own SQL, and the export's rows are read after the middleware has
    # returned: each must still ask the database the request was routed to.
    settings.DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
    settings.RQ_QUEUES = {}  # REDIS_URL is the test's, for the positions: no RQ queue to count
    make_trade(user, instrument="STANDBY", exit_price=110)
    standby.state_to_say = replicas.StandbyState(up=True, replay_position=replicas.last_write(user.pk))
    standby.now += replicas.PROBE_EVERY
    routed_before = scraped_value(Client(), 'tradejournal_db_reads_routed_total{database="replica"}')
    with CaptureQueriesContext(mirror) as on_standby, CaptureQueriesContext(connection) as on_primary:
        for path in ("/api/v1/stats/equity", "/api/v1/stats/risk"):
            r = api.get(path)
            assert r.status_code == 200, r.content
        export = api.get("/api/v1/trades/export")
        assert b"STANDBY" in b"".join(export.streaming_content)
    # The curve is read through a server-side cursor (DECLARE ... FOR WITH ...).
    standby_reads = [
        re.sub(r'^DECLARE "[^"]+" .*?CURSOR .*?FOR ', "", query["sql"]) for query in on_standby.captured_queries
    ]
    assert sum(sql.startswith("WITH") and "journal_trade" in sql for sql in standby_reads) == 2  # equity, risk
    assert any(not sql.startswith("WITH") and '"journal_trade"."entry_time"' in sql for sql in standby_reads)  # export
    assert not [query["sql"] for query in on_primary.captured_queries if "journal_trade" in query["sql"]]
    # What an operator's dashboard reads of it: the reads routed there, and the standby's lag.
    routed = scraped_value(Client(), 'tradejournal_db_reads_routed_total{database="replica"}')
    assert routed == routed_before + 3
    assert scraped_value(Client(), "tradejournal_standby_lag_seconds") == 0


def scraped_value(client, sample: str) -> float:
    """A sample's value in what /metrics answers now (0 if it is not there yet)."""
    for line in client.get("/metrics").content.decode().splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return 0.0


def test_metrics_count_the_tasks_waiting_in_each_rq_queue(settings, redis_url, client):
    settings.REDIS_URL = redis_url
    settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    queue = redis_lib.Redis.from_url(redis_url)
    queue.delete("rq:queue:default")
    queue.rpush("rq:queue:default", "job-1", "job-2")
    try:
        assert scraped_value(client, 'tradejournal_task_queue_depth{queue="default"}') == 2
    finally:
        queue.delete("rq:queue:default")


def test_the_router_sends_only_the_journals_tables_to_the_standby_and_every_write_to_the_primary():
    from django.contrib.auth import get_user_model

    from apikeys.models import ApiKey
    from journal.models import Trade

    router = replicas.ReplicaRouter()
    assert router.db_for_read(ApiKey) == replicas.PRIMARY
    assert router.db_for_read(get_user_model()) == replicas.PRIMARY
    assert router.db_for_read(Trade) is None  # outside a request: Django's default, the primary
    assert router.db_for_write(Trade) == replicas.PRIMARY
    assert router.allow_migrate(replicas.REPLICA, "journal") is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="WAL positions are PostgreSQL's")
def test_on_postgresql_positions_are_read_from_the_server_and_a_primary_is_no_standby():
    first = replicas.primary_position()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        assert replicas.parse_position(cursor.fetchone()[0]) >= first > 0
    assert replicas.parse_position("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert replicas.Standby(alias="default").probe() == replicas.StandbyState(up=False)


def test_a_write_refused_as_read_only_after_a_failover_is_a_json_503_that_closes_the_connection(api, monkeypatch):
    cause = psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction")

    def demoted(*args, **kwargs):
        raise InternalError(str(cause)) from cause

    monkeypatch.setattr(outage, "database", outage.Outage("Database"))
    monkeypatch.setattr(journal_api, "stats_in_currency", demoted)
    connection.close_at = None
    r = api.get("/api/v1/stats")
    assert (r.status_code, r["Retry-After"], r["Content-Type"]) == (503, "5", "application/json"), r.content
    assert r.json() == {"error": "The database is unavailable; retry shortly."}
    assert connection.close_at == 0  # closed when the request ends; the next one finds the primary
    connection.close_at = None


def test_through_the_pooler_no_startup_options_server_cursors_or_prepared_statements():
    code = (
        "import json, django; django.setup(); from django.db import connections; "
        "print(json.dumps({a: [connections[a].settings_dict['OPTIONS'], "
        "connections[a].settings_dict['DISABLE_SERVER_SIDE_CURSORS']] for a in connections}))"
    )
    url = "postgres://app@/journal?host=a,b&port=6432,6433&target_session_attrs=read-write"
    env = {"DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": url, "DATABASE_POOLED": "1", "REDIS_URL": "redis://r/0",
           "DATABASE_REPLICA_URL": url.replace("read-write", "standby")}  # fmt: skip
    result = run_python(code, **env)
    aliases = json.loads(result.stdout or result.stderr)
    assert set(aliases) == {"default", "replica"}
    for options, no_server_cursors in aliases.values():
        assert "options" not in options and options["prepare_threshold"] is None and no_server_cursors
        assert (options["host"], options["port"]) == ("a,b", "6432,6433")
    assert aliases["default"][0]["target_session_attrs"] == "read-write"
    assert aliases["replica"][0]["target_session_attrs"] == "standby"


def test_a_replica_needs_redis_for_the_traders_positions():
    env = {"DJANGO_SECRET_KEY": "x" * 50, "DATABASE_REPLICA_URL": "postgres://app@standby/journal"}
    result = run_python("import django; django.setup()", **env)
    assert result.returncode != 0 and "DATABASE_REPLICA_URL needs REDIS_URL" in result.stderr


def test_json_logs_carry_the_load_balancers_request_id_and_each_request_is_a_line(api, caplog, settings):
    caplog.set_level(logging.INFO, logger="tradejournal.requests")
    logging.getLogger("tradejournal.requests").setLevel(logging.INFO)
    try:
        r = api.get("/api/v1/trades", HTTP_X_REQUEST_ID="7F000001AFDE6B165C7D072075B7")
    finally:
        logging.getLogger("tradejournal.requests").setLevel(logging.WARNING)
    assert r["X-Request-ID"] == "7F000001AFDE6B165C7D072075B7"
    [record] = [rec for rec in caplog.records if rec.name == "tradejournal.requests"]
    token = logs.begin_request("7F000001AFDE6B165C7D072075B7")[1]
    try:
        line = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.end_request(token)
    assert line["request_id"] == "7F000001AFDE6B165C7D072075B7"
    assert (line["route"], line["status"], line["message"]) == ("trade-list", 200, "GET /api/v1/trades 200")
    # An id that could forge a log line is replaced by one of ours.
    r = api.get("/api/v1/trades", HTTP_X_REQUEST_ID='x"\n{"level": "ERROR"}')
    assert r["X-Request-ID"] != 'x"\n{"level": "ERROR"}' and len(r["X-Request-ID"]) == 32


def test_metrics_count_requests_per_route_and_status_and_cache_lookups(api, client):
    api.get("/api/v1/stats")
    api.get("/api/v1/stats")
    body = client.get("/metrics").content.decode()
    assert 'tradejournal_http_requests_total{method="GET",route="stats",status="200"}' in body
    assert 'tradejournal_cache_lookups_total{result="hit"}' in body
    assert "tradejournal_http_request_duration_seconds_bucket" in body
    assert "tradejournal_db_queries_total" in body
