"""A file's fills made into executions as they will be stored: text trimmed, a dated future under its
one name (journal/futures.py), numbers rounded to the database's precision, times in UTC, the
multiplier resolved; or, for a row that cannot be stored, that row's error.

The database would refuse such a row (a 13-digit price, a NUL byte) and fail the whole import with
it; here it fails alone. All fills of a row stand or fall together (a trade-level row is two).

No shape lives here: in comes the formats' `Fill` (what the file says), out goes the engine's
`Execution` (imports/engine.py), which the rest of the import carries to the database.
"""

from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core import wire
from imports.engine import Execution
from imports.formats.base import AccountRef, Fill, RowError
from journal import instruments, multipliers
from journal.futures import futures_instrument
from journal.models import normalize_instrument

EIGHT_PLACES = Decimal("0.00000001")
LARGEST = wire.MAXIMUM  # 12 digits before the point: the PRICE columns' limit
TEXT_LIMITS = {"instrument": 32, "exec_id": 128, "account": 64, "setup_type": 64, "tag": 64, "notes": 10_000}
# New executions' keys until they are stored: above every stored id, in file order (ids keep that order).
PROVISIONAL = 1 << 62


class Unstorable(Exception):
    pass


def storable(fills: list[Fill], *, rename_futures: bool = True) -> tuple[list[Execution], list[RowError]]:
    """The fills that can be stored, as executions with provisional keys, and one error per row that
    cannot (in row order). `rename_futures=False` keeps a dated future as the file names it (our own
    export: the journal's names, which a round trip gives back as they were)."""
    kept: list[Execution] = []
    errors: list[RowError] = []
    failed_rows: set[int] = set()
    for key, fill in enumerate(fills, start=PROVISIONAL):
        if fill.row in failed_rows:
            continue
        try:
            kept.append(_execution(fill, key, rename_futures))
        except Unstorable as problem:
            failed_rows.add(fill.row)
            errors.append(RowError(fill.row, str(problem)))
    if failed_rows:
        kept = [fill for fill in kept if fill.row not in failed_rows]
    return kept, errors


def _execution(fill: Fill, key: int, rename_futures: bool) -> Execution:
    instrument = _text(normalize_instrument(fill.instrument), "instrument")
    if not instrument:
        raise Unstorable("the instrument is missing")
    if not instruments.is_valid_instrument(instrument):
        raise Unstorable(instruments.MESSAGE)  # the trades it would make could not be edited
    if not wire.FIRST_YEAR <= fill.time.astimezone(UTC).year <= wire.LAST_YEAR:
        raise Unstorable(f"the time must be between {wire.FIRST_YEAR} and {wire.LAST_YEAR}")
    if rename_futures:
        instrument = futures_instrument(instrument, year=fill.time.astimezone(UTC).year)
    quantity = _amount(fill.quantity, "quantity")
    if quantity <= 0:
        raise Unstorable("the quantity rounds to 0 at 8 decimal places")
    price = _amount(fill.price, "price")
    if fill.price > 0 and not price:
        raise Unstorable("the price rounds to 0 at 8 decimal places")
    commission, fees = _amount(fill.commission, "commission"), _amount(fill.fees, "fees")
    if commission < 0 or fees < 0:
        raise Unstorable("commission and fees are costs and can't be negative")
    stated = _amount(fill.multiplier, "multiplier") if fill.multiplier is not None else None
    multiplier = multipliers.multiplier_for(instrument, fill.asset_class, stated)
    account = fill.account
    if account is not None:
        account = AccountRef(
            number=_text(account.number, "account") or None,
            name=_text(account.name, "account") or None,
            currency=account.currency,
        )
    return Execution(
        key=key,
        time=fill.time.astimezone(UTC),
        side=fill.side,
        quantity=quantity,
        price=price,
        commission=commission,
        fees=fees,
        multiplier=_amount(multiplier, "multiplier"),
        effect=fill.effect,
        instrument=instrument,
        exec_id=_text(fill.exec_id, "exec_id") or None,
        row=fill.row,
        account_ref=account,
        trade=_annotations(fill.trade) if fill.trade else None,
    )


def _amount(value: Decimal, what: str) -> Decimal:
    try:
        rounded = Decimal(value).quantize(EIGHT_PLACES, ROUND_HALF_UP)  # some parsers sum from int 0
    except InvalidOperation:  # infinite, or too many digits to round
        rounded = None
    if rounded is None or abs(rounded) > LARGEST:
        raise Unstorable(f"the {what} is out of range (at most 12 digits before the point)")
    return rounded


def _text(value: str | None, what: str) -> str:
    # Identifiers are trimmed; what the trader wrote (notes, setup) is kept exactly.
    value = (value or "") if what in ("notes", "setup_type") else (value or "").strip()
    if "\x00" in value:
        raise Unstorable(f"the {what} contains a NUL character")
    if len(value) > TEXT_LIMITS[what]:
        raise Unstorable(f"the {what} is longer than {TEXT_LIMITS[what]} characters")
    return value


def _annotations(trade: dict) -> dict:
    """What a trade-level row says about its trade, in the Trade model's terms."""
    # Tag names are matched ignoring case: "Breakout" and "breakout" are one tag.
    tags = {tag.lower(): tag for tag in (_text(name, "tag") for name in trade.get("tags") or ()) if tag}
    if any("," in tag for tag in tags.values()):
        raise Unstorable("a tag can't contain a comma")
    checked = {
        "setup_type": _text(trade.get("setup_type"), "setup_type"),
        "notes": _text(trade.get("notes"), "notes"),
        "tags": sorted(tags.values(), key=str.lower),
    }
    for name in ("stop_loss", "take_profit", "initial_risk"):
        value = trade.get(name)
        if value is not None:
            value = _amount(value, name.replace("_", " "))
            if value <= 0:
                raise Unstorable(f"the {name.replace('_', ' ')} must be above 0")
        checked[name] = value
    return checked
