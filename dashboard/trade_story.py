"""A trade's story on its page: its R-multiple, how long it was (or has been) held, its realized P&L so
far, and its executions on a small price-time chart drawn as server-side SVG from its fills (a trade
entered by hand is drawn from its entry and exit). Display only: the figures are the API's and the
analytics' own definitions (analytics/measures.py for R, the trade's realized_pnl)."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from analytics.measures import R_MULTIPLE, RISK
from core.renderers import plain_decimal
from dashboard.charts import money
from journal.models import Trade

# The chart's drawing box in viewBox units; it scales as a whole (markers keep their shape).
WIDTH, HEIGHT, PAD_X, PAD_Y = 640, 220, 56, 18
MARKER = 7


def hold_text(seconds: int) -> str:
    """3d 4h, 2h 15m, 4m 05s, 12s."""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def figures(trade: Trade, data: dict, *, now: datetime | None = None) -> dict:
    """R-multiple (to 2 places, as the analytics round it), hold time and realized P&L of the trade."""
    measured = Trade.objects.filter(pk=trade.pk).annotate(r=R_MULTIPLE, risk=RISK).values("r", "risk").get()
    r = None if measured["r"] is None else Decimal(measured["r"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    end = trade.exit_time or (now or timezone.now())
    held = max(timedelta(0), end - trade.entry_time)
    return {
        "r": r,
        "r_text": "—" if r is None else f"{'+' if r > 0 else ''}{r} R",
        "risk_text": None if measured["risk"] is None else money(measured["risk"]),
        "hold_seconds": int(held.total_seconds()),
        "hold_text": hold_text(int(held.total_seconds())) + ("" if trade.exit_time else " so far"),
        "realized": data["realized_pnl"],
        "realized_text": money(data["realized_pnl"], signed=True),
    }


def cost_parts(data: dict, executions: list[dict]) -> dict | None:
    """The trade's commission as its fills' commission and fees, where they add up to it and hold fees:
    a file that lists commission and fees apart (or whose net profit shows fees it didn't list, as a
    NinjaTrader Trades grid with its fee columns hidden) is read with the file's commission beside the
    trade's total. None for a trade without fills, without fees or whose commission was edited."""
    commission = sum((Decimal(e["commission"]) for e in executions), Decimal(0))
    fees = sum((Decimal(e["fees"]) for e in executions), Decimal(0))
    if not fees or commission + fees != Decimal(data["commission"]):
        return None
    return {"commission": plain_decimal(commission), "fees": plain_decimal(fees)}


def _points(trade: Trade, executions: list[dict]) -> list[dict]:
    if executions:
        return [{"time": datetime.fromisoformat(e["time"]), "price": Decimal(e["price"]), "side": e["side"],
                 "quantity": e["quantity"]} for e in executions]  # fmt: skip
    opening = "buy" if trade.side == "long" else "sell"
    closing = "sell" if opening == "buy" else "buy"
    points = [{"time": trade.entry_time, "price": trade.entry_price, "side": opening, "quantity": trade.quantity}]
    if trade.exit_time is not None:
        points.append({"time": trade.exit_time, "price": trade.exit_price, "side": closing, "quantity": trade.quantity})
    return points


def execution_chart(trade: Trade, executions: list[dict]) -> dict:
    """The fills as buy (▲) and sell (▼) markers at their time and price, with the average entry and
    exit as dashed lines and the stop as a dotted one; SVG coordinates and a text description."""
    points = _points(trade, executions)
    levels = {"entry": trade.entry_price, "exit": trade.exit_price, "stop": trade.stop_loss}
    prices = [float(p["price"]) for p in points] + [float(v) for v in levels.values() if v is not None]
    low, high = min(prices), max(prices)
    if high == low:
        low, high = low - max(abs(low) * 0.01, 1), high + max(abs(high) * 0.01, 1)
    margin = (high - low) * 0.08
    low, high = low - margin, high + margin
    start, end = points[0]["time"], points[-1]["time"]
    span = (end - start).total_seconds()

    def x(i: int, moment: datetime) -> float:
        share = (moment - start).total_seconds() / span if span else (i + 1) / (len(points) + 1)
        return round(PAD_X + share * (WIDTH - 2 * PAD_X), 1)

    def y(price: float) -> float:
        return round(PAD_Y + (high - price) * (HEIGHT - 2 * PAD_Y) / (high - low), 1)

    markers, zone = [], timezone.get_current_timezone_name()
    for i, point in enumerate(points):
        cx, cy = x(i, point["time"]), y(float(point["price"]))
        tip = cy + MARKER if point["side"] == "sell" else cy - MARKER
        base = cy - MARKER / 2 if point["side"] == "sell" else cy + MARKER / 2
        quantity, price = plain_decimal(Decimal(point["quantity"])), plain_decimal(point["price"])
        at = timezone.localtime(point["time"])
        markers.append({
            "side": point["side"], "x": cx, "y": cy,
            "path": f"M{cx},{tip} L{cx - MARKER},{base} L{cx + MARKER},{base} Z",
            "label": f"{point['side']} {quantity} @ {price} at {at:%Y-%m-%d %H:%M:%S} {zone}",
        })  # fmt: skip
    lines = [{"name": name, "y": y(float(value)), "text": f"{name} {plain_decimal(value)}"}
             for name, value in levels.items() if value is not None]  # fmt: skip
    filled = [point["price"] for point in points]
    sides = {"buy": sum(p["side"] == "buy" for p in points), "sell": sum(p["side"] == "sell" for p in points)}
    return {
        "width": WIDTH, "height": HEIGHT, "markers": markers, "lines": lines, "left": PAD_X, "right": WIDTH - PAD_X,
        "from_fills": bool(executions),
        "desc": f"{len(points)} execution{'s' if len(points) != 1 else ''} ({sides['buy']} buys, {sides['sell']} "
                f"sells) from {timezone.localtime(start):%Y-%m-%d %H:%M} to {timezone.localtime(end):%Y-%m-%d %H:%M} "
                f"{zone}, at prices from "
                f"{plain_decimal(min(filled))} to {plain_decimal(max(filled))}.",
    }  # fmt: skip
