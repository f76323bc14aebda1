"""The Overview page (/dashboard/): the /stats figures, the equity curve, the month's P&L calendar and
the breakdowns of the trades the filter bar selects.

Every panel is the API's answer to the same question, asked without the API: the filters and the
parameters are validated by the API's own classes (journal.filters.TradeFilter through the filter
bar, analytics.params), the figures are the same selectors' (journal.stats, analytics.selectors), and
they are cached in the same entries as the API's (core.versions.cached_figures, under the query GET
/api/v1/stats...? would be sent), so the one-currency rule and every message are the API's.
"""

from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from analytics import params
from analytics.selectors import stats_breakdown, stats_calendar, stats_equity, stats_risk
from core import versions
from core.exceptions import UnprocessableEntity
from dashboard import charts, daynotes, risk_panel
from dashboard.filters import OVERVIEW_FIELDS, filter_trades
from journal.models import Trade
from journal.stats import CLOSED, stats_in_currency
from journal.zones import zone_of

# The breakdowns shown, with their headings.
# Setup and tag come first, side by side on a wide screen: the two ways a trader labels trades, compared.
BREAKDOWNS = {
    "setup_type": "Setup", "tag": "Tag", "side": "Side", "hold_time": "Hold time", "instrument": "Instrument",
    "weekday": "Weekday", "hour": "Hour of entry",
}  # fmt: skip
# Those the trade list can filter by, so a bucket links to its trades.
FILTERABLE = ("setup_type", "tag", "side", "instrument")
# A long journal (100,000 trades) must not make a page of megabytes: the curve has a point per trade
# (a day trader's losses inside a day are drawdowns too), and per day, week or month when points would
# be more than this (each point is a path vertex and a row of the data table). The drawdown figures are
# always the per-trade curve's, as GET /api/v1/stats/risk reports them; a monthly curve longer than
# that is bounded by `max_points` as the API bounds it.
MAX_CURVE_POINTS = 400
COARSER = {"trade": "day", "day": "week", "week": "month"}

WEEKDAYS = [("Mon", "Monday"), ("Tue", "Tuesday"), ("Wed", "Wednesday"), ("Thu", "Thursday"), ("Fri", "Friday"),
            ("Sat", "Saturday"), ("Sun", "Sunday")]  # fmt: skip


class Questions:
    """What the page asks about the trades the filter bar selected, each answered as the API answers
    it: `query` is the bar's filters as the API's query parameters, `trades` and `filters` what the
    API's filter set made of them."""

    def __init__(self, request: HttpRequest, *, query: dict[str, str], trades: QuerySet, filters: dict):
        self.owner, self.query, self.trades, self.filters = request.user, query, trades, filters

    def answer(
        self, name: str, selector: Callable[..., dict], params_class: type[serializers.Serializer] | None = None,
        **asked: str,
    ) -> dict:  # fmt: skip
        """`selector`'s answer to GET /api/v1/stats...?<the filters and `asked`>, cached as the API's
        `name`; `asked` is validated by `params_class`, whose ValidationError is the API's 422."""
        parameters = {}
        if params_class is not None:
            given = params_class(data=asked, context={"owner": self.owner})
            given.is_valid(raise_exception=True)
            parameters = given.validated_data
        query = QueryDict(mutable=True)
        query.update({key: value for key, value in {**self.query, **asked}.items() if value})
        return versions.cached_figures(
            self.owner.pk, name, query,
            lambda: selector(owner=self.owner, trades=self.trades, filters=self.filters, **parameters),
        )  # fmt: skip


def zone_field(form: forms.Form, owner) -> ZoneInfo | None:
    """Adds the `tz` select the analytics take (empty: the owner's own zone, as for the API) and reads
    it with the API's own parameter: the zone, or None with the API's message next to the field."""
    form.fields["tz"] = forms.ChoiceField(
        required=False, label="Time zone",
        choices=[("", f"Mine ({zone_of(owner)})")] + [(name, name) for name in params.ZONES],
    )  # fmt: skip
    given = params.AnalyticsParams(data={"tz": form.data.get("tz", "")}, context={"owner": owner})
    if given.is_valid():
        return given.validated_data["tz"]
    for error in given.errors["tz"]:
        form.add_error("tz", str(error))
    return None


def latest_month(trades, zone) -> str:
    """YYYY-MM of the latest exit among `trades`, in `zone`; this month when none has one."""
    latest = trades.filter(CLOSED).order_by("-exit_time").values_list("exit_time", flat=True).first()
    return f"{timezone.localtime(latest or timezone.now(), zone):%Y-%m}"


def query_with(request: HttpRequest, **changed: str) -> str:
    """This page's query string with `changed` parameters: a link that keeps the filters."""
    query = request.GET.copy()
    for name, value in changed.items():
        query[name] = value  # replaces, where QueryDict.update would add a second value
    return f"?{query.urlencode()}"


