"""MetaTrader 5 history report (HTML): what a trader sees after importing one."""

import json
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imports.formats import base, mt5

DATA = Path(__file__).parent / "data" / "imports"
NEW_YORK = ZoneInfo("America/New_York")
REPORT = "ReportHistory-51234567.html"
DEALS_HEADER = (
    "<tr><td><b>Time</b></td><td><b>Deal</b></td><td><b>Symbol</b></td><td><b>Type</b></td><td><b>Direction</b></td>"
    "<td><b>Volume</b></td><td><b>Price</b></td><td><b>Order</b></td><td><b>Commission</b></td><td><b>Fee</b></td>"
    "<td><b>Swap</b></td><td><b>Profit</b></td><td><b>Balance</b></td><td><b>Comment</b></td></tr>"
)


def sample(name: str = REPORT) -> bytes:
    return (DATA / "mt5" / name).read_bytes()


def parse(data: bytes | str, tz: ZoneInfo = NEW_YORK) -> base.Summary:
    text = base.decode(data) if isinstance(data, bytes) else data
    return base.Summary.of(mt5.parse(text, tz=tz))


def fill_at(summary: base.Summary, row: int) -> base.Fill:
    (fill,) = [fill for fill in summary.fills if fill.row == row]
    return fill


def report(*deals: str) -> str:
    rows = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in deal.split("|")) + "</tr>" for deal in deals)
    return (
        "<html><body><table><tr><td><b>Trade History Report</b></td></tr>"
        "<tr><th>Account:</th><th><b>7001&nbsp;(EUR,&nbsp;Demo,&nbsp;demo,&nbsp;Hedge)</b></th></tr>"
        f"<tr><th><b>Deals</b></th></tr>{DEALS_HEADER}{rows}</table></body></html>"
    )


class Containing(str):
    """Equal to any string that contains it (reasons are checked by substring)."""

    def __eq__(self, other):
        return isinstance(other, str) and str(self) in other

    __hash__ = str.__hash__


def test_the_sample_gives_the_hand_counted_fills_skips_and_errors():
    expected = json.loads((DATA / "mt5" / f"{REPORT}.expected.json").read_text())
    summary = parse(sample(), ZoneInfo(expected["tz"]))
    assert len(summary.fills) == expected["fills"]
    assert [(skip.row, skip.reason) for skip in summary.skipped] == [
        (row, Containing(reason)) for row, reason in expected["skipped"]
    ]
    assert [error.row for error in summary.errors] == [row for row, _ in expected["errors"]]


def test_a_deal_is_a_fill_with_its_deal_number_lots_costs_and_the_reports_account():
    fill = fill_at(parse(sample()), 33)  # XAUUSD buy out 0.1 @ 2 921.15, commission -0.60, swap -1.84
    assert (fill.instrument, fill.side, fill.effect) == ("XAUUSD", base.BUY, base.CLOSE)
    assert (fill.quantity, fill.price) == (Decimal("0.1"), Decimal("2921.15"))
    assert (fill.commission, fill.fees) == (Decimal("0.60"), Decimal("1.84"))
    assert fill.exec_id == "1000006"  # the deal, not order 2000006
    assert fill.account == base.AccountRef("51234567", "Demo Trader", "USD")


def test_server_times_are_read_in_the_import_tz():
    assert fill_at(parse(sample()), 29).time == datetime(2025, 3, 3, 10, 15, 30, tzinfo=NEW_YORK)
    cyprus = ZoneInfo("Asia/Nicosia")
    assert fill_at(parse(sample(), cyprus), 29).time == datetime(2025, 3, 3, 10, 15, 30, tzinfo=cyprus)


def test_direction_gives_the_effect_and_a_reversal_states_none():
    summary = parse(sample())
    assert [fill_at(summary, row).effect for row in (34, 35, 36)] == [base.OPEN, None, base.CLOSE]


def test_the_lot_size_comes_from_the_profit_the_report_books():
    summary = parse(sample())
    assert {fill.instrument: fill.multiplier for fill in summary.fills} == {
        "EURUSD": 100000, "XAUUSD": 100, "GBPUSD": 100000,
    }  # fmt: skip
    opened_only = parse(report("2025.03.03 10:15:30|5|EURUSD|buy|in|0.10|1.04850|6|-0.70|0.00|0.00|0.00|999.30|"))
    assert opened_only.fills[0].multiplier is None  # no closing deal: the table decides
    assert opened_only.fills[0].account == base.AccountRef("7001", None, "EUR")


def test_money_deals_are_skipped_and_an_unknown_deal_type_is_an_error():
    summary = parse(report(
        "2025.03.03 09:00:00|1||balance||||||0.00|0.00|1 000.00|1 000.00|Deposit",
        "2025.03.03 09:01:00|2||credit||||||0.00|0.00|50.00|1 000.00|Bonus",
        "2025.03.03 09:02:00|3||commission||||||0.00|0.00|-3.00|997.00|",
        "2025.03.03 09:03:00|4|EURUSD|swap it|in|0.1|1.1|5|0.00|0.00|0.00|997.00|",
    ))  # fmt: skip
    assert [skip.reason for skip in summary.skipped] == [
        "deposit, not a trade", "credit deal, not a trade", "commission deal, not a trade",
    ]  # fmt: skip
    assert [error.row for error in summary.errors] == [8]


def test_the_report_saved_as_utf8_reads_the_same_as_the_terminals_utf16():
    utf16 = sample()
    assert parse(base.decode(utf16).encode("utf-8")) == parse(utf16)


def test_an_xlsx_report_or_a_report_in_another_language_is_refused_with_a_reason():
    with pytest.raises(base.FormatError, match="HTML"):
        parse("PK\x03\x04" + "\x00" * 100)
    with pytest.raises(base.FormatError, match="English"):
        parse("<html><table><tr><td>Trade History Report</td></tr><tr><th>Transakcje</th></tr></table></html>")


def test_detection_accepts_the_report_and_no_other_sample():
    for path in sorted(DATA.glob("*/*")):
        if path.name.endswith((".json", ".md")):
            continue
        head = base.decode(path.read_bytes())[:16384]
        assert mt5.detect(head) == (path.parent.name == "mt5"), path
    assert not mt5.detect("<html><table><tr><td>Strategy Tester Report</td></tr></table></html>")


_TEXT = base.decode(sample())
HOSTILE = {
    "garbage bytes": bytes(range(256)) * 40,
    "one column": "Trade History Report\n",
    "huge number": _TEXT.replace("<td>0.2</td><td>2 915.40</td>", "<td>1E+999999999</td><td>2 915.40</td>"),
    "huge profit": _TEXT.replace("<td>95.00</td>", "<td>1E+999</td>"),
    "ten thousand columns": report("2025.03.03 10:15:30|" + "|".join(["1"] * 10_000)),
    "truncated": _TEXT[: _TEXT.index("1000005")],
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_gives_a_format_error_or_row_errors_quickly(name):
    started = time.monotonic()
    data = HOSTILE[name]
    try:
        summary = parse(data)
    except base.FormatError:
        pass
    else:
        assert summary.errors or name in ("truncated", "huge profit")
    assert time.monotonic() - started < 2
