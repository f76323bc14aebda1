"""The journal's API: /api/v1/trades, /api/v1/trades/{id} and /api/v1/stats."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.scopes import STATS_READ, TRADES_READ, TRADES_WRITE
from core import idempotency, locks, versions
from journal import bulk, examples
from journal.filters import TradeFilter, filtered_trades
from journal.models import Trade
from journal.pagination import PagePagination
from journal.serializers import StatsSerializer, TradeCreatedSerializer, TradeSerializer, trade_rows
from journal.stats import stats_in_currency
from journal.writes import trade_delete, update_under_lock


class TradePagination(PagePagination):
    def page_rows(self, queryset: QuerySet, page_ids: QuerySet) -> QuerySet:
        return trade_rows(queryset, page_ids)


@extend_schema_view(
    list=extend_schema(summary="List trades", description="A paginated list of your trades, newest entry first."),
    create=extend_schema(
        summary="Create a trade", parameters=[idempotency.PARAMETER], responses={201: TradeCreatedSerializer},
        examples=[examples.CREATE_REQUEST, examples.CREATED],
    ),
    retrieve=extend_schema(summary="Get a trade"),
    update=extend_schema(summary="Replace a trade", description="Fields left out go back to their defaults."),
    partial_update=extend_schema(summary="Update a trade", description="P&L is recomputed from the result."),
    destroy=extend_schema(summary="Delete a trade"),
)  # fmt: skip
class TradeViewSet(versions.CachedResults, viewsets.ModelViewSet):
    serializer_class = TradeSerializer
    filterset_class = TradeFilter
    pagination_class = TradePagination
    # Ids are 64-bit; a longer number is no trade of ours (and must not reach the database).
    lookup_value_regex = r"\d{1,18}"
    response_headers = {
        "Location": ("string", "The new trade's URL.", (201,)),
        **idempotency.replay_header(201),
    }
    required_scopes = {
        "GET": TRADES_READ,
        "POST": TRADES_WRITE,
        "PUT": TRADES_WRITE,
        "PATCH": TRADES_WRITE,
        "DELETE": TRADES_WRITE,
    }

    def get_queryset(self):
        # Another owner's trade is not found, never forbidden: its existence is not disclosed.
        return Trade.objects.owned_by(self.request.user).newest_first()

    @property
    def cached_as(self) -> str | None:
        return "trades" if self.action == "list" else None

    def list(self, request, *args, **kwargs) -> HttpResponse:
        # A page is served from the cache while the owner's journal is unchanged (core/versions.py).
        return versions.cached_json(request, self.cached_as, lambda: super(TradeViewSet, self).list(request).data)

    def filter_queryset(self, queryset):
        # Filters narrow the list; a single trade is addressed by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        data = request.data  # parsed before the row is locked
        serializer = update_under_lock(
            self.get_queryset(), kwargs["pk"], lambda trade: self.get_serializer(trade, data=data, partial=partial)
        )
        return Response(serializer.data)

    def destroy(self, request, *args, **kwargs):
        trade_delete(user=request.user, pk=kwargs["pk"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @idempotency.idempotent
    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        trade = locks.as_owner(request.user.pk, lambda: serializer.save(user=request.user))
        location = request.build_absolute_uri(reverse("trade-detail", args=[trade.pk]))
        return Response(TradeCreatedSerializer.body(trade), status=status.HTTP_201_CREATED,
                        headers={"Location": location})  # fmt: skip

    @extend_schema(
        summary="Create many trades", parameters=[idempotency.PARAMETER], request=bulk.BulkTradesSerializer,
        responses={201: bulk.BulkCreatedSerializer},
        description=f"Up to {bulk.MAX_TRADES:,} trades, each as `POST /trades` takes one, created all together or "
        "none: a 422 names each bad one by its index (`trades.3.side`). The answer lists them as `GET /trades/{id}` "
        "shows them, in the order sent. One `Idempotency-Key` covers the whole request.",
    )  # fmt: skip
    @action(detail=False, methods=["post"], url_path="bulk", parser_classes=[bulk.BulkJSONParser])
    @idempotency.idempotent
    def create_many(self, request) -> Response:
        given = bulk.BulkTradesSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        created = bulk.trades_bulk_create(user=request.user, trades=given.validated_data["trades"])
        return Response({"data": created}, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="Get account stats",
        responses=StatsSerializer,
        examples=[examples.STATS],
        description="Over the closed trades the filters select, all in one currency: trades in several "
        "currencies are a 422 naming them (filter by `account` or `currency`).",
    ),
)
class StatsView(versions.CachedResults, generics.GenericAPIView):
    """`GET /api/v1/stats`: the key owner's statistics, with the trade list's filters, in one currency."""

    filterset_class = TradeFilter
    required_scopes = {"GET": STATS_READ}
    queryset = Trade.objects.none()  # what the filters are over (the schema reads the model from it)
    cached_as = "stats"

    def get(self, request) -> HttpResponse:
        # Served from the cache while the owner's journal is unchanged (core/versions.py).
        return versions.cached_json(request, self.cached_as, lambda: self.answer(request))

    @staticmethod
    def answer(request) -> dict:
        trades, filters = filtered_trades(request, Trade.objects.owned_by(request.user))
        return stats_in_currency(owner=request.user, trades=trades, filters=filters)
