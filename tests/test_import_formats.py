"""What every import format does, over the registry: each real sample is detected as its own format
and by no other, and reads to the fills, skips and errors worked out by hand, in any encoding; a
table's header written again is not a row; a bad row is an error on its own row; a file without the
format's header is refused; hostile input ends quickly as a FormatError or as row items."""

import re
import time
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imports import formats
from imports.formats import FORMATS, base, tradejournal
from imports.services import head_text
from tests.formats_helpers import (
    HEADERS,
    NEW_YORK,
    SAMPLES,
    TEXT_SAMPLES,
    THINKORSWIM_TRADES,
    Containing,
    expected,
    mt5_report,
    read,
    text_of,
    thinkorswim_statement,
)


def sample_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def sample(name: str, file: str) -> bytes:
    return next(path for path in SAMPLES if sample_id(path) == f"{name}/{file}").read_bytes()


def test_every_registered_format_states_the_interface_and_has_samples():
    assert {path.parent.name for path in SAMPLES} == set(FORMATS)
    for name in FORMATS:
        module = formats.get(name)
        assert isinstance(module, formats.Format) and name == module.NAME, name


def test_every_format_tells_traders_what_file_it_reads_in_the_catalogue_and_the_api_docs(schema):
    catalogue = formats.catalogue()
    assert [name for name, _, _ in catalogue] == list(FORMATS)
    for name, broker, summary in catalogue:
        assert broker and len(summary) > 60, (name, summary)  # the file, and where the broker exports it
    parameters = schema["paths"]["/api/v1/imports"]["post"]["parameters"]
    documented = next(p for p in parameters if p["name"] == "format")["description"]
    for name, _, summary in catalogue:
        assert f"`{name}` " in documented and summary in documented, name


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_a_sample_is_detected_by_its_own_format_and_by_no_other(path):
    head = head_text(path.read_bytes())
    assert [name for name in FORMATS if formats.get(name).detect(head)] == [path.parent.name]


@pytest.mark.parametrize("path", SAMPLES, ids=sample_id)
def test_a_sample_gives_the_hand_counted_fills_skips_and_errors(path):
    hand = expected(path)
    summary = read(formats.get(path.parent.name), path.read_bytes(), ZoneInfo(hand["tz"]))
    assert len(summary.fills) == hand["fills"]
    assert len(summary.actions) == hand.get("actions", 0)
    assert [(skip.row, skip.reason) for skip in summary.skipped] == [
        (row, Containing(reason)) for row, reason in hand["skipped"]
    ]
    assert [(error.row, error.message) for error in summary.errors] == [
        (row, Containing(message)) for row, message in hand["errors"]
    ]


def windows_line_ends(text: str) -> str:
    """`text` with \\r\\n ending each line, but line breaks inside a quoted cell kept as they are."""
    parts = text.split('"')  # the even parts stand outside quotes ("" inside a cell makes an empty part)
    return '"'.join(re.sub(r"\r?\n", "\r\n", part) if i % 2 == 0 else part for i, part in enumerate(parts))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("path", TEXT_SAMPLES, ids=sample_id)
def test_a_sample_saved_in_another_encoding_with_windows_line_ends_reads_the_same(path, encoding):
    module = formats.get(path.parent.name)
    text = base.decode(path.read_bytes())
    assert read(module, windows_line_ends(text).encode(encoding)) == read(module, text)


# The samples of the formats that find their table through a base.Layout.
TABLES = [path for path in SAMPLES if isinstance(getattr(formats.get(path.parent.name), "TABLE", None), base.Layout)]


@pytest.mark.parametrize("path", TABLES, ids=sample_id)
def test_a_header_written_again_between_rows_is_not_a_row(path):
    module = formats.get(path.parent.name)
    text = base.decode(path.read_bytes())
    lines = text.splitlines(keepends=True)
    header = module.TABLE.read(text).row  # a line of its own: no sample has a line break in a cell above it
    again = "".join([*lines[: header + 1], lines[header - 1], *lines[header + 1 :]])
    later = header + 2  # the row the header written again stands on, and every row below it moves down one
    items = list(module.parse(text, tz=NEW_YORK))
    assert list(module.parse(again, tz=NEW_YORK)) == [
        replace(item, row=item.row + 1) if item.row >= later else item for item in items
    ]


