"""/api/v1/import-mappings: the trader's column mappings for files no format reads (imports/formats/mapping.py)."""

from drf_spectacular.utils import OpenApiExample, extend_schema

from imports.models import ImportMapping
from imports.serializers import ImportMappingSerializer
from journal.owned_api import NamedResourceViewSet, documented

EXAMPLE = {
    "name": "Zenith Securities", "level": "fills",
    "columns": {"date": "Trade Date", "time_of_day": "Exec Time", "instrument": "Ticker", "side": "B/S",
                "quantity": "Shares", "price": "Fill Px", "commission": "Comm", "fees": "Reg Fee", "exec_id": "Ref #",
                "order_id": "Ord #"},
    "values": {"side": {"B": "buy", "S": "sell", "SS": "sell_to_open", "BC": "buy_to_close"}},
    "date_format": "%d/%m/%Y %H:%M:%S", "tz": "Europe/London",
    "header_signature": "trade date|exec time|ticker|b/s|shares|fill px|comm|reg fee|ref #|ord #|venue",
}  # fmt: skip
EXAMPLES = [
    OpenApiExample("A broker's fills", request_only=True, value=EXAMPLE),
    OpenApiExample(
        "The mapping", response_only=True, status_codes=["200", "201"],
        value={"id": 7, **EXAMPLE, "created_at": "2025-03-15T10:30:00.000000Z"},
    ),
]  # fmt: skip


@documented(
    ImportMapping,
    list="Your column mappings, by name.",
    retrieve="One of your column mappings.",
    create="A mapping for files no format reads: an import names it (`format=mapped&mapping={id}`), and an "
    "`auto` import of a file whose header is its `header_signature` uses it without asking. The mapping a "
    "failed import suggests (`suggested_mapping`) is a good start.",
    partial_update="Changes the given fields; `columns` and `values` are replaced whole. Imports made before keep "
    "the mapping they were read by.",
    destroy="Imports made with it keep the mapping they were read by.",
)
@extend_schema(examples=EXAMPLES)
class ImportMappingViewSet(NamedResourceViewSet):
    model = ImportMapping
    serializer_class = ImportMappingSerializer
