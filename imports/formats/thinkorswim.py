"""thinkorswim (TD Ameritrade / Schwab) "Account Statement" CSV (Monitor > Account Statement > Export)
and "Today's Trade Activity" CSV (Monitor > Activity and Positions > Export): a statement of sections,
each a title line, a header and its rows.

- Account Trade History: the fills. A spread is a line with the time and its further legs below
  it with none (each leg a fill at that time). Expirations, assignments and exercises listed here
  (Pos Effect EXPIRED/ASSIGNED/EXERCISED) close the position; an empty Side reads from Qty's sign.
- Cash Balance, Futures Statements, Forex Statements: money lines. A trade's line (TRD, "BOT +1
  /MESZ25 @6050.25") carries its commission and misc fees; it is matched to the execution of the
  same side, quantity and symbol within two minutes, and its costs are spread over that
  execution's legs by quantity. Other lines (deposits, dividends) are skipped with what they are.
- Filled Orders (Today's Trade Activity): the fills, read as Account Trade History's.
- Account Order History, and Working Orders and Canceled Orders: one order per line (a stop or a
  spread leg continues on the next lines, part of the same order); orders are skipped: filled ones
  because their fills are the Trade History's, the rest because they never filled (cancelled,
  rejected, expired, working).
- Positions (Equities, Options, Futures...), Profits and Losses and the summaries are snapshots and
  totals, not transactions: structure, like the balance and TOTAL lines.

Instruments: stocks as their symbol, futures as /ROOT+month (/MESZ25), options as
"SPX 25 MAR 26 6535 PUT" (symbol, Exp, Strike, Type), futures options as "/E1AQ25 6350 PUT" with
the point value the symbol states ("/ESU25 1/50 ..."). Times are local, with no zone (`tz`).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "thinkorswim"
BROKER = "thinkorswim"

TRADES, ORDERS = "account trade history", "account order history"
# Today's Trade Activity names its sections otherwise; they read as the statement's.
SECTIONS = {"filled orders": TRADES, "working orders": ORDERS, "canceled orders": ORDERS}
CASH = ("cash balance", "futures statements", "forex statements")
OTHER_SECTIONS = (
    "equities", "options", "futures", "futures options", "forex", "crypto", "profits and losses",
    "account summary", "forex account summary", "cash & sweep vehicle", "rolling strategies",
)  # fmt: skip
COLUMNS = {
    TRADES: {
        "time": ("exec time",), "side": ("side",), "qty": ("qty",), "effect": ("pos effect",),
        "symbol": ("symbol",), "exp": ("exp",), "strike": ("strike",), "type": ("type",), "price": ("price",),
    },
    ORDERS: {"time": ("time placed", "time canceled"), "status": ("status",)},
    "cash": {
        "date": ("exec date", "date"), "time": ("exec time", "time"), "type": ("type",),
        "description": ("description",), "misc": ("misc fees",), "commission": ("commissions & fees",),
    },
}  # fmt: skip
TIME_FORMATS = ("%m/%d/%y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%y %H:%M", "%m/%d/%Y %H:%M")
EFFECTS = {"to open": base.OPEN, "to close": base.CLOSE, "expired": base.CLOSE, "assigned": base.CLOSE,
           "exercised": base.CLOSE}  # fmt: skip
ASSET_CLASSES = {"stock": base.STOCK, "etf": base.STOCK, "future": base.FUTURE, "forex": base.FOREX}
CASH_LINES = {
    "DOI": "dividend or interest, not a trade",
    "EFN": "deposit or withdrawal, not a trade",
    "WIR": "deposit or withdrawal, not a trade",
    "ACH": "deposit or withdrawal, not a trade",
    "JRN": "journal entry between accounts, not a trade",
    "ADJ": "cash adjustment, not a trade",
    "RAD": "position removed or delivered (expiration, assignment): a cash line, not a fill",
}
# A cash line's time is the execution's to the second, but statements re-saved by Excel keep the minute.
MATCH_WINDOW = timedelta(minutes=2)
_ACCOUNT = re.compile(
    r"(?:Account Statement for (\S+)(?:\s+\((.*?)\))?\s+since|Today's Trade Activity for (\S*)\s*(?:\((.*?)\))?\s+on)",
    re.IGNORECASE,
)
TITLES = ("Account Statement for", "Today's Trade Activity for")
_CASH_TRADE = re.compile(r"\b(BOT|SOLD)\s+([+-]?[\d,.]+)\s+(.*?)\s*@", re.IGNORECASE)
_POINT_VALUE = re.compile(r"\b1/(\d+(?:\.\d+)?)\b")

NOT_A_STATEMENT = (
    "not a thinkorswim Account Statement or Today's Trade Activity: no title line ('Account Statement for', "
    "'Today's Trade Activity for') and no Account Trade History"
)
MATCHED = "cash line of a trade: its commission and fees are on the fills"
UNMATCHED = "cash line of a trade with no execution in Account Trade History: its fees are not imported"


def _lines(text: str) -> list[str]:
    return [line.strip().rstrip(",").strip() for line in text.splitlines() if line.strip().strip(",")]


def detect(head: str) -> bool:
    lines = _lines(head)
    if any(line.startswith(TITLES) for line in lines[:3]):
        return True
    return any(line.lower() == TRADES for line in lines) and "Pos Effect" in head and "Exec Time" in head


@dataclass
class _Leg:
    row: int
    values: dict
    commission: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)


@dataclass
class _Execution:
    """A Trade History line and the spread legs listed under it."""

    time: datetime
    side: str
    quantity: Decimal
    symbol: str
    legs: list[_Leg] = field(default_factory=list)
    matched: bool = False
    broken: bool = False  # its line could not be read: so cannot the legs below it


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    head = text[:16384]
    if not detect(head):
        raise base.FormatError(NOT_A_STATEMENT)
    account = _account(_lines(head)[:3])
    items: list[base.Item] = []
    executions: list[_Execution] = []
    cash_trades: list[tuple[int, dict]] = []
    section, columns, header = None, None, None
    for row, cells in base.csv_rows(text):
        if len(cells) == 1:
            title = SECTIONS.get(cells[0].lower(), cells[0].lower())
            section = title if title in (TRADES, ORDERS, *CASH, *OTHER_SECTIONS) else None
            columns = header = None
            continue
        if section not in (TRADES, ORDERS, *CASH):
            continue
        if columns is None or cells == header:
            header = cells
            columns = base.find_columns(cells, COLUMNS["cash" if section in CASH else section])
            continue
        values = {name: base.cell(cells, index) for name, index in columns.items()}
        try:
            if section == TRADES:
                _read_execution(row, values, executions)
            elif section == ORDERS:
                if values.get("time"):
                    items.append(base.Skip(row, _order_reason(values.get("status", ""))))
            elif values.get("date") and values.get("type"):  # without them: a TOTAL or summary line
                kind = values["type"].upper()
                if kind == "TRD":
                    cash_trades.append((row, values))
                elif kind != "BAL":  # a balance line is a statement total
                    items.append(base.Skip(row, CASH_LINES.get(kind, f"cash line ({kind}), not a trade")))
        except base.RowProblem as problem:
            items.append(base.RowError(row, str(problem)))
            if section == TRADES and values.get("time"):
                executions.append(_Execution(datetime.min, "", Decimal(0), "", matched=True, broken=True))
    by_size: dict[tuple[str, Decimal], list[_Execution]] = {}
    for execution in executions:
        by_size.setdefault((execution.side, execution.quantity), []).append(execution)
    for row, values in cash_trades:
        items.append(_apply_costs(row, values, by_size))
    items.extend(_fills(executions, account, tz))
    yield from sorted(items, key=lambda item: item.row)


def _account(first_lines: list[str]) -> base.AccountRef | None:
    for line in first_lines:
        match = _ACCOUNT.search(line)
        if match:
            number, name = match.group(1) or match.group(3) or "", match.group(2) or match.group(4)
            number = number if re.search(r"[A-Za-z0-9]", number) else None
            return base.AccountRef(number=number, name=name or None) if number or name else None
    return None


def _order_reason(status: str) -> str:
    upper = status.strip().upper()
    if upper.startswith(("FILLED", "PARTIALLY FILLED")):
        return "filled order: its executions are read from Account Trade History"
    if upper.startswith("CANCEL"):
        return "cancelled order"
    if upper.startswith("REJECTED"):
        detail = status.partition(":")[2].strip()
        return f"rejected order: {detail}" if detail else "rejected order"
    if upper.startswith("EXPIRED"):
        return "order expired unfilled"
    if upper.startswith(("WORKING", "PENDING", "QUEUED", "OPEN", "TRIGGERED")):
        return "working order, not filled"
    if upper.startswith("REPLACED"):
        return "replaced order (its replacement is listed on its own line)"
    return f"order {status.strip().lower() or 'without a status'}, not a fill"


def _read_execution(row: int, values: dict, executions: list[_Execution]) -> None:
    quantity = base.require_decimal(values.get("qty"), "quantity")
    side_text = values.get("side", "").upper()
    if side_text not in ("BUY", "SELL", ""):
        raise base.RowProblem(f"the side {values.get('side')!r} is not BUY or SELL")
    side = {"BUY": base.BUY, "SELL": base.SELL}.get(side_text) or (base.SELL if quantity < 0 else base.BUY)
    leg = _Leg(row, {**values, "side": side, "qty": abs(quantity)})
    if values.get("time"):
        moment = base.parse_time(values["time"], TIME_FORMATS, ZoneInfo("UTC")).replace(tzinfo=None)
        symbol = values.get("symbol", "").split(" ")[0].upper()
        executions.append(_Execution(moment, side, abs(quantity), symbol, [leg]))
    elif not executions:
        raise base.RowProblem("a spread leg with no execution line above it")
    elif executions[-1].broken:
        raise base.RowProblem("a spread leg whose execution line above could not be read")
    else:
        executions[-1].legs.append(leg)


def _apply_costs(row: int, values: dict, executions: dict[tuple[str, Decimal], list[_Execution]]) -> base.Item:
    """Match a TRD cash line to its execution and spread its costs over the legs; the line's Skip.
    `executions` are the Trade History's by (side, quantity): a statement holds thousands."""
    match = _CASH_TRADE.search(values.get("description", ""))
    if match is None:
        return base.Skip(row, UNMATCHED)
    try:
        commission = -(base.parse_decimal(values.get("commission")) or Decimal(0))
        fees = -(base.parse_decimal(values.get("misc")) or Decimal(0))
        quantity = abs(base.parse_decimal(match.group(2)) or Decimal(0))
        moment = base.parse_time(f"{values['date']} {values.get('time', '')}", TIME_FORMATS, ZoneInfo("UTC"))
    except base.RowProblem as problem:
        return base.RowError(row, f"cash line of a trade: {problem}")
    side = base.BUY if match.group(1).upper() == "BOT" else base.SELL
    tokens = {token.split(":")[0].upper() for token in match.group(3).split()}
    moment = moment.replace(tzinfo=None)
    candidates = [
        execution
        for execution in executions.get((side, quantity), ())
        if not execution.matched and execution.symbol in tokens and abs(execution.time - moment) <= MATCH_WINDOW
    ]
    if not candidates:
        return base.Skip(row, UNMATCHED)
    execution = min(candidates, key=lambda e: abs(e.time - moment))
    execution.matched = True
    _spread(execution.legs, commission, "commission")
    _spread(execution.legs, fees, "fees")
    return base.Skip(row, MATCHED)


