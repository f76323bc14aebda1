"""Questrade Edge "Executions" export (Tools > Account > Executions, right-click the column headers >
Export...): one execution per row, stocks and options, several accounts in one file.

Times ("16 Dec 2025 11:15:58 AM") are the platform's local time, read in the import's `tz`. The
account is "12345678 - Margin +": its number, then its type. An option's symbol is Questrade's
`SLV20Feb26C55.00` (root, day, month, year, C or P, strike), written as its OCC symbol with 100
shares a contract; BTO/STO open, BTC/STC close, a plain Buy or Sell states no effect.
"""

import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base, us_options

NAME = "questrade"
BROKER = "Questrade"

COLUMNS = {
    "symbol": ("symbol",), "action": ("action",), "quantity": ("fill qty",), "price": ("fill price",),
    "currency": ("currency",), "time": ("exec time",), "commission": ("commission",), "account": ("account",),
}  # fmt: skip
REQUIRED = ("symbol", "action", "quantity", "price", "time")
NOT_QUESTRADE = "not a Questrade executions export: no Symbol, Action, Fill qty, Fill price, Exec time header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_QUESTRADE)
TIME_FORMATS = ("%d %b %Y %I:%M:%S %p", "%d %b %Y %H:%M:%S")
ACTIONS = {  # action → side, position effect
    "buy": (base.BUY, None), "sell": (base.SELL, None), "bto": (base.BUY, base.OPEN), "sto": (base.SELL, base.OPEN),
    "btc": (base.BUY, base.CLOSE), "stc": (base.SELL, base.CLOSE), "short": (base.SELL, base.OPEN),
}  # fmt: skip
_OPTION = re.compile(r"^(?P<root>[A-Z.]+?)(?P<expiry>\d{1,2}[A-Za-z]{3}\d\d)(?P<right>[CP])(?P<strike>\d+(?:\.\d+)?)$")
_ACCOUNT = re.compile(r"^(?P<number>\S+?)\s*-\s*(?P<name>.*?)[\s+()]*$")


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_fill, tz)


def _fill(row: int, cells: base.Cells, tz: ZoneInfo) -> base.Fill:
    action = cells["action"].lower()
    if action not in ACTIONS:
        raise base.RowProblem(f"the action {cells['action']!r} is not Buy, Sell, BTO, STO, BTC or STC")
    side, effect = ACTIONS[action]
    symbol = base.require_text(cells["symbol"].strip(), "symbol")
    quantity, price = base.size_and_price(cells["quantity"], cells["price"], ("fill quantity", "fill price"))
    option = _OPTION.match(symbol)
    return us_options.fill(
        row, us_options.named(option, ("%d%b%y",)) if option else symbol.upper(), side, quantity, price,
        option=bool(option), time=base.parse_time(cells["time"], TIME_FORMATS, tz, "exec time"),
        commission=base.charge(cells["commission"]), account=_account(cells["account"], cells["currency"]),
        effect=effect,
    )  # fmt: skip


def _account(label: str, currency: str) -> base.AccountRef | None:
    """ "12345678 - Margin +" → number 12345678, name Margin; the row's currency."""
    label = label.strip()
    if not label:
        return None
    match = _ACCOUNT.match(label)
    if not match:
        return base.AccountRef(number=label, currency=currency or None)
    return base.AccountRef(number=match["number"], name=match["name"] or None, currency=currency or None)
