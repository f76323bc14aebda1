"""The journal's API routes; every path works with and without a trailing slash."""

from rest_framework.routers import SimpleRouter

from journal.api import TradeViewSet

router = SimpleRouter()
# DRF takes only a bool for trailing_slash; its regex routes accept an optional slash this way.
router.trailing_slash = "/?"
router.register("trades", TradeViewSet, basename="trade")

urlpatterns = router.urls
