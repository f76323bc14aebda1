"""/api/v1/tags and a trade's tags: names keep their case and match in any case, a rename shows on
every trade at once, and unknown names sent with a trade become the owner's tags."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apikeys.scopes import ALL_SCOPES
from journal.models import NamedQuerySet, Tag, Trade
from journal.tagging import tags_get_or_create
from journal.tags_api import TagSerializer
from tests.factories import REFERENCE_BODY, make_key, make_tag, make_trade, make_user, tag_trade

pytestmark = pytest.mark.django_db

NAME_RULE = "The tag name must be 1 to 64 characters, without control characters, commas or a space at either end."


def details(r) -> dict:
    assert r.status_code == 422, r.content
    assert r.json()["error"] == "Validation failed"
    return r.json()["details"]


def trade_tags(api, trade_id: int) -> list[str]:
    r = api.get(f"/api/v1/trades/{trade_id}")
    assert r.status_code == 200, r.content
    return r.json()["tags"]


def test_create_answers_the_tag_and_its_location(api, user):
    r = api.post("/api/v1/tags", {"name": "A+ Setup", "color": "#1F77B4"}, format="json")
    assert r.status_code == 201, r.content
    tag = Tag.objects.get()
    assert r.json() == {"id": tag.pk, "name": "A+ Setup", "color": "#1f77b4"}
    assert r["Location"] == f"http://testserver/api/v1/tags/{tag.pk}"
    assert api.post("/api/v1/tags", {"name": "plain"}, format="json").json()["color"] is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"name": ["The tag name field is required."]}),
        ({"name": "a,b"}, {"name": [NAME_RULE]}),
        ({"name": "trailing "}, {"name": [NAME_RULE]}),
        ({"name": "line\nbreak"}, {"name": [NAME_RULE]}),
        ({"name": "ok", "color": "red"}, {"color": ["The color must be #rrggbb (hexadecimal), e.g. #1f77b4."]}),
        ({"name": "ok", "color": "#12345"}, {"color": ["The color must be #rrggbb (hexadecimal), e.g. #1f77b4."]}),
        ({"name": "ok", "colour": "#123456"}, {"colour": ["Unknown field."]}),
    ],
)
def test_invalid_tags_are_422(api, body, expected):
    assert details(api.post("/api/v1/tags", body, format="json")) == expected


def test_names_keep_their_case_and_are_unique_in_any_case(api, user):
    api.post("/api/v1/tags", {"name": "FOMO"}, format="json")
    assert details(api.post("/api/v1/tags", {"name": "fomo"}, format="json")) == {
        "name": ["You already have a tag named 'fomo'."]
    }
    make_tag(make_user(), "fomo")  # another trader's: no clash
    assert list(Tag.objects.owned_by(user).values_list("name", flat=True)) == ["FOMO"]


def test_a_clash_that_slips_past_the_check_is_still_a_422(api, user, monkeypatch):
    make_tag(user, "news")
    original, calls = TagSerializer.unique_errors, []

    def check_missing_the_clash_at_first(self, attrs):
        calls.append(attrs["name"])
        return {} if len(calls) == 1 else original(self, attrs)

    monkeypatch.setattr(TagSerializer, "unique_errors", check_missing_the_clash_at_first)
    assert details(api.post("/api/v1/tags", {"name": "NEWS"}, format="json")) == {
        "name": ["You already have a tag named 'NEWS'."]
    }
    assert Tag.objects.count() == 1


def test_list_is_the_page_envelope_by_name(api, user):
    for name in ("swing", "A+", "news"):
        make_tag(user, name)
    make_tag(make_user(), "hidden")
    body = api.get("/api/v1/tags").json()
    assert [t["name"] for t in body["data"]] == ["A+", "news", "swing"]
    assert body["total"] == 3


def test_a_rename_shows_on_every_trade_at_once(api, user):
    tag = make_tag(user, "revenge")
    trades = [tag_trade(make_trade(user), tag) for _ in range(3)]
    r = api.patch(f"/api/v1/tags/{tag.pk}", {"name": "Revenge trade", "color": "#ff7f0e"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"id": tag.pk, "name": "Revenge trade", "color": "#ff7f0e"}
    listed = api.get("/api/v1/trades").json()["data"]
    assert {t["id"]: t["tags"] for t in listed} == {t.pk: ["Revenge trade"] for t in trades}


def test_renaming_onto_another_tag_is_422_and_a_case_change_is_fine(api, user):
    make_tag(user, "news")
    tag = make_tag(user, "scalp")
    assert details(api.patch(f"/api/v1/tags/{tag.pk}", {"name": "News"}, format="json")) == {
        "name": ["You already have a tag named 'News'."]
    }
    r = api.patch(f"/api/v1/tags/{tag.pk}", {"name": "SCALP"}, format="json")
    assert r.status_code == 200, r.content


def test_deleting_a_tag_takes_it_off_its_trades(api, user):
    tag, kept = make_tag(user, "oops"), make_tag(user, "keep")
    trade = tag_trade(make_trade(user), tag, kept)
    assert api.delete(f"/api/v1/tags/{tag.pk}").status_code == 204
    assert trade_tags(api, trade.pk) == ["keep"]
    assert Trade.objects.filter(pk=trade.pk).exists()


def test_another_owners_tag_is_404_for_every_method(api):
    theirs = make_tag(make_user(), "theirs")
    url = f"/api/v1/tags/{theirs.pk}"
    for r in (api.get(url), api.patch(url, {"name": "mine"}, format="json"), api.delete(url)):
        assert r.status_code == 404, r.content
    assert Tag.objects.get(pk=theirs.pk).name == "theirs"


@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [("get", "", "trades:read"), ("post", "", "trades:write"), ("get", "/{id}", "trades:read"),
     ("patch", "/{id}", "trades:write"), ("delete", "/{id}", "trades:write")],
)  # fmt: skip
@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_method_needs_exactly_its_scope(method, path, needed, scope):
    owner = make_user()
    tag = make_tag(owner, "news")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(owner, scopes=[scope])[1]}")
    r = getattr(client, method)(f"/api/v1/tags{path.format(id=tag.pk)}", {"name": "other"}, format="json")
    if scope == needed:
        assert r.status_code in (200, 201, 204), r.content
    else:
        assert r.status_code == 403, r.content
        assert r.json() == {"error": f"Insufficient scope: {needed} required"}


# --- a trade's tags ---------------------------------------------------------------------------


def test_a_trades_tags_are_matched_in_any_case_created_when_new_and_listed_sorted(api, user):
    existing = make_tag(user, "FOMO")
    make_tag(make_user(), "news")  # another trader's tag is never used
    r = api.post("/api/v1/trades", {**REFERENCE_BODY, "tags": ["news", "fomo", "b-setup", "News"]}, format="json")
    assert r.status_code == 201, r.content
    assert set(r.json()) == {"id", "instrument", "side", "entry_price", "message"}  # the reference's 201, as is
    assert trade_tags(api, r.json()["id"]) == ["b-setup", "FOMO", "news"]
    mine = Tag.objects.owned_by(user)
    assert sorted(mine.values_list("name", flat=True)) == ["FOMO", "b-setup", "news"]
    assert mine.get(name="FOMO") == existing


def test_patch_without_tags_keeps_them_with_tags_replaces_them_and_put_without_clears(api, user):
    trade_id = api.post("/api/v1/trades", {**REFERENCE_BODY, "tags": ["a", "b"]}, format="json").json()["id"]
    url = f"/api/v1/trades/{trade_id}"
    assert api.patch(url, {"notes": "x"}, format="json").json()["tags"] == ["a", "b"]
    assert api.patch(url, {"tags": ["c", "A"]}, format="json").json()["tags"] == ["a", "c"]
    assert api.put(url, REFERENCE_BODY, format="json").json()["tags"] == []
    assert Tag.objects.owned_by(user).count() == 3  # taking tags off a trade keeps the tags


def test_a_trade_read_with_get_can_be_sent_back_with_put(api, user):
    trade_id = api.post("/api/v1/trades", {**REFERENCE_BODY, "tags": ["swing"]}, format="json").json()["id"]
    got = api.get(f"/api/v1/trades/{trade_id}").json()
    r = api.put(f"/api/v1/trades/{trade_id}", got, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == got | {"tags": ["swing"]}


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["ok", "a,b"], {"tags.1": [NAME_RULE]}),
        ([""], {"tags.0": [NAME_RULE]}),
        ("fomo", {"tags": ['Expected a list of items but got type "str".']}),
        (None, {"tags": ["This field may not be null."]}),
        ([f"t{i}" for i in range(51)], {"tags": ["Ensure this field has no more than 50 elements."]}),
    ],
)
def test_invalid_tags_on_a_trade_are_422(api, tags, expected):
    assert details(api.post("/api/v1/trades", {**REFERENCE_BODY, "tags": tags}, format="json")) == expected
    assert not Tag.objects.exists() and not Trade.objects.exists()


def test_a_tag_created_by_a_concurrent_request_is_reused_not_duplicated(user, monkeypatch):
    # The other request inserts "news" after this one looked and found nothing.
    theirs = make_tag(user, "News")
    original, looked = NamedQuerySet.named, []

    def first_look_misses(self, names):
        looked.append(list(names))
        return self.none() if len(looked) == 1 else original(self, names)

    monkeypatch.setattr(NamedQuerySet, "named", first_look_misses)
    assert tags_get_or_create(user_id=user.pk, names=["news", "swing"]) == [theirs, Tag.objects.get(name="swing")]
    assert Tag.objects.count() == 2


def test_the_list_reads_the_tags_with_the_page_no_query_more(api, user):
    tags = [make_tag(user, name) for name in ("a", "b", "c")]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(40):
        tag_trade(make_trade(user, entry_time=start + timedelta(hours=i)), *tags[: i % 4])
    api.get("/api/v1/trades")  # records the key's last use
    with CaptureQueriesContext(connection) as captured:
        page = api.get("/api/v1/trades?per_page=100").json()["data"]
    trade_queries = [q["sql"] for q in captured.captured_queries if "journal_trade" in q["sql"]]
    assert len(trade_queries) == 1, trade_queries  # the page with its tags (the count is cached)
    assert sorted(len(t["tags"]) for t in page) == sorted(i % 4 for i in range(40))
