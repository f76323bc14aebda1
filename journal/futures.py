"""The one name of a dated futures contract: root + CME month code + two-digit year (`MNQU26`).

Brokers name one contract several ways: NinjaTrader `MNQ SEP26` or `FDXM 03-25`, Tradovate and
ProjectX `MNQU6`, thinkorswim `/MESM26`, IBKR `YM DEC 18` or `YMZ8`. Every import writes the one
name (imports/fills.py), so the same contract from two brokers is one instrument, one position
stream and one duplicate key; a trade typed through the API or the web journal takes it too, and
the instrument filter reads it (journal/instruments.py). Anything else — stocks, options, options
on futures (`/E4CH26 6500 PUT`, `LOF9 P6000`), continuous symbols (`MNQ1!`) — is left as it is.

A compact symbol (`MNQU6`) is a future only when its root is in the table of futures roots
(journal/multipliers.py): `ESV` or `GOOG` must not be read as contracts. A spaced one (`FDXM 03-25`,
`YM DEC 18`) is a future by its shape, whatever its root.
"""

import re

from journal.multipliers import FUTURES

MONTH_CODES = "FGHJKMNQUVXZ"
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_COMPACT = re.compile(rf"^/?(?P<root>[A-Z0-9]{{1,4}}?)(?P<code>[{MONTH_CODES}])(?P<year>\d{{1,2}}|20\d\d)$")
_SPACED = re.compile(
    rf"^/?(?P<root>[A-Z0-9]{{1,5}})\s+(?:(?P<number>0[1-9]|1[0-2])-(?P<short>\d\d)"
    rf"|(?P<name>{'|'.join(MONTHS)})\s?(?P<year>\d\d|20\d\d))$"
)


def futures_instrument(symbol: str, *, year: int) -> str:
    """`symbol` (trimmed, upper-cased) as root + month code + two-digit year if it names a dated
    future, else unchanged. `year` is the year the contract traded in: a one-digit year (`MNQU6`)
    is the nearest year from `year` - 1 on that ends in that digit (a fill in January 2027 of
    `MNQZ6` is 2026's December contract, not 2036's)."""
    compact = _COMPACT.match(symbol)
    if compact and compact["root"] in FUTURES:
        digits = compact["year"]
        return compact["root"] + compact["code"] + (_decade(int(digits), year) if len(digits) == 1 else digits[-2:])
    spaced = _SPACED.match(symbol)
    if spaced is None:
        return symbol
    if spaced["number"]:
        month, digits = int(spaced["number"]), spaced["short"]
    else:
        month, digits = MONTHS.index(spaced["name"]) + 1, spaced["year"]
    return spaced["root"] + MONTH_CODES[month - 1] + digits[-2:]


def _decade(digit: int, year: int) -> str:
    earliest = year - 1
    return f"{(earliest + (digit - earliest) % 10) % 100:02d}"
