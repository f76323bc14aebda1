"""The journal's API routes; every path works with and without a trailing slash."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from journal.accounts_api import AccountViewSet
from journal.api import StatsView, TradeViewSet
from journal.tags_api import TagViewSet

router = SimpleRouter()
# DRF takes only a bool for trailing_slash; its regex routes accept an optional slash this way.
router.trailing_slash = "/?"
router.register("trades", TradeViewSet, basename="trade")
router.register("accounts", AccountViewSet, basename="account")
router.register("tags", TagViewSet, basename="tag")

urlpatterns = [*router.urls, re_path(r"^stats/?$", StatsView.as_view(), name="stats")]
