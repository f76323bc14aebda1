"""Applying imports (the worker's service): duplicates, accounts, dry runs, positions completed by
later files, undo, rejected closes, and the figures against an independent ledger."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports import accounts, streams
from imports.apply import import_run
from imports.engine import CLOSES_TOO_MUCH, NOTHING_TO_CLOSE
from imports.models import Execution, Import, TradeFill
from imports.services import import_create, import_undo
from imports.undo import undo_run
from journal.models import Account, Tag, Trade
from tests.factories import make_user

HEADER = "time,instrument,side,quantity,price,commission,fees,exec_id,account,effect\n"
START = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)
EIGHT = Decimal("0.00000001")


def csv_of(*rows: tuple) -> bytes:
    """Generic CSV rows: (seconds after START, instrument, side, quantity, price[, commission, fees,
    exec_id, account, effect])."""
    lines = [HEADER]
    for seconds, *rest in rows:
        rest += [""] * (9 - len(rest))
        lines.append(",".join([(START + timedelta(seconds=seconds)).isoformat(), *map(str, rest)]) + "\n")
    return "".join(lines).encode()


def run(user, data: bytes, **parameters) -> Import:
    return import_run(import_id=import_create(user=user, data=data, enqueue=False, **parameters).pk)


def trades(user) -> list[dict]:
    """Every stored field of the owner's trades (the moment of the last change aside), by id."""
    return [
        {name: value for name, value in row.items() if name != "updated_at"}
        for row in Trade.objects.filter(user=user).order_by("id").values()
    ]


def fills(user) -> list[tuple]:
    return sorted(
        TradeFill.objects.filter(trade__user=user).values_list(
            "trade_id", "execution_id", "quantity", "commission", "fees", "opening"
        )
    )


@pytest.mark.django_db
def test_a_dry_run_reports_the_counts_of_a_real_run_and_stores_nothing():
    user = make_user()
    data = csv_of((0, "AAPL", "buy", 10, 100, 1), (60, "AAPL", "sell", 10, 101, 1), (90, "MSFT", "buy", 5, 400))
    dry = run(user, data, dry_run=True)
    assert (dry.status, dry.dry_run) == ("succeeded", True)
    assert not Trade.objects.filter(user=user).exists()
    assert not Execution.objects.filter(user=user).exists()
    assert not Account.objects.filter(user=user).exists()
    real = run(user, data)
    counts = ("rows_total", "executions_created", "duplicates", "trades_created", "trades_updated", "skipped", "errors")
    assert [getattr(dry, name) for name in counts] == [getattr(real, name) for name in counts]
    assert real.trades_created == 2


@pytest.mark.django_db
def test_overlapping_files_add_only_the_new_fills():
    user = make_user()
    first = csv_of((0, "ES", "buy", 1, 6000), (10, "ES", "sell", 1, 6001), (20, "ES", "buy", 2, 6002))
    second = csv_of((10, "ES", "sell", 1, 6001), (20, "ES", "buy", 2, 6002), (30, "ES", "sell", 2, 6004))
    run(user, first)
    imp = run(user, second)
    assert (imp.executions_created, imp.duplicates, imp.trades_created, imp.trades_updated) == (1, 2, 0, 1)
    assert [(t.quantity, t.exit_price) for t in Trade.objects.filter(user=user).order_by("entry_time")] == [
        (1, 6001), (2, 6004),
    ]  # fmt: skip


@pytest.mark.django_db
def test_n_identical_fills_in_a_file_stay_n_and_importing_it_again_adds_none():
    user = make_user()
    data = csv_of(*[(0, "MNQH5", "buy", 1, 21000)] * 3, *[(5, "MNQH5", "sell", 1, 21001)] * 3)
    first = run(user, data)
    assert (first.executions_created, first.duplicates) == (6, 0)
    assert Trade.objects.get(user=user).quantity == 3
    again = run(user, data)
    assert (again.executions_created, again.duplicates, again.trades_updated) == (0, 6, 0)
    # A file holding one more of them adds exactly that one.
    more = run(user, csv_of(*[(0, "MNQH5", "buy", 1, 21000)] * 4))
    assert (more.executions_created, more.duplicates) == (1, 3)


