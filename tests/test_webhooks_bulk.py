"""The events of writes that change many trades at once: a bulk create sends a trade.created per trade,
the web journal's bulk edit a trade.updated per trade it changed, a tag's rename or delete one per
trade that carries it; all recorded together in the write's transaction, and held back, not dropped,
by the per-trader delivery limit."""

import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from journal.models import Tag, Trade
from journal.serializers import MAX_TAGS_PER_TRADE
from tests.factories import REFERENCE_BODY, make_account, make_tag, make_trade, tag_trade
from tests.webhook_receiver import Receiver, readme_verify
from webhooks import tasks
from webhooks.models import Delivery, Endpoint, Event, new_secret

pytestmark = pytest.mark.django_db
BULK = "/api/v1/trades/bulk"
TRADE_EVENTS = ["trade.created", "trade.updated", "trade.deleted"]


def subscribe(user, url: str = "https://hooks.example.com/tj", events=TRADE_EVENTS) -> Endpoint:
    return Endpoint.objects.create(user=user, url=url, events=list(events), secret=new_secret())


def trades(count: int, **fields) -> list[dict]:
    return [{**REFERENCE_BODY, "instrument": f"SYM{i}", **fields} for i in range(count)]


def datas(type_: str) -> list[dict]:
    """The events' data, in the order of the writes, each write's by trade."""
    events = [
        (at, json.loads(body)["data"])
        for at, body in Event.objects.filter(type=type_).values_list("created_at", "body")
    ]
    return [data for _, data in sorted(events, key=lambda event: (event[0], event[1]["id"]))]


def by_id(events: list[dict]) -> dict[int, dict]:
    return {data["id"]: data for data in events}


def test_a_bulk_create_records_one_trade_created_per_trade_as_the_answer_shows_it(api, user):
    subscribe(user)
    r = api.post(BULK, {"trades": trades(3, tags=["breakout"])}, format="json")
    assert r.status_code == 201, r.content
    assert by_id(datas("trade.created")) == by_id(r.json()["data"])
    assert len({event.id for event in Event.objects.all()}) == 3
    # Each with its delivery, queued in the same transaction.
    assert Delivery.objects.filter(status="pending", attempt=1).count() == 3
    assert sorted(t.args_kwargs["args"][0] for t in DBTaskResult.objects.all()) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )


def test_a_bulk_create_with_one_invalid_trade_records_nothing(api, user):
    subscribe(user)
    r = api.post(BULK, {"trades": [*trades(2), {**REFERENCE_BODY, "side": "up"}]}, format="json")
    assert r.status_code == 422, r.content
    assert (Trade.objects.count(), Event.objects.count(), Delivery.objects.count()) == (0, 0, 0)


def test_a_bulk_create_rolled_back_after_its_write_leaves_no_event(api, user):
    subscribe(user)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert api.post(BULK, {"trades": trades(3)}, format="json").status_code == 201
        assert Event.objects.count() == 3
        raise RuntimeError("the transaction fails after the write")
    counts = (Event.objects.count(), Delivery.objects.count(), DBTaskResult.objects.count())
    assert (Trade.objects.count(), *counts) == (0, 0, 0, 0)


def test_no_event_for_a_bulk_create_nobody_listens_to(api, user):
    subscribe(user, events=["trade.deleted"])
    assert api.post(BULK, {"trades": trades(3)}, format="json").status_code == 201
    assert not Event.objects.exists()


