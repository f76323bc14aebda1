"""Robinhood account activity report CSV (Account > Reports and statements > Reports > Account
activity): stock and option trades are fills; dividends, interest, transfers, fees and corporate
actions are skipped.

Every cell is quoted, money is `$1,234.56` or `($1,234.56)`, a stock's description runs over
several lines ("Apple\\nCUSIP: 037833100") and the file ends with a disclaimer in a tenth cell.
Dates only: times as dated.py sets them, newest first as Robinhood lists. An option ("IREN
1/2/2026 Put $39.00") is named by its OCC symbol with 100 shares a contract; an expiration or
assignment (OEXP, OASGN, OEXCS) closes it at 0. Robinhood charges no commission, but its regulatory
fees come off an option's Amount: what the Amount holds beyond price x 100 x quantity is the fee. A
stock's Price is rounded to the cent (its Amount is not), so no fee is read from it. Robinhood does
not lend shares, so a stock sale closes shares held.
"""

import re
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, dated, us_options

NAME = "robinhood"
BROKER = "Robinhood"

COLUMNS = {
    "date": ("activity date",), "process_date": ("process date",), "instrument": ("instrument",),
    "description": ("description",), "code": ("trans code",), "quantity": ("quantity",), "price": ("price",),
    "amount": ("amount",),
}  # fmt: skip
REQUIRED = ("date", "process_date", "instrument", "code", "quantity", "price", "amount")
NOT_ROBINHOOD = "not a Robinhood activity report: no Activity Date, Process Date, Instrument, Trans Code header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_ROBINHOOD)
DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y")
TRADES = {  # trans code → side, position effect
    "buy": (base.BUY, base.OPEN), "sell": (base.SELL, base.CLOSE),
    "bto": (base.BUY, base.OPEN), "stc": (base.SELL, base.CLOSE),
    "sto": (base.SELL, base.OPEN), "btc": (base.BUY, base.CLOSE),
}  # fmt: skip
REMOVALS = ("oexp", "oasgn", "oexcs")
NOT_TRADES = {  # trans code → reason, for the codes parsers of real reports name; others keep their code
    "cdiv": "dividend", "nrat": "tax", "int": "interest", "ach": "money movement", "rtp": "money movement",
    "gold": "fee", "afee": "fee", "soff": "corporate action",
}  # fmt: skip
_OPTION = re.compile(
    r"(?P<root>[A-Z.]+) (?P<expiry>\d{1,2}/\d{1,2}/\d{4}) (?P<right>Call|Put) \$(?P<strike>[\d,]+(?:\.\d+)?)$"
)
CENT = Decimal("0.01")


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    table = TABLE.read(text)
    items = []
    for row, cells in table.records():
        if not any(cells[:9]):  # the disclaimer line that closes the report
            continue
        items.extend(base.read_row(row, _read, row, table.cells(cells)))
    yield from dated.timed(items, tz, newest_first=True)


def _read(row: int, cells: base.Cells) -> "dated.Dated | base.Skip":
    code = cells["code"].lower()
    day = dated.parse_day(cells["date"], DATE_FORMATS, "activity date")
    if code in TRADES:
        side, effect = TRADES[code]
        return dated.Dated(_fill(row, cells, side, effect, removal=False), day)
    if code in REMOVALS:
        # The row's quantity is unsigned: only the position built before it tells the side.
        return dated.Dated(_fill(row, cells, base.BUY, base.CLOSE, removal=True), day, removal=True)
    if code in NOT_TRADES:
        return base.Skip(row, f"{NOT_TRADES[code]}, not a trade")
    if base.parse_decimal(cells["price"]):
        raise base.RowProblem(f"unknown trans code {cells['code']!r} with a price: is it a trade?")
    return base.Skip(row, f"{cells['code'] or 'a row without a trans code'}, not a trade")


def _fill(row: int, cells: base.Cells, side: str, effect: str, *, removal: bool) -> base.Fill:
    quantity = abs(base.require_decimal(cells["quantity"].rstrip("S"), "quantity"))
    price = Decimal(0) if removal else base.require_decimal(cells["price"], "price")
    if quantity == 0 or (price <= 0 and not removal):
        raise base.RowProblem("quantity and price must be above 0")
    description = " ".join(cells["description"].split())
    option = _OPTION.search(description)
    if removal and not option:
        raise base.RowProblem(f"cannot tell which option {description!r} names")
    instrument = us_options.named(option, DATE_FORMATS) if option else cells["instrument"].upper()
    base.require_text(instrument, "instrument")
    fees = _fees(cells["amount"], price * quantity * us_options.CONTRACT_SIZE, side) if option else Decimal(0)
    return us_options.fill(row, instrument, side, quantity, price, option=bool(option), fees=fees, effect=effect)


def _fees(amount_text: str, value: Decimal, side: str) -> Decimal:
    """What the Amount took beyond the trade's value: paid on a buy, withheld from a sale."""
    amount = base.parse_decimal(amount_text)
    if amount is None:
        return Decimal(0)
    fees = (abs(amount) - value) if side == base.BUY else (value - abs(amount))
    return fees if fees >= CENT else Decimal(0)
