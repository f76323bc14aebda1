"""How the trade pages show the API's values: its decimals without trailing zeros, its timestamps
readable (in UTC), P&L signed and coloured."""

from datetime import datetime
from decimal import Decimal

from django import template

from tradejournal.renderers import plain_decimal

register = template.Library()


@register.filter
def plain(value: Decimal | None) -> str:
    """A decimal as the API writes it (65000, 0.5); a dash for none."""
    return "—" if value is None else plain_decimal(Decimal(value))


@register.filter
def signed(value: Decimal | None) -> str:
    """P&L with its sign: +12.5, -3, 0."""
    if value is None:
        return "open"
    text = plain_decimal(Decimal(value))
    return f"+{text}" if value > 0 else text


@register.filter
def pnl_class(value: Decimal | None) -> str:
    if value is None:
        return "pnl-open"
    return "pnl-gain" if value > 0 else "pnl-loss" if value < 0 else "pnl-flat"


@register.filter
def moment(timestamp: str | None) -> str:
    """An API timestamp (2025-03-15T10:30:00.000000Z) as 2025-03-15 10:30 (seconds when there are some)."""
    if not timestamp:
        return "—"
    value = datetime.fromisoformat(timestamp)
    return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 and value.microsecond == 0 else "%Y-%m-%d %H:%M:%S")
