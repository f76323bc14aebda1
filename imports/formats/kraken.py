"""Kraken spot "Trades" export CSV (History > Export > Trades), as Kraken's "How to interpret Trades
history fields" describes it: one execution per row, timed in UTC whatever the import's tz.

The pair is written the old way (`XXBTZEUR`, `XETHXXBT`, `ADAEUR`) or the new one (`POL/EUR`);
either way the instrument is base then quote in today's codes (`BTCEUR`), so both exports of one
market meet. Its quote asset is the fill's currency. The fee is in the quote asset, as Kraken
states it. A trade on margin (a `margin` above 0) is not spot and is skipped: its position lives in
Kraken's ledger, not in this file.
"""

from collections.abc import Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

from imports.formats import base

NAME = "kraken"
BROKER = "Kraken"

COLUMNS = {
    "txid": ("txid",), "ordertxid": ("ordertxid",), "pair": ("pair",), "time": ("time",), "type": ("type",),
    "price": ("price",), "cost": ("cost",), "fee": ("fee",), "vol": ("vol",), "margin": ("margin",),
}  # fmt: skip
REQUIRED = ("txid", "ordertxid", "pair", "time", "type", "price", "vol")
NOT_KRAKEN = "not a Kraken trades export: no txid, ordertxid, pair, time, type, price, vol header"
TABLE = base.Layout(COLUMNS, required=REQUIRED, missing=NOT_KRAKEN)
SIDES = {"buy": base.BUY, "sell": base.SELL}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
# Kraken's legacy asset codes and the codes the world uses for them.
ASSETS = {
    "XXBT": "BTC", "XBT": "BTC", "XETH": "ETH", "XLTC": "LTC", "XXRP": "XRP", "XXLM": "XLM", "XXDG": "DOGE",
    "XDG": "DOGE", "XETC": "ETC", "XMLN": "MLN", "XREP": "REP", "XZEC": "ZEC", "XXMR": "XMR", "ZEUR": "EUR",
    "ZUSD": "USD", "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD",
}  # fmt: skip
# Quote assets a legacy pair without X/Z prefixes may end with, longest first.
QUOTES = ("USDT", "USDC", "EUR", "USD", "GBP", "CAD", "JPY", "AUD", "CHF", "XBT", "ETH", "DAI", "DOT")


def detect(head: str) -> bool:
    return TABLE.find(head) is not None


def parse(text: str, *, tz: ZoneInfo) -> Iterator[base.Item]:
    yield from TABLE.read(text).read(_fill)


def _fill(row: int, cells: base.Cells) -> base.Fill | base.Skip:
    if base.parse_decimal(cells["margin"]):
        return base.Skip(row, "a margin trade, not spot: its position is in Kraken's ledger export")
    side = base.one_of(SIDES, cells["type"], "the type {!r} is neither buy nor sell")
    base_asset, quote = split_pair(cells["pair"])
    quantity, price = base.size_and_price(cells["vol"], cells["price"], ("vol", "price"), signed=False)
    time = base.parse_time(cells["time"], TIME_FORMATS, UTC, "time").astimezone(UTC)
    return base.spot_fill(
        row, base_asset, quote, time, side, quantity, price, commission=base.charge(cells["fee"]), exec_id=cells["txid"]
    )


def split_pair(pair: str) -> tuple[str, str]:
    """(base, quote) in today's codes: 'XXBTZEUR' → ('BTC', 'EUR'), 'POL/EUR' → ('POL', 'EUR')."""
    pair = pair.strip().upper()
    if "/" in pair:
        base_asset, _, quote = pair.partition("/")
    elif len(pair) == 8 and pair[0] in "XZ" and pair[4] in "XZ" and pair[:4] in ASSETS and pair[4:] in ASSETS:
        base_asset, quote = pair[:4], pair[4:]
    else:
        quote = next((quote for quote in QUOTES if pair.endswith(quote) and len(pair) > len(quote)), "")
        base_asset = pair[: -len(quote)] if quote else ""
    if not base_asset or not quote:
        raise base.RowProblem(f"cannot tell the base and quote assets of the pair {pair!r}")
    return ASSETS.get(base_asset, base_asset), ASSETS.get(quote, quote)
