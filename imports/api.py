"""The imports API: POST/GET /api/v1/imports, GET /api/v1/imports/{id}, DELETE (undo) /api/v1/imports/{id},
GET /api/v1/trades/{id}/executions and GET /api/v1/trades/export."""

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, renderers, status, viewsets
from rest_framework.response import Response

from apikeys.scopes import TRADES_READ, TRADES_WRITE
from core import idempotency
from core.errors import ErrorSerializer
from core.renderers import JSONRenderer
from imports import abandoned
from imports.export import export_lines
from imports.models import Execution, Import, TradeFill
from imports.parsers import RAW_MEDIA_TYPES, RAW_PARSERS, UploadJSONParser, UploadMultiPartParser
from imports.serializers import (
    ExecutionsInputSerializer,
    ImportParametersSerializer,
    ImportSerializer,
    ImportUploadSerializer,
    TradeExecutionSerializer,
)
from imports.services import import_create, import_undo
from imports.uploads import Upload, read_upload
from journal.filters import TradeFilter
from journal.models import Trade
from journal.pagination import PagePagination

BINARY_FILE = {"type": "string", "format": "binary", "minLength": 1}
UPLOAD_BODIES = {
    "multipart/form-data": ImportUploadSerializer,
    "application/json": ExecutionsInputSerializer,
    **dict.fromkeys(RAW_MEDIA_TYPES, BINARY_FILE),
}


@extend_schema_view(
    list=extend_schema(summary="List imports", description="Your imports, newest first."),
    retrieve=extend_schema(summary="Get an import", description="With live progress while it is processing."),
    create=extend_schema(
        summary="Import a broker file",
        description="The file as the raw body, as a multipart `file`, or JSON fills (`{\"executions\": [...]}`, "
        "the generic format's fields). Answers at once with the queued import; a worker applies it. "
        "Parameters go in the query string (or the multipart form). A table no format reads is a failed import "
        "with a `suggested_mapping`: import it again with `format=mapped` and a mapping (see /import-mappings).",
        request=UPLOAD_BODIES, parameters=[idempotency.PARAMETER, ImportParametersSerializer],
        responses={202: ImportSerializer},
    ),
    destroy=extend_schema(
        summary="Undo an import",
        description="Its executions go and the trades they were in are rebuilt; trades that existed before keep "
        "their ids. A worker undoes it, all or nothing: the answer is at once, the import `undoing` (poll it, "
        "with its progress, until `undone`). Asking again answers the undo's state. An import that stored nothing "
        "(queued, failed, a dry run) is removed at once (204; a queued one is cancelled); one being applied is a "
        "409 (retry once it has finished).",
        responses={
            202: OpenApiResponse(ImportSerializer, description="Being undone"),
            200: OpenApiResponse(ImportSerializer, description="Undone already"),
            204: OpenApiResponse(description="It stored nothing; removed"),
            409: OpenApiResponse(ErrorSerializer, description="The import is being applied"),
        },
    ),
)  # fmt: skip
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportSerializer
    pagination_class = PagePagination
    parser_classes = [UploadJSONParser, UploadMultiPartParser, *RAW_PARSERS]
    lookup_value_regex = r"\d{1,18}"
    request_body_required = True
    required_scopes = {"GET": TRADES_READ, "POST": TRADES_WRITE, "DELETE": TRADES_WRITE}
    response_headers = {
        "Location": ("string", "The import's URL: poll it until its status is succeeded, failed or undone.", (202,)),
        **idempotency.replay_header(202),
    }  # fmt: skip

    def get_queryset(self):
        return Import.objects.owned_by(self.request.user).defer("data").newest_first()

    def perform_content_negotiation(self, request, force=False):
        # Always JSON: `?format=` names the file's format here, not a renderer (DRF's URL_FORMAT_OVERRIDE).
        return JSONRenderer(), JSONRenderer.media_type

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for imp in page:
            abandoned.merge_live(imp)
        return page

    def get_object(self) -> Import:
        imp = super().get_object()
        abandoned.merge_live(imp)
        return imp

    def create(self, request, *args, **kwargs):
        return self.create_import(request, read_upload(request))

    @idempotency.idempotent(payload=lambda request, upload: upload.fingerprint)
    def create_import(self, request, upload: Upload) -> Response:
        imp = import_create(
            user=request.user, data=upload.data, filename=upload.filename, format=upload.format,
            account=upload.account, tz=upload.tz, dry_run=upload.dry_run, mapping_rules=upload.mapping,
        )  # fmt: skip
        location = request.build_absolute_uri(reverse("import-detail", args=[imp.pk]))
        return Response(ImportSerializer(imp).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})

    def destroy(self, request, *args, **kwargs):
        imp = import_undo(imp=get_object_or_404(self.get_queryset(), pk=kwargs["pk"]))
        if imp is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        abandoned.merge_live(imp)
        if imp.status == Import.Status.UNDONE:
            return Response(ImportSerializer(imp).data)
        location = request.build_absolute_uri(reverse("import-detail", args=[imp.pk]))
        return Response(ImportSerializer(imp).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


@extend_schema(summary="List a trade's executions", description="Its fills, with the part of each that belongs "
               "to it, in time order. A trade entered by hand has none.")  # fmt: skip
class TradeExecutionsView(generics.ListAPIView):
    serializer_class = TradeExecutionSerializer
    pagination_class = PagePagination
    required_scopes = {"GET": TRADES_READ}
    queryset = TradeFill.objects.none()  # for the schema

    def get_queryset(self):
        trade = get_object_or_404(Trade.objects.owned_by(self.request.user), pk=self.kwargs["pk"])
        return TradeFill.objects.of_trade(trade)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # The page's executions in one query, not one each.
        executions = Execution.objects.in_bulk([fill.execution_id for fill in page])
        for fill in page:
            fill.execution = executions[fill.execution_id]
        return page


class CsvRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"


@extend_schema(
    summary="Export trades as CSV",
    description="Every trade matching the list's filters, oldest first, as CSV (no paging). Import the file with "
    "`format=tradejournal` to get the same trades back.",
    responses={(200, "text/csv"): OpenApiTypes.STR},
)  # fmt: skip
class TradeExportView(generics.GenericAPIView):
    filterset_class = TradeFilter
    required_scopes = {"GET": TRADES_READ}
    queryset = Trade.objects.none()  # what the filters are over
    renderer_classes = [CsvRenderer]

    def perform_content_negotiation(self, request, force=False):
        return CsvRenderer(), CsvRenderer.media_type  # CSV whatever the Accept header; errors are JSON (below)

    def get(self, request) -> StreamingHttpResponse:
        trades = self.filter_queryset(Trade.objects.owned_by(request.user))
        # Where the rows are read is decided now: the body is streamed after the request's
        # middleware (core.replicas) has returned, when the standby's router no longer knows the request.
        trades = trades.using(trades.db)
        response = StreamingHttpResponse(export_lines(trades), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="trades-{timezone.now():%Y-%m-%d}.csv"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever the client accepts.
        if isinstance(response, Response):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
