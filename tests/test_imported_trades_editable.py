"""Whatever an import writes can be edited: every format's sample trades take their own GET body back
as a PUT, and their own edit form posted back unchanged, and stay exactly as they were; the one
instrument rule (journal/instruments.py) still refuses junk everywhere."""

import json
from html.parser import HTMLParser

import pytest
from django.test import Client

from imports.apply import import_run
from imports.services import import_create
from journal import instruments
from journal.models import Trade
from tests.factories import api_client, form_errors, make_user, read
from tests.formats_helpers import SAMPLES, expected

pytestmark = pytest.mark.django_db
# The samples that make trades (some only skip, or hold corporate actions).
WITH_TRADES = [path for path in SAMPLES if expected(path)["trades"]]


class FormValues(HTMLParser):
    """What a browser would submit for a page's first form, left as it is shown."""

    def __init__(self, html: str):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._done = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done or ("name" not in attrs and tag not in ("option",)):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = attrs["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.values.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._done = True

    def as_post(self) -> dict[str, list[str]]:
        post: dict[str, list[str]] = {}
        for name, value in self.values:
            post.setdefault(name, []).append(value)
        return post


def imported(path) -> tuple:
    """A trader who imported `path`, and one trade of each instrument it made."""
    user = make_user()
    imp = import_create(
        user=user, data=path.read_bytes(), filename=path.name, enqueue=False, tz=expected(path)["tz"]
    )  # fmt: skip
    assert import_run(import_id=imp.pk).status == "succeeded"
    trades = {trade.instrument: trade for trade in Trade.objects.filter(user=user).order_by("id")}
    return user, list(trades.values())


@pytest.mark.parametrize("path", WITH_TRADES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_an_imported_trade_takes_its_own_get_body_back_as_a_put(path):
    user, trades = imported(path)
    api = api_client(user)
    for trade in trades:
        before = api.get(f"/api/v1/trades/{trade.pk}")
        assert before.status_code == 200, before.content
        r = api.generic("PUT", f"/api/v1/trades/{trade.pk}", before.content, content_type="application/json")
        assert r.status_code == 200, (trade.instrument, r.content)
        assert json.loads(r.content) == json.loads(before.content)
        assert api.get(f"/api/v1/trades/{trade.pk}").content == before.content


@pytest.mark.parametrize("path", WITH_TRADES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_an_imported_trade_saves_its_own_edit_form_unchanged(path):
    user, trades = imported(path)
    api, web = api_client(user), Client()
    web.force_login(user)
    for trade in trades:
        before = read(api, f"/api/v1/trades/{trade.pk}")
        page = web.get(f"/dashboard/trades/{trade.pk}/edit/")
        html = page.content.decode()
        form = html[html.index('id="trade-form"') - 200 :]
        values = FormValues(form[form.index("<form") :]).as_post()
        r = web.post(f"/dashboard/trades/{trade.pk}/edit/", values)
        assert r.status_code == 302, (trade.instrument, form_errors(r))
        assert read(api, f"/api/v1/trades/{trade.pk}") == before


@pytest.mark.parametrize(
    "instrument", ["ESX DEC18 69.5 P", "AAPL 28MAR25 222.5 C", "./MESU4MESU4 240920P4650", "ECHI.TO"]
)
def test_a_broker_symbol_with_spaces_is_accepted_by_the_api_and_stored_as_sent(api, instrument):
    body = {"instrument": instrument.lower(), "side": "long", "quantity": 1, "entry_time": "2025-03-03T15:00:00Z",
            "entry_price": 100}  # fmt: skip
    r = api.post("/api/v1/trades", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["instrument"] == instrument


@pytest.mark.parametrize(
    "instrument", ["NQ\tMAR25", "NQ\nMAR25", "NQ\x00", "ES\x7f", " ES", "ES ", "X" * 33, "ESÜ", "ES\u200bZ5"]
)
def test_junk_is_refused_by_the_api(api, instrument):
    body = {"instrument": instrument, "side": "long", "quantity": 1, "entry_time": "2025-03-03T15:00:00Z",
            "entry_price": 100}  # fmt: skip
    r = api.post("/api/v1/trades", body, format="json")
    assert r.status_code == 422, r.content
    assert list(r.json()["details"]) == ["instrument"]
    assert Trade.objects.count() == 0


def test_an_import_refuses_a_row_whose_instrument_the_rule_refuses():
    user = make_user()
    rows = "time,instrument,side,quantity,price\n2025-03-03T15:00:00Z,ESÜ,buy,1,100\n"
    rows += "2025-03-03T15:01:00Z,NQ\x7fZ5,buy,1,100\n2025-03-03T15:02:00Z,NQ MAR25,buy,1,100\n"
    imp = import_create(user=user, data=rows.encode(), filename="fills.csv", enqueue=False, format="generic")
    imp = import_run(import_id=imp.pk)
    assert [(error["row"], error["message"]) for error in imp.errors] == [
        (2, instruments.MESSAGE), (3, instruments.MESSAGE)
    ]  # fmt: skip
    assert list(Trade.objects.filter(user=user).values_list("instrument", flat=True)) == ["NQH25"]


def test_the_rule_accepts_every_instrument_the_formats_write():
    for name in ("NQ MAR25", "FDXM 03-25", "SPX 25 MAR 26 6535 PUT", "/E4CH26 6500 PUT", "XAUUSD.X"):
        assert instruments.is_valid_instrument(name), name
