"""/api/v1/webhooks: endpoints per trader with a secret shown once, scopes, refused URLs, the limit,
secret rotation; and the events the journal's writes and imports record for them (the outbox)."""

import json
import socket

import pytest
from django.db import transaction
from django.urls import reverse

from apikeys.scopes import TRADES_READ, TRADES_WRITE, WEBHOOKS_READ
from imports.apply import import_run
from imports.services import import_create, import_undo
from imports.undo import undo_run
from journal.models import Trade
from tests.factories import api_client, make_key, make_trade, make_user
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.django_db

FIELDS = ["id", "url", "events", "description", "active", "created_at", "disabled_reason"]
TRADE = {"instrument": "AAPL", "side": "long", "quantity": 10, "entry_time": "2025-03-03T14:30:00Z",
         "entry_price": 180}  # fmt: skip
CSV = (
    b"time,instrument,side,quantity,price\n2025-03-03T14:30:00Z,MSFT,buy,5,400\n2025-03-03T15:30:00Z,MSFT,sell,5,410\n"
    b"2025-03-04T14:30:00Z,AAPL,buy,5,200\n2025-03-04T15:30:00Z,AAPL,sell,5,190\n"
)


@pytest.fixture
def public_dns(monkeypatch):
    """hooks.example.com resolves to a public address, rebind.example.com to loopback (no network needed)."""
    real = socket.getaddrinfo
    names = {"hooks.example.com": "93.184.215.14", "rebind.example.com": "127.0.0.1"}

    def fake(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port or 443))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def create(api, **body):
    return api.post("/api/v1/webhooks", {"url": "https://hooks.example.com/tj", "events": ["trade.created"], **body},
                    format="json")  # fmt: skip


def subscribe(user, *events: str, url: str = "https://hooks.example.com/tj") -> Endpoint:
    return Endpoint.objects.create(user=user, url=url, events=list(events), secret="whsec_" + "A" * 32)


def test_an_endpoint_is_created_with_its_secret_shown_once(api, public_dns):
    r = create(api, events=["import.failed", "trade.created"], description="risk bot")
    assert r.status_code == 201, r.content
    created = r.json()
    assert list(created) == [*FIELDS, "secret"]
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["trade.created", "import.failed"]  # in the contract's order
    assert (created["active"], created["disabled_reason"], created["description"]) == (True, None, "risk bot")
    assert r["Location"] == f"http://testserver/api/v1/webhooks/{created['id']}"
    shown = api.get(f"/api/v1/webhooks/{created['id']}").json()
    assert list(shown) == FIELDS
    listed = api.get("/api/v1/webhooks").json()
    assert listed["total"] == 1 and listed["data"] == [shown]


def test_pause_resume_and_delete(api, public_dns):
    pk = create(api).json()["id"]
    Endpoint.objects.filter(pk=pk).update(active=False, disabled_reason="Disabled: failing")
    assert api.get(f"/api/v1/webhooks/{pk}").json()["disabled_reason"] == "Disabled: failing"
    r = api.patch(f"/api/v1/webhooks/{pk}", {"active": True, "events": ["trade.deleted"]}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["active"], r.json()["disabled_reason"], r.json()["events"]) == (True, None, ["trade.deleted"])
    assert api.delete(f"/api/v1/webhooks/{pk}").status_code == 204
    assert api.get(f"/api/v1/webhooks/{pk}").status_code == 404


def test_another_traders_endpoint_is_not_found(api, public_dns):
    other = api_client(make_user())
    pk = create(other).json()["id"]
    assert api.get(f"/api/v1/webhooks/{pk}").status_code == 404
    assert api.patch(f"/api/v1/webhooks/{pk}", {"active": False}, format="json").status_code == 404
    assert api.get(f"/api/v1/webhooks/{pk}/deliveries").status_code == 404
    assert api.post(f"/api/v1/webhooks/{pk}/rotate-secret").status_code == 404


