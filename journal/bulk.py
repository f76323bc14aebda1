"""Many trades in one request (POST /api/v1/trades/bulk): up to MAX_TRADES, each checked exactly as
POST /api/v1/trades checks one, and written all together or not at all.

The trades are written with one INSERT per batch (the model's bulk path computes each one's P&L
as save() does), their tags with one more, and the owner's journal version moves once for the
whole request rather than once per trade. Each trade sends its trade.created, the events and their
deliveries inserted together (webhooks/outbox.py).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from rest_framework import parsers, serializers

from core import events, fields, locks
from core.exceptions import PayloadTooLarge
from core.parsers import TooManyObjects, loads
from core.serializers import StrictSerializer
from journal.models import Account, Trade, TradeTag, tag_order
from journal.serializers import COLUMNS, TradeSerializer
from journal.tagging import tags_get_or_create

MAX_TRADES = 1000
# A thousand trades of the usual size (about 300 bytes each) fit many times over; one whose notes
# are long is sent in smaller requests.
MAX_BYTES = 2 * 1024 * 1024
TOO_MANY_TRADES = f"Send 1 to {MAX_TRADES:,} trades in one request."


class BulkJSONParser(parsers.BaseParser):
    """The body read like every JSON body (core/parsers.py), up to MAX_BYTES rather than a trade's
    64 KiB. Each trade is an object and the body holds only one other: a body with more objects is
    refused at the first one too many, before the rest is read."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise PayloadTooLarge()
        try:
            return loads(raw, max_objects=MAX_TRADES + 1)
        except TooManyObjects:
            raise serializers.ValidationError({"trades": [TOO_MANY_TRADES]}) from None


class BulkTradesSerializer(StrictSerializer):
    """`{"trades": [...]}`: each item a trade as POST /api/v1/trades takes it. A bad item is named by
    its index (`trades.3.side`)."""

    trades = fields.ListField(
        child=TradeSerializer(), allow_empty=False, min_length=1, max_length=MAX_TRADES,
        help_text=f"1 to {MAX_TRADES:,} trades, as POST /trades takes one",
        error_messages={"empty": TOO_MANY_TRADES, "min_length": TOO_MANY_TRADES, "max_length": TOO_MANY_TRADES,
                        "required": "The trades field is required.", "null": "The trades field is required."},
    )  # fmt: skip

    def to_internal_value(self, data) -> dict:
        # One child serializer checks every item (the list's errors come by index: `trades.3.side`),
        # with the owner's accounts read once rather than once per trade.
        user = self.context["request"].user
        self.context["accounts"] = {account.pk: account for account in Account.objects.owned_by(user)}
        return super().to_internal_value(data)


class BulkCreatedSerializer(serializers.Serializer):
    """The 201 body: every trade as GET /api/v1/trades/{id} shows it, in the order sent."""

    data = TradeSerializer(many=True)


def trades_bulk_create(*, user: AbstractBaseUser, trades: list[dict]) -> list[dict]:
    """Writes the validated `trades` of `user` in one transaction; their output, in order."""
    wanted = [list(dict.fromkeys(name.lower() for name in trade.get("tags", ()))) for trade in trades]
    sent_as: dict[str, str] = {}  # a new tag takes the case it is first sent in
    for trade in trades:
        for name in trade.get("tags", ()):
            sent_as.setdefault(name.lower(), name)

    def write() -> list[dict]:
        tags = {tag.name.lower(): tag for tag in tags_get_or_create(user_id=user.pk, names=list(sent_as.values()))}
        created = Trade.objects.bulk_create(
            [Trade(user=user, **{name: value for name, value in trade.items() if name != "tags"}) for trade in trades]
        )
        TradeTag.objects.bulk_create(
            [
                TradeTag(trade=trade, tag=tags[name])
                for trade, names in zip(created, wanted, strict=True)
                for name in names
            ]
        )
        shown = [
            TradeSerializer.represent(
                {attribute: getattr(trade, attribute) for attribute in COLUMNS},
                sorted((tags[name].name for name in names), key=tag_order),
            )
            for trade, names in zip(created, wanted, strict=True)
        ]
        # A trade.created each, as POST /trades sends, recorded together in this transaction.
        events.announce_each(user_id=user.pk, type=events.TRADE_CREATED, data=lambda: shown)
        return shown

    # The owner's writers' lock first, as every writer takes it.
    return locks.as_owner(user.pk, write)
