"""Acknowledged writes stay written, and names stay unique: real concurrent requests against
gunicorn on the test database."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from functools import partial

import pytest
import requests

pytestmark = pytest.mark.live

TRADE = {
    "instrument": "BTCUSDT", "side": "long", "quantity": "1", "entry_time": "2025-03-15T10:30:00Z",
    "entry_price": "100", "exit_time": "2025-03-15T14:00:00Z", "exit_price": "110", "commission": "1",
}  # fmt: skip
ROUNDS = 12


@pytest.fixture(scope="module")
def server(live_site):
    key = live_site.create_key("racer")
    with live_site.serve(workers=4, API_KEY_RATE_LIMIT="1000000/day") as base_url:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        yield f"{base_url}/api/v1", session


def at_once(*calls):
    """Runs the calls in threads released together; returns their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, call) for call in calls]]


def create(api, session) -> int:
    r = session.post(f"{api}/trades", json=TRADE, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_deleted_trade_never_comes_back_when_a_change_races_the_delete(server, method):
    api, session = server
    body = {**TRADE, "notes": "changed"} if method == "put" else {"notes": "changed"}
    for _ in range(ROUNDS):
        trade_id = create(api, session)
        url = f"{api}/trades/{trade_id}"
        deleted, changed = at_once(
            lambda url=url: requests.delete(url, headers=session.headers, timeout=10),
            lambda url=url: requests.request(method, url, json=body, headers=session.headers, timeout=10),
        )
        assert deleted.status_code == 204, deleted.text
        assert changed.status_code in (200, 404), changed.text
        after = session.get(url, timeout=10)
        assert after.status_code == 404, f"the deleted trade is back after a racing {method.upper()}: {after.text}"


def test_concurrent_patches_of_different_fields_all_survive_with_consistent_pnl(server):
    api, session = server
    changes = [{"notes": "n"}, {"setup_type": "breakout"}, {"exit_price": "120"}, {"commission": "2.5"}]
    for _ in range(ROUNDS):
        trade_id = create(api, session)
        url = f"{api}/trades/{trade_id}"
        answers = at_once(
            *[lambda c=c, url=url: requests.patch(url, json=c, headers=session.headers, timeout=10) for c in changes]
        )
        assert [a.status_code for a in answers] == [200] * len(changes), [a.text for a in answers]
        trade = session.get(url, timeout=10).json()
        assert (trade["notes"], trade["setup_type"], trade["exit_price"], trade["commission"]) == (
            "n", "breakout", 120, 2.5,
        ), trade  # fmt: skip
        assert Decimal(str(trade["pnl"])) == Decimal(20)
        assert Decimal(str(trade["net_pnl"])) == Decimal("17.5")


def chunked(data: bytes, size: int = 7):
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_a_chunked_body_is_read_like_any_other(server):
    api, session = server
    trade_id = create(api, session)
    r = session.patch(f"{api}/trades/{trade_id}", data=chunked(b'{"notes": "sent in chunks"}'),
                      headers={"Content-Type": "application/json"}, timeout=10)  # fmt: skip
    assert r.status_code == 200, r.text
    assert session.get(f"{api}/trades/{trade_id}", timeout=10).json()["notes"] == "sent in chunks"
    import json

    created = session.post(f"{api}/trades", data=chunked(json.dumps(TRADE).encode()),
                           headers={"Content-Type": "application/json"}, timeout=10)  # fmt: skip
    assert created.status_code == 201, created.text


def test_an_oversized_chunked_body_is_413(server):
    api, session = server
    body = b'{"notes": "' + b"x" * (200 * 1024) + b'"}'
    r = session.post(f"{api}/trades", data=chunked(body, 8192), headers={"Content-Type": "application/json"},
                     timeout=10)  # fmt: skip
    assert r.status_code == 413, r.text
    assert "error" in r.json()


CASES = (str.lower, str.upper, str.title, str.lower)  # one name, as four clients might write it


def post(session, url: str, body: dict) -> requests.Response:
    return requests.post(url, json=body, headers=session.headers, timeout=10)


def test_one_name_created_by_racing_requests_is_one_tag_and_the_others_get_a_422(server):
    api, session = server
    for round_ in range(ROUNDS):
        name = f"race-{round_}"
        answers = at_once(*[partial(post, session, f"{api}/tags", {"name": case(name)}) for case in CASES])
        assert sorted(a.status_code for a in answers) == [201, 422, 422, 422], [a.text for a in answers]
        for refused in (a for a in answers if a.status_code == 422):
            assert refused.json()["details"]["name"][0].startswith("You already have a tag named"), refused.text
        tags = session.get(f"{api}/tags?per_page=100", timeout=10).json()["data"]
        assert [t["name"].lower() for t in tags].count(name) == 1


def test_trades_racing_to_create_the_same_new_tag_all_get_it(server):
    api, session = server
    for round_ in range(ROUNDS):
        name = f"new-{round_}"
        bodies = [{**TRADE, "tags": [case(name), "shared"]} for case in CASES]
        answers = at_once(*[partial(post, session, f"{api}/trades", body) for body in bodies])
        assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
        tags = {session.get(f"{api}/trades/{a.json()['id']}", timeout=10).json()["tags"][0] for a in answers}
        assert len(tags) == 1, tags  # one tag, in the case of whichever request created it
