"""TradeTally's trade export (Settings > Export Trades to CSV, `GET /api/trades/export/csv`): one
trade a row, read as an entry fill and, for a closed trade, an exit fill (journal_rows.py).

The layout is the one TradeTally's exporter writes: `Symbol,Side,Quantity,Entry Price,Exit Price,
Entry Date,Exit Date,P&L,Fees,Commission,Notes,Strategy,Setup,Tags,Broker,Status,Instrument Type,
Option Type,Strike Price,Expiration Date,Quality Grade`. Dates only (its UTC dates): a trade opens
at the US close, 16:00 in the import's `tz`, and closes then on its exit date, one instrument's
times a second apart in the file's order (base.DayClock). TradeTally guards a cell that starts with
=, +, -, @ against spreadsheet formulas with a leading apostrophe (`'-250.00`); it is removed. An
option (symbol = underlying, with type, strike and expiry) is named by its OCC symbol with 100
shares a contract. Tags are separated by "; ". P&L is recomputed, never read.
"""

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from imports.formats import base, dated, journal_rows, us_options

NAME = "tradetally"
BROKER = "TradeTally"
TRADE_LEVEL = True

COLUMNS = {
    "symbol": ("symbol",), "side": ("side",), "quantity": ("quantity",), "entry_price": ("entry price",),
    "exit_price": ("exit price",), "entry_date": ("entry date",), "exit_date": ("exit date",), "pnl": ("p&l",),
    "fees": ("fees",), "commission": ("commission",), "notes": ("notes",), "strategy": ("strategy",),
    "setup": ("setup",), "tags": ("tags",), "status": ("status",), "instrument_type": ("instrument type",),
    "option_type": ("option type",), "strike": ("strike price",), "expiration": ("expiration date",),
    "quality": ("quality grade",),
}  # fmt: skip
REQUIRED = ("symbol", "side", "quantity", "entry_price", "exit_price", "entry_date", "exit_date", "pnl", "quality")
NOT_TRADETALLY = "not a TradeTally export: no Symbol, Side, Quantity, Entry/Exit Price, Entry/Exit Date, P&L header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_TRADETALLY)
ASSET_CLASSES = {"stock": base.STOCK, "option": base.OPTION, "future": base.FUTURE, "crypto": base.CRYPTO}
DATE_FORMATS = ("%Y-%m-%d",)
_GUARDED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    clock = base.DayClock(tz)
    yield from TABLE.read(text).read(_fills, clock)


def _cell(cells: base.Cells, name: str) -> str:
    value = cells[name]
    return value[1:] if value.startswith(_GUARDED) else value


def _fills(row: int, cells: base.Cells, clock: base.DayClock) -> list[base.Fill]:
    def number(name: str):
        return base.parse_decimal(_cell(cells, name))

    instrument, asset_class, multiplier = _instrument(cells)
    entry_day = dated.parse_day(cells["entry_date"], DATE_FORMATS, "entry date")
    exit_text = cells["exit_date"].strip()
    exit_day = dated.parse_day(exit_text, DATE_FORMATS, "exit date") if exit_text else None
    if exit_day is not None and exit_day < entry_day:
        raise base.RowProblem("the trade closes before it opens")
    exit_price = number("exit_price") if exit_day is not None else None
    trade = journal_rows.RoundTrip(
        row=row,
        instrument=instrument,
        side=cells["side"].strip().lower(),
        quantity=abs(base.require_decimal(cells["quantity"], "quantity")),
        entry_time=clock.at(entry_day, instrument),
        entry_price=base.require_decimal(_cell(cells, "entry_price"), "entry price"),
        exit_time=clock.at(exit_day, instrument) if exit_day is not None and exit_price is not None else None,
        exit_price=exit_price,
        commission=abs(number("commission") or 0),
        fees=abs(number("fees") or 0),
        multiplier=multiplier,
        asset_class=asset_class,
        notes=_cell(cells, "notes") or None,
        tags=[tag.strip() for tag in _cell(cells, "tags").split(";") if tag.strip()],
        setup_type=_cell(cells, "setup") or _cell(cells, "strategy") or None,
    )
    return journal_rows.fills(trade)


def _instrument(cells: base.Cells) -> tuple[str, str, object]:
    """(instrument, asset class, multiplier): an option by its OCC symbol when the row names it fully."""
    symbol = _cell(cells, "symbol").strip().upper()
    asset_class = ASSET_CLASSES.get(cells["instrument_type"].strip().lower(), base.STOCK)
    if asset_class != base.OPTION:
        return symbol, asset_class, None
    right, strike, expiry = cells["option_type"].strip(), base.parse_decimal(cells["strike"]), cells["expiration"]
    if right and strike and expiry.strip():
        day = dated.parse_day(expiry, DATE_FORMATS, "expiration date")
        symbol = us_options.occ(symbol, day, right, strike)
    return symbol, asset_class, us_options.CONTRACT_SIZE
