"""How the trade pages show the API's values: its decimals without trailing zeros, its timestamps
readable (in UTC), money in one format (dashboard.charts.money), P&L signed and coloured."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from core.renderers import plain_decimal
from dashboard.charts import money

register = template.Library()


@register.filter
def plain(value: Decimal | None) -> str:
    """A decimal as the API writes it (65000, 0.5); a dash for none."""
    return "—" if value is None else plain_decimal(Decimal(value))


@register.filter
def signed(value: Decimal | None) -> str:
    """P&L in the journal's one money format, with its sign (+2,182.37, 0.00, a true minus sign for a
    loss); Open while the trade is open."""
    return "Open" if value is None else money(value, signed=True)


@register.filter
def amount(value: Decimal | None) -> str:
    """Money without a sign of its own (a balance): 25,000.00; a dash for none."""
    return money(value)


@register.filter
def pnl_class(value: Decimal | None) -> str:
    if value is None:
        return "pnl-open"
    return "pnl-gain" if value > 0 else "pnl-loss" if value < 0 else "pnl-flat"


@register.filter
def moment(timestamp: str | None) -> str:
    """An API timestamp (2025-03-15T10:30:00.000000Z) as 2025-03-15 10:30 (seconds when there are some), in
    the page's time zone."""
    if not timestamp:
        return "—"
    value = timezone.localtime(datetime.fromisoformat(timestamp))
    return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 and value.microsecond == 0 else "%Y-%m-%d %H:%M:%S")
