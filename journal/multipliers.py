"""Contract multipliers (point values): as stated (by the trader or the file), else from this table
of common futures roots; equity and index options (an OCC symbol says one is) are 100 shares a
contract. One table for the API, the web journal and every import."""

import re
from decimal import Decimal

from journal.options import read_occ

# Asset classes the multiplier rule distinguishes.
STOCK, FUTURE, OPTION, FUTURE_OPTION, CRYPTO, FOREX, CFD = (
    "stock", "future", "option", "future_option", "crypto", "forex", "cfd",
)  # fmt: skip

OPTION_MULTIPLIER = Decimal(100)

# Dollars per point of one contract, by root symbol (CME Group, ICE and Cboe contract specs).
FUTURES = {
    # equity indexes
    "ES": "50", "MES": "5", "NQ": "20", "MNQ": "2", "YM": "5", "MYM": "0.5", "RTY": "50", "M2K": "5",
    "EMD": "100", "NKD": "5", "VX": "1000", "VXM": "100",
    # energy
    "CL": "1000", "MCL": "100", "QM": "500", "NG": "10000", "QG": "2500", "MNG": "1000", "RB": "42000",
    "HO": "42000", "BZ": "1000",
    # metals
    "GC": "100", "MGC": "10", "1OZ": "1", "SI": "5000", "SIL": "1000", "HG": "25000", "MHG": "2500",
    "PL": "50", "PA": "100",
    # interest rates
    "ZB": "1000", "UB": "1000", "ZN": "1000", "TN": "1000", "ZF": "1000", "ZT": "2000", "SR3": "2500",
    "ZQ": "4167",
    # currencies
    "6E": "125000", "M6E": "12500", "6J": "12500000", "6B": "62500", "M6B": "6250", "6A": "100000",
    "M6A": "10000", "6C": "100000", "6S": "125000", "6N": "100000", "6M": "500000",
    # agriculture (cents per bushel/pound quoted in cents: the point value is per cent)
    "ZC": "50", "ZS": "50", "ZW": "50", "ZM": "100", "ZL": "600", "KE": "50", "HE": "400", "LE": "400",
    "GF": "500",
    # crypto
    "BTC": "5", "MBT": "0.1", "ETH": "50", "MET": "0.1",
}  # fmt: skip
FUTURES = {root: Decimal(value) for root, value in FUTURES.items()}

# ESZ5, ESZ25, ESZ2025, /ESZ25, ES 12-25, ES DEC25, MNQH6, 6EM5 — a root, then the contract month.
_MONTH_CODE = re.compile(r"^/?(?P<root>[A-Z0-9]{1,4}?)[FGHJKMNQUVXZ](?:\d{1,2}|20\d\d)$")
_SPACED = re.compile(r"^/?(?P<root>[A-Z0-9]{1,4})\s+(?:\d{2}-\d{2}|[A-Z]{3}\s?\d{2,4})$")


def futures_root(symbol: str, *, bare: bool = False) -> str | None:
    """The root of a futures contract symbol in the forms brokers write, if it is a known root.

    A bare root (`ES`) counts only with `bare=True`, when the file says the row is a future:
    ES, ZS and PL are also stock tickers.
    """
    text = symbol.strip().upper()
    for pattern in (_MONTH_CODE, _SPACED):
        match = pattern.match(text)
        if match and match.group("root") in FUTURES:
            return match.group("root")
    root = text.lstrip("/")
    return root if bare and root in FUTURES else None


def multiplier_for(symbol: str, asset_class: str = "", stated: Decimal | None = None) -> Decimal:
    """The point value of `symbol`: as the file states it, else options 100 (an OCC symbol of no
    stated class is an option), else a known futures root's, else 1 (stocks, crypto, forex quoted
    per unit)."""
    if stated is not None and stated > 0:
        return stated
    if asset_class == OPTION or (not asset_class and read_occ(symbol) is not None):
        return OPTION_MULTIPLIER
    root = futures_root(symbol, bare=asset_class in (FUTURE, FUTURE_OPTION))
    if root is not None and asset_class in ("", FUTURE, FUTURE_OPTION):
        return FUTURES[root]
    return Decimal(1)


# Roots that, typed alone, name a coin rather than its future: a BTC trade entered by hand is bitcoin.
COINS = frozenset({"BTC", "ETH", "MBT", "MET"})


def typed_multiplier(symbol: str) -> Decimal:
    """The point value of a trade entered without one (the API, the web journal): as an import of no
    stated class reads `symbol`, and a bare root (`ES`, `/NQ`) is its future too, which is what a
    trader typing it means (a stock of that ticker is entered with multiplier 1)."""
    root = symbol.strip().upper().lstrip("/")
    bare = root not in COINS and futures_root(symbol, bare=True) is not None
    return multiplier_for(symbol, FUTURE if bare else "")