# --- A bad row ------------------------------------------------------------------------------------

# What stands above the rows a test writes, and a good row to write after the bad one.
ABOVE = {name: f"{header}\n" for name, header in HEADERS.items()} | {
    "thinkorswim": thinkorswim_statement(THINKORSWIM_TRADES)
}


def tradejournal_row(**change: str) -> str:
    row = dict.fromkeys(tradejournal.COLUMNS, "")
    row |= {"instrument": "ES", "side": "long", "quantity": "1", "multiplier": "50", "entry_time": "2025-01-02T15:00:00Z",
            "entry_price": "5000", "exit_time": "2025-01-02T16:00:00Z", "exit_price": "5010"}  # fmt: skip
    return ",".join((row | change).values())


GOOD = {
    "ninjatrader": "ES 03-25,Sell,1,6001,1/2/2025 9:31:00 AM,b,Exit,-,,,,1,Sim101,,",
    "ninjatrader_trades": "2,ES 03-25,Sim101,,Long,1,6000,6001,1/2/2025 9:50:00 AM,1/2/2025 9:55:00 AM,$50,$0",
    "tradovate_orders": "2,A1,2, Sell,ESM6,ES,6001,1,06/10/2026 16:01:00, Filled,1, Market,,USD",
    "tradovate_positions": "2,x,A1,ESM6,9,3,4,1,6000,6010,500,USD,04/09/2026 11:00:00,04/09/2026 11:05:00",
    "generic": "2025-01-02 10:01,AAPL,sell,1,11",
    "thinkorswim": ",3/2/26 11:00:00,SINGLE,SELL,-1,TO CLOSE,AAPL,,,STOCK,201.00,201.00,LMT",
    "tradejournal": tradejournal_row(),
    "coinbase": "2021-05-01T09:00:00Z,Buy,ETH,1.5,USD,3000.00,4500.00,4515.00,15.00,Bought 1.5000 ETH for $4515.00 USD",
    "coinbase_fills": "default,2985581,BTC-USDC,SELL,2020-11-25T11:29:22.362Z,0.75789000,BTC,19295.00,51.182206425,14572.305343575,USDC",
    "firstrade": "SPY,1,600,BUY,SPDR,2025-02-10,2025-02-11,0,-600,0,0,78462F103,Trade",
    "robinhood": '"3/2/2026","3/2/2026","3/4/2026","AAPL","Apple","Buy","100","$187.40","($18,740.00)"',
    "webull_intl": "AAPL APPLE INC,20/11/2025,21/11/2025,BUY,1,150.00,150.00,-0.15,-0.02,150.17",
    "kraken": '"T9","O1","XXBTZEUR","2024-03-19 19:43:31","buy","limit",54054,100,0.18,0.00185,0,"",""',
    "tradervue": "2025-10-24 08:00:00,2025-10-24 08:01:00,GNLN,L,200,2,4.4097,4.79,76.06,8.62,false,,",
    "tradetally": "AAPL,long,1,10,11,2025-07-14,2025-07-15,1,0,0,,,,,,Closed,stock,,,,",
    "webull": "A,AAPL,Buy,Filled,1,1,10,10,DAY,03/02/2026 09:31:00 EST,03/02/2026 09:31:05 EST",
    "questrade": '"AAPL","Buy","1","10","USD","16 Dec 2025 11:15:58 AM","10","","","","0","1 - Cash",',
}
# fmt: off
BAD_ROWS = [
    ("ninjatrader", "ES 03-25,Hold,1,6000,1/2/2025 9:30:00 AM,a,Entry,1 L,,,,1,Sim101,,", "action"),
    ("ninjatrader", "ES 03-25,Buy,1,six,1/2/2025 9:30:00 AM,a,Entry,1 L,,,,1,Sim101,,", "not a number"),
    ("ninjatrader", "ES 03-25,Buy,1,6000,31/31/2025 9:30:00 AM,a,Entry,1 L,,,,1,Sim101,,", "not a date"),
    ("ninjatrader", "ES 03-25,Buy,0,6000,1/2/2025 9:30:00 AM,a,Entry,1 L,,,,1,Sim101,,", "above 0"),
    ("ninjatrader_trades", "1,ES 03-25,Sim101,,Flat,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$500.00,$4.50", "market position"),
    ("ninjatrader_trades", "1,ES 03-25,Sim101,,Long,1,6000,,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$500.00,$4.50", "exit price is missing"),
    ("ninjatrader_trades", "1,ES 03-25,Sim101,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 29:40:00 AM,$500.00,$4.50", "exit time"),
    ("ninjatrader_trades", "1,ES 03-25,Sim101,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,$5x0.00,$4.50", "not a number"),
    ("tradovate_orders", "1,A1,1, Hold,ESM6,ES,6000,1,06/10/2026 16:00:05, Filled,1, Market,,USD", "B/S"),
    ("tradovate_orders", "1,A1,1, Buy,ESM6,ES,6000,1,06/31/2026 16:00:05, Filled,1, Market,,USD", "fill time"),
    ("tradovate_orders", "1,A1,1, Buy,ESM6,ES,,1,06/10/2026 16:00:05, Filled,1, Market,,USD", "average fill price is missing"),
    ("tradovate_orders", "1,A1,1, Buy,ESM6,ES,6000,,06/10/2026 16:00:05, Filled,1, Market,,USD", "no filled quantity"),
    ("tradovate_positions", "1,x,A1,ESM6,9,1,2,0,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00", "above 0"),
    ("tradovate_positions", "1,x,A1,ESM6,9,1,2,1,,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00", "buy price is missing"),
    ("tradovate_positions", "1,x,A1,ESM6,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,", "sold timestamp"),
    ("tradovate_positions", "1,x,A1,,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00", "contract is missing"),
    ("generic", "2025-01-02 10:00,AAPL,buy,abc,10", "not a number"),
    ("generic", "2025-13-45 10:00,AAPL,buy,1,10", "not a date"),
    ("generic", "2025-01-02 10:00,AAPL,buy,0,10", "quantity is 0"),
    ("generic", "2025-01-02 10:00,AAPL,buy,1,0", "above 0"),
    ("generic", "2025-01-02 10:00,,buy,1,10", "instrument is missing"),
    ("generic", "2025-01-02 10:00,AAPL,buy,1", "price is missing"),
    ("thinkorswim", ",3/2/26 10:00:00,SINGLE,BUY,+1,TO OPEN,AAPL,,,STOCK,2x0.10,2x0.10,LMT", "not a number"),
    ("thinkorswim", ",3/2/26 25:00:00,SINGLE,BUY,+1,TO OPEN,AAPL,,,STOCK,200.10,200.10,LMT", "not a date"),
    ("thinkorswim", ",3/2/26 10:00:00,SINGLE,HOLD,+1,TO OPEN,AAPL,,,STOCK,200.10,200.10,LMT", "side"),
    ("thinkorswim", ",3/2/26 10:00:00,SINGLE,BUY,+1,TO OPEN,AAPL,,,STOCK,0,0,LMT", "above 0"),
    ("tradejournal", tradejournal_row(side="up"), "not long or short"),
    ("tradejournal", tradejournal_row(exit_price=""), "both or neither"),
    ("tradejournal", tradejournal_row(quantity="-1"), "above 0"),
    ("tradejournal", tradejournal_row(entry_time="yesterday"), "entry time"),
    ("tradejournal", tradejournal_row(entry_price="12,3.4"), "not a number"),
    ("coinbase", "2021-05-01T09:00:00Z,Buy,ETH,1.5x,USD,3000.00,4500.00,4515.00,15.00,", "not a number"),
    ("coinbase", "2021-13-01T09:00:00Z,Buy,ETH,1.5,USD,3000.00,4500.00,4515.00,15.00,", "not a date and time"),
    ("coinbase", "2021-05-01T09:00:00Z,Buy,ETH,1.5,,3000.00,4500.00,4515.00,15.00,", "price currency are both needed"),
    ("coinbase_fills", "default,1,BCH-BTC,HOLD,2018-11-11T15:40:26.086Z,0.01,BCH,0.08336,0,-0.0008336,BTC", "neither BUY nor SELL"),
    ("coinbase_fills", "default,2,BCH-BTC,BUY,2018-11-11T15:40:26.086Z,0.0x1,BCH,0.08336,0,-0.0008336,BTC", "not a number"),
    ("coinbase_fills", "default,3,BCH-BTC,BUY,2018-13-11T15:40:26.086Z,0.01,BCH,0.08336,0,-0.0008336,BTC", "not a date and time"),
    ("firstrade", "SPY,1,600,HOLD,SPDR,2025-02-10,2025-02-11,0,-600,0,0,78462F103,Trade", "neither BUY nor SELL"),
    ("firstrade", "SPY,1,600,BUY,SPDR,2025-02-30,2025-02-11,0,-600,0,0,78462F103,Trade", "not a date"),
    ("firstrade", "SPY,1,6o0,BUY,SPDR,2025-02-10,2025-02-11,0,-600,0,0,78462F103,Trade", "not a number"),
    ("robinhood", '"13/22/2025","12/22/2025","12/23/2025","IREN","IREN 1/2/2026 Put $39.00","STO","1","$1.31","$130.97"', "not a date"),
    ("robinhood", '"12/22/2025","12/22/2025","12/23/2025","IREN","IREN 1/2/2026 Put $39.00","STO","1","$1.3x","$130.97"', "not a number"),
    # An unknown code with a price is an error rather than a skip: it may be a trade.
    ("robinhood", '"12/22/2025","12/22/2025","12/23/2025","IREN","Something","MYST","1","$1.31","$130.97"', "unknown trans code"),
    ("webull_intl", "AAPL APPLE INC,20/11/2025,21/11/2025,HOLD,1,150.00,150.00,0,0,150", "neither BUY nor SELL"),
    ("webull_intl", "AAPL APPLE INC,31/11/2025,21/11/2025,BUY,1,150.00,150.00,0,0,150", "not a date"),
    ("webull_intl", "AAPL APPLE INC,20/11/2025,21/11/2025,BUY,1,15o.00,150.00,0,0,150", "not a number"),
    ("kraken", '"T1","O1","XXBTZEUR","2024-03-19 19:43:31","hold","limit",54054,100,0.18,0.00185,0,"",""', "neither buy nor sell"),
    ("kraken", '"T2","O1","QQ","2024-03-19 19:43:31","buy","limit",54054,100,0.18,0.00185,0,"",""', "base and quote assets"),
    ("kraken", '"T3","O1","XXBTZEUR","2024-03-19 19:43:31","buy","limit",54x54,100,0.18,0.00185,0,"",""', "not a number"),
    ("kraken", '"T4","O1","XXBTZEUR","2024-13-19 19:43:31","buy","limit",54054,100,0.18,0.00185,0,"",""', "not a date and time"),
    ("tradervue", "2025-10-24 08:00:00,2025-10-24 08:01:00,GNLN,X,200,2,4.4097,4.79,76.06,8.62,false,,", "not L or S"),
    ("tradervue", "2025-10-24 08:00:00,2025-10-24 07:01:00,GNLN,L,200,2,4.4097,4.79,76.06,8.62,false,,", "closes before it opens"),
    ("tradervue", "2025-10-24 08:00:00,2025-10-24 08:01:00,GNLN,L,200,2,4.40x7,4.79,76.06,8.62,false,,", "not a number"),
    ("tradervue", "2025-10-32 08:00:00,2025-10-24 08:01:00,GNLN,L,200,2,4.4097,4.79,76.06,8.62,false,,", "not a date and time"),
    ("tradetally", "AAPL,flat,1,10,11,2025-07-14,2025-07-15,1,0,0,,,,,,Closed,stock,,,,", "not long or short"),
    ("tradetally", "AAPL,long,1,10,11,2025-07-14,2025-07-13,1,0,0,,,,,,Closed,stock,,,,", "closes before it opens"),
    ("tradetally", "AAPL,long,1,1x0,11,2025-07-14,2025-07-15,1,0,0,,,,,,Closed,stock,,,,", "not a number"),
    ("tradetally", "AAPL,long,1,10,11,2025-07-32,2025-07-15,1,0,0,,,,,,Closed,stock,,,,", "not a date"),
    ("webull", "A,AAPL,Hold,Filled,1,1,10,10,DAY,03/02/2026 09:31:00 EST,03/02/2026 09:31:05 EST", "neither Buy nor Sell"),
    ("webull", "A,AAPL,Buy,Filled,1,1,10,10,DAY,03/02/2026 09:31:00 EST,03/02/2026 09:31:05 XYZ", "time zone"),
    ("webull", "A,AAPL,Buy,Filled,1,1,10,1o,DAY,03/02/2026 09:31:00 EST,03/02/2026 09:31:05 EST", "not a number"),
    ("webull", "A,AAPL,Buy,Filled,1,1,10,10,DAY,03/02/2026 09:31:00 EST,13/32/2026 09:31:05 EST", "not a date and time"),
    ("questrade", '"AAPL","Hold","1","10","USD","16 Dec 2025 11:15:58 AM","10","","","","0","1 - Cash",', "not Buy, Sell"),
    ("questrade", '"AAPL","Buy","1","10","USD","32 Dec 2025 11:15:58 AM","10","","","","0","1 - Cash",', "not a date and time"),
    ("questrade", '"AAPL","Buy","1","1o","USD","16 Dec 2025 11:15:58 AM","10","","","","0","1 - Cash",', "not a number"),
]
# fmt: on