def queries_for(api, count: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.post(BULK, {"trades": trades(count)}, format="json").status_code == 201
    return len(queries)


def test_the_events_of_a_bulk_create_cost_a_few_queries_not_one_per_trade(api, user):
    unheard = queries_for(api, 300)
    subscribe(user)
    subscribe(user, url="https://hooks.example.com/second")
    heard = queries_for(api, 300)
    assert Event.objects.count() == 300 and Delivery.objects.count() == 600
    # The endpoints read, then the events, deliveries and queue entries each inserted in batches
    # (one on PostgreSQL; SQLite's bound on parameters splits them).
    batches = 1 if connection.vendor == "postgresql" else 12
    assert heard - unheard <= 1 + 3 * batches, (unheard, heard)


def bulk_edit(web, ids, **fields):
    r = web.post(reverse("trades-bulk"), {"trade": [str(pk) for pk in ids], "next": "/dashboard/trades/", **fields})
    assert r.status_code == 302, r.content
    return r


def test_the_web_journals_bulk_edit_sends_trade_updated_for_each_trade_it_changed(web, api, user):
    subscribe(user)
    made = [make_trade(user, setup_type="Fade") for _ in range(3)]
    ids = [trade.pk for trade in made]
    tag_trade(made[0], make_tag(user, "A+"))
    bulk_edit(web, ids, action="tag", tag="a+")  # the first has it already
    events = by_id(datas("trade.updated"))
    assert sorted(events) == ids[1:]
    for pk, data in events.items():
        assert data["changed"] == ["tags"]
        assert {**data, "changed": None} == {**api.get(f"/api/v1/trades/{pk}").json(), "changed": None}
    Event.objects.all().delete()
    bulk_edit(web, ids[:2], action="setup_type", setup_type="Opening drive")
    assert [(d["id"], d["changed"], d["setup_type"]) for d in datas("trade.updated")] == [
        (pk, ["setup_type"], "Opening drive") for pk in ids[:2]
    ]  # fmt: skip
    Event.objects.all().delete()
    account = make_account(user, name="Prop")
    bulk_edit(web, ids, action="setup_type", setup_type="Opening drive")  # changes only the third
    bulk_edit(web, ids[2:], action="account", account=str(account.pk))
    assert [(d["id"], d["changed"]) for d in datas("trade.updated")] == [
        (ids[2], ["setup_type"]), (ids[2], ["account"])
    ]  # fmt: skip


def test_a_bulk_edit_refused_records_nothing(web, user):
    subscribe(user)
    trade = make_trade(user)
    tag_trade(trade, *(make_tag(user, f"t{i}") for i in range(MAX_TAGS_PER_TRADE)))
    bulk_edit(web, [trade.pk], action="tag", tag="one more")  # one tag too many: nothing changes
    assert trade.tags.count() == MAX_TAGS_PER_TRADE and not Event.objects.exists()


def test_renaming_a_tag_sends_trade_updated_for_each_trade_that_carries_it(api, web, user):
    subscribe(user)
    tag = make_tag(user, "fomo")
    tagged = [tag_trade(make_trade(user), tag) for _ in range(2)]
    make_trade(user)  # untagged: no event
    r = api.patch(f"/api/v1/tags/{tag.pk}", {"color": "#aabbcc"}, format="json")
    assert r.status_code == 200, r.content
    assert not Event.objects.exists()  # a colour is not part of a trade
    assert api.patch(f"/api/v1/tags/{tag.pk}", {"name": "FOMO"}, format="json").status_code == 200
    events = datas("trade.updated")
    assert sorted(d["id"] for d in events) == [t.pk for t in tagged]
    assert {(tuple(d["tags"]), tuple(d["changed"])) for d in events} == {(("FOMO",), ("tags",))}
    Event.objects.all().delete()
    r = web.post(reverse("tag-edit", args=[tag.pk]), {"name": "Chased", "color": ""})
    assert r.status_code == 302, r.content
    assert [d["tags"] for d in datas("trade.updated")] == [["Chased"], ["Chased"]]


def test_deleting_a_tag_sends_trade_updated_for_each_trade_that_carried_it(api, web, user):
    subscribe(user)
    tag, kept = make_tag(user, "fomo"), make_tag(user, "plan")
    first, second = tag_trade(make_trade(user), tag, kept), tag_trade(make_trade(user), tag)
    assert api.delete(f"/api/v1/tags/{tag.pk}").status_code == 204
    assert [(d["id"], d["tags"], d["changed"]) for d in datas("trade.updated")] == [
        (first.pk, ["plan"], ["tags"]), (second.pk, [], ["tags"])
    ]  # fmt: skip
    Event.objects.all().delete()
    r = web.post(reverse("tag-delete", args=[kept.pk]))
    assert r.status_code == 302, r.content
    assert [(d["id"], d["tags"]) for d in datas("trade.updated")] == [(first.pk, [])]
    assert not Tag.objects.exists()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_HTTP = settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver()
    yield receiver
    receiver.close()


def run_pending() -> None:
    """Every pending delivery due now, sent once, as the worker's task would send it."""
    due = Delivery.objects.filter(status="pending", due_at__lte=timezone.now()).order_by("id")
    for pk in due.values_list("pk", flat=True):
        tasks.deliver.call(pk)


def test_a_bulk_edit_arrives_as_signed_trade_updated_events(receiver, web, user):
    endpoint = subscribe(user, receiver.url)
    ids = [make_trade(user).pk for _ in range(3)]
    bulk_edit(web, ids, action="setup_type", setup_type="Opening drive")
    run_pending()
    received = receiver.wait_for(3)
    verify = readme_verify()
    assert all(verify(endpoint.secret, headers, body) for headers, body in received)
    datas = sorted((json.loads(body)["data"] for _, body in received), key=lambda d: d["id"])
    assert [(d["id"], d["changed"], d["setup_type"]) for d in datas] == [
        (pk, ["setup_type"], "Opening drive") for pk in ids
    ]  # fmt: skip


def test_a_burst_of_a_thousand_events_is_held_to_the_per_minute_limit_and_none_is_dropped(
    receiver, api, user, settings
):
    limit = settings.WEBHOOK_DELIVERIES_PER_MINUTE = 120
    subscribe(user, receiver.url, events=["trade.created"])
    assert api.post(BULK, {"trades": trades(1000)}, format="json").status_code == 201
    for minute in (1, 2):
        run_pending()
        assert len(receiver.received) == limit * minute
        waiting = Delivery.objects.filter(status="pending")
        assert waiting.count() == 1000 - limit * minute
        # Held back without using an attempt, due within the next minute.
        assert not waiting.exclude(attempt=1).exists()
        assert not waiting.filter(due_at__gt=timezone.now() + timedelta(minutes=1)).exists()
        # A minute passes.
        Delivery.objects.update(attempted_at=timezone.now() - timedelta(minutes=2))
        waiting.update(due_at=timezone.now())
    settings.WEBHOOK_DELIVERIES_PER_MINUTE = 1000  # the rest, at once
    run_pending()
    assert Delivery.objects.filter(status="succeeded").count() == Delivery.objects.count() == 1000
    assert len({json.loads(body)["id"] for _, body in receiver.received}) == len(receiver.received) == 1000
