"""The analytics API: GET /api/v1/stats/breakdown, /stats/equity, /stats/calendar and /stats/risk."""

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from analytics import examples, params, serializers
from analytics.breakdown import breakdown
from analytics.calendar import calendar
from analytics.equity import equity
from analytics.risk import risk
from apikeys.scopes import STATS_READ
from journal import versions
from journal.currency import single_currency
from journal.filters import TradeFilter
from journal.models import Trade
from journal.stats import CLOSED

_COVERS = (
    "Over the closed trades matching the trade filters, in exit order (exit_time, then id), all in one currency "
    "(trades in several are a 422: filter by account or currency). Dates, weekdays, hours and periods are taken "
    "in `tz`."
)


class AnalyticsView(versions.CachedResults, generics.GenericAPIView):
    """An analytics endpoint: the trade filters plus its own parameters (`params_class`); its figures
    are served from the cache while the owner's journal is unchanged (journal/versions.py)."""

    filterset_class = TradeFilter
    required_scopes = {"GET": STATS_READ}
    queryset = Trade.objects.none()  # what the filters are over (the schema reads the model from it)
    params_class = params.AnalyticsParams

    def closed_trades(self) -> tuple[QuerySet, dict]:
        """The key owner's closed trades the filters select, and the endpoint's parameters; a 422
        naming every bad filter or parameter at once."""
        request = self.request
        given = self.params_class(data=request.query_params)
        errors = {} if given.is_valid() else dict(given.errors)
        try:
            trades = self.filter_queryset(Trade.objects.owned_by(request.user))
        except ValidationError as error:
            errors = {**error.detail, **errors}
        if errors:
            raise ValidationError(errors)
        trades = trades.filter(CLOSED)
        single_currency(trades, user=request.user)
        return trades, given.validated_data


class BreakdownView(AnalyticsView):
    cached_as = "breakdown"
    params_class = params.BreakdownParams

    @extend_schema(
        summary="Break the stats down", parameters=[params.BreakdownParams],
        responses=serializers.BreakdownSerializer, examples=[examples.BREAKDOWN],
        description=f"The /stats outcome figures and the average R per bucket of `by`. {_COVERS} Weekday and hour "
        "are the entry's, month the exit's, hold time is exit - entry. Weekdays, hours and hold times are all "
        "listed in order (empty ones with zeros); other buckets only with trades, by key, null (no setup type, "
        "account or tag) last. A trade with several tags counts under each.",
    )  # fmt: skip
    def get(self, request) -> HttpResponse:
        return versions.cached_json(request, self.cached_as, self.figures)

    def figures(self) -> dict:
        trades, given = self.closed_trades()
        zone = given["tz"]
        return {"by": given["by"], "tz": zone.key, "data": breakdown(trades, by=given["by"], zone=zone)}


class EquityView(AnalyticsView):
    cached_as = "equity"
    params_class = params.EquityParams

    @extend_schema(
        summary="Get the equity curve", parameters=[params.EquityParams],
        responses=serializers.EquitySerializer, examples=[examples.EQUITY],
        description=f"The equity curve and its drawdowns: a point per closed trade or per period with closed "
        f"trades. {_COVERS} The curve starts from the account's starting balance when the account filter names "
        "exactly one account (null counting as 0), else from 0.",
    )  # fmt: skip
    def get(self, request) -> HttpResponse:
        return versions.cached_json(request, self.cached_as, self.figures)

    def figures(self) -> dict:
        trades, given = self.closed_trades()
        zone, interval = given["tz"], given["interval"]
        account_id = params.single_account(self.request.query_params)
        curve = equity(trades, interval=interval, zone=zone, account_id=account_id, user=self.request.user)
        return {"interval": interval, "tz": zone.key, **curve}


class CalendarView(AnalyticsView):
    cached_as = "calendar"
    params_class = params.CalendarParams

    @extend_schema(
        summary="Get the P&L calendar", parameters=[params.CalendarParams],
        responses=serializers.CalendarSerializer, examples=[examples.CALENDAR],
        description=f"Net P&L per day of exit, for a month or a year (or every day without either). {_COVERS} "
        "`net_pnl` is the period's exact total, rounded once.",
    )  # fmt: skip
    def get(self, request) -> HttpResponse:
        return versions.cached_json(request, self.cached_as, self.figures)

    def figures(self) -> dict:
        trades, given = self.closed_trades()
        zone = given["tz"]
        return {"tz": zone.key, **calendar(trades, zone=zone, period=given["period"])}


class RiskView(AnalyticsView):
    cached_as = "risk"

    @extend_schema(
        summary="Get risk and consistency figures", parameters=[params.AnalyticsParams],
        responses=serializers.RiskSerializer, examples=[examples.RISK],
        description=f"R-multiples and SQN, streaks, holding times, daily Sharpe and Sortino, drawdowns. {_COVERS}",
    )  # fmt: skip
    def get(self, request) -> HttpResponse:
        return versions.cached_json(request, self.cached_as, self.figures)

    def figures(self) -> dict:
        trades, given = self.closed_trades()
        account_id = params.single_account(self.request.query_params)
        return risk(trades, zone=given["tz"], account_id=account_id, user=self.request.user)