def _spread(legs: list[_Leg], amount: Decimal, attribute: str) -> None:
    """Share `amount` over the legs by quantity, to the cent; the last leg takes the rounding."""
    total = sum(leg.values["qty"] for leg in legs)
    left = amount
    for leg in legs[:-1]:
        share = (amount * leg.values["qty"] / total).quantize(Decimal("0.01"))
        setattr(leg, attribute, getattr(leg, attribute) + share)
        left -= share
    setattr(legs[-1], attribute, getattr(legs[-1], attribute) + left)


def _fills(executions: list[_Execution], account: base.AccountRef | None, tz: ZoneInfo) -> Iterator[base.Item]:
    for execution in executions:
        for leg in execution.legs:
            yield from base.read_row(leg.row, _fill, leg, execution.time.replace(tzinfo=tz), account)


def _fill(leg: _Leg, moment: datetime, account: base.AccountRef | None) -> base.Fill:
    values = leg.values
    kind = values.get("type", "").upper()
    symbol = " ".join(values.get("symbol", "").upper().split())
    if not symbol:
        raise base.RowProblem("the symbol is missing")
    multiplier = None
    if kind in ("CALL", "PUT"):
        exp, strike = values.get("exp", "").upper(), values.get("strike", "")
        if exp.startswith("/"):  # a futures option: Symbol describes it, Exp holds the option root
            asset_class, instrument = base.FUTURE_OPTION, f"{exp} {strike} {kind}"
            point_value = _POINT_VALUE.search(symbol)
            multiplier = Decimal(point_value.group(1)) if point_value else None
        else:
            asset_class, instrument = base.OPTION, f"{symbol} {exp} {strike} {kind}"
    else:
        asset_class, instrument = ASSET_CLASSES.get(kind.lower(), ""), symbol
        if symbol.startswith("/"):
            asset_class = base.FUTURE
    price = base.require_decimal(values.get("price"), "price")
    if price < 0 or (price == 0 and asset_class not in (base.OPTION, base.FUTURE_OPTION)):
        raise base.RowProblem("the price must be above 0 (0 only for an expired option)")
    if values["qty"] == 0:
        raise base.RowProblem("the quantity is 0")
    return base.Fill(
        row=leg.row,
        instrument=instrument,
        time=moment,
        side=values["side"],
        quantity=values["qty"],
        price=price,
        commission=leg.commission,
        fees=leg.fees,
        account=account,
        multiplier=multiplier,
        asset_class=asset_class,
        effect=EFFECTS.get(values.get("effect", "").lower()),
    )
