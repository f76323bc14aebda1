"""The web journal's trade pages: the list (the API's filters and pages, sortable by column, with the
/stats totals of everything it matches), a trade with its executions, add, edit and delete.
Validation, saving and paging are the API's own (journal/)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError

from core import locks, versions
from core.exceptions import UnprocessableEntity
from core.renderers import plain_decimal
from dashboard import attachments, bulk, trade_story
from dashboard.api_forms import TradeForm, multiplier_hint
from dashboard.filters import filter_trades
from imports.models import TradeFill
from imports.serializers import TradeExecutionSerializer
from journal import writes
from journal.models import DEFAULT_CURRENCY, DEFAULT_SORT, TRADE_SORTS, Account, Trade
from journal.multipliers import typed_multiplier
from journal.pagination import page_of
from journal.serializers import TradeSerializer, trade_rows
from journal.stats import stats_in_currency
from journal.writes import update_under_lock


def describe(trade: Trade) -> str:
    """A trade in a line, as a trader names it: short 2 NQ @ 18000.25 on 2025-04-01 15:30 UTC (in the
    trader's zone)."""
    quantity, price = plain_decimal(trade.quantity), plain_decimal(trade.entry_price)
    entered, zone = timezone.localtime(trade.entry_time), timezone.get_current_timezone_name()
    return f"{trade.side} {quantity} {trade.instrument} @ {price} on {entered:%Y-%m-%d %H:%M} {zone}"


def _accounts(user) -> dict[int, Account]:
    return {account.pk: account for account in Account.objects.owned_by(user)}


def _page_links(request: HttpRequest, current: int, last: int) -> dict[str, str | None]:
    """first/prev/next/last as query strings that keep the filters (None where there is no such page)."""

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    return {
        "first": link(1) if current > 1 else None,
        "prev": link(min(current - 1, last)) if current > 1 else None,
        "next": link(current + 1) if current < last else None,
        "last": link(last) if current < last else None,
    }


# The list's sortable columns: (the `sort` name, the heading).
SORT_COLUMNS = {
    "entry_time": "Entry (UTC)", "instrument": "Instrument", "side": "Side", "quantity": "Qty",
    "exit_time": "Exit (UTC)", "net_pnl": "Net P&L",
}  # fmt: skip
BAD_SORT = f"The sort must be one of: {', '.join(TRADE_SORTS)}, each optionally after a minus sign (descending)."


def _sort_links(request: HttpRequest, sort: str) -> dict[str, dict]:
    """Each sortable column's link (a click sorts by it, a second click the other way; back to the
    first page, the filters kept) and its current direction for aria-sort."""
    columns = {}
    for name in SORT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        # A column first sorts the way a trader reads it first: times and P&L from the top down.
        first = f"-{name}" if name in ("entry_time", "exit_time", "net_pnl", "quantity") else name
        query["sort"] = name if sort == f"-{name}" else f"-{name}" if sort == name else first
        direction = "descending" if sort == f"-{name}" else "ascending" if sort == name else None
        columns[name] = {"link": "?" + query.urlencode(), "direction": direction}
    return columns


def _totals(request: HttpRequest, query: QueryDict, trades, filters: dict) -> dict:
    """GET /api/v1/stats' answer for the list's filters (net P&L and commission of the closed trades,
    in their one currency), from the same cache entry; trades in several currencies have no total."""
    try:
        stats = versions.cached_figures(
            request.user.pk, "stats", query,
            lambda: stats_in_currency(owner=request.user, trades=trades, filters=filters),
        )  # fmt: skip
    except UnprocessableEntity as mixed:
        return {"error": str(mixed.detail)}
    return stats


@login_required
def trade_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort") or DEFAULT_SORT
    form, trades, filters = filter_trades(request)
    context = {"form": form, "rows": [], "paging_error": None, "sort": sort}
    if trades is None:
        return render(request, "dashboard/trades.html", context, status=400)
    try:
        listed = trades.sorted_by(sort)
    except ValueError:
        context["paging_error"] = BAD_SORT
        return render(request, "dashboard/trades.html", context, status=400)
    try:
        page = page_of(listed, request, rows=trade_rows)
    except ValidationError as error:  # a page or per_page out of the API's bounds, in its words
        context["paging_error"] = " ".join(str(message) for errors in error.detail.values() for message in errors)
        return render(request, "dashboard/trades.html", context, status=400)
    # The page exactly as GET /api/v1/trades answers it: data, current_page, last_page, per_page, total.
    listing = page.listing(TradeSerializer(page.rows, many=True).data)
    accounts = _accounts(request.user)
    for row in listing["data"]:
        row["account_record"] = accounts.get(row["account"])
    context.update(
        rows=listing["data"], listing=listing, filtered=bool(form.query()),
        links=_page_links(request, listing["current_page"], listing["last_page"]),
        columns=_sort_links(request, sort), totals=_totals(request, form.query(), trades, filters),
        bulk=bulk.BulkEditForm(user=request.user), back=request.get_full_path(),
    )  # fmt: skip
    return render(request, "dashboard/trades.html", context)


@login_required
def trade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trade = get_object_or_404(Trade.objects.owned_by(request.user), pk=pk)
    # A trade's fills as GET /api/v1/trades/{id}/executions lists them (all of them, in time order).
    fills = TradeFill.objects.of_trade(trade)
    fills = fills.select_related("execution")
    data, executions = TradeSerializer(trade).data, TradeExecutionSerializer(fills, many=True).data
    context = {
        "trade": trade,
        "data": data,
        "account": trade.account,
        "currency": trade.account.currency if trade.account else DEFAULT_CURRENCY,
        "executions": executions,
        "story": trade_story.figures(trade, data),
        "costs": trade_story.cost_parts(data, executions),
        "chart": trade_story.execution_chart(trade, executions),
        "attachments": attachments.listing(trade),
        "attachment_accept": attachments.ACCEPT,
        "attachment_max_bytes": settings.ATTACHMENT_MAX_BYTES,
        "attachment_too_large": attachments.too_large(),
    }
    return render(request, "dashboard/trade.html", context)


@login_required
@require_http_methods(["GET", "HEAD"])
def trade_multiplier(request: HttpRequest) -> JsonResponse:
    """What an empty multiplier will be for ?instrument=, for the trade form's hint as it is typed."""
    instrument = request.GET.get("instrument", "")[:64]
    return JsonResponse(
        {"multiplier": plain_decimal(typed_multiplier(instrument)), "hint": multiplier_hint(instrument)}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def trade_new(request: HttpRequest) -> HttpResponse:
    form = TradeForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        serializer = form.serializer()
        if serializer.is_valid():
            # As POST /api/v1/trades saves it.
            trade = locks.as_owner(request.user.pk, lambda: serializer.save(user=request.user))
            messages.success(request, f"Trade {trade.pk} saved: {describe(trade)}.")
            return redirect("trade", pk=trade.pk)
        form.add_api_errors(serializer.errors)
    status = 400 if form.errors else 200
    return render(request, "dashboard/trade_form.html", {"form": form, "trade": None}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def trade_edit(request: HttpRequest, pk: int) -> HttpResponse:
    trades = Trade.objects.owned_by(request.user)
    trade = get_object_or_404(trades, pk=pk)
    form = TradeForm(request.POST if request.method == "POST" else None, request=request, instance=trade)
    if request.method == "POST" and form.is_valid():
        try:
            # As PUT /api/v1/trades/{id} saves it: under the row's lock.
            update_under_lock(trades, pk, form.serializer)
        except ValidationError as error:
            form.add_api_errors(error.detail)
        else:
            messages.success(request, f"Trade {pk} updated.")
            return redirect("trade", pk=pk)
    status = 400 if form.errors else 200
    return render(request, "dashboard/trade_form.html", {"form": form, "trade": trade}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def trade_delete(request: HttpRequest, pk: int) -> HttpResponse:
    trades = Trade.objects.owned_by(request.user).filter(pk=pk)
    trade = get_object_or_404(trades)
    if request.method != "POST":
        context = {"title": f"Delete trade {pk}?", "what": describe(trade), "cancel": reverse("trade", args=[pk])}
        return render(request, "dashboard/confirm_delete.html", context)
    # As DELETE /api/v1/trades/{id} deletes it.
    writes.trade_delete(user=request.user, pk=pk)
    messages.success(request, f"Trade {pk} ({describe(trade)}) deleted.")
    return redirect("trades")
