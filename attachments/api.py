"""/api/v1/trades/{id}/attachments: the screenshots and PDFs kept with a trade, `{id, filename,
content_type, size, created_at, url}`; `url` downloads the file (served by attachments/serving.py).
The trades scopes cover them; another owner's trade or attachment is not found."""

import hashlib

from django.conf import settings
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, parsers, serializers, status
from rest_framework.response import Response

from apikeys.scopes import TRADES_READ, TRADES_WRITE
from attachments import files
from attachments.models import CONTENT_TYPES, Attachment
from attachments.services import attachment_create, attachment_delete
from attachments.serving import file_response
from core import fields, idempotency
from core.exceptions import PayloadTooLarge, unknown_fields
from core.renderers import JSONRenderer
from core.serializers import StrictSerializer
from journal.models import Trade
from journal.pagination import PagePagination

FILE_REQUIRED = "The file field is required: send the file as a multipart `file`."
# A multipart body is the file plus its part's headers and boundaries.
FORM_OVERHEAD = 16 * 1024


class AttachmentSerializer(serializers.ModelSerializer):
    id = fields.IdField(read_only=True)
    filename = serializers.CharField(read_only=True, help_text="The name it was uploaded with")
    content_type = serializers.CharField(
        read_only=True, help_text="What the file was checked to be: image/png, image/jpeg, image/webp, image/gif or "
        "application/pdf",
    )  # fmt: skip
    size = serializers.IntegerField(read_only=True, help_text="Bytes")
    created_at = fields.TimestampField(read_only=True)
    url = serializers.SerializerMethodField(help_text="Downloads the file (with the same key)")

    class Meta:
        model = Attachment
        fields = ("id", "filename", "content_type", "size", "created_at", "url")

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("trade-attachment-file", args=[attachment.trade_id, attachment.pk])
        return self.context["request"].build_absolute_uri(path)


class AttachmentUploadSerializer(StrictSerializer):
    """The multipart form (for the schema): the file and nothing else."""

    file = serializers.FileField(
        help_text=f"A PNG, JPEG, WebP or GIF image or a PDF, up to ATTACHMENT_MAX_BYTES "
        f"({settings.ATTACHMENT_MAX_BYTES:,} bytes here) and {files.MAX_PIXELS:,} pixels",
    )


class AttachmentParser(parsers.MultiPartParser):
    """The multipart form, refused (413) before it is read when its length says it is too large."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
        if length.isdigit() and int(length) > settings.ATTACHMENT_MAX_BYTES + FORM_OVERHEAD:
            raise PayloadTooLarge()
        return super().parse(stream, media_type, parser_context)


def uploaded(request) -> tuple[bytes, str]:
    """The upload's bytes and name; 422 for a form without one file, 413 for a file too large."""
    unknown = set(request.data) - {"file"}
    if unknown:
        raise unknown_fields(unknown)
    found = request.FILES.getlist("file")
    if len(found) != 1:
        raise serializers.ValidationError({"file": [FILE_REQUIRED if not found else "Send one file at a time."]})
    upload = found[0]
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge()
    return upload.read(), upload.name or ""


def _fingerprint(request, trade: Trade, data: bytes, filename: str) -> bytes:
    """What makes two uploads the same request for Idempotency-Key (the path names the trade)."""
    return hashlib.sha256(data).digest() + filename.encode()


class TradeAttachments:
    """The key owner's trade named in the path, and its attachments."""

    def trade(self) -> Trade:
        return get_object_or_404(Trade.objects.owned_by(self.request.user), pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        return Attachment.objects.owned_by(self.request.user).of_trade(self.trade())


@extend_schema_view(
    get=extend_schema(summary="List a trade's attachments", description="In the order they were added."),
    post=extend_schema(
        summary="Attach a file to a trade", request={"multipart/form-data": AttachmentUploadSerializer},
        parameters=[idempotency.PARAMETER], responses={201: AttachmentSerializer},
        description="A screenshot (PNG, JPEG, WebP, GIF) or a PDF, as a multipart `file`: checked to be what "
        "its content says (anything else is a 422, so is a damaged image or one of too many pixels), at most "
        "ATTACHMENT_MAX_BYTES (413 above).",
    ),
)  # fmt: skip
class TradeAttachmentListView(TradeAttachments, generics.ListAPIView):
    serializer_class = AttachmentSerializer
    pagination_class = PagePagination
    parser_classes = [AttachmentParser]
    request_body_required = True
    required_scopes = {"GET": TRADES_READ, "POST": TRADES_WRITE}
    response_headers = {
        "Location": ("string", "The new attachment's URL.", (201,)),
        **idempotency.replay_header(201),
    }

    def post(self, request, *args, **kwargs) -> Response:
        trade = self.trade()
        data, filename = uploaded(request)
        return self.create_attachment(request, trade, data, filename)

    @idempotency.idempotent(payload=_fingerprint)
    def create_attachment(self, request, trade: Trade, data: bytes, filename: str) -> Response:
        try:
            attachment = attachment_create(user=request.user, trade=trade, filename=filename, data=data)
        except files.Refused as refused:
            raise serializers.ValidationError({"file": [str(refused)]}) from None
        location = request.build_absolute_uri(reverse("trade-attachment", args=[trade.pk, attachment.pk]))
        body = self.get_serializer(attachment).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema_view(
    get=extend_schema(summary="Get a trade's attachment"),
    delete=extend_schema(summary="Delete a trade's attachment", responses={204: None}),
)
class TradeAttachmentView(TradeAttachments, generics.RetrieveDestroyAPIView):
    serializer_class = AttachmentSerializer
    lookup_url_kwarg = "aid"
    required_scopes = {"GET": TRADES_READ, "DELETE": TRADES_WRITE}

    def perform_destroy(self, instance: Attachment) -> None:
        attachment_delete(attachment=instance)


@extend_schema(
    summary="Download a trade's attachment",
    description="The file as it was uploaded. Images checked to be what they claim are served inline, anything "
    "else as a download (`Content-Disposition: attachment`); always with `X-Content-Type-Options: nosniff` and a "
    "sandboxing Content-Security-Policy.",
    responses={(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES},
)  # fmt: skip
class TradeAttachmentFileView(TradeAttachments, generics.GenericAPIView):
    lookup_url_kwarg = "aid"
    required_scopes = {"GET": TRADES_READ}

    def perform_content_negotiation(self, request, force=False):
        # The file is what it is, whatever the client accepts; errors are JSON.
        return JSONRenderer(), JSONRenderer.media_type

    def get(self, request, *args, **kwargs) -> FileResponse:
        return file_response(self.get_object())
