"""The analytics API: GET /api/v1/stats/breakdown, /stats/equity, /stats/calendar and /stats/risk, each
a declaration on one view class: its parameters, its selector, its response's shape and example, and
the name its answers are cached under."""

from collections.abc import Callable
from functools import partial

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.serializers import Serializer

from analytics import examples, params, selectors, serializers
from apikeys.scopes import STATS_READ
from core import renderers, versions
from journal.filters import TradeFilter, filtered_trades
from journal.models import Trade

_COVERS = (
    "Over the closed trades matching the trade filters, in exit order (exit_time, then id), all in one currency "
    "(trades in several are a 422: filter by account or currency). Dates, weekdays, hours and periods are taken "
    "in `tz`."
)


class AnalyticsView(versions.CachedResults, generics.GenericAPIView):
    """An analytics endpoint: the trade filters and its `params_class` are validated together (a 422
    naming every bad one at once), its `selector` (analytics.selectors) answers, and the answer is
    served from the cache while the owner's journal is unchanged (core.versions). The OpenAPI
    operation is written from the same declaration."""

    filterset_class = TradeFilter
    required_scopes = {"GET": STATS_READ}
    queryset = Trade.objects.none()  # what the filters are over (the schema reads the model from it)
    # What each endpoint declares.
    cached_as: str
    params_class: type[params.AnalyticsParams]
    selector: Callable[..., dict]  # a staticmethod: (owner, trades, filters, **validated parameters)
    serializer_class: type[Serializer]  # the answer's shape
    summary: str
    description: str
    example: OpenApiExample

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        extend_schema(
            summary=cls.summary, description=cls.description, parameters=[cls.params_class],
            responses=cls.serializer_class, examples=[cls.example],
        )(cls)  # fmt: skip

    def get(self, request) -> HttpResponse:
        return versions.cached_json(request, self.cached_as, self.answer)

    def answer(self) -> dict:
        request = self.request
        given = self.params_class(data=request.query_params, context={"owner": request.user})
        errors = {} if given.is_valid() else dict(given.errors)
        try:
            trades, filters = filtered_trades(request, Trade.objects.owned_by(request.user))
        except ValidationError as error:
            errors = {**error.detail, **errors}
        if errors:
            raise ValidationError(errors)
        return self.selector(owner=request.user, trades=trades, filters=filters, **given.validated_data)


class BreakdownView(AnalyticsView):
    cached_as = "breakdown"
    params_class = params.BreakdownParams
    selector = staticmethod(selectors.stats_breakdown)
    serializer_class = serializers.BreakdownSerializer
    summary = "Break the stats down"
    example = examples.BREAKDOWN
    description = (
        f"The /stats outcome figures and the average R per bucket of `by`. {_COVERS} Weekday and hour are the "
        "entry's, month the exit's, hold time is exit - entry. Weekdays, hours and hold times are all listed in "
        "order (empty ones with zeros); other buckets only with trades, by key, null (no setup type, account or "
        "tag) last. A trade with several tags counts under each."
    )


class EquityView(AnalyticsView):
    cached_as = "equity"
    params_class = params.EquityParams
    # PostgreSQL writes the points' JSON, which the response carries untouched (analytics.database).
    selector = staticmethod(partial(selectors.stats_equity, points_json=True))
    serializer_class = serializers.EquitySerializer
    summary = "Get the equity curve"
    example = examples.EQUITY
    description = (
        f"The equity curve and its drawdowns: a point per closed trade or per period with closed trades. {_COVERS} "
        "The curve starts from the account's starting balance when the account filter names exactly one account "
        "(null counting as 0), else from 0. Without `max_points`, an answer larger than "
        f"{renderers.SPOOL_BYTES // 2**20} MiB is streamed and not cached: the next request "
        "computes it again."
    )

    def answer(self) -> object:
        # Without max_points the points come as an iterator, written out as they are read.
        return renderers.spooled(super().answer())


class CalendarView(AnalyticsView):
    cached_as = "calendar"
    params_class = params.CalendarParams
    selector = staticmethod(selectors.stats_calendar)
    serializer_class = serializers.CalendarSerializer
    summary = "Get the P&L calendar"
    example = examples.CALENDAR
    description = (
        f"Net P&L per day of exit, for a month or a year (or every day without either). {_COVERS} `net_pnl` is "
        "the period's exact total, rounded once."
    )


class RiskView(AnalyticsView):
    cached_as = "risk"
    params_class = params.AnalyticsParams
    selector = staticmethod(selectors.stats_risk)
    serializer_class = serializers.RiskSerializer
    summary = "Get risk and consistency figures"
    example = examples.RISK
    description = f"R-multiples and SQN, streaks, holding times, daily Sharpe and Sortino, drawdowns. {_COVERS}"
