"""A dated future has one name whichever broker's file it came from, or whether the trader typed it
through the API or the web form (journal/futures.py): root, CME month code, two-digit year. Stocks,
options and options on futures keep theirs; so does our own export; futures stored before the rule
are renamed by a migration, so their file imports again as duplicates."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from imports.apply import import_run
from imports.models import Execution, KeptAnnotation
from imports.services import import_create
from journal.futures import futures_instrument
from journal.models import Trade
from journal.multipliers import multiplier_for
from tests.factories import make_trade, make_user, read
from tests.formats_helpers import DATA
from tests.test_imports_roundtrip import export

NINJATRADER_MNQ_SEP26 = DATA / "ninjatrader_trades" / "trades_grid.csv"
TRADOVATE_MNQU6 = DATA / "tradovate_performance" / "performance.csv"


@pytest.mark.parametrize(
    ("written", "year", "name"),
    [
        ("MNQU6", 2026, "MNQU26"),  # Tradovate, ProjectX
        ("MNQU26", 2026, "MNQU26"),
        ("MNQU2026", 2026, "MNQU26"),
        ("/MNQU26", 2026, "MNQU26"),  # thinkorswim
        ("/CLJ4", 2024, "CLJ24"),  # tastytrade
        ("MNQ SEP26", 2026, "MNQU26"),  # NinjaTrader
        ("MNQ 09-26", 2026, "MNQU26"),
        ("MNQ SEP 2026", 2026, "MNQU26"),
        ("YM DEC 18", 2018, "YMZ18"),  # IBKR's description
        ("YMZ8", 2018, "YMZ18"),  # IBKR's local symbol
        ("FDXM 03-25", 2025, "FDXMH25"),  # spaced: a future by its shape, though the table lacks the root
        ("6EM5", 2025, "6EM25"),
        ("ESH6", 2025, "ESH26"),  # next year's contract
        ("ESZ5", 2026, "ESZ25"),  # a fill of a contract listed last year (time zones, late reports)
        ("ESZ6", 2027, "ESZ26"),
        ("ESH7", 2026, "ESH27"),
        ("ESH0", 2029, "ESH30"),  # the decade turns
    ],
)
def test_each_form_brokers_write_has_one_name(written, year, name):
    assert futures_instrument(written, year=year) == name


@pytest.mark.parametrize(
    "symbol",
    [
        "AAPL", "ES", "ESV", "GOOG", "BTCUSDT", "XAUUSD.X", "MNQ1!", "SPY240119P00450000", "AAPL 28MAR25 222.5 C",
        "/E4CH26 6500 PUT", "LOF9 P6000", "GBUZ8 P1310", "ESX DEC18 69.5 P", "C ODAX DEC 18 12000",
        "SPX 25 MAR 26 6535 PUT", "ABCZ5",
    ],
)  # fmt: skip
def test_stocks_options_and_options_on_futures_keep_their_names(symbol):
    assert futures_instrument(symbol, year=2026) == symbol


def test_the_one_name_keeps_the_tables_point_value():
    assert multiplier_for("MNQU26") == multiplier_for("MNQ SEP26") == Decimal(2)


def typed(instrument: str, entry_time: str = "2026-07-15T14:30:00Z") -> dict:
    return {"instrument": instrument, "side": "long", "quantity": 1, "entry_time": entry_time, "entry_price": 21000,
            "exit_time": entry_time, "exit_price": 21010}  # fmt: skip


@pytest.mark.django_db
def test_a_future_typed_through_the_api_is_stored_and_answered_under_its_one_name(api):
    r = api.post("/api/v1/trades", typed("mnq sep26"), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["instrument"] == "MNQU26"
    body = read(api, f"/api/v1/trades/{r.json()['id']}")
    assert (body["instrument"], body["multiplier"], body["pnl"]) == ("MNQU26", Decimal(2), Decimal(20))


@pytest.mark.django_db
def test_a_typed_trade_keeps_the_name_it_would_have_had_and_other_symbols_keep_theirs(api):
    sent = ["MNQ SEP26", "/MNQU26", "MNQ 09-26", "aapl", "AAPL 28MAR25 222.5 C", "/E4CH26 6500 PUT", "MNQ1!", "ESV"]
    stored = []
    for instrument in sent:
        r = api.post("/api/v1/trades", typed(instrument), format="json")
        assert r.status_code == 201, r.content
        stored.append(read(api, f"/api/v1/trades/{r.json()['id']}")["instrument"])
    assert stored == ["MNQU26", "MNQU26", "MNQU26", "AAPL", "AAPL 28MAR25 222.5 C", "/E4CH26 6500 PUT", "MNQ1!", "ESV"]


@pytest.mark.django_db
def test_a_future_in_a_bulk_create_takes_its_one_name(api):
    r = api.post("/api/v1/trades/bulk", {"trades": [typed("MNQ SEP26"), typed("ES 12-26")]}, format="json")
    assert r.status_code == 201, r.content
    assert [trade["instrument"] for trade in r.json()["data"]] == ["MNQU26", "ESZ26"]
    assert sorted(Trade.objects.values_list("instrument", "multiplier")) == [("ESZ26", 50), ("MNQU26", 2)]


@pytest.mark.django_db
def test_a_get_body_echoed_by_put_is_accepted_and_keeps_the_one_name(api):
    created = api.post("/api/v1/trades", typed("MNQ SEP26"), format="json")
    assert created.status_code == 201, created.content
    path = f"/api/v1/trades/{created.json()['id']}"
    before = api.get(path)
    r = api.generic("PUT", path, before.content, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json() == before.json() and r.json()["instrument"] == "MNQU26"


@pytest.mark.django_db
def test_a_one_digit_year_is_read_from_the_trades_entry_time(api):
    # MNQZ9 entered in 2019 is 2019's December contract; read from today's year it would be 2029's.
    r = api.post("/api/v1/trades", typed("MNQZ9", "2019-12-02T15:00:00Z"), format="json")
    assert r.status_code == 201, r.content
    path = f"/api/v1/trades/{r.json()['id']}"
    r = api.patch(path, {"instrument": "MNQH0"}, format="json")  # PATCH: the stored trade's entry_time
    assert r.status_code == 200, r.content
    assert r.json()["instrument"] == "MNQH20"
    r = api.put(path, typed("MNQZ8", "2019-01-04T15:00:00Z"), format="json")  # January: last year's December
    assert r.status_code == 200, r.content
    assert r.json()["instrument"] == "MNQZ18"


@pytest.mark.django_db
def test_the_instrument_filter_finds_a_future_by_any_of_its_names(api, user):
    imported = make_trade(user, instrument="MNQU26", multiplier=Decimal(2))
    make_trade(user, instrument="MNQZ26", multiplier=Decimal(2))
    for name in ("MNQ SEP26", "mnqu26", "/MNQU26", "MNQ 09-26"):
        listed = read(api, f"/api/v1/trades?instrument={name}")["data"]
        assert [trade["id"] for trade in listed] == [imported.pk], name
    assert read(api, "/api/v1/stats?instrument=MNQ%20SEP26")["total_trades"] == 1
    breakdown = read(api, "/api/v1/stats/breakdown?by=instrument&instrument=MNQ%20SEP26")["data"]
    assert [bucket["key"] for bucket in breakdown] == ["MNQU26"]


@pytest.mark.django_db
def test_the_filter_still_finds_a_future_stored_under_the_name_typed(api, user):
    typed_before = make_trade(user, instrument="MNQ SEP26", multiplier=Decimal(2))
    imported = make_trade(user, instrument="MNQU26", multiplier=Decimal(2))
    listed = read(api, "/api/v1/trades?instrument=MNQ%20SEP26")["data"]
    assert sorted(trade["id"] for trade in listed) == [typed_before.pk, imported.pk]


@pytest.mark.django_db
def test_a_future_added_on_the_web_form_is_stored_under_its_one_name(web, api, user):
    form = {"instrument": "es mar27", "side": "long", "quantity": "1", "entry_time": "2027-02-01T10:30",
            "entry_price": "6000", "exit_time": "", "exit_price": "", "multiplier": ""}  # fmt: skip
    r = web.post("/dashboard/trades/new/", form)
    assert r.status_code == 302, r.content
    trade = Trade.objects.get(user=user)
    assert (trade.instrument, trade.multiplier) == ("ESH27", Decimal(50))


def run(user, path, **parameters):
    imp = import_create(user=user, data=path.read_bytes(), filename=path.name, enqueue=False, **parameters)
    return import_run(import_id=imp.pk)


@pytest.mark.django_db
def test_a_ninjatrader_file_and_a_tradovate_file_of_one_contract_are_one_instrument(api, user):
    run(user, NINJATRADER_MNQ_SEP26, tz="America/New_York")
    run(user, TRADOVATE_MNQU6, tz="America/New_York")
    assert set(Trade.objects.filter(user=user).values_list("instrument", flat=True)) == {"MNQU26"}
    r = api.get("/api/v1/trades?instrument=MNQU26")
    assert r.status_code == 200, r.content
    assert r.json()["total"] == 6 + 3


@pytest.mark.django_db
def test_our_export_keeps_the_journals_names():
    author, reader = make_user(), make_user()
    make_trade(author, instrument="MNQ SEP26", multiplier=Decimal(2))
    imp = import_create(user=reader, data=export(author), filename="export.csv", enqueue=False)
    assert import_run(import_id=imp.pk).status == "succeeded"
    assert list(Trade.objects.filter(user=reader).values_list("instrument", flat=True)) == ["MNQ SEP26"]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


@pytest.fixture
def latest_schema_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_futures_stored_under_their_brokers_names_are_renamed_and_their_files_import_as_duplicates(
    latest_schema_afterwards,
):
    user = make_user()
    run(user, NINJATRADER_MNQ_SEP26, tz="America/New_York")
    run(user, TRADOVATE_MNQU6, tz="America/New_York")
    # As imports stored them before the rule: each broker's own name.
    for stored in (Execution.objects.filter(user=user), Trade.objects.filter(user=user)):
        stored.filter(account__isnull=False).update(instrument="MNQ SEP26")
        stored.filter(account__isnull=True).update(instrument="MNQU6")
    KeptAnnotation.objects.create(
        user=user, execution="MNQU6|2026-07-16T19:31:56+00:00|sell|1|29529.25", values={"notes": "faded the open"}
    )
    by_hand = make_trade(user, instrument="NQ MAR25", multiplier=Decimal(20))

    migrate([("imports", "0007_kept_annotations")])
    migrate([("imports", "0008_futures_instrument_names")])

    assert set(Execution.objects.filter(user=user).values_list("instrument", flat=True)) == {"MNQU26"}
    assert set(Trade.objects.exclude(pk=by_hand.pk).values_list("instrument", flat=True)) == {"MNQU26"}
    assert Trade.objects.get(pk=by_hand.pk).instrument == "NQ MAR25"  # typed by the trader: left as typed
    assert KeptAnnotation.objects.get(user=user).execution == "MNQU26|2026-07-16T19:31:56+00:00|sell|1|29529.25"
    for path, fills in ((NINJATRADER_MNQ_SEP26, 12), (TRADOVATE_MNQU6, 6)):
        again = run(user, path, tz="America/New_York")
        assert (again.executions_created, again.trades_created, again.duplicates) == (0, 0, fills), path.name
