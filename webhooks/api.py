"""/api/v1/webhooks: a trader's endpoints, their delivery logs, redelivery, test events and secret rotation."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.scopes import WEBHOOKS_READ, WEBHOOKS_WRITE
from journal.pagination import PagePagination
from journal.writes import update_under_lock
from webhooks import services
from webhooks.models import Delivery, Endpoint
from webhooks.serializers import WebhookDeliverySerializer, WebhookSerializer, WebhookWithSecretSerializer

READ_WRITE = {"GET": WEBHOOKS_READ, "POST": WEBHOOKS_WRITE, "PATCH": WEBHOOKS_WRITE, "DELETE": WEBHOOKS_WRITE}


class LogPagination(PagePagination):
    def count(self, request, queryset) -> int:
        # Not cached under the journal's version: deliveries come and go without the journal changing.
        return queryset.count()


@extend_schema_view(
    list=extend_schema(summary="List webhooks", description="Your webhook endpoints, oldest first."),
    create=extend_schema(
        summary="Create a webhook", responses={201: WebhookWithSecretSerializer},
        description="The answer carries the endpoint's signing `secret`, shown this once. A URL that is not "
        "https, or whose address is loopback, private, link-local or a metadata service, is a 422.",
    ),
    retrieve=extend_schema(summary="Get a webhook"),
    partial_update=extend_schema(summary="Update a webhook", description="`active: false` pauses it; `true` resumes "
                                 "it (also one the server disabled, clearing `disabled_reason`)."),
    destroy=extend_schema(summary="Delete a webhook", description="With its delivery log."),
    rotate_secret=extend_schema(
        summary="Rotate a webhook's secret", request=None, responses={200: WebhookWithSecretSerializer},
        description="A new secret, shown this once; the old one keeps signing, beside it, for 24 hours.",
    ),
    test=extend_schema(
        summary="Send a test event", request=None, responses={202: WebhookDeliverySerializer},
        description="A `webhook.test` event whose data is the endpoint, to this endpoint alone; its delivery is "
        "in the log.",
    ),
)  # fmt: skip
class EndpointViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    serializer_class = WebhookSerializer
    pagination_class = LogPagination
    lookup_value_regex = r"\d{1,18}"  # ids are 64-bit: a longer number is no endpoint of ours
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_scopes = READ_WRITE

    @property
    def conflicts(self) -> dict[str, str]:
        return {"POST": services.TOO_MANY.format(limit=settings.WEBHOOKS_PER_TRADER)} if self.action == "create" else {}

    response_headers = {"Location": ("string", "The new webhook's URL.", (201,))}

    def get_queryset(self):
        # Another owner's endpoint is not found, never forbidden.
        return Endpoint.objects.owned_by(self.request.user).order_by("id")

    def create(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = services.endpoint_create(
            user=request.user, url=data["url"], events=data["events"], description=data.get("description", "")
        )
        if data.get("active") is False:
            services.endpoint_update(endpoint, active=False)
        location = request.build_absolute_uri(reverse("webhook-detail", args=[endpoint.pk]))
        body = WebhookWithSecretSerializer(endpoint).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, *args, **kwargs) -> Response:
        data = request.data  # parsed before the row is locked
        serializer = update_under_lock(
            self.get_queryset(), kwargs["pk"], lambda endpoint: self.get_serializer(endpoint, data=data, partial=True),
            save=lambda s: services.endpoint_update(s.instance, **s.validated_data),
        )  # fmt: skip
        return Response(serializer.data)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None) -> Response:
        endpoint = self.get_object()
        endpoint.rotate_secret()
        return Response(WebhookWithSecretSerializer(endpoint).data)

    @action(detail=True, methods=["post"])
    def test(self, request, pk=None) -> Response:
        endpoint = self.get_object()
        event = services.send_test(endpoint=endpoint, data=WebhookSerializer(endpoint).data)
        delivery = event.deliveries.select_related("event").get()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(summary="List a webhook's deliveries", description="Every attempt, newest first.")
)
class DeliveryListView(generics.ListAPIView):
    serializer_class = WebhookDeliverySerializer
    pagination_class = LogPagination
    required_scopes = {"GET": WEBHOOKS_READ}

    def get_queryset(self):
        endpoint = get_object_or_404(Endpoint.objects.owned_by(self.request.user), pk=self.kwargs["pk"])
        return endpoint.deliveries.select_related("event").order_by("-id")


@extend_schema_view(
    post=extend_schema(
        summary="Redeliver", request=None, responses={202: WebhookDeliverySerializer},
        description="The delivery's event sent again to its endpoint (the same `Webhook-Id`), as a new attempt "
        "with retries of its own; a delivery still pending is a 409.",
    )
)  # fmt: skip
class RedeliverView(generics.GenericAPIView):
    serializer_class = WebhookDeliverySerializer
    required_scopes = {"POST": WEBHOOKS_WRITE}
    conflicts = {"POST": services.NOT_FAILED}
    queryset = Delivery.objects.none()  # for the schema

    def post(self, request, pk: str, delivery_id: str) -> Response:
        owned = Delivery.objects.filter(endpoint__user=request.user, endpoint_id=pk)
        delivery = get_object_or_404(owned, pk=delivery_id)
        again = services.redeliver(delivery=delivery)
        again.event = delivery.event
        return Response(WebhookDeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)
