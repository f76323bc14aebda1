"""Webull (international: Singapore, Thailand, ...) monthly statement CSV, its "TRADE
RECORDS" part: `Symbol & Name,Trade Date,Settlement Date,Buy/Sell,Quantity,Traded Price,...`.

Above the table stand the statement's title, "TRADE RECORDS", the asset class and "Currency: USD";
a statement with trades in several currencies repeats "Currency: ..." and the header per currency,
and the fills take the currency of their part. The parts after the trade records (PORTFOLIO
SUMMARY) are not trades and are not read. "META META PLATFORMS INC" is the symbol, then the name.
Dates only, day first: times as dated.py sets them, newest first as the statement lists.
Comm/Fee/Tax is the commission, VAT the fees.
"""

from collections.abc import Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

from imports.formats import base, dated, us_options

NAME = "webull_intl"
BROKER = "Webull"

COLUMNS = {
    "symbol_name": ("symbol & name",), "trade_date": ("trade date",), "side": ("buy/sell",),
    "quantity": ("quantity",), "price": ("traded price",), "commission": ("comm/fee/tax",), "vat": ("vat",),
}  # fmt: skip
REQUIRED = ("symbol_name", "trade_date", "side", "quantity", "price")
NOT_WEBULL = (
    "not a Webull statement's trade records: no Symbol & Name, Trade Date, Buy/Sell, Quantity, Traded Price header"
)
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_WEBULL, within=None)
SIDES = {"buy": base.BUY, "sell": base.SELL}
CURRENCY = "currency:"


def detect(head: str) -> bool:
    return replace(TABLE, within=8).find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    table = TABLE.read(text)
    currency = next((_currency(cells) for cells in table.preamble if _currency(cells)), None)
    items = []
    for row, cells in table.records():
        if len(cells) == 1:  # a title: a currency's part, an asset class, or the parts after the trades
            if "summary" in cells[0].lower():
                break
            currency = _currency(cells) or currency
            continue
        items.extend(base.read_row(row, _read, row, table.cells(cells), currency))
    yield from dated.timed(items, tz, newest_first=True)


def _currency(cells: list[str]) -> str | None:
    text = cells[0].strip()
    return text[len(CURRENCY) :].strip().upper() or None if text.lower().startswith(CURRENCY) else None


def _read(row: int, cells: base.Cells, currency: str | None) -> dated.Dated:
    side = base.one_of(SIDES, cells["side"], "Buy/Sell {!r} is neither BUY nor SELL")
    symbol = base.require_text(cells["symbol_name"].split(" ", 1)[0].upper(), "symbol")
    quantity, price = base.size_and_price(cells["quantity"], cells["price"], ("quantity", "traded price"))
    fill = us_options.fill(
        row, symbol, side, quantity, price, option=False, commission=base.charge(cells["commission"]),
        fees=base.charge(cells["vat"]), account=base.AccountRef(currency=currency) if currency else None,
    )  # fmt: skip
    return dated.Dated(fill, dated.parse_day(cells["trade_date"], ("%d/%m/%Y",), "trade date"))
