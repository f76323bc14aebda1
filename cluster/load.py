"""A bounded load of idempotent creates, PATCHes and reads through the load balancer, one thread per
trader, that remembers every write the API acknowledged and checks each read against them.

A trader's operations run in order, so every read follows the writes acknowledged before it:
it must show them (read-your-writes) and nothing of another trader's. A create is retried with
its Idempotency-Key, a PATCH as it is, until acknowledged or given up on; what was never
acknowledged may or may not exist, but never twice.
"""

import random
import threading
import time
from dataclasses import dataclass, field

import requests

RETRIED = (502, 503, 504)
# A write is retried this long before it counts as never acknowledged.
GIVE_UP_AFTER = 120.0


@dataclass
class Answer:
    at: float
    kind: str
    status: int | None  # None: no HTTP answer (connection refused or reset)
    elapsed: float
    json: bool
    body: str = ""


@dataclass
class Trader:
    name: str
    key: str
    created: dict[str, int] = field(default_factory=dict)  # marker -> trade id, acknowledged
    attempted: set[str] = field(default_factory=set)  # every marker ever sent
    take_profit: dict[int, str] = field(default_factory=dict)  # trade id -> last acknowledged value
    violations: list[str] = field(default_factory=list)


class Load:
    """`run(seconds)` sends the load for that long (or `until` is set) and returns."""

    def __init__(self, lb_url: str, traders: list[Trader], *, pause: float = 0.05, write_share: float = 0.5,
                 seed: int = 1):  # fmt: skip
        self.lb_url = lb_url.rstrip("/")
        self.traders = traders
        self.pause = pause
        self.write_share = write_share  # of operations; 3 creates to 2 PATCHes
        self.random = random.Random(seed)
        self.answers: list[Answer] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.started = time.monotonic()

    # --- one request ---
    def call(self, session: requests.Session, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        begun = time.monotonic()
        try:
            response = session.request(method, self.lb_url + path, timeout=60, **kwargs)
        except requests.RequestException:
            response = None
        elapsed = time.monotonic() - begun
        is_json = response is not None and response.headers.get("Content-Type", "").startswith("application/json")
        body = "" if response is None or response.status_code < 400 else response.text[:300]
        with self.lock:
            status = None if response is None else response.status_code
            self.answers.append(Answer(begun - self.started, kind, status, elapsed, is_json, body))
        return response

    def write(self, session, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        """Retried like a careful client: on no answer or a 502/503/504, after a pause."""
        deadline = time.monotonic() + GIVE_UP_AFTER
        while time.monotonic() < deadline:
            response = self.call(session, kind, method, path, **kwargs)
            if response is not None and response.status_code not in RETRIED:
                return response
            time.sleep(0.5)
        return None

    # --- one trader's loop ---
    def trader_loop(self, trader: Trader, seconds: float) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {trader.key}"
        rng = random.Random(f"{trader.name}-{self.random.random()}")
        deadline = time.monotonic() + seconds
        number = 0
        while time.monotonic() < deadline and not self.stop.is_set():
            choice = rng.random()
            if choice < 0.6 * self.write_share or not trader.created:
                number += 1
                self.create(session, trader, f"{trader.name}-{number}-{rng.randrange(10**9)}")
            elif choice < self.write_share:
                self.patch(session, trader, rng.choice(list(trader.created.values())), rng)
            else:
                self.read(session, trader, rng)
            time.sleep(self.pause)

    def create(self, session, trader: Trader, marker: str) -> None:
        trader.attempted.add(marker)
        body = {"instrument": "ESZ6", "side": "long", "quantity": 1, "entry_time": "2026-03-02T14:30:00Z",
                "entry_price": 100, "exit_time": "2026-03-02T15:00:00Z", "exit_price": 101,
                "notes": marker}  # fmt: skip
        response = self.write(session, "create", "POST", "/api/v1/trades", json=body,
                              headers={"Idempotency-Key": marker})  # fmt: skip
        if response is not None and response.status_code in (200, 201):
            trader.created[marker] = response.json()["id"]
        elif response is not None:
            trader.violations.append(f"create answered {response.status_code}: {response.text[:200]}")

    def patch(self, session, trader: Trader, trade_id: int, rng) -> None:
        value = str(rng.randrange(102, 10**6))
        response = self.write(session, "patch", "PATCH", f"/api/v1/trades/{trade_id}", json={"take_profit": int(value)})
        if response is not None and response.status_code == 200:
            trader.take_profit[trade_id] = value
        elif response is not None:
            trader.violations.append(f"PATCH {trade_id} answered {response.status_code}: {response.text[:200]}")
        else:
            trader.take_profit.pop(trade_id, None)  # unknown: either value may show

    def read(self, session, trader: Trader, rng) -> None:
        if rng.random() < 0.5:
            trade_id = rng.choice(list(trader.created.values()))
            response = self.call(session, "read", "GET", f"/api/v1/trades/{trade_id}")
            if response is None or response.status_code in RETRIED:
                return
            if response.status_code != 200:
                trader.violations.append(f"own trade {trade_id} answered {response.status_code}")
                return
            self.check_trade(trader, response.json())
            return
        response = self.call(session, "list", "GET", "/api/v1/trades", params={"per_page": 100})
        if response is None or response.status_code in RETRIED:
            return
        if response.status_code != 200:
            trader.violations.append(f"list answered {response.status_code}")
            return
        page = response.json()
        seen = {trade["id"] for trade in page["data"]}
        for trade in page["data"]:
            self.check_trade(trader, trade)
        known = set(trader.created.values())
        newest = sorted(known, reverse=True)[: len(page["data"])]
        if page["total"] < len(known):
            trader.violations.append(f"list total {page['total']} < {len(known)} acknowledged creates")
        missing = [trade_id for trade_id in newest if trade_id not in seen]
        if missing and page["total"] <= 100:
            trader.violations.append(f"list misses acknowledged trades {missing[:5]}")

    @staticmethod
    def check_trade(trader: Trader, trade: dict) -> None:
        if not str(trade.get("notes", "")).startswith(f"{trader.name}-"):
            trader.violations.append(f"read another trader's trade {trade.get('id')}: {trade.get('notes')!r}")
            return
        expected = trader.take_profit.get(trade["id"])
        if expected is not None and str(trade.get("take_profit")) != expected:
            trader.violations.append(f"trade {trade['id']} take_profit {trade.get('take_profit')} != {expected}")

    # --- the whole load ---
    def run(self, seconds: float) -> None:
        threads = [threading.Thread(target=self.trader_loop, args=(t, seconds), daemon=True) for t in self.traders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + GIVE_UP_AFTER + 60)

    def start(self, seconds: float) -> threading.Thread:
        """`run` in the background; `stop.set()` ends it early."""
        thread = threading.Thread(target=self.run, args=(seconds,), daemon=True)
        thread.start()
        return thread
