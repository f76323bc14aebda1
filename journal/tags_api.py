"""/api/v1/tags: the trader's tags; a rename shows on every trade at once (trades refer to the tag)."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from journal.models import Tag
from journal.owned_api import NamedResourceViewSet, UniqueNamesSerializer
from journal.serializers import tag_name_field
from tradejournal import fields

COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"


class TagSerializer(UniqueNamesSerializer):
    """A label on trades, unique among yours in any case."""

    id = fields.IdField(read_only=True)
    name = tag_name_field(help_text="Kept in the case given; unique among yours in any case")
    color = fields.TextField(
        max_length=7, pattern=COLOR_PATTERN, required=False, allow_null=True,
        error_messages={"pattern": "The color must be #rrggbb (hexadecimal), e.g. #1f77b4."},
        help_text="#rrggbb (stored in lower case), or null",
    )  # fmt: skip

    ignored_fields = ("id",)

    class Meta:
        model = Tag
        fields = ("id", "name", "color")

    def validate_color(self, value: str | None) -> str | None:
        return None if value is None else value.lower()


@extend_schema_view(
    list=extend_schema(summary="List tags", description="Your tags, by name."),
    create=extend_schema(summary="Create a tag", description="Trades can also create tags: see a trade's `tags`."),
    retrieve=extend_schema(summary="Get a tag"),
    partial_update=extend_schema(summary="Update a tag", description="A new name shows on every trade at once."),
    destroy=extend_schema(summary="Delete a tag", description="It is taken off every trade."),
)
class TagViewSet(NamedResourceViewSet):
    model = Tag
    serializer_class = TagSerializer
