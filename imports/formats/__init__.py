"""The import formats by name, and how a file's format is found from its content.

Each format is a module of this package with:
    NAME: str                      the `format` parameter's value
    BROKER: str                    the broker's name, as shown to traders
    detect(head: str) -> bool      whether the first few KiB of the decoded file are this format
    parse(text: str, *, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]
                                   every data row yields at least one item (base.py)
and, for formats whose rows are whole trades (an entry fill and, once closed, its exit fill):
    TRADE_LEVEL = True             a row's fills make a trade of their own (imports/engine.py)
"""

from importlib import import_module
from types import ModuleType

# Detection tries these in order and takes the first that accepts the file: specific layouts first,
# our own and the generic CSV (documented columns any spreadsheet can produce) last.
FORMATS = (
    "ibkr",
    "thinkorswim",
    "ninjatrader_trades",
    "ninjatrader",
    "tradovate_positions",
    "tradovate_orders",
    "tastytrade",
    "schwab",
    "binance",
    "mt5",
    "tradejournal",
    "generic",
)
HEAD_SIZE = 16 * 1024


def get(name: str) -> ModuleType:
    if name not in FORMATS:
        raise KeyError(name)
    return import_module(f"{__name__}.{name}")


def trade_level(module: ModuleType) -> bool:
    return getattr(module, "TRADE_LEVEL", False)


def detect(text: str) -> ModuleType | None:
    """The format of a decoded file, or None when no format recognises it."""
    head = text[:HEAD_SIZE]
    for name in FORMATS:
        module = get(name)
        if module.detect(head):
            return module
    return None
