"""Reads on the standby, and why a trader always reads their own writes there.

With `DATABASE_REPLICA_URL` set, the reads of a safe request (GET, HEAD, OPTIONS) to the journal's
own tables go to the hot standby, when all of these hold; else to the primary, as without it:
- the standby answered its probe (at most PROBE_EVERY ago, per process) as a server in recovery,
  and its replay is at most REPLICA_MAX_LAG seconds behind what it has received;
- the trader's last write is replayed there. Every write transaction of a trader's, on any app
  server or worker, records the primary's WAL position after its commit (`written`), before its
  answer leaves; a read compares that position with the standby's replay position. A stale
  probe only understates replay, which sends the read to the primary: never to older data;
- the position could be read (Redis answers): otherwise nobody knows, and the primary answers.

Everything outside the journal's tables (sessions, keys, users, the cache table, idempotency
records) is always read on the primary: a key created a moment ago must authenticate, and the
caches' versions must be the primary's. Another trader's writes reach a reader at most
REPLICA_MAX_LAG late (the leaderboard, which reads everyone's, is a snapshot anyway).
"""

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

from core import metrics, redis_client

logger = logging.getLogger("tradejournal.replicas")

PRIMARY = "default"
REPLICA = "replica"
# The apps whose tables hold the journal itself; their reads may go to the standby.
ROUTED_APPS = frozenset({"journal", "imports", "leaderboard", "analytics"})
PROBE_EVERY = 1.0  # seconds a process trusts what the standby last said
# ... unless a trader's write is past the replay it said: replay usually follows within
# milliseconds, so the standby is asked again, at most this often.
REPROBE_AFTER = 0.02
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A position outlives any lag the standby may have and still serve reads.
POSITION_TTL = 24 * 3600
# A write whose position could not be read: its trader reads on the primary this long, past any
# lag the standby may have while it serves reads (sync replication has it received already).
UNKNOWN_POSITION_TTL = 60
# Raises the stored position, never lowers it: two writes may record theirs out of order.
# Positions are fixed-width hex, so string order is WAL order.
_RAISE = """
local current = redis.call('get', KEYS[1])
if not current or current < ARGV[1] then redis.call('set', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return 1
"""

_request: ContextVar[HttpRequest | None] = ContextVar("replica_reads_request", default=None)


class StandbyState(NamedTuple):
    up: bool
    replay_position: int = 0
    lag: float = 0.0


def enabled() -> bool:
    return REPLICA in settings.DATABASES


def parse_position(text: str) -> int:
    """A WAL position as PostgreSQL prints it ('16/B374D848'), as one number."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def position_key(user_id: int) -> str:
    return f"journal:wal:{user_id}"


def unknown_key(user_id: int) -> str:
    return f"journal:wal-unknown:{user_id}"


class Standby:
    """What this process last learned of the standby: up, how far replayed, how far behind."""

    timer = staticmethod(time.monotonic)

    def __init__(self, alias: str = REPLICA):
        self.alias = alias
        self.state = StandbyState(up=False)
        self.probed_at = float("-inf")

    def current(self, needed_position: int = 0) -> StandbyState:
        """What the standby said last, asked again if that is old, or short of `needed_position`."""
        age = self.timer() - self.probed_at
        behind = self.state.up and self.state.replay_position < needed_position
        if age >= PROBE_EVERY or (behind and age >= REPROBE_AFTER):
            self.state, self.probed_at = self.probe(), self.timer()
            metrics.standby_lag.set(self.state.lag if self.state.up else -1)
        return self.state

    def probe(self) -> StandbyState:
        # Lag: none while replay has caught up with what arrived; else how old the last replayed
        # commit is (a paused replay, a long query holding it back).
        query = (
            "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
            "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
            "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
        )
        connection = connections[self.alias]
        try:
            with connection.cursor() as cursor:
                cursor.execute(query)
                in_recovery, replayed, lag = cursor.fetchone()
        except DatabaseError as exc:
            logger.info("standby unavailable for reads: %s", str(exc).strip().splitlines()[0] if str(exc) else exc)
            connection.close()
            return StandbyState(up=False)
        if not in_recovery or replayed is None:
            # Promoted since this connection opened: drop it, so the next one finds a standby.
            connection.close()
            return StandbyState(up=False)
        return StandbyState(up=True, replay_position=parse_position(replayed), lag=float(lag))


standby = Standby()


def primary_position() -> int:
    """The primary's WAL position now: past every commit this process has made."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return parse_position(cursor.fetchone()[0])


def written(user_id: int) -> None:
    """Call after a commit that wrote to `user_id`'s data: their reads stay on the primary until
    the standby has replayed it."""
    if not enabled() or connections[PRIMARY].in_atomic_block:
        return
    try:
        position = f"{primary_position():016X}"
    except DatabaseError:
        position = None

    def record(client):
        if position is None:
            return client.set(unknown_key(user_id), 1, ex=UNKNOWN_POSITION_TTL)
        return client.eval(_RAISE, 1, position_key(user_id), position, POSITION_TTL)

    if redis_client.on_redis(record) is None:
        logger.warning("the WAL position of user %s's write was not recorded (Redis unavailable)", user_id)


def last_write(user_id: int) -> int | None:
    """The position of the trader's last recorded write: 0 for none; None when unknown (Redis
    down, or a recent write's position could not be read)."""
    values = redis_client.on_redis(lambda client: client.mget([position_key(user_id), unknown_key(user_id)]))
    if values is None or values[1] is not None:
        return None
    return int(values[0] or b"0", 16)


def choose(user_id: int | None) -> str:
    """Where a safe request of `user_id` (None: nobody signed in) reads the journal's tables."""
    position = 0 if user_id is None else last_write(user_id)
    if position is None:
        return PRIMARY
    state = standby.current(position)
    if not state.up or state.lag > settings.REPLICA_MAX_LAG or position > state.replay_position:
        return PRIMARY
    return REPLICA


def _reads_for_current_request() -> str | None:
    request = _request.get()
    if request is None:
        return None
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    decided = getattr(request, "_replica_reads", None)
    if decided is None or decided[0] != user_id:
        decided = (user_id, choose(user_id))
        request._replica_reads = decided
        metrics.reads_routed.labels(database=decided[1]).inc()
    return decided[1]


class ReplicaRouter:
    """Django's database router: the journal's tables are read where `choose` says; all else,
    and every write, on the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        if model._meta.app_label not in ROUTED_APPS:
            return PRIMARY
        return _reads_for_current_request()

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Marks the safe requests whose reads may go to the standby, and records the WAL position
    after a signed-in trader's writing request (after its commit, before its answer)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        if request.method in SAFE_METHODS:
            token = _request.set(request)
            try:
                return self.get_response(request)
            finally:
                _request.reset(token)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            written(user.pk)
        return response
