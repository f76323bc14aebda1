"""Webhooks with real processes: gunicorn takes the writes, `db_worker` delivers to real receivers
on loopback (the development settings on): every event type arrives once, signed as the README
verifies; a failing receiver gets the event on its fourth try with the same Webhook-Id; an import
sends one event, a bulk create or edit one per trade; a receiver that hangs does not hold up another trader's delivery; and on RQ, with its
scheduler for the retries."""

import json
import time
from contextlib import contextmanager

import pytest

from tests.live import Api, PrivateRedis, web_session
from tests.webhook_receiver import Receiver, readme_verify

pytestmark = pytest.mark.live

DEVELOPMENT = {"WEBHOOK_ALLOW_HTTP": "1", "WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_RETRY_BASE_SECONDS": "0.5",
               "API_KEY_RATE_LIMIT": "1000000/minute"}  # fmt: skip
DB_WORKER = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
PASSWORD = "a-long-enough-passphrase"
SCOPES = "trades:read,trades:write,webhooks:read,webhooks:write"
TRADE = {"instrument": "AAPL", "side": "long", "quantity": 10, "entry_time": "2025-03-03T14:30:00Z",
         "entry_price": 180}  # fmt: skip
CSV = (
    b"time,instrument,side,quantity,price\n2025-03-03T14:30:00Z,MSFT,buy,5,400\n2025-03-03T15:30:00Z,MSFT,sell,5,410\n"
    b"2025-03-04T14:30:00Z,NVDA,buy,5,200\n2025-03-04T15:30:00Z,NVDA,sell,5,190\n"
)
UNREAD = b"When,Ticker,Direction,Shares,Fill\n2025-03-03 14:30,MSFT,Bought,5,400\n2025-03-03 15:30,MSFT,Sold,5,410\n"
EVENTS = ["trade.created", "trade.updated", "trade.deleted", "import.succeeded", "import.failed", "import.undone"]


def subscribe(api: Api, url: str, events=EVENTS) -> dict:
    return api.post("webhooks", {"url": url, "events": list(events)})


def settled_log(api: Api, endpoint: dict, timeout: float = 60) -> dict:
    """The endpoint's delivery log once its latest delivery is no longer pending."""
    deadline = time.monotonic() + timeout
    while (log := api.read(f"webhooks/{endpoint['id']}/deliveries"))["data"][0]["status"] == "pending":
        assert time.monotonic() < deadline, log
        time.sleep(0.2)
    return log


def types(received) -> list[str]:
    return [json.loads(body)["type"] for _, body in received]


@contextmanager
def subscribed(live_site, trader: str):
    """The trader's site served with a database worker beside it, and a receiver on loopback
    subscribed to every event: (base_url, api, endpoint, receiver)."""
    key = live_site.create_key(trader, SCOPES)
    receiver = Receiver()
    try:
        with live_site.serve(workers=2, **DEVELOPMENT) as base_url, live_site.worker(*DB_WORKER, **DEVELOPMENT):
            api = Api(base_url, key)
            yield base_url, api, subscribe(api, receiver.url), receiver
    finally:
        receiver.close()


def test_every_event_arrives_once_signed_and_an_import_is_one_event(live_site):
    with subscribed(live_site, "hook-trader") as (base_url, api, endpoint, receiver):
        trade = api.post("trades", TRADE)
        api.session.patch(f"{base_url}/api/v1/trades/{trade['id']}", json={"exit_time": "2025-03-03T15:00:00Z",
                          "exit_price": 181}, timeout=60).raise_for_status()  # fmt: skip
        api.session.delete(f"{base_url}/api/v1/trades/{trade['id']}", timeout=60).raise_for_status()
        receiver.wait_for(3)
        r = api.session.post(f"{base_url}/api/v1/imports", data=CSV, timeout=60,
                             headers={"Content-Type": "text/csv"})  # fmt: skip
        assert r.status_code == 202, r.text
        received = receiver.wait_for(4)
        api.session.delete(f"{base_url}/api/v1/imports/{r.json()['id']}", timeout=60).raise_for_status()
        received = receiver.wait_for(5)  # the undo is the worker's: its event comes when it is done
        # A table no format reads: a failed import (it suggests a mapping).
        bad = api.session.post(f"{base_url}/api/v1/imports", data=UNREAD, timeout=60,
                               headers={"Content-Type": "text/csv"})  # fmt: skip
        assert bad.status_code == 202 and bad.json()["status"] == "failed", bad.text
        received = receiver.wait_for(6)
        time.sleep(2)  # anything more would arrive now (the worker polls every 0.1 s)
        received = receiver.received
    sent = ["trade.created", "trade.updated", "trade.deleted", "import.succeeded", "import.undone", "import.failed"]
    assert types(received) == sent and sorted(sent) == sorted(EVENTS), types(received)
    verify = readme_verify()
    for headers, body in received:
        assert verify(endpoint["secret"], headers, body), headers
        assert headers["Webhook-Id"] == json.loads(body)["id"]
    succeeded = json.loads(received[3][1])["data"]
    assert (succeeded["status"], succeeded["trades_created"]) == ("succeeded", 2)
    assert json.loads(received[1][1])["data"]["changed"] == ["exit_time", "exit_price", "pnl", "net_pnl",
                                                             "realized_pnl"]  # fmt: skip


