"""The imports API's routes; every path works with and without a trailing slash."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from imports.api import ImportViewSet, TradeExecutionsView, TradeExportView
from imports.mappings_api import ImportMappingViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("imports", ImportViewSet, basename="import")
router.register("import-mappings", ImportMappingViewSet, basename="import-mapping")

urlpatterns = [
    *router.urls,
    re_path(r"^trades/export/?$", TradeExportView.as_view(), name="trade-export"),
    re_path(r"^trades/(?P<pk>\d{1,18})/executions/?$", TradeExecutionsView.as_view(), name="trade-executions"),
]
