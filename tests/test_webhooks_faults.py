"""Webhooks through failures, with real processes: a worker killed in the middle of a delivery loses
no event (`purge` queues it again, the next worker sends it with the same Webhook-Id), and
PostgreSQL restarting during a burst of writes neither loses the event of an acknowledged write nor
sends one for a write it rolled back."""

import json
import threading
import time

import psycopg
import pytest

from tests.live import Api, LiveSite, create_live_site
from tests.test_faults import WRITERS, write_until_acknowledged
from tests.test_webhooks_live import DB_WORKER, DEVELOPMENT, SCOPES, TRADE, settled_log, subscribe
from tests.webhook_receiver import Receiver
from webhooks.delivery import LEASE
from webhooks.tasks import OVERDUE

pytestmark = [pytest.mark.live, pytest.mark.long]


@pytest.fixture
def own_site(tmp_path):
    """A database of this test's own: no other test's deliveries queued beside its one."""
    site = create_live_site(tmp_path)
    yield site
    site.drop()


def test_a_worker_killed_mid_delivery_loses_no_event(own_site):
    live_site = own_site
    key = live_site.create_key("hook-killed", SCOPES)
    receiver = Receiver(hang=3600)  # the first attempt waits for an answer that never comes
    try:
        with live_site.serve(workers=1, **DEVELOPMENT) as base_url:
            api = Api(base_url, key)
            endpoint = subscribe(api, receiver.url, ["trade.created"])
            trade = api.post("trades", TRADE)
            with live_site.worker(*DB_WORKER, **DEVELOPMENT) as worker:
                receiver.wait_for(1)
                worker.kill()  # mid-delivery: the request sent, no answer read
                worker.wait(timeout=30)
            receiver.hang = 0
            # Past the killed worker's lease and the overdue bound, purge queues it again.
            time.sleep((LEASE + OVERDUE).total_seconds() + 2)
            purged = live_site.manage("purge", **DEVELOPMENT)
            assert purged.returncode == 0 and "1 webhook deliveries queued again" in purged.stdout, purged.stdout
            with live_site.worker(*DB_WORKER, **DEVELOPMENT):
                received = receiver.wait_for(2)
                log = settled_log(api, endpoint)
    finally:
        receiver.close()
    ids = {headers["Webhook-Id"] for headers, _ in received}
    assert len(received) == 2 and len(ids) == 1, received  # the same event, sent again
    assert json.loads(received[1][1])["data"]["id"] == trade["id"]
    assert log["data"][0]["status"] == "succeeded"


def test_postgres_restarting_during_a_burst_loses_no_event_and_sends_none_for_a_rolled_back_write(
    private_postgres, tmp_path
):
    with psycopg.connect(private_postgres.url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE journal")
    site = LiveSite(private_postgres.url.rsplit("/", 1)[0] + "/journal", tmp_path)
    assert site.manage("migrate", "--noinput").returncode == 0
    key = site.create_key("burst", SCOPES)
    receiver = Receiver()
    outcomes: dict = {}
    lock, done = threading.Lock(), threading.Event()
    try:
        with site.serve(workers=3, DB_CONNECT_TIMEOUT="1", **DEVELOPMENT) as base_url:
            subscribe(Api(base_url, key), receiver.url, ["trade.created"])
            writers = [
                threading.Thread(target=write_until_acknowledged,
                                 args=(f"{base_url}/api/v1", {"Authorization": f"Bearer {key}"}, outcomes, lock, done))
                for _ in range(WRITERS)
            ]  # fmt: skip
            for writer in writers:
                writer.start()
            time.sleep(1.0)
            private_postgres.stop()  # down for a while, under the burst
            time.sleep(2.0)
            private_postgres.start()
            time.sleep(1.5)
            done.set()
            for writer in writers:
                writer.join(timeout=120)
            assert not any(writer.is_alive() for writer in writers), "writers did not finish"
            acknowledged = {trade_id for _, trade_id in outcomes["acknowledged"]}
            assert outcomes.get(503), "the outage was not noticed: the test did not exercise it"
            with site.worker(*DB_WORKER, **DEVELOPMENT):
                received = receiver.wait_for(len(acknowledged), timeout=300)
                time.sleep(2)  # anything more would arrive now
                received = list(receiver.received)
    finally:
        receiver.close()
    sent = [json.loads(body)["data"]["id"] for _, body in received]
    assert sorted(sent) == sorted(acknowledged)  # each acknowledged write's event once, no other
    assert len({headers["Webhook-Id"] for headers, _ in received}) == len(received)
