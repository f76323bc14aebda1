"""Options as instruments: an OCC symbol (`SPY   240119P00450000`, `SPY240119P00450000`) read into its
underlying, expiry, strike and put/call, and written in the journal's one form for it, the OCC symbol
without its padding (`SPY240119P00450000`), so that one contract is one instrument whichever broker's
file or client named it. An equity or index option is 100 shares a contract unless the file says
otherwise (journal/multipliers.py)."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# The Options Clearing Corporation's symbology: a root of up to 6 characters (padded with spaces to 6
# in the full form), the expiry as YYMMDD, C or P, and the strike x 1000 in 8 digits.
_OCC = re.compile(r"(?P<root>[A-Z][A-Z0-9.]{0,5})\s*(?P<expiry>\d{6})(?P<right>[CP])(?P<strike>\d{8})")
RIGHTS = {"C": "call", "P": "put"}


@dataclass(frozen=True, slots=True)
class OptionContract:
    underlying: str
    expiry: date
    strike: Decimal
    right: str  # "C" (call) or "P" (put)

    @property
    def symbol(self) -> str:
        """The journal's instrument for it: `SPY240119P00450000`."""
        thousandths = int(self.strike * 1000)
        return f"{self.underlying}{self.expiry:%y%m%d}{self.right}{thousandths:08d}"


def read_occ(symbol: str) -> OptionContract | None:
    """The option an OCC symbol names (any case, any padding), or None when it is not one."""
    match = _OCC.fullmatch(symbol.strip().upper())
    if match is None:
        return None
    text = match.group("expiry")
    try:
        expiry = date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
    except ValueError:  # 240231: digits, but no day
        return None
    strike = Decimal(int(match.group("strike"))) / 1000  # exact: 00150500 is 150.5
    return OptionContract(match.group("root"), expiry, strike, match.group("right"))


def occ_instrument(symbol: str) -> str:
    """`symbol` in the journal's form when it is an OCC option symbol; otherwise unchanged."""
    contract = read_occ(symbol)
    return symbol if contract is None else contract.symbol
