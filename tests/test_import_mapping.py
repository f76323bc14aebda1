"""Column mappings without the database: the header found under a title, the mapping suggested from
real brokers' headers and first rows, and files read by a mapping as their own format reads them."""

import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imports import formats
from imports.formats import base, mapping
from imports.formats.mapped import MappedFormat
from imports.mapping_suggest import suggest
from tests.formats_helpers import DATA, NEW_YORK

MAPPING_DATA = Path(__file__).parent / "data" / "mapping"
UTC = ZoneInfo("UTC")


def head(path: Path) -> str:
    return base.decode(path.read_bytes())[: formats.HEAD_SIZE]


def read(rules: dict, text: str, tz: ZoneInfo = UTC) -> base.Summary:
    return base.Summary.of(MappedFormat(rules).parse(text, tz=tz))


def fills_level(columns: dict, **rules) -> dict:
    return {"name": "Test", "level": "fills", "columns": columns, "values": {}, "date_format": None, "tz": None,
            "header_signature": None, **rules}  # fmt: skip


# --- The header ---------------------------------------------------------------------------------


def test_the_header_is_found_under_title_lines_with_its_delimiter():
    header = mapping.find_header(head(MAPPING_DATA / "zenith_blotter.csv"))
    assert (header.row, header.cells[:3], header.delimiter) == (5, ["Trade Date", "Exec Time", "Ticker"], ",")
    header = mapping.find_header(head(DATA / "generic" / "fills_semicolon_cp1252.csv"))
    assert (header.row, header.cells[0], header.delimiter) == (1, "Date", ";")
    assert mapping.find_header("time\tsymbol\tqty\n2025-01-06 10:00\tAAPL\t5\n").delimiter == "\t"


@pytest.mark.parametrize(
    "text",
    ["just some words\nthat are not a table\n", "<FlexQueryResponse>,<x>\n", '{"a": 1, "b": 2}', "a,b\n",
     "1,2,3\n4,5,6\n", "x\x00,y\nz,w\n", ""],
)  # fmt: skip
def test_a_file_that_is_no_table_has_no_header(text):
    assert mapping.find_header(text) is None
    assert suggest(text) is None


def test_a_signature_is_the_header_normalised_however_a_client_writes_it():
    assert mapping.file_signature("Trade_Date,Exec. Time, TICKER\n1,2,3\n") == "trade date|exec time|ticker"
    assert mapping.normalise_signature("Trade Date| exec_time |Ticker") == "trade date|exec time|ticker"


@pytest.mark.parametrize(
    ("date_format", "problem"),
    [("%d.%m.%Y %H:%M:%S", False), ("%m/%d/%y", False), ("%Y-%m-%dT%H:%M:%S%z", False), ("%d %b %Y %I:%M %p", False),
     ("%H:%M:%S", True), ("%m/%Y", True), ("%d/%m/%Q", True), ("%", True), ("", True), ("%d.%m.%Y\x00", True)],
)  # fmt: skip
def test_a_date_format_must_name_the_day_month_and_year(date_format, problem):
    assert (mapping.date_format_problem(date_format) is not None) is problem


# --- Suggestions over real brokers' files -------------------------------------------------------------