@pytest.mark.django_db
def test_two_accounts_trading_one_instrument_the_same_day_never_block_each_other():
    user = make_user()
    data = csv_of(
        (0, "ESH5", "buy", 1, 6000, 0, 0, "", "ACC-1"), (0, "ESH5", "buy", 1, 6000, 0, 0, "", "ACC-2"),
        (60, "ESH5", "sell", 1, 6002, 0, 0, "", "ACC-1"), (60, "ESH5", "sell", 1, 6002, 0, 0, "", "ACC-2"),
    )  # fmt: skip
    imp = run(user, data)
    assert (imp.executions_created, imp.duplicates, imp.trades_created) == (4, 0, 2)
    accounts = {t.account.external_id: t.pnl for t in Trade.objects.filter(user=user).select_related("account")}
    assert accounts == {"ACC-1": 100, "ACC-2": 100}  # ES: 50 a point
    assert set(Account.objects.filter(user=user).values_list("broker", "currency")) == {("Generic CSV", "USD")}


@pytest.mark.django_db
def test_an_exec_id_is_a_duplicate_only_within_its_account():
    user = make_user()
    run(user, csv_of((0, "AAPL", "buy", 1, 100, 0, 0, "E-1", "A"), (1, "AAPL", "sell", 1, 101, 0, 0, "E-2", "A")))
    imp = run(user, csv_of((0, "AAPL", "buy", 1, 100, 0, 0, "E-1", "B"), (1, "AAPL", "buy", 1, 100, 0, 0, "E-1", "A")))
    assert (imp.executions_created, imp.duplicates) == (1, 1)


@pytest.mark.django_db
def test_each_stored_execution_holds_what_its_row_said():
    user = make_user()
    imp = run(user, csv_of(
        (0, "ESM5", "buy", 2, "6000.25", "2.48", "1.40", "X-1", "ACC-1", "open"),
        (90, "ESM5", "sell", 2, "6001.5", "2.48", "1.40", "", "ACC-1"),
    ))  # fmt: skip
    account = Account.objects.get(user=user, external_id="ACC-1")
    columns = ("account_id", "instrument", "time", "side", "quantity", "price", "commission", "fees", "exec_id",
               "multiplier", "effect", "group", "source_id", "row")  # fmt: skip
    stored = list(Execution.objects.filter(user=user).order_by("row").values_list(*columns))
    assert stored == [
        (account.pk, "ESM25", START, "buy", 2, Decimal("6000.25"), Decimal("2.48"), Decimal("1.4"), "X-1", 50, "open",
         None, imp.pk, 2),
        (account.pk, "ESM25", START + timedelta(seconds=90), "sell", 2, Decimal("6001.5"), Decimal("2.48"),
         Decimal("1.4"), None, 50, None, None, imp.pk, 3),
    ]  # fmt: skip


@pytest.mark.django_db
def test_an_open_position_completed_by_a_later_import_keeps_its_trade_id_notes_and_tags():
    user = make_user()
    run(user, csv_of((0, "TSLA", "buy", 10, 250), (30, "TSLA", "buy", 10, 252)))
    trade = Trade.objects.get(user=user)
    assert trade.exit_time is None and trade.quantity == 20
    trade.notes, trade.setup_type = "Held overnight on purpose", "swing"
    trade.save()
    trade.tags.add(Tag.objects.create(user=user, name="patience"))
    later = run(
        user, csv_of((0, "TSLA", "buy", 10, 250), (30, "TSLA", "buy", 10, 252), (90000, "TSLA", "sell", 20, 260))
    )
    assert (later.executions_created, later.trades_created, later.trades_updated) == (1, 0, 1)
    done = Trade.objects.get(user=user)
    assert (done.pk, done.notes, done.setup_type, list(done.tags.values_list("name", flat=True))) == (
        trade.pk, "Held overnight on purpose", "swing", ["patience"],
    )  # fmt: skip
    assert (done.exit_price, done.pnl) == (260, 180)


