"""A file kept with a trade: what it was called, what it was checked to be, and where the
attachments storage holds it (and its thumbnail); or, its trade removed by an import's undo, kept
for the trade a later import opens with the same execution (attachments/kept.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from journal.models import Trade

# The kinds of file taken, by the media type they are checked to be (attachments/files.py).
PNG, JPEG, WEBP, GIF, PDF = "image/png", "image/jpeg", "image/webp", "image/gif", "application/pdf"
IMAGES = (PNG, JPEG, WEBP, GIF)
CONTENT_TYPES = (*IMAGES, PDF)


class AttachmentQuerySet(models.QuerySet):
    def owned_by(self, user) -> "AttachmentQuerySet":
        return self.filter(user=user)

    def of_trade(self, trade: Trade) -> "AttachmentQuerySet":
        return self.filter(trade=trade).order_by("created_at", "id")

    def kept(self) -> "AttachmentQuerySet":
        return self.filter(trade=None)


class Attachment(models.Model):
    # No index of its own: an attachment is reached through its trade.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    # A trade's deletion takes its attachments' rows; `manage.py purge` removes their files. None
    # while kept: its trade removed by an undo, kept under `kept_as` since `kept_at`.
    trade = models.ForeignKey(Trade, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True)
    filename = models.CharField(max_length=255, help_text="The name it was uploaded with")
    content_type = models.CharField(max_length=32, help_text="What the file was checked to be")
    size = models.PositiveBigIntegerField()
    # Names in the attachments storage (settings.STORAGES["attachments"]); an image's thumbnail is a PNG.
    file = models.CharField(max_length=255, unique=True)
    thumbnail = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    kept_as = models.CharField(max_length=400, blank=True, default="")  # the opening execution's identity
    kept_at = models.DateTimeField(null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(content_type__in=CONTENT_TYPES), name="attachment_content_type_known"),
            models.CheckConstraint(
                condition=Q(trade__isnull=False, kept_as="", kept_at__isnull=True)
                | (Q(trade__isnull=True, kept_at__isnull=False) & ~Q(kept_as="")),
                name="attachment_on_a_trade_or_kept",
            ),
        ]
        # Only the kept ones: found by their identity when a file is imported, and by age by `purge`.
        indexes = [
            models.Index(fields=["user", "kept_as"], condition=Q(trade__isnull=True), name="attachment_kept_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.content_type})"

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGES
