"""The Activity Statement CSV: many sections, each "Section,Header,..." then "Section,Data,...".
Trades rows are fills (executions where the statement lists them, orders otherwise); the cash
activity sections' rows are skipped; the other sections are the statement's context."""

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.base import Fill, RowError, Skip
from imports.formats.ibkr.flex import CLOSED_LOT, ORDER_WITH_EXECUTIONS

_ASSET_CLASSES = {
    "stocks": base.STOCK,
    "equity and index options": base.OPTION,
    "futures": base.FUTURE,
    "options on futures": base.FUTURE_OPTION,
    "forex": base.FOREX,
    "cfds": base.CFD,
    "crypto": base.CRYPTO,
}
_EXECUTIONS = {"execution", "trade"}  # "Trade" in older statements
_CASH_SECTIONS = {
    "deposits & withdrawals": "deposit or withdrawal, not a trade",
    "dividends": "dividend, not a trade",
    "payment in lieu of dividends": "payment in lieu of a dividend, not a trade",
    "withholding tax": "withholding tax, not a trade",
    "interest": "interest, not a trade",
    "broker interest paid": "interest, not a trade",
    "broker interest received": "interest, not a trade",
    "fees": "fee, not a trade",
    "other fees": "fee, not a trade",
    "transfers": "transfer, not a trade",
    "corporate actions": "corporate action, not a trade",
}
_TIME_FORMATS = ("%Y-%m-%d, %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S")
_DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d")
_PARENTHESES = re.compile(r"\s*\(.*\)$")


def is_statement(first: list[str]) -> bool:
    return len(first) > 2 and first[1] == "Header" and (first[0] == "Statement" or "DataDiscriminator" in first)


def parse(rows: list[tuple[int, list[str]]], tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    headers: dict[str, list[str]] = {}
    about: dict[str, str] = {}  # Account Information: Account, Base Currency, ...
    trades: list[tuple[int, dict[str, str]]] = []
    skips: list[Skip] = []
    for row, cells in rows:
        section, kind, values = cells[0], cells[1] if len(cells) > 1 else "", cells[2:]
        if kind == "Header":
            headers[section] = [base.normalise_header(name) for name in values]
        elif kind == "Data":
            record = dict(zip(headers.get(section, []), values, strict=False))
            if section == "Account Information":
                about[record.get("field name", "").lower()] = record.get("field value", "")
            elif section == "Trades":
                trades.append((row, record))
            elif section.lower() in _CASH_SECTIONS and not (values and values[0].startswith("Total")):
                skips.append(Skip(row, _CASH_SECTIONS[section.lower()]))
    default_account = _PARENTHESES.sub("", about.get("account", "")) or None
    executed = {
        record.get("account") or default_account for _, record in trades if _discriminator(record) in _EXECUTIONS
    }
    clock = base.DayClock(tz)
    items: list[Fill | Skip | RowError] = list(skips)
    for row, record in trades:
        try:
            item = _item(row, record, tz, clock, executed, default_account)
        except (base.RowProblem, ArithmeticError) as exc:
            item = RowError(row, str(exc))
        if item is not None:
            items.append(item)
    return iter(sorted(items, key=lambda item: item.row))


def _item(
    row: int, record: dict[str, str], tz: ZoneInfo, clock: base.DayClock, executed: set, default_account: str | None
) -> Fill | Skip | None:
    kind = _discriminator(record)
    account = record.get("account") or default_account
    if kind in ("subtotal", "total", ""):
        return None  # the statement's totals
    if kind == "closedlot":
        return Skip(row, CLOSED_LOT)
    if kind == "order" and account in executed:
        return Skip(row, ORDER_WITH_EXECUTIONS)
    if kind not in _EXECUTIONS | {"order"}:
        return Skip(row, f"{record.get('datadiscriminator')} line, not a fill")
    instrument = " ".join(record.get("symbol", "").upper().split())
    if not instrument:
        raise base.RowProblem("the symbol is missing")
    quantity = base.require_decimal(record.get("quantity"), "quantity")
    if quantity == 0:
        raise base.RowProblem("the quantity is 0")
    asset = _ASSET_CLASSES.get(record.get("asset category", "").lower(), "")
    price = base.require_decimal(record.get("t price"), "price")
    codes = {code.strip() for code in record.get("code", "").split(";")}
    if price < 0 or (price == 0 and not codes & {"Ep", "A", "Ex"}):
        raise base.RowProblem(f"the price {price} is not positive")
    commission = next((value for name, value in record.items() if name.startswith("comm")), "")
    multiplier = None
    if asset not in (base.STOCK, base.FOREX, ""):
        multiplier = base.implied_multiplier(base.parse_decimal(record.get("proceeds")), price, abs(quantity))
    currency = record.get("currency", "").upper() or None
    return Fill(
        row=row,
        instrument=instrument,
        time=_time(record.get("date/time", ""), tz, clock, instrument),
        side=base.BUY if quantity > 0 else base.SELL,
        quantity=abs(quantity),
        price=price,
        commission=-(base.parse_decimal(commission) or Decimal(0)),
        account=base.AccountRef(account, None, currency) if account or currency else None,
        multiplier=multiplier,
        asset_class=asset,
        effect=base.OPEN
        if "O" in codes and "C" not in codes
        else base.CLOSE
        if "C" in codes and "O" not in codes
        else None,
    )


def _time(text: str, tz: ZoneInfo, clock: base.DayClock, instrument: str) -> datetime:
    if _DATE_ONLY.fullmatch(text.strip()):
        return clock.at(datetime.strptime(text.strip(), "%Y-%m-%d").date(), instrument)
    return base.parse_time(text, _TIME_FORMATS, tz, "date/time")


def _discriminator(record: dict[str, str]) -> str:
    return record.get("datadiscriminator", "").lower().replace(" ", "")