@pytest.mark.django_db
def test_a_built_trade_moved_to_another_account_by_hand_is_still_completed_by_a_later_import():
    user = make_user()
    run(user, csv_of((0, "TSLA", "buy", 10, 250, 0, 0, "", "ACC-1")))
    elsewhere = Account.objects.create(user=user, name="Elsewhere")
    Trade.objects.filter(user=user).update(account=elsewhere, instrument="TSLA-RENAMED")
    later = run(
        user, csv_of((0, "TSLA", "buy", 10, 250, 0, 0, "", "ACC-1"), (60, "TSLA", "sell", 10, 255, 0, 0, "", "ACC-1"))
    )
    assert (later.status, later.trades_updated, later.trades_created) == ("succeeded", 1, 0), later.errors
    trade = Trade.objects.get(user=user)
    assert (trade.account, trade.instrument, trade.exit_price) == (elsewhere, "TSLA-RENAMED", 255)


@pytest.mark.django_db
def test_undo_restores_the_journal_exactly_and_the_trades_before_it_keep_their_ids():
    user = make_user()
    run(user, csv_of((0, "NQH5", "buy", 2, 21000, 4), (10, "NQH5", "sell", 1, 21010, 2), (20, "AAPL", "buy", 5, 200)))
    Trade.objects.filter(user=user, instrument="AAPL").update(notes="keep me")
    before, before_fills = trades(user), fills(user)
    executions = set(Execution.objects.filter(user=user).values_list("id", flat=True))
    later = run(user, csv_of((30, "NQH5", "sell", 3, 21020, 6), (40, "AAPL", "sell", 5, 205), (50, "CL", "buy", 1, 70)))
    assert later.trades_updated == 2 and later.trades_created == 2  # the NQ flip and the CL trade
    import_undo(imp=later)
    undo_run(import_id=later.pk)
    assert trades(user) == before
    assert fills(user) == before_fills
    assert set(Execution.objects.filter(user=user).values_list("id", flat=True)) == executions
    assert Import.objects.get(pk=later.pk).status == "undone"


@pytest.mark.django_db
def test_undo_removes_the_accounts_and_tags_the_import_created_when_nothing_else_uses_them():
    user = make_user()
    kept = Account.objects.create(user=user, name="Kept", external_id="K-1")
    data = (
        b"id,account,account_number,currency,instrument,side,quantity,multiplier,entry_time,entry_price,exit_time,"
        b"exit_price,commission,pnl,net_pnl,stop_loss,take_profit,initial_risk,setup_type,notes,tags\n"
        b",New,N-1,EUR,SAP,long,1,1,2025-03-03T10:00:00Z,100,,,0,,,,,,,,fresh\n"
        b",Kept,K-1,USD,AAPL,long,1,1,2025-03-03T10:00:00Z,100,,,0,,,,,,,,\n"
    )
    imp = run(user, data)
    assert imp.status == "succeeded", imp.errors
    assert set(Account.objects.filter(user=user).values_list("name", "currency")) == {("Kept", "USD"), ("New", "EUR")}
    import_undo(imp=imp)
    undo_run(import_id=imp.pk)
    assert list(Account.objects.filter(user=user)) == [kept]
    assert not Tag.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_an_account_and_a_tag_its_trader_creates_while_the_import_runs_fail_neither(monkeypatch):
    """The trader's own requests don't wait for their import (core/locks.py): an account and a tag
    created meanwhile, with the names the import is about to create, are theirs; the import takes
    the next free account name and the tag that is there, and its undo leaves both of theirs."""
    user = make_user()
    data = (
        b"id,account,account_number,currency,instrument,side,quantity,multiplier,entry_time,entry_price,exit_time,"
        b"exit_price,commission,pnl,net_pnl,stop_loss,take_profit,initial_risk,setup_type,notes,tags\n"
        b",New,N-1,EUR,SAP,long,1,1,2025-03-03T10:00:00Z,100,,,0,,,,,,,,fresh\n"
    )
    # The moments a request of theirs can land: after the import read their accounts, and after it
    # created its trades (just before it tags them).
    load_accounts, create_trades = accounts._Accounts.__init__, streams._create

    def accounts_loaded(self, owner, *rest) -> None:
        load_accounts(self, owner, *rest)
        Account.objects.create(user=owner, name="New")

    def trades_created(owner, *args):
        created = create_trades(owner, *args)
        Tag.objects.create(user=owner, name="Fresh")
        return created

    monkeypatch.setattr(accounts._Accounts, "__init__", accounts_loaded)
    monkeypatch.setattr(streams, "_create", trades_created)
    imp = run(user, data)
    assert (imp.status, imp.errors, imp.created_tags) == ("succeeded", [], []), imp.errors
    [trade] = Trade.objects.filter(user=user)
    assert (trade.account.name, trade.account.external_id, [t.name for t in trade.tags.all()]) == (
        "New (2)", "N-1", ["Fresh"],
    )  # fmt: skip
    monkeypatch.undo()
    import_undo(imp=imp)
    undo_run(import_id=imp.pk)
    assert list(Account.objects.filter(user=user).values_list("name", flat=True)) == ["New"]
    assert list(Tag.objects.filter(user=user).values_list("name", flat=True)) == ["Fresh"]


