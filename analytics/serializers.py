"""The shapes of the analytics responses, for the OpenAPI schema (the figures come from the
selectors: analytics.breakdown, .equity, .calendar and .risk)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.breakdown import HOLD_TIMES, WEEKDAYS
from analytics.params import BREAKDOWNS, INTERVALS
from journal.serializers import figure


def _tz() -> serializers.CharField:
    return serializers.CharField(help_text="The time zone the figures were taken in")


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "nullable": True}, {"type": "integer"}],
        "description": "The bucket: the instrument, the setup type (lower case), `long` or `short`, the account id, "
        f"the tag, the weekday ({', '.join(WEEKDAYS)}), the hour (0..23), the month (YYYY-MM) or the hold time "
        f"({', '.join(name for name, _ in HOLD_TIMES)}); null for trades without a setup type, account or tag.",
    }
)
class BucketKeyField(serializers.Field):
    pass


class BucketSerializer(serializers.Serializer):
    key = BucketKeyField()
    total_trades = serializers.IntegerField()
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    breakeven = serializers.IntegerField()
    win_rate = figure(allow_null=True, help_text="wins / total_trades x 100")
    net_pnl = figure()
    gross_profit = figure()
    gross_loss = figure(help_text="Magnitude of the sum of losses (positive)")
    profit_factor = figure(allow_null=True, help_text="gross_profit / gross_loss; null without losses")
    avg_win = figure(allow_null=True)
    avg_loss = figure(allow_null=True, help_text="Negative")
    expectancy = figure(allow_null=True, help_text="net_pnl / total_trades")
    avg_r = figure(allow_null=True, help_text="Mean R-multiple of the bucket's trades with a risk")


class BreakdownSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=BREAKDOWNS)
    tz = _tz()
    data = BucketSerializer(many=True)


_POINT_TIME = "The exit time (interval `trade`, a UTC timestamp) or the period's first date in `tz` (YYYY-MM-DD)"


class EquityPointSerializer(serializers.Serializer):
    time = serializers.CharField(help_text=_POINT_TIME)
    pnl = figure(help_text="Net P&L of the trade or period")
    equity = figure(help_text="Starting balance + cumulative net P&L")
    peak = figure(help_text="The greater of the starting balance and the highest equity so far")
    drawdown = figure(help_text="peak - equity")


class EquitySerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=INTERVALS)
    tz = _tz()
    starting_balance = figure(help_text="The account's when the account filter names exactly one account, else 0")
    points = EquityPointSerializer(many=True)
    max_drawdown = figure(allow_null=True, help_text="The largest drawdown; null without trades")
    max_drawdown_pct = figure(allow_null=True, help_text="The largest drawdown / peak x 100; null without a "
                              "starting balance > 0")  # fmt: skip
    max_drawdown_start = serializers.CharField(
        allow_null=True, help_text="The largest drawdown's peak (as `time`); null when it is the starting balance "
        "or there is no drawdown",
    )  # fmt: skip
    max_drawdown_end = serializers.CharField(allow_null=True, help_text="The largest drawdown's trough (as `time`)")
    current_drawdown = figure(allow_null=True, help_text="The last point's drawdown")


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Exit date in `tz`")
    total_trades = serializers.IntegerField()
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    net_pnl = figure()


class CalendarSerializer(serializers.Serializer):
    tz = _tz()
    net_pnl = figure(help_text="The period's exact total, rounded once")
    days = CalendarDaySerializer(many=True)


def _seconds(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text=help_text)


class RiskSerializer(serializers.Serializer):
    trades_with_r = serializers.IntegerField(help_text="Closed trades with a risk (initial_risk, or a stop on the "
                                             "losing side of the entry)")  # fmt: skip
    avg_r = figure(allow_null=True)
    total_r = figure()
    sqn = figure(allow_null=True, help_text="sqrt(n) x mean(R) / sample stdev(R); null under 30 trades with R")
    max_win_streak = serializers.IntegerField()
    max_loss_streak = serializers.IntegerField()
    current_streak = serializers.IntegerField(help_text="+k after k wins, -k after k losses, 0 after a breakeven")
    avg_hold_seconds = _seconds("Mean of exit - entry, in whole seconds")
    avg_hold_seconds_win = _seconds("The same over the wins")
    avg_hold_seconds_loss = _seconds("The same over the losses")
    trading_days = serializers.IntegerField(help_text="Days (in `tz`) with closed trades")
    sharpe = figure(allow_null=True, help_text="Daily: mean / sample stdev x sqrt(252); null under 20 days")
    sortino = figure(allow_null=True, help_text="Daily: mean / downside deviation x sqrt(252); null under 20 days")
    max_drawdown = figure(allow_null=True, help_text="As /stats/equity?interval=trade")
    max_drawdown_pct = figure(allow_null=True, help_text="As /stats/equity?interval=trade")
