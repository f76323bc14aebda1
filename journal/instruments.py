"""The instrument rule: what a trade's or an execution's instrument may be, and its one stored form.
The API, the web journal's forms and every import check the same rule, so whatever an import writes
can be edited and sent back as it was read."""

import re

from journal.futures import futures_instrument
from journal.options import occ_instrument

MAX_LENGTH = 32
# Printable ASCII, spaces inside (brokers name contracts `NQ MAR25`, `ES 03-25`, `AAPL 28MAR25 222.5 C`),
# none at either end. ASCII keeps upper-casing from changing a symbol's length.
PATTERN = rf"^[!-~](?:[ -~]{{0,{MAX_LENGTH - 2}}}[!-~])?$"
MESSAGE = (
    f"The instrument must be 1 to {MAX_LENGTH} ASCII letters, digits, punctuation or spaces (no space at "
    "either end), e.g. BTCUSDT or NQ MAR25."
)
_VALID = re.compile(PATTERN)


def normalize_instrument(value: str) -> str:
    """Instruments are stored trimmed and upper-cased, so 'btcusdt ' and 'BTCUSDT' are one, and an
    OCC option symbol in one form (journal/options.py), so that 'SPY   240119P00450000' and
    'SPY240119P00450000' are one."""
    return occ_instrument(value.strip().upper())


def trade_instrument(value: str, *, year: int) -> str:
    """A trade's instrument as the API and the web journal store it: normalized, and a dated future
    under the one name its imports give it (journal/futures.py), so `MNQ SEP26` typed by hand and
    `MNQU26` imported are one instrument. `year` reads a one-digit contract year (`MNQU6`): the
    year of the trade's entry_time."""
    return futures_instrument(normalize_instrument(value), year=year)


def is_valid_instrument(value: str) -> bool:
    return _VALID.match(value) is not None
