"""The Overview page (/dashboard/): the /stats figures, the equity curve, the month's P&L calendar and
the breakdowns of the trades the filter bar selects.

Every panel is what the API answers for the same filters: the page asks the API's own views
in-process (no key, no HTTP), so their validation, their one-currency rule and their cache
(journal/versions.py, under the same key as GET /api/v1/stats...?<the same query>) are the API's.
"""

import copy
import json
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from analytics import params
from analytics.api import BreakdownView, CalendarView, EquityView
from dashboard import charts
from dashboard.filters import OVERVIEW_FIELDS, filter_trades
from journal.api import StatsView
from journal.models import Trade
from journal.stats import CLOSED
from tradejournal.errors import UnprocessableEntity

# The breakdowns shown, with their headings.
BREAKDOWNS = {"setup_type": "Setup", "instrument": "Instrument", "weekday": "Weekday", "hour": "Hour of entry"}
# Those the trade list can filter by, so a bucket links to its trades.
FILTERABLE = ("setup_type", "instrument")
# A long journal (100,000 trades) must not make a page of megabytes: the curve has a point per day,
# and per week or per month when days would be more than this (each point is a path vertex and a
# row of the data table).
MAX_CURVE_POINTS = 400
COARSER = {"day": "week", "week": "month"}
WEEKDAYS = [("Mon", "Monday"), ("Tue", "Tuesday"), ("Wed", "Wednesday"), ("Thu", "Thursday"), ("Fri", "Friday"),
            ("Sat", "Saturday"), ("Sun", "Sunday")]  # fmt: skip


def api_read(request: HttpRequest, view_class: type, query: dict[str, str]) -> dict:
    """What GET <view_class's endpoint>?<query> answers the signed-in trader, through the view's own
    code and cache; a 400 or 422 is raised as the API's exception."""
    api_request = copy.copy(request)
    api_request.GET = QueryDict(mutable=True)
    api_request.GET.update({name: value for name, value in query.items() if value})
    drf_request = Request(api_request)
    drf_request.user = request.user
    view = view_class(request=drf_request, args=(), kwargs={}, format_kwarg=None)
    return json.loads(view.get(drf_request).content, parse_float=Decimal)


def zone_field(form: forms.Form) -> ZoneInfo | None:
    """Adds the `tz` select the analytics take (no trader has a zone of their own yet) and reads it
    with the API's own parameter: the zone, or None with the API's message next to the field."""
    form.fields["tz"] = forms.ChoiceField(
        required=False, label="Time zone",
        choices=[("", params.DEFAULT_ZONE)] + [(name, name) for name in params.ZONES if name != params.DEFAULT_ZONE],
    )  # fmt: skip
    given = params.AnalyticsParams(data={"tz": form.data.get("tz", "")})
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


def curve(request: HttpRequest, query: dict[str, str]) -> dict:
    interval = "day"
    figures = api_read(request, EquityView, {**query, "interval": interval})
    while len(figures["points"]) > MAX_CURVE_POINTS and interval in COARSER:
        interval = COARSER[interval]
        figures = api_read(request, EquityView, {**query, "interval": interval})
    return figures


def month_calendar(request: HttpRequest, query: dict[str, str], trades, zone) -> dict:
    """The calendar of the asked month (or the latest trade's), and the month's own error if any."""
    month, error = request.GET.get("month", ""), None
    if month:
        try:
            return {**api_read(request, CalendarView, {**query, "month": month}), "month": month}
        except ValidationError as invalid:
            if "month" not in invalid.detail:
                raise
            error = " ".join(str(message) for message in invalid.detail["month"])
    month = latest_month(trades, zone)
    return {**api_read(request, CalendarView, {**query, "month": month}), "month": month, "error": error}


def breakdown(request: HttpRequest, query: dict[str, str], by: str, filters: dict[str, str]) -> dict:
    """A breakdown's bars; an instrument's or a setup's leads to those trades in the trade list."""
    buckets = api_read(request, BreakdownView, {**query, "by": by})["data"]
    bars = charts.bars(buckets, by=by)
    if by in FILTERABLE:
        for row in bars["rows"]:
            if row["key"]:
                row["link"] = f"?{urlencode({**filters, by: row['key']})}"
    return {"by": by, "title": BREAKDOWNS[by], "bars": bars}


def panels(request: HttpRequest, form: forms.Form, trades, zone: ZoneInfo) -> dict:
    filters = {name: value for name, value in form.query().items() if name in OVERVIEW_FIELDS}  # /stats takes no tz
    tz = form.data.get("tz", "")
    query = {**filters, "tz": tz}
    stats = api_read(request, StatsView, filters)
    equity = curve(request, query)
    calendar = month_calendar(request, query, trades, zone)
    first, previous, following = charts.month_bounds(calendar["month"])
    return {
        "stats": stats,
        "figures": charts.figures(stats, equity),
        "equity": equity,
        "chart": charts.equity_chart(equity, currency=stats["currency"]),
        "calendar": calendar,
        "month": first,
        "month_total": f"{charts.money(calendar['net_pnl'], signed=True)} {stats['currency']}",
        "weekdays": WEEKDAYS,
        "weeks": charts.month_grid(first, calendar["days"]),
        "previous_month": query_with(request, month=f"{previous:%Y-%m}"),
        "next_month": query_with(request, month=f"{following:%Y-%m}"),
        "breakdowns": [breakdown(request, query, by, filters) for by in BREAKDOWNS],
    }  # fmt: skip


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form, trades, _ = filter_trades(request, fields=OVERVIEW_FIELDS)
    zone = zone_field(form)
    context = {"form": form, "journal_empty": not Trade.objects.owned_by(request.user).exists()}
    if form.errors:
        return render(request, "dashboard/overview.html", context, status=400)
    if not context["journal_empty"]:
        try:
            context.update(panels(request, form, trades, zone))
        except UnprocessableEntity as mixed:
            context["mixed_currencies"] = str(mixed.detail)
            context["currency_links"] = [
                (code, query_with(request, currency=code)) for code, _ in form.fields["currency"].choices if code
            ]
    return render(request, "dashboard/overview.html", context)
