"""The web journal's trade pages: the list (the API's filters and pages), a trade with its executions,
add, edit and delete. Validation, saving and paging are the API's own (journal/)."""

from datetime import UTC

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from dashboard.api_forms import TradeForm
from dashboard.filters import filter_trades
from imports.models import TradeFill
from imports.serializers import TradeExecutionSerializer
from journal.api import TradePagination
from journal.models import DEFAULT_CURRENCY, Account, Trade
from journal.serializers import TradeSerializer
from journal.writes import update_under_lock
from tradejournal.renderers import plain_decimal


def describe(trade: Trade) -> str:
    """A trade in a line, as a trader names it: short 2 NQ @ 18000.25 on 2025-04-01 15:30 UTC."""
    quantity, price = plain_decimal(trade.quantity), plain_decimal(trade.entry_price)
    entered = trade.entry_time.astimezone(UTC)
    return f"{trade.side} {quantity} {trade.instrument} @ {price} on {entered:%Y-%m-%d %H:%M} UTC"


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


@login_required
def trade_list(request: HttpRequest) -> HttpResponse:
    form, trades, _ = filter_trades(request, trades=Trade.objects.owned_by(request.user).newest_first())
    context = {"form": form, "rows": [], "paging_error": None}
    if trades is None:
        return render(request, "dashboard/trades.html", context, status=400)
    pagination, api_request = TradePagination(), Request(request)
    api_request.user = request.user  # signed in by the session: no key to authenticate
    try:
        page = pagination.paginate_queryset(trades, api_request)
    except ValidationError as error:  # a page or per_page out of the API's bounds, in its words
        context["paging_error"] = " ".join(str(message) for errors in error.detail.values() for message in errors)
        return render(request, "dashboard/trades.html", context, status=400)
    # The page exactly as GET /api/v1/trades answers it: data, current_page, last_page, per_page, total.
    listing = pagination.get_paginated_response(TradeSerializer(page, many=True).data).data
    accounts = _accounts(request.user)
    for row in listing["data"]:
        row["account_record"] = accounts.get(row["account"])
    context.update(
        rows=listing["data"], listing=listing, filtered=bool(form.query()),
        links=_page_links(request, listing["current_page"], listing["last_page"]),
    )  # fmt: skip
    return render(request, "dashboard/trades.html", context)


@login_required
def trade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trade = get_object_or_404(Trade.objects.owned_by(request.user), pk=pk)
    # A trade's fills as GET /api/v1/trades/{id}/executions lists them (all of them, in time order).
    fills = TradeFill.objects.filter(trade=trade).order_by("execution__time", "execution_id")
    fills = fills.select_related("execution")
    context = {
        "trade": trade,
        "data": TradeSerializer(trade).data,
        "account": trade.account,
        "currency": trade.account.currency if trade.account else DEFAULT_CURRENCY,
        "executions": TradeExecutionSerializer(fills, many=True).data,
    }
    return render(request, "dashboard/trade.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def trade_new(request: HttpRequest) -> HttpResponse:
    form = TradeForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        serializer = form.serializer()
        if serializer.is_valid():
            # As POST /api/v1/trades saves it.
            trade = serializer.save(user=request.user)
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
    deleted, _ = trades.delete()
    if not deleted:
        raise Http404
    messages.success(request, f"Trade {pk} ({describe(trade)}) deleted.")
    return redirect("trades")