# Each sample's header as a trader would map it; a field the file has no column for is left out,
# and where a column's values don't read as the field (a money column with currency units) too.
SUGGESTED = {
    "ninjatrader/executions_grid.csv": (
        "fills", "%m/%d/%Y %I:%M:%S %p",
        {"time": "Time", "instrument": "Instrument", "side": "Action", "quantity": "Quantity", "price": "Price",
         "commission": "Commission", "account": "Account", "exec_id": "ID", "order_id": "Order ID"},
    ),
    "ninjatrader/executions_fr.csv": (
        "fills", "%d/%m/%Y %H:%M:%S",
        {"time": "Time", "instrument": "Instrument", "side": "Action", "quantity": "Quantity", "price": "Price",
         "commission": "Commission", "account": "Account display name", "exec_id": "ID", "order_id": "Order ID"},
    ),
    "tradovate_orders/orders.csv": (
        "fills", "%m/%d/%Y %H:%M:%S",
        {"time": "Fill Time", "instrument": "Contract", "side": "B/S", "quantity": "filledQty",
         "price": "Avg Fill Price", "account": "Account", "order_id": "orderId", "currency": "Currency"},
    ),
    "questrade/questrade_executions.csv": (
        "fills", "%d %b %Y %I:%M:%S %p",
        {"time": "Exec time", "instrument": "Symbol", "side": "Action", "quantity": "Fill qty", "price": "Fill price",
         "commission": "Commission", "account": "Account", "currency": "Currency"},
    ),
    "kraken/kraken_trades.csv": (
        "fills", None,
        {"time": "time", "instrument": "pair", "side": "type", "quantity": "vol", "price": "price", "fees": "fee",
         "exec_id": "txid", "order_id": "ordertxid"},
    ),
    "coinbase_fills/coinbase_pro_fills.csv": (
        "fills", None,
        {"time": "created at", "instrument": "product", "side": "side", "quantity": "size", "price": "price",
         "fees": "fee", "exec_id": "trade id"},
    ),
    "generic/fills_semicolon_cp1252.csv": (
        "fills", "%d.%m.%Y %H:%M:%S",
        {"date": "Date", "time_of_day": "Time", "instrument": "Symbol", "quantity": "Qty", "price": "Price",
         "commission": "Commission", "account": "Account"},
    ),
    "robinhood/robinhood_activity.csv": (
        "fills", "%m/%d/%Y",
        # Its Trans Code is mostly not a side (ACH, CDIV, OEXP ...): the trader maps it, with the side's values.
        {"date": "Activity Date", "instrument": "Instrument", "quantity": "Quantity", "price": "Price"},
    ),
    "tradervue/tradervue_trades.csv": (
        "trades", None,
        {"entry_time": "Open Datetime", "exit_time": "Close Datetime", "entry_price": "Entry Price",
         "exit_price": "Exit Price", "quantity": "Volume", "side": "Side", "pnl": "Gross P&L", "instrument": "Symbol"},
    ),
    "ninjatrader_trades/trades_grid.csv": (
        "trades", "%m/%d/%Y %H:%M",
        {"entry_time": "Entry time", "exit_time": "Exit time", "entry_price": "Entry price", "exit_price": "Exit price",
         "quantity": "Qty", "side": "Market pos.", "pnl": "Profit", "commission": "Commission",
         "instrument": "Instrument", "account": "Account"},
    ),
    "tradetally/tradetally_export.csv": (
        "trades", "%Y-%m-%d",
        {"entry_time": "Entry Date", "exit_time": "Exit Date", "entry_price": "Entry Price", "exit_price": "Exit Price",
         "quantity": "Quantity", "side": "Side", "pnl": "P&L", "commission": "Commission", "instrument": "Symbol"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("sample", SUGGESTED)
def test_a_real_brokers_header_and_first_rows_suggest_its_mapping(sample):
    level, date_format, columns = SUGGESTED[sample]
    suggestion = suggest(head(DATA / sample), filename=sample.split("/")[1])
    assert (suggestion["level"], suggestion["date_format"]) == (level, date_format)
    assert suggestion["columns"] == columns
    assert suggestion["header_signature"] == mapping.file_signature(head(DATA / sample))


def test_side_words_become_side_values_with_their_effect():
    assert suggest(head(DATA / "questrade" / "questrade_executions.csv"))["values"] == {
        "side": {"Buy": "buy", "STC": "sell_to_close", "BTO": "buy_to_open"}
    }
    assert suggest(head(DATA / "ninjatrader_trades" / "trades_grid.csv"))["values"] == {
        "side": {"Long": "long", "Short": "short"}
    }
    # Without a side column a signed quantity says it (the German spreadsheet's sells are negative).
    assert suggest(head(DATA / "generic" / "fills_semicolon_cp1252.csv"))["values"] == {}


def test_the_name_proposed_is_the_files_and_a_time_column_is_found_by_its_values_alone():
    text = "When it happened,Ticker,Qty,Price\n2025-03-14 10:30:00,AAPL,5,200\n"
    suggestion = suggest(text, filename="My_broker-export.CSV")
    assert suggestion["name"] == "My broker export"
    assert suggestion["columns"]["time"] == "When it happened"
    assert suggest(text)["name"] == "Mapped file"


def test_a_suggestion_of_a_very_wide_file_is_quick():
    names = ",".join(f"col{i}" for i in range(5000))
    started = time.process_time()
    suggestion = suggest(f"{names}\n" + ",".join("12.5" for _ in range(5000)) + "\n")
    assert suggestion["columns"] == {}
    assert time.process_time() - started < 2


# --- Reading by a mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "tz"),
    [("ninjatrader/executions_grid.csv", NEW_YORK), ("ninjatrader/executions_fr.csv", NEW_YORK),
     ("generic/fills_semicolon_cp1252.csv", NEW_YORK), ("tradervue/tradervue_trades.csv", NEW_YORK),
     ("ninjatrader_trades/trades_grid.csv", NEW_YORK)],
)  # fmt: skip
def test_a_file_read_by_its_suggested_mapping_gives_the_fills_its_own_format_gives(sample, tz):
    text = base.decode((DATA / sample).read_bytes())
    own = base.Summary.of(formats.get(sample.split("/")[0]).parse(text, tz=tz))
    mapped = read(suggest(text[: formats.HEAD_SIZE]), text, tz)

    def fills(summary):
        return [(f.row, f.time, f.instrument, f.side, f.quantity, f.price, f.commission) for f in summary.fills]

    assert fills(mapped) == fills(own)
    assert [error.row for error in mapped.errors] == [error.row for error in own.errors]


def test_the_made_up_brokers_file_reads_to_the_fills_worked_out_by_hand():
    rules = suggest(head(MAPPING_DATA / "zenith_blotter.csv"))
    rules["columns"]["exec_id"] = "Confirmation No."
    summary = read(rules, base.decode((MAPPING_DATA / "zenith_blotter.csv").read_bytes()), ZoneInfo("Europe/London"))
    assert (len(summary.fills), summary.skipped, summary.errors) == (9, [], [])
    first, short = summary.fills[0], summary.fills[5]
    assert (first.row, first.time, first.instrument, first.side, first.quantity, first.price) == (
        6, datetime(2025, 3, 24, 9, 31, 5, tzinfo=ZoneInfo("Europe/London")), "AAPL", "buy", 100, Decimal("221.53")
    )  # fmt: skip
    assert (first.commission, first.fees, first.exec_id, first.account) == (1, Decimal("0.02"), "ZC-81001", None)
    assert (short.instrument, short.side, short.quantity, short.exec_id) == ("TSLA", "sell", 20, "ZC-81006")


def test_side_values_read_as_the_mapping_says_else_by_their_usual_spelling():
    text = "time,symbol,side,qty,price\n" + "".join(
        f"2025-03-14T10:0{i}:00Z,AAPL,{side},1,200\n" for i, side in enumerate(["Kauf", "Verkauf", "BOT", "Sell Short", "??"])
    )  # fmt: skip
    rules = fills_level({"time": "time", "instrument": "symbol", "side": "side", "quantity": "qty", "price": "price"},
                        values={"side": {"kauf": "buy", "VERKAUF": "sell_to_close"}})  # fmt: skip
    summary = read(rules, text)
    assert [(f.side, f.effect) for f in summary.fills] == [
        ("buy", None), ("sell", "close"), ("buy", None), ("sell", "open")
    ]  # fmt: skip
    assert [(e.row, e.message) for e in summary.errors] == [(6, "the side '??' is not mapped to buy or sell")]


def test_without_a_side_a_negative_quantity_is_a_sell_and_costs_lose_their_sign():
    text = "time;symbol;qty;price;fee\n14.03.2025 10:00;SAP;50;245,10;-4,90\n14.03.2025 11:00;SAP;-50;247,35;4,90\n"
    rules = fills_level({"time": "time", "instrument": "symbol", "quantity": "qty", "price": "price", "fees": "fee"},
                        date_format="%d.%m.%Y %H:%M")  # fmt: skip
    fills = read(rules, text).fills
    assert [(f.side, f.quantity, f.price, f.fees) for f in fills] == [
        ("buy", 50, Decimal("245.10"), Decimal("4.90")), ("sell", 50, Decimal("247.35"), Decimal("4.90"))
    ]  # fmt: skip


def test_a_date_without_a_time_of_day_places_fills_at_the_close_in_the_order_they_happened():
    text = "Date,Symbol,Qty,Price\n03/14/2025,AAPL,-5,201\n03/13/2025,AAPL,5,200\n03/13/2025,AAPL,5,199\n"
    rules = fills_level({"date": "Date", "instrument": "Symbol", "quantity": "Qty", "price": "Price"},
                        date_format="%m/%d/%Y")  # fmt: skip
    fills = read(rules, text, NEW_YORK).fills
    assert [(f.row, f.time.isoformat()) for f in fills] == [
        (2, "2025-03-14T16:00:00-04:00"),
        (3, "2025-03-13T16:00:01-04:00"),
        (4, "2025-03-13T16:00:00-04:00"),
    ]  # newest first in the file: the later row happened first


def test_a_trades_level_row_is_an_entry_and_an_exit_with_the_point_value_its_profit_states():
    text = base.decode((MAPPING_DATA / "journal_trades.csv").read_bytes())
    summary = read(suggest(text), text, NEW_YORK)
    assert len(summary.fills) == 7 and summary.errors == []
    entry, exit_fill = summary.fills[:2]
    assert (entry.side, entry.effect, entry.multiplier, entry.commission) == ("buy", "open", 50, Decimal("4.50"))
    assert (exit_fill.side, exit_fill.time.hour, exit_fill.price) == ("sell", 15, Decimal("5662.75"))
    assert summary.fills[4].trade is not None and summary.fills[4].instrument == "CLK5"  # open: an entry alone


def test_a_file_without_a_mapped_column_is_refused_as_a_whole_naming_it():
    rules = fills_level({"time": "When", "instrument": "Ticker", "quantity": "Shares", "price": "Fill Px"})
    with pytest.raises(base.FormatError, match=r"no column 'When' \(its time\)"):
        read(rules, base.decode((MAPPING_DATA / "zenith_blotter.csv").read_bytes()))
    with pytest.raises(base.FormatError, match="no header"):
        read(rules, "just words\n")
