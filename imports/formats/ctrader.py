"""cTrader history, from any broker's cTrader (the History tab of the TradeWatch panel, exported as CSV
or Excel with the columns it shows: right-click a column header to show Opening time and Closing
time): one closing deal per row, read as an entry fill and an exit fill.

The table has the columns the trader chose, named as cTrader names them: the times carry the user
time offset they were written in ("Closing time (UTC-4)"), read as such whatever the import's tz (a
time column without one is read in the tz); the money columns carry the account's currency
("Net USD", "Gross AUD", "Net $"), which, when it is a currency code, is the account's. Closing
Quantity is in lots ("2.00 Lots") and stays the quantity. The money states each row's lot size (the
point value: money / (price move x lots)), so P&L in the journal matches the file: Gross when the
file has it, else Net less the Commission and Swap it shows (cTrader writes costs negative and Net
= Gross + Swap + Commission); a file with Net alone gives a point value with its unshown costs in
it. Commission is the commission and Swap a fee, on the entry fill. A deal ID numbers the closing
deal, not both fills: exec_id stays empty and duplicates are found by content.
"""

import re
from collections.abc import Iterator
from datetime import UTC, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "ctrader"
BROKER = "cTrader"
TRADE_LEVEL = True

REQUIRED = ("symbol", "opening direction", "entry price", "closing price", "closing quantity")
MISSING_COLUMNS = (
    "a cTrader history needs the columns Symbol, Opening direction, Opening time, Closing time, Entry price, "
    "Closing price, Closing Quantity (missing: {missing})"
)
TABLE = base.Layout(None, required=REQUIRED, missing=MISSING_COLUMNS)
# "Opening time (UTC-4)", "Closing Time (UTC+0)", "Closing time": the header as normalised (lower case).
_TIME_HEADER = re.compile(
    r"^(?P<which>opening|closing) time"
    r"(?: \((?P<utc>utc)(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d\d))?)?\))?$"
)
_MONEY_HEADER = re.compile(r"^(?P<kind>gross|net) (?P<currency>\S+)$")
_LOTS = re.compile(r"\s*lots?$", re.IGNORECASE)
TIME_FORMATS = ("%d/%m/%Y %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S")
SIDES = {"buy": (base.BUY, base.SELL), "sell": (base.SELL, base.BUY)}
NONE = Decimal(0)


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    table = TABLE.read(text)
    times = {}
    for name in table.columns:
        match = _TIME_HEADER.match(name)
        if match:
            times.setdefault(match["which"], (name, _zone(match, tz)))
    if times.keys() != {"opening", "closing"}:
        absent = " and ".join(f"{which.capitalize()} time" for which in ("opening", "closing") if which not in times)
        msg = (
            f"this cTrader history has no {absent} column: show it in the History tab (right-click a column "
            "header) and export again"
        )
        raise base.FormatError(msg)
    money = {}
    for name in table.columns:
        match = _MONEY_HEADER.match(name)
        if match:
            money.setdefault(match["kind"], (name, match["currency"]))
    currency = next((code.upper() for _, code in money.values() if re.fullmatch(r"[a-z]{3}", code)), None)
    account = base.AccountRef(currency=currency) if currency else None
    yield from table.read(_deal, times, money, account)


def _zone(match: re.Match, tz: ZoneInfo) -> tzinfo:
    if match["utc"] is None:
        return tz
    if match["sign"] is None:
        return UTC
    minutes = int(match["hours"]) * 60 + int(match["minutes"] or 0)
    if minutes >= 24 * 60:
        raise base.FormatError(f"{match.group(0)!r} names no time offset")
    return timezone(timedelta(minutes=-minutes if match["sign"] == "-" else minutes))


def _deal(
    row: int, cells: base.Cells, times: dict[str, tuple[str, tzinfo]], money: dict[str, tuple[str, str]],
    account: base.AccountRef | None,
) -> list[base.Fill]:  # fmt: skip
    sides = base.one_of(SIDES, cells["opening direction"], "Opening direction {!r} is not Buy or Sell")
    symbol = base.require_text(cells["symbol"].upper(), "symbol")
    quantity = _LOTS.sub("", cells["closing quantity"])
    lots, entry = base.size_and_price(quantity, cells["entry price"], ("closing quantity", "entry price"), signed=False)
    closing = base.require_decimal(cells["closing price"], "closing price")
    if closing <= 0:
        raise base.RowProblem("the closing price must be above 0")
    commission = base.parse_decimal(cells["commission"] or cells["commissions"]) or NONE
    swap = base.parse_decimal(cells["swap"]) or NONE
    common = {
        "row": row, "instrument": symbol, "quantity": lots, "account": account,
        "multiplier": base.implied_multiplier(_gross(cells, money, commission, swap), closing - entry, lots),
    }  # fmt: skip
    opening_column, opening_zone = times["opening"]
    closing_column, closing_zone = times["closing"]
    return [
        base.Fill(
            **common, time=base.parse_time(cells[opening_column], TIME_FORMATS, opening_zone, "opening time"),
            side=sides[0], price=entry, commission=-commission, fees=-swap, effect=base.OPEN,
        ),
        base.Fill(
            **common, time=base.parse_time(cells[closing_column], TIME_FORMATS, closing_zone, "closing time"),
            side=sides[1], price=closing, effect=base.CLOSE,
        ),
    ]  # fmt: skip


def _gross(cells: base.Cells, money: dict[str, tuple[str, str]], commission: Decimal, swap: Decimal) -> Decimal | None:
    """The row's money before costs: the Gross column, else Net less the costs the file shows."""
    if "gross" in money:
        return base.parse_decimal(cells[money["gross"][0]])
    if "net" in money:
        net = base.parse_decimal(cells[money["net"][0]])
        return None if net is None else net - commission - swap
    return None
