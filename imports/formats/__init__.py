"""The import formats by name, and how a file's format is found from its content.

Each format is a module of this package with:
    its docstring                  what file it reads and how to export it from the broker, in its
                                   first paragraph: the catalogue traders read (the API docs, the CLI)
    NAME: str                      the `format` parameter's value
    BROKER: str                    the broker's name, as shown to traders
    detect(head: str) -> bool      whether the first few KiB of the file's text are this format (an Excel
                                   workbook's text is its first sheet as CSV: spreadsheet.py)
    parse(text: str, *, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]
                                   every data row yields at least one item (base.py)
and, for formats whose rows are whole trades (an entry fill and, once closed, its exit fill):
    TRADE_LEVEL = True             a row's fills make a trade of their own (imports/engine.py)
and, for our own export, whose instruments are the journal's own names:
    KEEPS_NAMES = True             a dated future is stored as written, not renamed (journal/futures.py)
A CSV format finds its table through a base.Layout it states once. Any other CSV is read by a
column mapping, as the format `mapped` (mapped.py): not in FORMATS, since no file is detected as it.
"""

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Protocol, cast, runtime_checkable
from zoneinfo import ZoneInfo

from imports.formats.base import Item

# Detection tries these in order and takes the first that accepts the file: specific layouts first,
# our own and the generic CSV (documented columns any spreadsheet can produce) last.
FORMATS = (
    "ibkr",
    "thinkorswim",
    "ninjatrader_trades",
    "ninjatrader",
    "tradovate_positions",
    "tradovate_performance",
    "tradovate_orders",
    "projectx_trades",
    "projectx_orders",
    "tastytrade",
    "schwab",
    "lightspeed",
    "das",
    "binance",
    "tradingview",
    "mt5",
    "mt5_positions",
    "mt4",
    "ctrader",
    "fidelity",
    "etrade",
    "robinhood",
    "firstrade",
    "questrade",
    "webull",
    "webull_intl",
    "kraken",
    "coinbase",
    "coinbase_fills",
    "tradervue",
    "tradetally",
    "tradenote",
    "tradejournal",
    "generic",
)
HEAD_SIZE = 16 * 1024


@runtime_checkable
class Format(Protocol):
    """A format module, as the module docstring states it (TRADE_LEVEL and KEEPS_NAMES are optional)."""

    NAME: str
    BROKER: str

    def detect(self, head: str) -> bool: ...

    def parse(self, text: str, *, tz: ZoneInfo) -> Iterator[Item]: ...


def get(name: str, mapping: Mapping | None = None) -> Format:
    """The format named `name`; for `mapped`, the reader of `mapping`."""
    if name == "mapped" and mapping is not None:
        return import_module(f"{__name__}.mapped").MappedFormat(mapping)
    if name not in FORMATS:
        raise KeyError(name)
    return cast(Format, import_module(f"{__name__}.{name}"))


def catalogue() -> list[tuple[str, str, str]]:
    """(name, broker, what file and how to export it) of every format, in detection order: each
    module's own words, the first paragraph of its docstring."""
    entries = []
    for name in FORMATS:
        module = get(name)
        summary = " ".join((module.__doc__ or "").strip().split("\n\n")[0].split())
        entries.append((name, module.BROKER, summary))
    return entries


def trade_level(module: Format) -> bool:
    return getattr(module, "TRADE_LEVEL", False)


def keeps_names(module: Format) -> bool:
    return getattr(module, "KEEPS_NAMES", False)


def detect(text: str) -> Format | None:
    """The format of a decoded file, or None when no format recognises it."""
    head = text[:HEAD_SIZE]
    for name in FORMATS:
        module = get(name)
        if module.detect(head):
            return module
    return None
