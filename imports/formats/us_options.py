"""US listed options as the retail brokers' histories name them, written as one OCC symbol
(`SPY180125C00260000`: root, expiry YYMMDD, C or P, strike x 1000 in eight digits) so that every
format gives the same contract the same instrument."""

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from imports.formats import base, dated

CONTRACT_SIZE = Decimal(100)  # shares a listed equity option delivers, unless the file says otherwise


def occ(root: str, expiry: date, right: str, strike: Decimal) -> str:
    """The OCC symbol of a contract; RowProblem for a strike OCC cannot write."""
    right = right.strip().upper()[:1]
    if right not in ("C", "P") or not root or strike <= 0 or strike >= 100_000:
        raise base.RowProblem(f"cannot name the option {root} {expiry} {right} {strike}")
    return f"{root.upper()}{expiry:%y%m%d}{right}{int(strike * 1000):08d}"


def named(option: re.Match, expiry_formats: Iterable[str]) -> str:
    """The OCC symbol of the contract a broker's option pattern matched: its groups `root`,
    `expiry` (in one of `expiry_formats`), `right` (C, P, Call, PUT ...) and `strike`."""
    expiry = dated.parse_day(option["expiry"], tuple(expiry_formats), "option expiry")
    return occ(option["root"], expiry, option["right"], base.require_decimal(option["strike"], "strike"))


def fill(
    row: int, instrument: str, side: str, quantity: Decimal, price: Decimal, *, option: bool,
    time: datetime = dated.UNTIMED, **rest: object,
) -> base.Fill:  # fmt: skip
    """A stock's fill, or an option's (`instrument` its OCC symbol, 100 shares a contract): the
    retail brokers' histories hold both in one table. Times default to the dated histories' none."""
    return base.Fill(
        row=row, instrument=instrument, time=time, side=side, quantity=quantity, price=price,
        multiplier=CONTRACT_SIZE if option else None, asset_class=base.OPTION if option else base.STOCK, **rest,
    )  # fmt: skip
