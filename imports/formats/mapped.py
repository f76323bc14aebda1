"""Any other CSV, read by the trader's column mapping (mapping.py states its rules): each row one
fill, or at the trades level an entry fill and, once closed, an exit fill (journal_rows.py).

The table is found as formats find theirs (base.Layout): the first of the file's first records that
has every mapped column, with the delimiter its header is written with; in a `;` file a comma is
the decimal mark. Commission and fees are costs, their sign ignored. A trade's gross `pnl` states
its point value where no multiplier is mapped. A mapping is not a format that detects files: an
import names it (`format=mapped`), or finds it by the file's header (imports/services.py).
"""

from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base, dated, journal_rows
from imports.formats import mapping as rules

NAME = rules.MAPPED
ISO_DATE = "%Y-%m-%d"
BROKER = "Mapped file"
NO_TABLE = "the file has no header with the columns the mapping reads"
MISSING = "the file has no column {columns}, which the mapping reads"


class MappedFormat:
    """A mapping as an import format (formats.Format), named after the mapping: a file without
    account numbers goes to the default account of that name."""

    NAME = NAME

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.BROKER = mapping.get("name") or BROKER
        self.TRADE_LEVEL = mapping["level"] == rules.TRADES

    def detect(self, head: str) -> bool:
        return False

    def parse(self, text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
        columns = self.mapping["columns"]
        header = rules.find_header(text)
        delimiter = header.delimiter if header is not None else ","
        layout = base.Layout(
            {name: (base.normalise_header(column),) for name, column in columns.items()},
            required=tuple(columns), missing=NO_TABLE, delimiter=delimiter, within=rules.HEADER_SEARCH,
        )  # fmt: skip
        try:
            table = layout.read(text)
        except base.FormatError:
            raise base.FormatError(self._missing(header)) from None
        row_reader = _Rows(self.mapping, tz, semicolons=delimiter == ";")
        if self.TRADE_LEVEL:
            yield from table.read(row_reader.trade)
        elif "date" in columns and "time_of_day" not in columns:
            yield from dated.timed(table.read(row_reader.dated_fill), tz, newest_first=False)
        else:
            yield from table.read(row_reader.fill)

    def _missing(self, header: rules.Header | None) -> str:
        if header is None:
            return NO_TABLE
        names = {base.normalise_header(name) for name in header.cells}
        absent = [f"{column!r} (its {name})" for name, column in self.mapping["columns"].items()
                  if base.normalise_header(column) not in names]  # fmt: skip
        return MISSING.format(columns=", ".join(absent)) if absent else NO_TABLE


class _Rows:
    """How one mapping reads a row's cells."""

    def __init__(self, mapping: Mapping, tz: ZoneInfo, *, semicolons: bool) -> None:
        self.level = mapping["level"]
        side_values = (mapping.get("values") or {}).get("side") or {}
        self.sides = rules.SIDE_WORDS[self.level] | {_key(value): ours for value, ours in side_values.items()}
        self.date_format = mapping.get("date_format")
        self.timed = rules.has_clock(self.date_format)
        self.tz = tz
        self.semicolons = semicolons
        self.clock = base.DayClock(tz)

    def number(self, text: str) -> Decimal | None:
        return base.parse_local_decimal(text, semicolons=self.semicolons)

    def required(self, text: str, what: str) -> Decimal:
        value = self.number(text)
        if value is None:
            raise base.RowProblem(f"the {what} is missing")
        return value

    def side(self, text: str) -> str:
        side = self.sides.get(_key(text))
        if side is None and not text.strip():
            raise base.RowProblem("the side is missing")
        if side is None:
            raise base.RowProblem(f"the side {text!r} is not mapped to {' or '.join(rules.SIDES[self.level][:2])}")
        return side

    def moment(self, text: str, what: str) -> datetime:
        formats = (self.date_format,) if self.date_format else ()
        return base.parse_time(text, formats, self.tz, what)

    def day(self, text: str, what: str):
        return dated.parse_day(text, (*filter(None, [self.date_format]), ISO_DATE), what)

    def fill(self, row: int, cells: base.Cells) -> base.Fill:
        if "time" in cells:
            moment = self.moment(cells["time"], "time")
        else:
            moment = self.moment(f"{cells['date']} {cells['time_of_day']}".strip(), "date and time")
        return self._fill(row, cells, moment)

    def dated_fill(self, row: int, cells: base.Cells) -> dated.Dated:
        fill = self._fill(row, cells, dated.UNTIMED)
        return dated.Dated(fill, self.day(cells["date"], "date"))

    def _fill(self, row: int, cells: base.Cells, moment: datetime) -> base.Fill:
        instrument = cells["instrument"].strip().upper()
        if not instrument:
            raise base.RowProblem("the instrument is missing")
        quantity = self.required(cells["quantity"], "quantity")
        if "side" in cells:
            side, effect = rules.SIDE_EFFECTS[self.side(cells["side"])]
        else:
            side, effect = (base.SELL if quantity < 0 else base.BUY), None
        if quantity == 0:
            raise base.RowProblem("the quantity is 0")
        price = self.required(cells["price"], "price")
        if price <= 0:
            raise base.RowProblem("the price must be above 0")
        multiplier = self.number(cells["multiplier"])
        if multiplier is not None and multiplier <= 0:
            raise base.RowProblem("the multiplier must be above 0")
        return base.Fill(
            row=row, instrument=instrument, time=moment, side=side, quantity=abs(quantity), price=price,
            commission=abs(self.number(cells["commission"]) or 0), fees=abs(self.number(cells["fees"]) or 0),
            exec_id=cells["exec_id"].strip() or None, account=_account(cells), multiplier=multiplier, effect=effect,
        )  # fmt: skip

    def trade(self, row: int, cells: base.Cells) -> list[base.Fill]:
        instrument = cells["instrument"].strip().upper()
        side = self.side(cells["side"])
        quantity = abs(self.required(cells["quantity"], "quantity"))
        entry_price = self.required(cells["entry_price"], "entry price")
        exit_price = self.number(cells["exit_price"])
        closed = bool(cells["exit_time"].strip())
        trade = journal_rows.RoundTrip(
            row=row, instrument=instrument, side=side, quantity=quantity,
            entry_time=self.trade_time(cells["entry_time"], "entry time", instrument), entry_price=entry_price,
            exit_time=self.trade_time(cells["exit_time"], "exit time", instrument) if closed else None,
            exit_price=exit_price, commission=abs(self.number(cells["commission"]) or 0),
            multiplier=journal_rows.point_value(self.number(cells["pnl"]), side, entry_price, exit_price, quantity),
            account=_account(cells),
        )  # fmt: skip
        return journal_rows.fills(trade)

    def trade_time(self, text: str, what: str, instrument: str) -> datetime:
        if self.timed:
            return self.moment(text, what)
        return self.clock.at(self.day(text, what), instrument)


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


def _account(cells: base.Cells) -> base.AccountRef | None:
    number, currency = cells["account"].strip(), cells["currency"].strip().upper()
    if not number and not currency:
        return None
    return base.AccountRef(number=number or None, currency=currency or None)
