"""/api/v1/tags: the trader's tags; a rename shows on every trade at once (trades refer to the tag)."""

from core import fields
from journal.models import Tag
from journal.owned_api import NamedResourceViewSet, UniqueNamesSerializer, documented
from journal.serializers import tag_name_field
from journal.writes import tag_delete, tag_rename_save

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


@documented(
    Tag,
    list="Your tags, by name.",
    create="Trades can also create tags: see a trade's `tags`.",
    partial_update="A new name shows on every trade at once.",
    destroy="It is taken off every trade.",
)
class TagViewSet(NamedResourceViewSet):
    model = Tag
    serializer_class = TagSerializer
    record_save = staticmethod(tag_rename_save)

    def perform_destroy(self, tag: Tag) -> None:
        tag_delete(tag=tag)
