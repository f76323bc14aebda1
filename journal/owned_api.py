"""What the API's named resources (accounts, tags) share: only the owner's rows, pages, scopes,
and names unique per owner, checked for the message and guarded by the database."""

from django.db.models.functions import Lower
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from apikeys.scopes import TRADES_READ, TRADES_WRITE
from core.serializers import StrictModelSerializer
from journal.pagination import PagePagination
from journal.writes import named_record_save, update_under_lock


class UniqueNamesSerializer(StrictModelSerializer):
    """Refuses a name the owner already uses for another record (in any case), like the unique
    constraint does, but with a message; `unique_errors` adds any other per-owner rule."""

    def unique_errors(self, attrs: dict) -> dict[str, list[str]]:
        others = self.Meta.model.objects.owned_by(self.context["request"].user)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if "name" in attrs and others.named([attrs["name"]]).exists():
            noun = self.Meta.model._meta.verbose_name
            return {"name": [f"You already have a{'n' if noun[0] in 'aeiou' else ''} {noun} named {attrs['name']!r}."]}
        return {}

    def validate(self, attrs: dict) -> dict:
        errors = self.unique_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def update(self, instance, validated_data: dict):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(validated_data))
        return instance


def documented(model, **descriptions: str):
    """The schema of a NamedResourceViewSet over `model`: each operation's summary named after the
    model, with the description given for it (list, create, retrieve, partial_update, destroy)."""
    noun, plural = model._meta.verbose_name, model._meta.verbose_name_plural
    article = "an" if noun[0] in "aeiou" else "a"
    summaries = {
        "list": f"List {plural}", "create": f"Create {article} {noun}", "retrieve": f"Get {article} {noun}",
        "partial_update": f"Update {article} {noun}", "destroy": f"Delete {article} {noun}",
    }  # fmt: skip
    operations = {action: extend_schema(summary=summary, description=descriptions.get(action))
                  for action, summary in summaries.items()}  # fmt: skip
    return extend_schema_view(**operations)


class NamedResourceViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """GET (list and one), POST, PATCH and DELETE on the key owner's records of `model` (each
    subclass says how one is deleted: `perform_destroy`)."""

    model = None
    pagination_class = PagePagination
    # Ids are 64-bit; a longer number is no record of ours (and must not reach the database).
    lookup_value_regex = r"\d{1,18}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    required_scopes = {"GET": TRADES_READ, "POST": TRADES_WRITE, "PATCH": TRADES_WRITE, "DELETE": TRADES_WRITE}
    # How a change is saved (a tag's rename also tells of the trades it changes).
    record_save = staticmethod(named_record_save)

    @property
    def response_headers(self) -> dict:
        return {"Location": ("string", f"The new {self.model._meta.verbose_name}'s URL.", (201,))}

    def get_queryset(self):
        # Another owner's record is not found, never forbidden: its existence is not disclosed.
        return self.model.objects.owned_by(self.request.user).order_by(Lower("name"), "id")

    def perform_create(self, serializer) -> None:
        named_record_save(serializer, user=self.request.user)

    def get_success_headers(self, data: dict) -> dict:
        path = reverse(f"{self.basename}-detail", kwargs={"pk": data["id"]})
        return {"Location": self.request.build_absolute_uri(path)}

    def partial_update(self, request, *args, **kwargs) -> Response:
        data = request.data  # parsed before the row is locked
        # Under the row's lock, like a trade's.
        serializer = update_under_lock(
            self.get_queryset(), kwargs["pk"],
            lambda record: self.get_serializer(record, data=data, partial=True), save=self.record_save,
        )  # fmt: skip
        return Response(serializer.data)