@pytest.mark.parametrize(
    ("scopes", "method", "path", "needed"),
    [
        ((TRADES_READ, TRADES_WRITE), "get", "/api/v1/webhooks", "webhooks:read"),
        ((WEBHOOKS_READ,), "post", "/api/v1/webhooks", "webhooks:write"),
        ((WEBHOOKS_READ,), "post", "/api/v1/webhooks/1/test", "webhooks:write"),
    ],
)
def test_the_webhooks_scopes_are_their_own(scopes, method, path, needed):
    client = api_client(make_user())
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(scopes=scopes)[1]}")
    r = getattr(client, method)(path, {}, format="json")
    assert r.status_code == 403, r.content
    assert r.json() == {"error": f"Insufficient scope: {needed} required"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/tj", "The url must start with https://."),
        ("ftp://hooks.example.com/tj", "The url must start with https://."),
        ("hooks.example.com/tj", "Enter a URL like https://example.com/hooks."),
        ("https://127.0.0.1/hook", "Refused: 127.0.0.1 resolves to 127.0.0.1 is a loopback address."),
        ("https://10.1.2.3:8443/hook", "Refused: 10.1.2.3 resolves to 10.1.2.3 is a private address."),
        (
            "https://169.254.169.254/latest/meta-data",
            "Refused: 169.254.169.254 resolves to 169.254.169.254 is a link-local address.",
        ),
        ("https://[::1]/hook", "Refused: ::1 resolves to ::1 is a loopback address."),
        ("https://[::ffff:127.0.0.1]/hook", "Refused: ::ffff:127.0.0.1 resolves to 127.0.0.1 is a loopback address."),
        ("https://localhost/hook", "Refused: localhost resolves to 127.0.0.1 is a loopback address."),
        ("https://rebind.example.com/hook", "Refused: rebind.example.com resolves to 127.0.0.1 is a loopback address."),
        ("https://user:pw@hooks.example.com/", "The url must not carry a user name or password."),
    ],
)
def test_a_url_that_leads_where_webhooks_dont_go_is_a_422(api, public_dns, url, message):
    r = create(api, url=url)
    assert r.status_code == 422, r.content
    assert r.json()["details"] == {"url": [message]}
    assert not Endpoint.objects.exists()


def test_the_development_settings_allow_http_and_loopback(api, settings):
    settings.WEBHOOK_ALLOW_HTTP = settings.WEBHOOK_ALLOW_PRIVATE = True
    assert create(api, url="http://127.0.0.1:9/hook").status_code == 201


@pytest.mark.parametrize(
    ("events", "message"),
    [([], "Choose one or more events of"), (["trade.exploded"], "Choose one or more events of"), ("trade.created", "")],
)
def test_events_must_be_named_from_the_list(api, public_dns, events, message):
    r = create(api, events=events)
    assert r.status_code == 422, r.content
    details = r.json()["details"]
    assert [name for name in details if not name.startswith("events")] == [], details
    assert message in json.dumps(details)


def test_a_trader_has_at_most_the_set_number_of_endpoints(api, public_dns, settings):
    settings.WEBHOOKS_PER_TRADER = 2
    assert [create(api).status_code for _ in range(2)] == [201, 201]
    r = create(api)
    assert r.status_code == 409, r.content
    assert r.json() == {"error": "You have 2 webhook endpoints, the most one trader may have: delete one first."}


def test_a_rotated_secret_is_shown_once_and_the_old_one_signs_beside_it_for_a_day(api, public_dns):
    created = create(api).json()
    r = api.post(f"/api/v1/webhooks/{created['id']}/rotate-secret")
    assert r.status_code == 200, r.content
    rotated = r.json()["secret"]
    assert rotated.startswith("whsec_") and rotated != created["secret"]
    endpoint = Endpoint.objects.get()
    assert endpoint.signing_secrets() == [rotated, created["secret"]]
    assert endpoint.signing_secrets(now=endpoint.previous_secret_expires_at) == [rotated]


def bodies(type_: str) -> list[dict]:
    return [json.loads(e.body) for e in Event.objects.filter(type=type_).order_by("created_at")]