def curve(questions: Questions, tz: str, closed_trades: int, trading_days: int) -> tuple[dict, dict]:
    """The curve to draw (per trade unless that is too many points), and the per-trade curve's
    drawdown figures. A daily curve has a point per trading day (/stats/risk's `trading_days`, in
    the same zone): one with too many is not asked for only to be dropped."""
    interval = "trade" if closed_trades <= MAX_CURVE_POINTS else "day" if trading_days <= MAX_CURVE_POINTS else "week"
    figures = questions.answer("equity", stats_equity, params.EquityParams, tz=tz, interval=interval)
    while len(figures["points"]) > MAX_CURVE_POINTS and interval in COARSER:
        interval = COARSER[interval]
        bound = {} if interval in COARSER else {"max_points": str(MAX_CURVE_POINTS)}
        figures = questions.answer("equity", stats_equity, params.EquityParams, tz=tz, interval=interval, **bound)
    if interval == "trade":
        return figures, figures
    per_trade = partial(stats_equity, with_points=False)
    drawdowns = questions.answer("drawdowns", per_trade, params.EquityParams, tz=tz, interval="trade")
    return figures, drawdowns


def month_calendar(request: HttpRequest, questions: Questions, tz: str, zone: ZoneInfo) -> dict:
    """The calendar of the asked month (or the latest trade's), and the month's own error if any."""
    month, error = request.GET.get("month", ""), None

    def days(month: str) -> dict:
        return questions.answer("calendar", stats_calendar, params.CalendarParams, tz=tz, month=month)

    if month:
        try:
            return {**days(month), "month": month}
        except ValidationError as invalid:
            if "month" not in invalid.detail:
                raise
            error = " ".join(str(message) for message in invalid.detail["month"])
    month = latest_month(questions.trades, zone)
    return {**days(month), "month": month, "error": error}


def breakdown(questions: Questions, tz: str, by: str) -> dict:
    """A breakdown's bars; an instrument's or a setup's leads to those trades in the trade list."""
    buckets = questions.answer("breakdown", stats_breakdown, params.BreakdownParams, tz=tz, by=by)["data"]
    bars = charts.bars(buckets, by=by)
    if by in FILTERABLE:
        for row in bars["rows"]:
            if row["key"]:
                row["link"] = f"?{urlencode({**questions.query, by: row['key']})}"
    return {"by": by, "title": BREAKDOWNS[by], "bars": bars}


def panels(request: HttpRequest, form: forms.Form, trades: QuerySet, filters: dict, zone: ZoneInfo) -> dict:
    query = {name: value for name, value in form.query().items() if name in OVERVIEW_FIELDS}  # /stats takes no tz
    questions = Questions(request, query=query, trades=trades, filters=filters)
    tz = form.data.get("tz", "")
    stats = questions.answer("stats", stats_in_currency)
    risk = questions.answer("risk", stats_risk, params.AnalyticsParams, tz=tz)
    equity, drawdowns = curve(questions, tz, stats["total_trades"], risk["trading_days"])
    calendar = month_calendar(request, questions, tz, zone)
    first, previous, following = charts.month_bounds(calendar["month"])
    return {
        "stats": stats,
        "figures": charts.figures(stats, drawdowns),
        "equity": equity,
        "chart": charts.equity_chart(equity, drawdowns, currency=stats["currency"]),
        "calendar": calendar,
        "month": first,
        "month_total": f"{charts.money(calendar['net_pnl'], signed=True)} {stats['currency']}",
        "weekdays": WEEKDAYS,
        "weeks": [
            {"days": week, "total": charts.week_total(week)} for week in charts.month_grid(first, calendar["days"])
        ],
        "day_notes": daynotes.month_notes(request.user, first, calendar["days"], currency=stats["currency"]),
        "previous_month": query_with(request, month=f"{previous:%Y-%m}"),
        "next_month": query_with(request, month=f"{following:%Y-%m}"),
        "breakdowns": [breakdown(questions, tz, by) for by in BREAKDOWNS],
        "risk": risk,
        "risk_figures": risk_panel.risk_figures(risk),
    }  # fmt: skip


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form, trades, filters = filter_trades(request, fields=OVERVIEW_FIELDS)
    zone = zone_field(form, request.user)
    context = {"form": form, "journal_empty": not Trade.objects.owned_by(request.user).exists()}
    if form.errors:
        return render(request, "dashboard/overview.html", context, status=400)
    if not context["journal_empty"]:
        try:
            context.update(panels(request, form, trades, filters, zone))
        except UnprocessableEntity as mixed:
            context["mixed_currencies"] = str(mixed.detail)
            context["currency_links"] = [
                (code, query_with(request, currency=code)) for code, _ in form.fields["currency"].choices if code
            ]
    return render(request, "dashboard/overview.html", context)
