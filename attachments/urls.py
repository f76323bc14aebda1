"""The attachments' API routes; every path works with and without a trailing slash."""

from django.urls import re_path

from attachments.api import TradeAttachmentFileView, TradeAttachmentListView, TradeAttachmentView

TRADE = r"^trades/(?P<pk>\d{1,18})/attachments"

urlpatterns = [
    re_path(rf"{TRADE}/?$", TradeAttachmentListView.as_view(), name="trade-attachments"),
    re_path(rf"{TRADE}/(?P<aid>\d{{1,18}})/?$", TradeAttachmentView.as_view(), name="trade-attachment"),
    re_path(rf"{TRADE}/(?P<aid>\d{{1,18}})/file/?$", TradeAttachmentFileView.as_view(), name="trade-attachment-file"),
]
