"""Laravel-style pages: {"data", "current_page", "last_page", "per_page", "total"}."""

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from core import versions

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
# Past this page number the offset alone would exceed any journal; refuse instead of scanning.
MAX_PAGE = 1_000_000


def _positive_int(params, name: str, default: int, maximum: int, message: str) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    value = int(raw) if re.fullmatch(r"[0-9]{1,9}", raw) else None
    if value is None or not 1 <= value <= maximum:
        raise serializers.ValidationError({name: [message]})
    return value


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and where it stands."""

    rows: list
    number: int
    per_page: int
    total: int

    def listing(self, data: list) -> dict:
        """The page as the API lists it, `data` being its rows as shown."""
        return {
            "data": data,
            "current_page": self.number,
            "last_page": max(1, math.ceil(self.total / self.per_page)),
            "per_page": self.per_page,
            "total": self.total,
        }


def plain_rows(queryset: QuerySet, page_ids: QuerySet) -> QuerySet:
    """A page's rows, in the list's order."""
    return queryset.model.objects.filter(id__in=page_ids).order_by(*queryset.query.order_by)


def cached_count(request, queryset: QuerySet) -> int:
    """The list's count: the page's costly part on a big journal, so cached while the owner's
    journal is unchanged, under the list's path and its filters, not the page (core/versions.py).
    The path keeps one list's count from being served for another's (trades, accounts, tags...)."""
    parts = versions.normalised_query(request.GET).split("&")
    filters = "&".join(part for part in parts if not part.startswith(("page=", "per_page=")))
    return versions.cached_value(request, "count", queryset.count, f"{request.path}?{filters}")


def page_of(
    queryset: QuerySet, request, *, rows: Callable[[QuerySet, QuerySet], Iterable] = plain_rows,
    count: Callable[..., int] = cached_count,
) -> Page:  # fmt: skip
    """The page of `queryset` that the request's `page` and `per_page` ask for (ValidationError in
    the API's words when they are out of bounds); `rows` reads the page's rows from their ids,
    `count(request, queryset)` counts the list."""
    params = request.GET
    per_page = _positive_int(
        params, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, f"The per_page must be between 1 and {MAX_PER_PAGE}."
    )
    number = _positive_int(params, "page", 1, MAX_PAGE, "The page must be a whole number of at least 1.")
    total = count(request, queryset)
    offset = (number - 1) * per_page
    if offset >= total:
        return Page([], number, per_page, total)
    # Deferred join: the offset is walked on the narrow index (ids only, an index-only scan
    # on PostgreSQL), then only this page's rows are read from the table. One query.
    page_ids = queryset.values("id")[offset : offset + per_page]
    return Page(list(rows(queryset, page_ids)), number, per_page, total)


class PagePagination(BasePagination):
    """The API's pages (page_of), answered as Laravel's."""

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.page = page_of(queryset, request, rows=self.page_rows, count=self.count)
        return self.page.rows

    def count(self, request, queryset: QuerySet) -> int:
        """The list's count; a subclass may count differently."""
        return cached_count(request, queryset)

    def page_rows(self, queryset: QuerySet, page_ids: QuerySet) -> Iterable:
        """The page's rows; a subclass may add what each row carries."""
        return plain_rows(queryset, page_ids)

    def get_paginated_response(self, data) -> Response:
        return Response(self.page.listing(data))

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {"name": "page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
            {"name": "per_page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}},
        ]  # fmt: skip

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["data", "current_page", "last_page", "per_page", "total"],
            "properties": {
                "data": schema,
                "current_page": {"type": "integer", "example": 1},
                "last_page": {"type": "integer", "example": 3},
                "per_page": {"type": "integer", "example": 25},
                "total": {"type": "integer", "example": 72},
            },
        }
