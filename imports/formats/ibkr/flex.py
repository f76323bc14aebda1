"""Flex Query reports (XML and CSV, Activity and Trade Confirmation): each trade record is a fill,
an order total, a closed-lot restatement or a cash transaction; corporate actions are read by
corporate.py."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import ParseError
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings

from imports.formats import base
from imports.formats.base import Fill, Item, RowError, Skip
from imports.formats.ibkr import corporate

# Sections whose elements are records; the rest of a statement (positions, cash report, summaries
# of the same activity) is context, not rows to import.
_TRADE_SECTIONS = {"Trades", "TradeConfirms"}
_CASH_SECTIONS = {"CashTransactions"}
_CORPORATE_SECTIONS = {"CorporateActions"}
_RECORD_SECTIONS = _TRADE_SECTIONS | _CASH_SECTIONS | _CORPORATE_SECTIONS
MAX_DEPTH = 32  # a report's records are 4 deep
_CSV_TRADES, _CSV_CASH, _CSV_CORPORATE = "TRNT", "CTRN", "CORP"
_ENVELOPE = {"BOF", "BOA", "BOS", "EOS", "EOA", "EOF"}  # Flex CSV header and trailer records
_CSV_FIELDS = {"buysell", "tradeprice", "ibcommission", "ibexecid", "clientaccountid", "levelofdetail"}
# A Trade Confirmation query may hold few columns, and no account: these, and a price, are enough.
_CONFIRMATION_FIELDS = {"symbol", "buysell", "quantity", "datetime"}

_SUMMARIES = {"SYMBOL_SUMMARY", "ASSET_SUMMARY", "SUMMARY"}
_LEVEL_BY_TAG = {"Order": "ORDER", "Lot": "CLOSED_LOT", "SymbolSummary": "SYMBOL_SUMMARY", "AssetSummary": "SUMMARY"}
_ASSET_CLASSES = {
    "STK": base.STOCK,
    "ETF": base.STOCK,
    "OPT": base.OPTION,
    "FUT": base.FUTURE,
    "FOP": base.FUTURE_OPTION,
    "CASH": base.FOREX,
    "CFD": base.CFD,
    "CRYPTO": base.CRYPTO,
}
# Exchange time zones IBKR appends to a time ("20261231;233000 EST"): the file's zone wins.
_ZONES = {"EST": "America/New_York", "EDT": "America/New_York", "ET": "America/New_York", "UTC": "UTC", "GMT": "UTC"}
_WHEN = re.compile(
    r"(?P<date>\d{8}|\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4})"
    r"(?:[;, T]+(?P<h>\d\d):?(?P<m>\d\d):?(?P<s>\d\d))?(?:\s+(?P<zone>[A-Z]{2,4}))?"
)
_CASH_REASONS = {
    "deposits/withdrawals": "deposit or withdrawal, not a trade",
    "dividends": "dividend, not a trade",
    "payment in lieu of dividends": "payment in lieu of a dividend, not a trade",
    "withholding tax": "withholding tax, not a trade",
    "broker interest paid": "interest, not a trade",
    "broker interest received": "interest, not a trade",
    "bond interest received": "interest, not a trade",
    "other fees": "fee, not a trade",
    "commission adjustments": "commission adjustment, not a trade",
}
ORDER_WITH_EXECUTIONS = "order total: its executions are imported"
CLOSED_LOT = "closed lot: restates the closing fill"


@dataclass
class Record:
    """One report row: its position (the row number), its element tag, its fields by lower-case name."""

    row: int
    tag: str
    fields: dict[str, str]

    def get(self, *names: str) -> str:
        return next((self.fields[name].strip() for name in names if self.fields.get(name, "").strip()), "")


def is_flex_csv(first: list[str]) -> bool:
    names = {_key(cell) for cell in first}
    confirmation = names >= _CONFIRMATION_FIELDS and bool(names & {"price", "tradeprice"})
    return bool(first) and (first[0] in _ENVELOPE | {"HEADER"} or len(names & _CSV_FIELDS) >= 2 or confirmation)


def parse_xml(text: str, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    """Read as a stream (defusedxml's iterparse): each element is dropped once read, the records
    are counted against the row limit as they come, and no document deeper than a report is read,
    so neither time nor memory depends on the file's shape beyond its size."""
    records, position, limit = [], 0, settings.IMPORT_MAX_ROWS
    tags: list[str] = []  # the open elements' tags, the document's first
    elements: list = []  # and the elements, to drop each from its parent once read
    accounts: list[str] = []  # the open FlexStatements' accountId
    try:
        # No DTD, so no entity expansion (billion laughs) and no external entities.
        for event, element in iterparse(_Chunks(text), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                if not tags and element.tag != "FlexQueryResponse":
                    raise base.FormatError(f"not a Flex Query report: the document is <{element.tag}>")
                if len(tags) >= MAX_DEPTH:
                    raise base.FormatError(f"elements nested more than {MAX_DEPTH} deep")
                tags.append(element.tag)
                elements.append(element)
                if element.tag == "FlexStatement":
                    accounts.append(element.get("accountId", ""))
                continue
            if len(tags) >= 3 and tags[-3] == "FlexStatement" and tags[-2] in _RECORD_SECTIONS:
                position += 1
                if position > limit:
                    raise base.TooManyRows
                fields = {_key(name): value for name, value in element.attrib.items()}
                fields.setdefault("accountid", accounts[-1])
                records.append(Record(position, element.tag, fields))
            if element.tag == "FlexStatement":
                accounts.pop()
            tags.pop()
            elements.pop()
            if elements:
                del elements[-1][-1]  # the element just read: its parent's last child
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise base.FormatError(f"not a readable Flex XML report ({exc})") from None
    return _items(records, tz)


class _Chunks:
    """The text for iterparse a megabyte at a time: expat scans a token cut by the end of a chunk
    again from its start with each chunk, and iterparse's own 16 KB chunks made a 20 MB attribute
    take 11.3 s of CPU (1 MB chunks: 0.29 s)."""

    SIZE = 1024 * 1024

    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def read(self, size: int = -1) -> str:
        chunk = self.text[self.at : self.at + self.SIZE]
        self.at += self.SIZE
        return chunk


def parse_csv(rows: list[tuple[int, list[str]]], tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    """Both the plain layout (a header line per section) and the one whose lines start with
    HEADER/DATA and a section code (TRNT trades, CTRN cash transactions, CORP corporate actions)."""
    records, names, section = [], [], _CSV_TRADES
    for row, cells in rows:
        kind = cells[0].upper()
        if kind in _ENVELOPE:
            continue
        if kind in ("HEADER", "DATA"):
            code, cells = cells[1].upper() if len(cells) > 1 else "", cells[2:]
            if kind == "HEADER":
                names, section = [_key(cell) for cell in cells], code
                continue
            if code != section:
                if code in _CSV_TAGS:
                    records.append(Record(row, "Unheaded", {}))
                continue
        elif _is_header(cells):
            names = [_key(cell) for cell in cells]
            section = (
                _CSV_CORPORATE if "actiondescription" in names
                else _CSV_TRADES if "buysell" in names
                else _CSV_CASH if "amount" in names
                else "OTHER"
            )  # fmt: skip
            continue
        if section in _CSV_TAGS:
            records.append(Record(row, _CSV_TAGS[section], dict(zip(names, cells, strict=False))))
    return _items(records, tz)


_CSV_TAGS = {_CSV_TRADES: "Trade", _CSV_CASH: "CashTransaction", _CSV_CORPORATE: "CorporateAction"}


def _is_header(cells: list[str]) -> bool:
    names = {_key(cell) for cell in cells}
    return bool(names & (_CSV_FIELDS | {"actiondescription"} | _CONFIRMATION_FIELDS)) and not any(
        _is_number(cell) for cell in cells
    )


def _items(records: list[Record], tz: ZoneInfo) -> Iterator[Item]:
    actions = [record for record in records if record.tag == "CorporateAction"]
    records = [record for record in records if record.tag != "CorporateAction"]
    # Orders restate executions: an account that lists executions is imported from them alone.
    executed = {
        _account_number(record)
        for record in records
        if record.tag != "CashTransaction" and _level(record) == "EXECUTION"
    }
    clock = base.DayClock(tz)
    items: list[Item] = []
    for record in records:
        try:
            item = _item(record, tz, executed, clock)
        except (base.RowProblem, ArithmeticError) as exc:
            item = RowError(record.row, str(exc))
        if item is not None:
            items.append(item)
    if not actions:
        return iter(items)
    # An action's old shares are named as the file's trades name their contract.
    symbols = {r.get("conid"): _instrument(r) for r in records if r.tag != "CashTransaction" and r.get("conid")}
    items += corporate.items(
        actions, time_of=lambda record, instrument: _time(record, tz, clock, instrument), account_of=_account,
        symbols=symbols,
    )  # fmt: skip
    return iter(sorted(items, key=lambda item: item.row))


def _item(record: Record, tz: ZoneInfo, executed: set[str], clock: base.DayClock) -> Fill | Skip | None:
    if record.tag == "Unheaded":
        raise base.RowProblem("a DATA line without the HEADER line that names its columns")
    if record.tag == "CashTransaction":
        kind = record.get("type")
        return Skip(record.row, _CASH_REASONS.get(kind.lower(), f"{kind or 'cash transaction'}, not a trade"))
    level = _level(record)
    if level in _SUMMARIES:
        return None  # a statement's summary line
    if level == "CLOSED_LOT":
        return Skip(record.row, CLOSED_LOT)
    if record.tag not in ("Trade", "TradeConfirm", "Order"):
        return Skip(record.row, f"{record.tag}, not a fill")
    if level == "ORDER" and _account_number(record) in executed:
        return Skip(record.row, ORDER_WITH_EXECUTIONS)
    if record.get("transactiontype").lower() == "tradecancel" or "(ca.)" in record.get("buysell").lower():
        return Skip(record.row, "cancelled trade")
    return _fill(record, tz, clock, execution=level == "EXECUTION")


def _instrument(record: Record) -> str:
    return " ".join(record.get("symbol", "isin", "securityid").upper().split())


def _fill(record: Record, tz: ZoneInfo, clock: base.DayClock, *, execution: bool) -> Fill:
    instrument = _instrument(record)
    if not instrument:
        raise base.RowProblem("the symbol is missing: the row names no Symbol, ISIN or security ID")
    quantity = base.require_decimal(record.get("quantity"), "quantity")
    side = _side(record.get("buysell"), quantity)
    quantity = abs(quantity)
    if quantity == 0:
        raise base.RowProblem("the quantity is 0")
    asset = base.asset_class_of(instrument, _ASSET_CLASSES.get(record.get("assetcategory", "assetclass").upper(), ""))
    price = base.require_decimal(record.get("tradeprice", "price"), "price")
    codes = set(re.split(r"[;,\s]+", record.get("notes", "notescodes", "code")))
    removal = codes & {"Ep", "A", "Ex"} and asset in (base.OPTION, base.FUTURE_OPTION)
    if price < 0 or (price == 0 and not removal):
        raise base.RowProblem(f"the price {price} is not positive")
    return Fill(
        row=record.row,
        instrument=instrument,
        time=_time(record, tz, clock, instrument),
        side=side,
        quantity=quantity,
        price=price,
        commission=-(base.parse_decimal(record.get("ibcommission", "commission")) or 0),
        fees=-(base.parse_decimal(record.get("taxes", "tax")) or 0),
        exec_id=(record.get("ibexecid", "execid", "tradeid") or None) if execution else None,
        account=_account(record),
        multiplier=_multiplier(record, price, quantity),
        asset_class=asset,
        effect=_effect(record.get("opencloseindicator") or record.get("code")),
    )


def _multiplier(record: Record, price: Decimal, quantity: Decimal) -> Decimal | None:
    """The stated multiplier, unless the money (proceeds, trade money) says otherwise: the money wins."""
    stated = base.parse_decimal(record.get("multiplier"))
    money = base.parse_decimal(record.get("proceeds", "trademoney", "amount"))
    implied = base.implied_multiplier(money, price, quantity)
    if implied is None or (stated and abs(implied - stated) <= stated / 100):
        return stated if stated and stated > 0 else None
    return implied


def _time(record: Record, tz: ZoneInfo, clock: base.DayClock, instrument: str) -> datetime:
    raw = record.get("datetime")
    if not raw and record.get("tradedate"):
        raw = f"{record.get('tradedate')};{record.get('tradetime')}".rstrip(";")
    match = _WHEN.fullmatch(raw)
    if not match:
        raise base.RowProblem(f"the date {raw!r} is not a date and time Flex reports write" if raw else "no date")
    day = _date(match.group("date"))
    if match.group("h") is None:
        return clock.at(day, instrument)  # a date-only query: see base.DayClock
    zone = ZoneInfo(_ZONES[match.group("zone")]) if match.group("zone") in _ZONES else tz
    hour, minute, second = (int(match.group(part)) for part in "hms")
    try:
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)
    except ValueError:
        raise base.RowProblem(f"the time in {raw!r} is not a time of day") from None


def _date(text: str) -> date:
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise base.RowProblem(f"the date {text!r} is not a calendar date")


def _side(buy_sell: str, quantity: Decimal) -> str:
    text = buy_sell.upper()
    if text.startswith(("BUY", "BOT")):
        return base.BUY
    if text.startswith(("SELL", "SLD")):
        return base.SELL
    if quantity:
        return base.BUY if quantity > 0 else base.SELL
    raise base.RowProblem("neither Buy/Sell nor a signed quantity says the side")


def _effect(codes: str) -> str | None:
    tokens = set(re.split(r"[;,\s]+", codes.upper()))
    if "O" in tokens and "C" not in tokens:
        return base.OPEN
    if "C" in tokens and "O" not in tokens:
        return base.CLOSE
    return None  # none stated, or a fill that closes and reopens ("C;O")


def _level(record: Record) -> str:
    return (record.get("levelofdetail") or _LEVEL_BY_TAG.get(record.tag, "EXECUTION")).upper()


def _account_number(record: Record) -> str:
    return record.get("accountid", "clientaccountid")


def _account(record: Record) -> base.AccountRef | None:
    number, alias, currency = (
        _account_number(record),
        record.get("acctalias"),
        record.get("currency", "currencyprimary"),
    )
    if not (number or currency):
        return None
    return base.AccountRef(number or None, alias or None, currency.upper() or None)


def _key(name: str) -> str:
    """'Buy/Sell', 'buySell', 'Open/CloseIndicator' → 'buysell', 'opencloseindicator'."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?[\d.,]+", text.strip()))