def test_a_bulk_create_and_a_bulk_edit_send_one_signed_event_per_trade_and_a_refused_bulk_none(live_site):
    live_site.create_trader("hook-bulk-trader", PASSWORD)
    with subscribed(live_site, "hook-bulk-trader") as (base_url, api, endpoint, receiver):
        created = api.post("trades/bulk", {"trades": [{**TRADE, "instrument": f"SYM{i}"} for i in range(5)]})
        ids = [trade["id"] for trade in created["data"]]
        refused = api.session.post(f"{base_url}/api/v1/trades/bulk", timeout=60,
                                   json={"trades": [TRADE, {**TRADE, "side": "up"}]})  # fmt: skip
        assert refused.status_code == 422, refused.text
        web = web_session(base_url, "hook-bulk-trader", PASSWORD)
        r = web.post(f"{base_url}/dashboard/trades/bulk/", timeout=60, data={
            "trade": [str(pk) for pk in ids[:3]], "action": "setup_type", "setup_type": "Opening drive",
            "next": "/dashboard/trades/", "csrfmiddlewaretoken": web.cookies["csrftoken"],
        })  # fmt: skip
        assert r.status_code == 200 and r.url == f"{base_url}/dashboard/trades/", r.text[:500]
        receiver.wait_for(8)
        time.sleep(2)  # anything more would arrive now (the worker polls every 0.1 s)
        received = receiver.received
    verify = readme_verify()
    assert all(verify(endpoint["secret"], headers, body) for headers, body in received)
    assert len({headers["Webhook-Id"] for headers, _ in received}) == len(received) == 8
    events = [json.loads(body) for _, body in received]
    assert sorted(e["data"]["id"] for e in events if e["type"] == "trade.created") == ids
    assert sorted((e["data"]["id"], e["data"]["changed"], e["data"]["setup_type"]) for e in events
                  if e["type"] == "trade.updated") == [(pk, ["setup_type"], "Opening drive") for pk in ids[:3]]  # fmt: skip


def test_a_receiver_failing_three_times_gets_the_event_on_the_fourth_try_with_the_same_id(live_site):
    key = live_site.create_key("hook-retry-trader", SCOPES)
    receiver = Receiver([500, 500, 500])
    try:
        with live_site.serve(workers=1, **DEVELOPMENT) as base_url, live_site.worker(*DB_WORKER, **DEVELOPMENT):
            api = Api(base_url, key)
            endpoint = subscribe(api, receiver.url, ["trade.created"])
            api.post("trades", TRADE)
            received = receiver.wait_for(4)
            log = settled_log(api, endpoint)
    finally:
        receiver.close()
    assert len({headers["Webhook-Id"] for headers, _ in received}) == 1
    assert [(row["attempt"], row["status"], row["response_code"]) for row in log["data"]] == [
        (4, "succeeded", 200), (3, "failed", 500), (2, "failed", 500), (1, "failed", 500),
    ]  # fmt: skip


def test_a_hanging_receiver_does_not_hold_up_another_traders_delivery(live_site):
    hanging, prompt = Receiver(hang=60), Receiver()
    slow_key, other_key = (live_site.create_key(name, SCOPES) for name in ("hook-hung", "hook-prompt"))
    try:
        with live_site.serve(workers=2, **DEVELOPMENT) as base_url, live_site.worker(*DB_WORKER, **DEVELOPMENT), \
                live_site.worker(*DB_WORKER, **DEVELOPMENT):  # fmt: skip
            slow, other = Api(base_url, slow_key), Api(base_url, other_key)
            slow_endpoint = subscribe(slow, hanging.url, ["trade.created"])
            subscribe(other, prompt.url, ["trade.created"])
            slow.post("trades", TRADE)
            hanging.wait_for(1)  # a worker is now held by it
            other.post("trades", TRADE)
            prompt.wait_for(1)
            # Delivered while the hanging receiver still holds its attempt open.
            [attempt] = slow.read(f"webhooks/{slow_endpoint['id']}/deliveries")["data"]
            assert (attempt["attempt"], attempt["status"]) == (1, "pending"), attempt
    finally:
        hanging.close()
        prompt.close()


def test_on_rq_a_retried_delivery_arrives_through_the_scheduler(live_site):
    redis_server = PrivateRedis()
    redis_server.start()
    key = live_site.create_key("hook-rq-trader", SCOPES)
    receiver = Receiver([500])
    on_redis = {**DEVELOPMENT, "REDIS_URL": redis_server.url}
    try:
        with live_site.serve(workers=1, **on_redis) as base_url, \
                live_site.worker("rqworker", "default", "--with-scheduler", **on_redis):  # fmt: skip
            api = Api(base_url, key)
            subscribe(api, receiver.url, ["trade.created"])
            api.post("trades", TRADE)
            received = receiver.wait_for(2)
    finally:
        receiver.close()
        redis_server.stop()
    assert types(received) == ["trade.created"] * 2
    assert received[0][0]["Webhook-Id"] == received[1][0]["Webhook-Id"]