@pytest.mark.parametrize(
    ("name", "row", "message"), BAD_ROWS, ids=[f"{name}: {message}" for name, _, message in BAD_ROWS]
)
def test_a_bad_row_is_an_error_on_its_own_row_and_the_next_row_still_imports(name, row, message):
    module = formats.get(name)
    bad = ABOVE[name].count("\n") + 1
    summary = read(module, f"{ABOVE[name]}{row}\n{GOOD[name]}\n")
    assert [(error.row, message in error.message) for error in summary.errors] == [(bad, True)]
    assert [fill.row for fill in summary.fills] == [bad + 1] * (2 if formats.trade_level(module) else 1)


# --- Not this format -----------------------------------------------------------------------------

# A file that starts like the format's but lacks the rest of its header, for the formats that read
# their table by its header: refused as a whole rather than read as rows.
WITHOUT_HEADER = {
    "coinbase": "Timestamp,Transaction Type,Asset\n2021-05-01T09:00:00Z,Buy,ETH\n",
    "coinbase_fills": "portfolio,trade id,product\ndefault,1,BCH-BTC\n",
    "firstrade": "Symbol,Quantity,Price\nSPY,1,600\n",
    "robinhood": '"Activity Date","Instrument"\n"1/2/2026","AAPL"\n',
    "webull_intl": "Symbol & Name,Trade Date\nAAPL APPLE,20/11/2025\n",
    "kraken": '"txid","pair"\n"T1","XXBTZEUR"\n',
    "tradervue": "Open Datetime,Close Datetime,Symbol\n2025-10-24 08:00:00,2025-10-24 08:01:00,GNLN\n",
    "tradetally": "Symbol,Side,Quantity\nAAPL,long,1\n",
    "webull": "Name,Symbol,Side\nApple,AAPL,Buy\n",
    "questrade": '"Symbol","Action"\n"AAPL","Buy"\n',
    "binance": "Date,Pair,Side\n2021-01-01,BTCUSDT,BUY\n",
    "etrade": "For Account:,####1\n\nTransactionDate,Symbol\n",
    "fidelity": "Run Date,Action,Symbol\n07-07-2026,YOU BOUGHT,AAPL\n",
    "schwab": "Date,Action,Symbol\n01/10/2025,Buy,AAPL\n",
    "tradenote": "id;account;symbol\nt1;A;MES\n",
}