def test_the_apis_trade_writes_record_their_events_with_the_trade_as_the_api_shows_it(api, user):
    subscribe(user, "trade.created", "trade.updated", "trade.deleted")
    created = api.post("/api/v1/trades", {**TRADE, "tags": ["breakout"]}, format="json").json()
    shown = api.get(f"/api/v1/trades/{created['id']}").json()
    [event] = bodies("trade.created")
    assert list(event) == ["id", "type", "created_at", "api_version", "data"]
    assert (event["type"], event["api_version"], event["data"]) == ("trade.created", "1.2", shown)
    api.patch(f"/api/v1/trades/{created['id']}", {"exit_time": "2025-03-03T15:00:00Z", "exit_price": 181},
              format="json")  # fmt: skip
    api.patch(f"/api/v1/trades/{created['id']}", {"notes": ""}, format="json")  # changes nothing: no event
    [updated] = bodies("trade.updated")
    assert updated["data"]["changed"] == ["exit_time", "exit_price", "pnl", "net_pnl", "realized_pnl"]
    assert updated["data"]["exit_price"] == 181
    shown = api.get(f"/api/v1/trades/{created['id']}").json()
    assert api.delete(f"/api/v1/trades/{created['id']}").status_code == 204
    assert bodies("trade.deleted")[0]["data"] == shown
    assert Delivery.objects.filter(status="pending").count() == 3
    untagged = api.post("/api/v1/trades", TRADE, format="json").json()  # its tags aren't read back
    assert bodies("trade.created")[1]["data"] == api.get(f"/api/v1/trades/{untagged['id']}").json()


def test_the_web_journals_trade_writes_record_the_same_events(web, user):
    subscribe(user, "trade.deleted")
    trade = make_trade(user)
    r = web.post(reverse("trade-delete", args=[trade.pk]))
    assert r.status_code == 302, r.content
    assert bodies("trade.deleted")[0]["data"]["id"] == trade.pk


def test_no_event_without_an_active_endpoint_that_wants_it(api, user):
    subscribe(user, "trade.deleted")
    Endpoint.objects.create(user=user, url="https://x.example/", events=["trade.created"], active=False, secret="s")
    api.post("/api/v1/trades", TRADE, format="json")
    assert not Event.objects.exists()


def test_a_rolled_back_write_leaves_no_event(user):
    subscribe(user, "trade.created")
    with pytest.raises(RuntimeError), transaction.atomic():
        make_trade(user)
        api_client(user).post("/api/v1/trades", TRADE, format="json")
        raise RuntimeError("the request's transaction fails after the write")
    assert (Trade.objects.count(), Event.objects.count(), Delivery.objects.count()) == (0, 0, 0)


def test_an_import_and_its_undo_send_only_their_own_event(user):
    subscribe(user, "trade.created", "trade.updated", "trade.deleted", "import.succeeded", "import.undone")
    imp = import_run(import_id=import_create(user=user, data=CSV, format="generic", enqueue=False).pk)
    assert imp.trades_created == 2
    [succeeded] = bodies("import.succeeded")
    assert (succeeded["data"]["id"], succeeded["data"]["status"], succeeded["data"]["trades_created"]) == (
        imp.pk, "succeeded", 2,
    )  # fmt: skip
    import_undo(imp=imp)  # the request's part; a worker's undoes it
    assert bodies("import.undone") == []
    undo_run(import_id=imp.pk)
    [undone] = bodies("import.undone")
    assert (undone["data"]["id"], undone["data"]["status"]) == (imp.pk, "undone")
    assert sorted(Event.objects.values_list("type", flat=True)) == ["import.succeeded", "import.undone"]


def test_a_failed_import_sends_import_failed(user):
    subscribe(user, "import.failed", "import.succeeded")
    data = b"time,instrument,side,quantity,price\n2025-03-03T14:30:00Z,MSFT,explode,5,400\n" * 1
    imp = import_run(import_id=import_create(user=user, data=data, format="generic", enqueue=False).pk)
    types = list(Event.objects.values_list("type", flat=True))
    assert types == [f"import.{imp.status}"]


def test_a_file_no_format_reads_is_a_failed_import_and_sends_import_failed(user):
    subscribe(user, "import.failed")
    data = b"When,Ticker,Direction,Shares,Fill\n2025-03-03 14:30,MSFT,Bought,5,400\n2025-03-03 15:30,MSFT,Sold,5,410\n"
    imp = import_create(user=user, data=data, enqueue=False)
    assert imp.status == "failed" and imp.suggested_mapping is not None
    assert [body["data"]["id"] for body in bodies("import.failed")] == [imp.pk]
