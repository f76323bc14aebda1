"""Fidelity "Account History" / "Activity & Orders" CSV (Accounts > Activity & Orders > History >
Download): buys, sells and reinvestments are fills; dividends, interest, transfers, taxes, fees and
redemptions are skipped.

The table comes below a few blank or title lines ("Brokerage") and is followed by Fidelity's
disclaimer; its columns carry units in some years ("Price ($)") and not in others ("Price"). Dates
only: times as dated.py sets them, newest first as Fidelity lists. An option's symbol is Fidelity's
compact `-SPY180125C260`, written as its OCC symbol with 100 shares a contract. In a Cash account a
sale closes shares held (what it cannot close was bought before the file); in a Margin account a
plain "YOU SOLD" may open a short, and the net position decides.
"""

import re
from collections.abc import Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

from imports.formats import base, dated, us_options

NAME = "fidelity"
BROKER = "Fidelity"

COLUMNS = {
    "run_date": ("run date",), "account": ("account",), "account_number": ("account number",),
    "action": ("action",), "symbol": ("symbol",), "description": ("description", "security description"),
    "type": ("type", "security type"), "quantity": ("quantity",), "price": ("price ($)", "price"),
    "commission": ("commission ($)", "commission"), "fees": ("fees ($)", "fees"), "amount": ("amount ($)", "amount"),
}  # fmt: skip
REQUIRED = ("run_date", "action", "symbol", "quantity", "price", "amount")
NOT_FIDELITY = "not a Fidelity account history: no Run Date, Action, Symbol, Quantity, Price, Amount header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_FIDELITY, within=None)
DATE_FORMATS = ("%m/%d/%Y", "%m-%d-%Y")
_ACCOUNT = re.compile(r"^(?P<name>.*?)\s*(?P<number>X?\d{5,})$")
_OPTION = re.compile(r"^-?(?P<root>[A-Z.]+)(?P<expiry>\d{6})(?P<right>[CP])(?P<strike>\d+(?:\.\d+)?)$")
_NOT_TRADES = (  # first matching words in the action → reason
    (("DIVIDEND",), "dividend"),
    (("INTEREST",), "interest"),
    (("TAX",), "tax"),
    (("REDEMPTION",), "redemption"),
    (("FEE",), "fee"),
    (("TRANSFER", "WIRE", "DEPOSIT", "CONTRIBUTION", "DISTRIBUTION", "EXCHANGED"), "money movement"),
)


def detect(head: str) -> bool:
    return replace(TABLE, within=8).find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    table = TABLE.read(text)
    items = []
    for row, cells in table.records():
        if len(cells) < 3:  # the disclaimer and "Date downloaded" lines below the table
            continue
        items.extend(base.read_row(row, _read, row, table.cells(cells)))
    yield from dated.timed(items, tz, newest_first=True)


def _read(row: int, cells: base.Cells) -> "dated.Dated | base.Skip":
    action = " ".join(cells["action"].upper().split())
    day = dated.parse_day(cells["run_date"], DATE_FORMATS, "run date")
    if action.startswith(("YOU BOUGHT", "REINVESTMENT")):
        effect = base.CLOSE if "CLOSING" in action else base.OPEN if "OPENING" in action else None
        return dated.Dated(_fill(row, cells, base.BUY, base.OPEN if action.startswith("REINV") else effect), day)
    if action.startswith("YOU SOLD"):
        cash = cells["type"].strip().lower() == "cash"
        opening = "OPENING" in action or "SHORT" in action
        effect = base.OPEN if opening else base.CLOSE if cash or "CLOSING" in action else None
        return dated.Dated(_fill(row, cells, base.SELL, effect), day)
    for words, reason in _NOT_TRADES:
        if any(word in action for word in words):
            return base.Skip(row, f"{reason}, not a trade")
    if cells["price"]:
        raise base.RowProblem(f"unknown action {cells['action']!r} with a price: is it a trade?")
    return base.Skip(row, f"{cells['action'] or 'a row without an action'}, not a trade")


def _fill(row: int, cells: base.Cells, side: str, effect: str | None) -> base.Fill:
    symbol = base.require_text(cells["symbol"].upper().replace(" ", ""), "symbol")
    quantity, price = base.size_and_price(cells["quantity"], cells["price"])
    option = _OPTION.match(symbol)
    return us_options.fill(
        row, us_options.named(option, ("%y%m%d",)) if option else symbol, side, quantity, price, option=bool(option),
        commission=base.charge(cells["commission"]), fees=base.charge(cells["fees"]), account=_account(cells),
        effect=effect,
    )  # fmt: skip


def _account(cells: base.Cells) -> base.AccountRef | None:
    """`"Individual" X91636470` or `My Account X12345678` in the Account column, or an Account Number."""
    number, label = cells["account_number"], cells["account"].replace('"', "").strip()
    if not number:
        match = _ACCOUNT.match(label)
        if not match:
            return None
        number, label = match["number"], match["name"]
    return base.AccountRef(number=number, name=label or None, currency="USD")