@pytest.mark.parametrize(("name", "text"), WITHOUT_HEADER.items(), ids=list(WITHOUT_HEADER))
def test_a_file_without_the_formats_header_is_refused(name, text):
    with pytest.raises(base.FormatError):
        read(formats.get(name), text)


# --- Hostile input --------------------------------------------------------------------------------

FAILS = {"format error", "row error"}
ANYTHING = {"format error", "row error", "fill", "nothing"}  # as long as nothing else is raised
GARBAGE = bytes(range(256)) * 40
GIANT = '"' + "A" * 200_000 + '"'


def _first_line(text: str) -> str:
    return text.splitlines(keepends=True)[0]


def _below_first_line(text: str, old: str, new: str) -> str:
    first = _first_line(text)
    return first + text[len(first) :].replace(old, new)


def _insert(text: str, at: int, line: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join([*lines[:at], line, *lines[at:]])


# What any file does to any format: the outcomes it may have, and how to make it from a sample's text.
MUTATIONS = {
    "its first line alone": ({"format error", "nothing"}, _first_line),
    "its first line again between rows": (ANYTHING, lambda text: _insert(text, 2, _first_line(text))),
    "a NUL byte in every cell below the first line": (ANYTHING, lambda text: _below_first_line(text, ",", ",\x00")),
    "every number 1E+999": (ANYTHING, lambda text: re.sub(r"\d+(?:\.\d+)?", "1E+999", text)),
    "every number 1E+999999999": (ANYTHING, lambda text: re.sub(r"\d+(?:\.\d+)?", "1E+999999999", text)),
    "a 200,000-character cell": (ANYTHING, lambda text: _insert(text, 1, GIANT + "\n")),
    "cut in half": (ANYTHING, lambda text: text[: len(text) // 2]),
    "a row of 10,000 cells": (ANYTHING, lambda text: text + ",".join(["1"] * 10_000) + "\n"),
}


MT5 = base.decode(sample("mt5", "ReportHistory-51234567.html"))
# Each format's own hostile files, and the outcomes each may have.
# fmt: off
HOSTILE = {
    "ninjatrader": {
        "truncated mid-row": ("MNQ MAR25,Buy,9,21539.50,1/28/20", {"row error"}),
        "one column": (b"Instrument\nMNQ MAR25\n", {"format error"}),
        "huge number": ("ES 03-25,Buy,1E+999999999,6000,1/2/2025 9:30:00 AM,a,Entry,,,,,1,S,,\n", {"row error"}),
        "10000 columns": ("ES 03-25,Buy,1,6000,1/2/2025 9:30:00 AM,a,Entry" + ",x" * 10_000 + "\n", {"row error"}),
        "giant field": (GIANT + ",Buy\n", {"format error"}),
    },
    "ninjatrader_trades": {
        "truncated mid-row": ("1,ES 03-25,Sim101,,Long,1,6000,5990,1/2/2025 9:3", {"row error"}),
        "one column": (b"Trade number\n1\n", {"format error"}),
        "huge number": ("1,ES 03-25,S,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM,1E+999999999,$0\n", {"row error"}),
        "10000 columns": ("1,ES 03-25,S,,Long,1,6000,5990,1/2/2025 9:30:00 AM,1/2/2025 9:40:00 AM" + ",9" * 10_000 + "\n", {"fill"}),
        "giant field": ("1," + GIANT + "\n", {"format error"}),
    },
    "tradovate_orders": {
        "truncated mid-row": ("1,A1,1, Buy,ESM6,ES,6000,1,06/10/20", {"row error"}),
        "one column": (b"orderId\n1\n", {"format error"}),
        "huge number": ("1,A1,1, Buy,ESM6,ES,6000,1E+999999999,06/10/2026 16:00:05, Filled\n", {"row error"}),
        "10000 columns": ("1,A1,1, Buy,ESM6,ES,6000,1,06/10/2026 16:00:05, Filled" + ",x" * 10_000 + "\n", {"row error"}),
        "giant field": ("1," + GIANT + "\n", {"format error"}),
    },
    "tradovate_positions": {
        "truncated mid-row": ("1,x,A1,ESM6,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/20", {"row error"}),
        "one column": (b"Position ID\n1\n", {"format error"}),
        "huge number": ("1,x,A1,ESM6,9,1,2,1E+999999999,6000,6010,5,USD,04/09/2026 10:00:00,04/09/2026 10:05:00\n", {"row error"}),
        "huge fill id": ("1,x,A1,ESM6,9," + "9" * 5000 + ",2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:00:00\n", {"fill"}),
        "10000 columns": ("1,x,A1,ESM6,9,1,2,1,6000,6010,500,USD,04/09/2026 10:00:00,04/09/2026 10:05:00" + ",x" * 10_000 + "\n", {"fill"}),
        "giant field": ("1," + GIANT + "\n", {"format error"}),
    },
    "generic": {
        "truncated mid-row": ("2025-01-02 10:00,AAPL,buy,1,10\n2025-01-02 10:01,AAPL,se", {"row error"}),
        "one column": (b"time\n2025-01-02\n", {"format error"}),
        "huge number": ("2025-01-02 10:00,AAPL,buy,1E+999999999,10\n", {"row error"}),
        "10000 columns": ("2025-01-02 10:00,AAPL,buy,1,10" + ",x" * 10_000 + "\n", {"fill"}),
        "giant field": ("2025-01-02 10:00," + GIANT + ",buy,1,10\n", {"format error"}),
    },
    "thinkorswim": {
        "truncated mid-row": (",3/2/26 10:00:00,SINGLE,BUY,+1,TO OPEN,AAPL,,,STO", {"row error"}),
        "one column": (b"Account Trade History\nExec Time\n3/2/26\n", {"format error"}),
        "huge number": (",3/2/26 10:00:00,SINGLE,BUY,+1E+999999999,TO OPEN,AAPL,,,STOCK,2,2,LMT\n", {"row error"}),
        "10000 columns": (",3/2/26 10:00:00,SINGLE,BUY,+1,TO OPEN,AAPL,,,STOCK,2,2,LMT" + ",x" * 10_000 + "\n", {"fill"}),
        "giant field": ("," + GIANT + "\n", {"format error"}),
    },
    "tradejournal": {
        "truncated mid-row": ("101,,,,AAPL,long,100,1,2025-03-1", {"row error"}),
        "one column": (b"id\n1\n", {"format error"}),
        "huge number": ("1,,,,ES,long,1E+999999999,1,2025-01-02T15:00:00Z,5000\n", {"row error"}),
        "10000 columns": ("1,,,,ES,long,1,1,2025-01-02T15:00:00Z,5000" + ",x" * 10_000 + "\n", {"row error"}),
        "giant field": ("1," + GIANT + "\n", {"format error"}),
    },
    "schwab": {
        "one column": (b"Date\n01/10/2025\n", FAILS),
        "huge number": (sample("schwab", "schwab_options.csv").replace(b"$10.075", b"1E+999999999"), FAILS),
        "ten thousand columns": (sample("schwab", "schwab_options.csv") + b",".join([b"1"] * 10_000) + b"\n", FAILS),
        "truncated": (sample("schwab", "schwab_options.csv")[:700], ANYTHING),
    },
    "tastytrade": {
        "one column": (b"Date\n2024-01-01\n", FAILS),
        "huge number": (sample("tastytrade", "tastytrade_futures.csv").replace(b"-160.00,1,", b"-160.00,1E+999999999,"), FAILS),
        "ten thousand columns": (sample("tastytrade", "tastytrade_futures.csv") + b",".join([b"1"] * 10_000) + b"\n", FAILS),
        "truncated": (sample("tastytrade", "tastytrade_transactions.csv")[:1500], ANYTHING),
    },
    "binance": {
        "one column": (b"Date(UTC)\n2021-01-01 00:00:00\n", FAILS),
        "huge number": (sample("binance", "binance_trade_history.csv").replace(b"0.2291700000", b"1E+999999999"), FAILS),
        "ten thousand columns": (sample("binance", "binance_trade_history.csv") + b",".join([b"1"] * 10_000) + b"\n", FAILS),
        "truncated": (sample("binance", "binance_trade_history.csv")[:700], ANYTHING),
    },
    "ibkr": {
        "one column": (b"Statement\nfoo\n", FAILS),
        "huge number": (sample("ibkr", "ibkr_flex.xml").replace(b'quantity="-2000"', b'quantity="1E+999999999"'), FAILS),
        "ten thousand columns": (sample("ibkr", "ibkr_flex_trades.csv") + b",".join([b'"1"'] * 10_000) + b"\n", FAILS),
        "truncated xml": (sample("ibkr", "ibkr_flex.xml")[:5000], FAILS),
        "truncated csv": (sample("ibkr", "ibkr_activity.csv")[:2200], ANYTHING),
    },
    "mt5": {
        "one column": ("Trade History Report\n", FAILS),
        "huge number": (MT5.replace("<td>0.2</td><td>2 915.40</td>", "<td>1E+999999999</td><td>2 915.40</td>"), FAILS),
        "huge profit": (MT5.replace("<td>95.00</td>", "<td>1E+999</td>"), ANYTHING),
        "ten thousand columns": (mt5_report("2025.03.03 10:15:30|" + "|".join(["1"] * 10_000)), FAILS),
        "truncated": (MT5[: MT5.index("1000005")], ANYTHING),
    },
}
# fmt: on


def hostile_files() -> list:
    """(format, file, outcomes) for the garbage every format refuses, each format's own hostile
    files (a str is written below the rows' layout), and every mutation of every sample."""
    files = [pytest.param(name, GARBAGE, {"format error"}, id=f"{name}: garbage bytes") for name in FORMATS]
    for name, cases in HOSTILE.items():
        for case, (data, outcomes) in cases.items():
            data = ABOVE[name] + data if isinstance(data, str) and name in ABOVE else data
            files.append(pytest.param(name, data, outcomes, id=f"{name}: {case}"))
    for path in SAMPLES:
        text = text_of(path.read_bytes())
        for case, (outcomes, mutate) in MUTATIONS.items():
            files.append(pytest.param(path.parent.name, mutate(text), outcomes, id=f"{sample_id(path)}: {case}"))
    return files


@pytest.mark.parametrize(("name", "data", "outcomes"), hostile_files())
def test_a_hostile_file_ends_quickly_as_a_format_error_or_as_row_items(name, data, outcomes):
    module = formats.get(name)
    started = time.process_time()
    try:
        items = list(module.parse(base.decode(data) if isinstance(data, bytes) else data, tz=NEW_YORK))
    except base.FormatError:
        outcome = "format error"
    else:
        assert all(isinstance(item, base.Item) and item.row >= 1 for item in items)
        summary = base.Summary.of(items)
        outcome = "row error" if summary.errors else "fill" if summary.fills or summary.actions else "nothing"
    assert time.process_time() - started < 2
    assert outcome in outcomes
