"""Binance spot "Trade History" CSV (Orders > Spot Order > Trade History > Export), in its 2018 to
2024 layouts: every row is a fill, timed in
the zone the header states (UTC), whatever the import's tz.

A fee is a cost in the pair's quote coin (the money of its price): a fee charged in the quote coin
is kept, one charged in the base coin is converted at the fill's price, and one charged in a third
coin (BNB, for a "pay fees with BNB" account) is recorded as 0, because the file has no price to
convert it at. The instrument is the pair as Binance writes it (BTCUSDT); its P&L is in the quote coin,
which is the currency of the account it goes to (one per quote coin: USDT is not USD).

Spot can't be shorted: a sale with nothing held sold coins bought before the file, and is skipped
(base.spot_effect).
"""

import re
from collections.abc import Iterator
from datetime import timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from imports.formats import base
from imports.formats.base import Fill, RowError, Skip

NAME = "binance"
BROKER = "Binance"

_DATE_HEADER = re.compile(r"^date ?\(utc(?P<sign>[+-])?(?P<hours>\d{1,2})?(?::?(?P<minutes>\d\d))?\)$")
# 2020-2022: units glued to the numbers ("0.0015BTC"); 2018: plain numbers and a Fee Coin column;
# 2022-: Base Asset / Quote Asset columns.
_GLUED = {"pair", "side", "price", "executed", "amount", "fee"}
_MARKET = {"market", "type", "price", "amount", "total", "fee", "fee coin"}
_ASSETS = {"pair", "base asset", "quote asset", "type", "price", "amount", "fee", "fee coin"}
_LAYOUTS = (_GLUED, _MARKET, _ASSETS)
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")
# For a pair whose units are not written: the quote coins Binance lists markets in, longest first.
_QUOTES = sorted(
    ("USDT", "BUSD", "USDC", "FDUSD", "TUSD", "DAI", "BTC", "ETH", "BNB", "EUR", "GBP", "TRY", "BRL", "AUD", "USD"),
    key=len,
    reverse=True,
)
NOT_BINANCE = "not a Binance trade history: no Date(UTC), Pair/Market, Price, Fee columns"
TABLE = base.Layout(None, required=(), missing=NOT_BINANCE, empty="the file is empty")  # _is_trade_history checks it
_COIN_AMOUNT = re.compile(r"(?P<number>[\d.]+(?:[eE][-+]?\d+)?)\s*(?P<coin>[A-Z][A-Z0-9]*)")


def detect(head: str) -> bool:
    table = TABLE.find(head)
    return table is not None and _is_trade_history(table)


def parse(text: str, *, tz: ZoneInfo) -> Iterator[Fill | Skip | RowError]:
    table = TABLE.read(text)
    if not _is_trade_history(table):
        raise base.FormatError(NOT_BINANCE)
    date_column = _date_column(table)
    yield from table.read(_fill, date_column, _header_zone(date_column))


def _is_trade_history(table: base.Table) -> bool:
    return _date_column(table) is not None and any(layout <= table.columns.keys() for layout in _LAYOUTS)


def _date_column(table: base.Table) -> str | None:
    return next((name for name in table.columns if _DATE_HEADER.match(name)), None)


def _fill(row: int, record: base.Cells, date_column: str, zone: timezone) -> Fill:
    side = (record.get("side") or record.get("type", "")).upper()
    if side not in ("BUY", "SELL"):
        raise base.RowProblem(f"the side {side!r} is neither BUY nor SELL")
    pair = (record.get("pair") or record.get("market", "")).upper().replace("/", "").replace("-", "")
    if not pair:
        raise base.RowProblem("the pair is missing")
    price = base.require_decimal(record["price"], "price")
    if "executed" in record:
        quantity, coin = _glued(record["executed"], [pair[:end] for end in range(len(pair), 0, -1)], "executed amount")
        base_coin = coin or _split(pair)[0]
        quote_coin = pair[len(base_coin) :] if pair.startswith(base_coin) else _split(pair)[1]
        fee, fee_coin = _glued(record["fee"], [base_coin, quote_coin], "fee") if record["fee"] else (Decimal(0), "")
    else:
        quantity = base.require_decimal(record["amount"], "amount")
        base_coin = record.get("base asset", "").upper() or _split(pair)[0]
        quote_coin = record.get("quote asset", "").upper() or pair[len(base_coin) :]
        fee, fee_coin = base.parse_decimal(record["fee"]) or Decimal(0), record["fee coin"].upper()
    if quantity <= 0 or price <= 0:
        raise base.RowProblem(f"the quantity {quantity} and price {price} must both be positive")
    return Fill(
        row=row,
        instrument=pair,
        time=base.parse_time(record[date_column], _TIME_FORMATS, zone, "date"),
        side=base.BUY if side == "BUY" else base.SELL,
        quantity=quantity,
        price=price,
        commission=_fee_in_quote(fee, fee_coin, base_coin, quote_coin, price),
        exec_id=record.get("trade id") or record.get("tradeid") or None,
        account=base.AccountRef(currency=quote_coin),
        asset_class=base.CRYPTO,
        effect=base.spot_effect(base.BUY if side == "BUY" else base.SELL),
    )


def _fee_in_quote(fee: Decimal, coin: str, base_coin: str, quote_coin: str, price: Decimal) -> Decimal:
    if not fee or coin == quote_coin:
        return fee
    if coin == base_coin:
        return base.tidy(fee * price)
    return Decimal(0)  # a third coin (BNB): no price for it in the file


def _glued(cell: str, units: list[str], what: str) -> tuple[Decimal, str]:
    """'0.0528450000BTC' → (0.052845, 'BTC'). The unit is one of `units` when it can be (a coin may
    start with a digit: '14.00000000001INCH'), else the trailing coin name; none for a bare number."""
    text = cell.replace(",", "").strip()
    for unit in units:
        if unit and text.upper().endswith(unit) and re.fullmatch(r"[\d.]+", text[: -len(unit)].strip()):
            return base.require_decimal(text[: -len(unit)], what), unit
    match = _COIN_AMOUNT.fullmatch(text)
    if match:
        return base.require_decimal(match.group("number"), what), match.group("coin")
    return base.require_decimal(text, what), ""


def _split(pair: str) -> tuple[str, str]:
    quote = next((quote for quote in _QUOTES if pair.endswith(quote) and len(pair) > len(quote)), "")
    if not quote:
        raise base.RowProblem(f"cannot tell the base and quote coins of {pair!r}")
    return pair[: -len(quote)], quote


def _header_zone(name: str) -> timezone:
    """The zone the date column's header states: 'Date(UTC)', 'Date(UTC+8)', 'Date(UTC-03:30)'."""
    match = _DATE_HEADER.match(name)
    minutes = int(match.group("hours") or 0) * 60 + int(match.group("minutes") or 0)
    return timezone(timedelta(minutes=-minutes if match.group("sign") == "-" else minutes))
