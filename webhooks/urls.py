"""The webhooks' API routes; every path works with and without a trailing slash."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from webhooks.api import DeliveryListView, EndpointViewSet, RedeliverView

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("webhooks", EndpointViewSet, basename="webhook")

urlpatterns = [
    *router.urls,
    re_path(r"^webhooks/(?P<pk>[0-9]{1,18})/deliveries/?$", DeliveryListView.as_view(), name="webhook-deliveries"),
    re_path(
        r"^webhooks/(?P<pk>[0-9]{1,18})/deliveries/(?P<delivery_id>[0-9]{1,18})/redeliver/?$",
        RedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