@pytest.mark.django_db
def test_a_close_with_nothing_to_close_is_skipped_with_its_row_and_not_stored():
    user = make_user()
    data = csv_of(
        (0, "AAPL", "sell", 10, 100, 0, 0, "", "", "close"),  # opened before the file's window
        (10, "AAPL", "buy", 5, 99, 0, 0, "", "", "open"),
        (20, "AAPL", "sell", 8, 101, 0.8, 0, "", "", "close"),  # 3 more than is open
    )  # fmt: skip
    imp = run(user, data)
    assert imp.skipped == [
        {"row": 2, "reason": NOTHING_TO_CLOSE},
        {"row": 4, "reason": f"{CLOSES_TOO_MUCH} (the excess 3 was not imported)"},
    ]
    assert imp.executions_created == 2
    trade = Trade.objects.get(user=user)
    assert (trade.quantity, trade.exit_price, trade.commission) == (5, 101, Decimal("0.5"))
    assert run(user, data).executions_created == 0  # and nothing changes the second time


@pytest.mark.django_db
def test_rows_the_database_could_not_hold_are_errors_of_their_row_alone():
    user = make_user()
    data = csv_of(
        (0, "AAPL", "buy", "1E+15", 100), (1, "A" * 40, "buy", 1, 100), (2, "AAPL", "buy", 1, "0.000000001"),
        (3, "AAPL", "buy", "0.000000001", 1), (4, "MSFT", "buy", 1, 400),
    )  # fmt: skip
    imp = run(user, data)
    assert imp.status == "succeeded"
    assert [e["row"] for e in imp.errors] == [2, 3, 4, 5]
    expected = ["quantity is out of range", "longer than 32 characters", "price rounds to 0", "quantity rounds to 0"]
    assert [(text, text in e["message"]) for text, e in zip(expected, imp.errors, strict=True)] == [
        (text, True) for text in expected
    ]
    assert list(Trade.objects.filter(user=user).values_list("instrument", "entry_price")) == [("MSFT", 400)]


# --- The figures, against an independent ledger ---------------------------------------------------


