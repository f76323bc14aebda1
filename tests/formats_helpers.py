"""What the import format tests share: the real samples, reading a file through a format, matching a
reason by the words it must hold, and the layouts the tests write rows under by hand."""

import json
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from imports.formats import Format, base, spreadsheet, tradejournal

DATA = Path(__file__).parent / "data" / "imports"
NEW_YORK = ZoneInfo("America/New_York")
# Every real sample, in the folder named after its format, beside its .expected.json and SOURCES.md.
SAMPLES = sorted(
    path for path in DATA.glob("*/*") if path.suffix not in (".json", ".md") and not path.name.startswith(".")
)
# The samples that are text (not Excel workbooks): what an encoding or a line end can change.
TEXT_SAMPLES = [path for path in SAMPLES if path.suffix != ".xlsx"]


def expected(path: Path) -> dict:
    """What a sample gives, worked out by hand: its format, tz, fills, skipped rows, errors, trades, and
    (closed_before) the fills the engine skips for closing a position the file never opened."""
    return json.loads(path.with_name(f"{path.name}.expected.json").read_text())


def text_of(data: bytes) -> str:
    """A file's text as the import reads it (a workbook's first sheet as CSV)."""
    return spreadsheet.file_text(data, max_rows=1_000_000)


def read(module: Format, data: bytes | str, tz: ZoneInfo = NEW_YORK) -> base.Summary:
    """What a format makes of a file; bytes are read as an upload is."""
    text = text_of(data) if isinstance(data, bytes) else data
    return base.Summary.of(module.parse(text, tz=tz))


def reader(module: Format) -> tuple[Callable[[str], bytes], Callable[..., base.Summary]]:
    """(sample, parse) for one format's tests: a sample of its folder by name, and `read` through it."""

    def sample(name: str) -> bytes:
        return (DATA / module.NAME / name).read_bytes()

    def parse(data: bytes | str, tz: ZoneInfo = NEW_YORK) -> base.Summary:
        return read(module, data, tz)

    return sample, parse


def fill_at(summary: base.Summary, row: int) -> base.Fill:
    (fill,) = [fill for fill in summary.fills if fill.row == row]
    return fill


class Containing(str):
    """Equal to any string that contains it (reasons and messages are checked by substring)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other

    __hash__ = str.__hash__


# --- Layouts the tests write rows under -------------------------------------------------------

HEADERS = {
    "ninjatrader": "Instrument,Action,Quantity,Price,Time,ID,E/X,Position,Order ID,Name,Commission,Rate,Account,Connection,",
    "ninjatrader_trades": "Trade number,Instrument,Account,Strategy,Market pos.,Qty,Entry price,Exit price,Entry time,Exit time,Profit,Commission",
    "tradovate_orders": "orderId,Account,Order ID,B/S,Contract,Product,avgPrice,filledQty,Fill Time,Status,Quantity,Type,Notional Value,Currency",
    "tradovate_positions": "Position ID,Timestamp,Account,Contract,Pair ID,Buy Fill ID,Sell Fill ID,Paired Qty,Buy Price,Sell Price,P/L,Currency,Bought Timestamp,Sold Timestamp",
    "generic": "time,instrument,side,quantity,price",
    "tradejournal": ",".join(tradejournal.COLUMNS),
    # The 2021 report: title lines above the header, "Spot Price", no ID column.
    "coinbase": "Transactions\nUser,Jane Doe,jane@example.com\n\n"
    "Timestamp,Transaction Type,Asset,Quantity Transacted,Spot Price Currency,Spot Price at Transaction,Subtotal,Total (inclusive of fees),Fees,Notes",
    "coinbase_fills": "portfolio,trade id,product,side,created at,size,size unit,price,fee,total,price/fee/total unit",
    "firstrade": "Symbol,Quantity,Price,Action,Description,TradeDate,SettledDate,Interest,Amount,Commission,Fee,CUSIP,RecordType",
    "robinhood": '"Activity Date","Process Date","Settle Date","Instrument","Description","Trans Code","Quantity","Price","Amount"',
    "webull_intl": "Symbol & Name,Trade Date,Settlement Date,Buy/Sell,Quantity,Traded Price,Gross Amount,Comm/Fee/Tax,VAT,Net Amount",
    "kraken": '"txid","ordertxid","pair","time","type","ordertype","price","cost","fee","vol","margin","misc","ledgers"',
    "webull": "Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,Time-in-Force,Placed Time,Filled Time",
    "questrade": '"Symbol","Action","Fill qty","Fill price","Currency","Exec time","Total value","Time placed","Option","Strategy","Commission","Account",',
    # The header of the real sample, as the export writes it.
    "tradervue": (DATA / "tradervue" / "tradervue_trades.csv").read_text().splitlines()[0],
    "tradetally": (DATA / "tradetally" / "tradetally_export.csv").read_text().splitlines()[0],
}
THINKORSWIM_TRADES = (
    "Account Trade History\n,Exec Time,Spread,Side,Qty,Pos Effect,Symbol,Exp,Strike,Type,Price,Net Price,Order Type\n"
)
MT5_DEALS_HEADER = (
    "<tr><td><b>Time</b></td><td><b>Deal</b></td><td><b>Symbol</b></td><td><b>Type</b></td><td><b>Direction</b></td>"
    "<td><b>Volume</b></td><td><b>Price</b></td><td><b>Order</b></td><td><b>Commission</b></td><td><b>Fee</b></td>"
    "<td><b>Swap</b></td><td><b>Profit</b></td><td><b>Balance</b></td><td><b>Comment</b></td></tr>"
)


def thinkorswim_statement(*sections: str) -> str:
    return "Account Statement for 123456789 (Joint) since 3/1/26 through 3/31/26\n\n" + "\n".join(sections)


def mt5_report(*deals: str) -> str:
    """A MetaTrader 5 report of account 7001 whose Deals table holds `deals`, each its cells joined by |."""
    rows = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in deal.split("|")) + "</tr>" for deal in deals)
    return (
        "<html><body><table><tr><td><b>Trade History Report</b></td></tr>"
        "<tr><th>Account:</th><th><b>7001&nbsp;(EUR,&nbsp;Demo,&nbsp;demo,&nbsp;Hedge)</b></th></tr>"
        f"<tr><th><b>Deals</b></th></tr>{MT5_DEALS_HEADER}{rows}</table></body></html>"
    )