def ledger(rows: list[tuple]) -> list[tuple]:
    """Trades of generic-CSV fills computed in plain Decimal, one stream at a time: flat to flat, a
    crossing fill split with its commission and its fees by quantity (the closing part of each
    rounded half-up to 8 places)."""
    streams = defaultdict(list)
    for order, row in enumerate(rows):
        streams[(row[8], row[1])].append((row[0], order, row))
    result = []
    for (account, instrument), fills_ in streams.items():
        position, trade = Decimal(0), None
        for _, _, (_, _, side, quantity, price, commission, fees, *_) in sorted(fills_):
            quantity, price = Decimal(quantity), Decimal(price)
            costs = (Decimal(commission), Decimal(fees))
            cost = sum(costs)
            signed = quantity if side == "buy" else -quantity
            if position == 0 or (position > 0) == (signed > 0):
                if trade is None:
                    trade = {"side": "long" if signed > 0 else "short", "opened": 0, "value": 0, "closed": 0,
                             "exit_value": 0, "cost": Decimal(0), "account": account, "instrument": instrument}  # fmt: skip
                trade["opened"] += quantity
                trade["value"] += price * quantity
                trade["cost"] += cost
                position += signed
                continue
            closing = min(quantity, abs(position))
            # Commission and fees are each split; the closing part of each is rounded.
            part = (
                sum((c * closing / quantity).quantize(EIGHT, ROUND_HALF_UP) for c in costs)
                if closing < quantity
                else cost
            )
            trade["closed"] += closing
            trade["exit_value"] += price * closing
            trade["cost"] += part
            position += closing if signed > 0 else -closing
            if position == 0:
                result.append(_finish(trade, closed=True))
                trade = None
                rest = quantity - closing
                if rest:
                    trade = {"side": "long" if signed > 0 else "short", "opened": rest, "value": price * rest,
                             "closed": 0, "exit_value": 0, "cost": cost - part, "account": account,
                             "instrument": instrument}  # fmt: skip
                    position = rest if signed > 0 else -rest
        if trade is not None:
            result.append(_finish(trade, closed=False))
    return sorted(result, key=none_first)


def _finish(trade: dict, *, closed: bool) -> tuple:
    entry = (trade["value"] / trade["opened"]).quantize(EIGHT, ROUND_HALF_UP)
    exit_ = (trade["exit_value"] / trade["closed"]).quantize(EIGHT, ROUND_HALF_UP) if closed else None
    pnl = None
    if closed:  # the fills' money, closing minus opening: never the difference of the rounded averages
        pnl = trade["exit_value"] - trade["value"] if trade["side"] == "long" else trade["value"] - trade["exit_value"]
    return (trade["account"], trade["instrument"], trade["side"], trade["opened"], entry, exit_, trade["cost"], pnl)


fill_rows = st.lists(
    st.tuples(
        st.integers(0, 50),  # seconds: many fills share a second
        st.sampled_from(["AAPL", "MSFT"]),
        st.sampled_from(["buy", "sell"]),
        st.integers(1, 5),
        st.decimals("1", "500", places=2),
        st.decimals("0", "3", places=2),
        st.decimals("0", "1", places=3),
        st.just(""),
        st.sampled_from(["A-1", "A-2"]),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=fill_rows, cut=st.integers(0, 25))
def test_trades_match_an_independent_ledger_whether_the_fills_come_in_one_file_or_two(rows, cut):
    user = make_user()
    ordered = sorted(rows, key=lambda r: r[0])  # files are written in time order
    first = run(user, csv_of(*ordered[:cut]))
    second = run(user, csv_of(*ordered))  # the second file overlaps the first
    assert first.executions_created + second.executions_created == len(rows)
    assert second.duplicates == min(cut, len(rows))
    stored = sorted(
        ((t.account.external_id, t.instrument, t.side, t.quantity, t.entry_price, t.exit_price, t.commission, t.pnl)
         for t in Trade.objects.filter(user=user).select_related("account")),
        key=none_first,
    )  # fmt: skip
    assert stored == sorted(ledger(ordered), key=none_first)


def none_first(row: tuple) -> tuple:
    """A sort key for rows that hold None (an open trade's exit) beside numbers."""
    return tuple((value is not None, value) for value in row)
