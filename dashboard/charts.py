"""How the Overview draws the API's figures: the stats as a trader reads them, the equity curve as
server-side SVG geometry, the month as a Mon-Sun grid and the breakdowns as bars. Display only: every
number is the API's answer (dashboard.overview) and is written into data attributes as the API writes
it, beside its text."""

import calendar
import math
from datetime import date, timedelta
from decimal import Decimal

from core.renderers import plain_decimal

MINUS = "\u2212"
NONE = "\u2014"
# The curve's drawing box, in viewBox units: the SVG is stretched to the card (preserveAspectRatio
# none, strokes that don't scale), and its labels are HTML beside it, so text keeps its size from a
# phone to a desktop.
WIDTH, HEIGHT = 1000, 300
X_LABELS = 4
# Instruments and setups beyond this many show the best and the worst half of them.
MAX_BARS = 12


def raw(value) -> str:
    """A figure as the API writes it, for a data attribute ("" for null)."""
    if value is None:
        return ""
    return plain_decimal(value) if isinstance(value, Decimal) else str(value)


def tone(value) -> str:
    if value is None or value == 0:
        return "flat"
    return "gain" if value > 0 else "loss"


def money(value, *, signed: bool = False, places: int = 2) -> str:
    """1,234.50, with a true minus sign (and a plus sign when `signed`); a dash for null."""
    if value is None:
        return NONE
    value = Decimal(value)
    sign = MINUS if value < 0 else "+" if signed and value > 0 else ""
    return f"{sign}{abs(value):,.{places}f}"


def compact(value) -> str:
    """A signed amount in three or four characters, for a calendar cell on a phone: +250, -1.2k, +3.4M."""
    value = Decimal(value)
    sign = MINUS if value < 0 else "+" if value > 0 else ""
    size = abs(value)
    if size < 1000:
        return f"{sign}{size:.0f}"
    if size < 1_000_000:
        return f"{sign}{size / 1000:.1f}k"
    return f"{sign}{size / 1_000_000:.1f}M"


def figure(key: str, label: str, value, text: str, note: str = "", signed_tone: bool = False) -> dict:
    """A figure for the page: its text (an amount, then its currency as `unit`), the API's value."""
    amount, _, unit = text.partition(" ")
    return {"key": key, "label": label, "raw": raw(value), "text": text, "amount": amount, "unit": unit,
            "note": note, "tone": tone(value) if signed_tone else "flat"}  # fmt: skip


def figures(stats: dict, equity: dict) -> dict:
    """The /stats figures (and the per-trade curve's drawdowns): the headline ones, then the details."""
    currency = stats["currency"]

    def cash(value, signed: bool = False) -> str:
        return money(value, signed=signed) + ("" if value is None else f" {currency}")

    rate = stats["win_rate"]
    headline = [
        figure("net_pnl", "Net P&L", stats["net_pnl"], cash(stats["net_pnl"], True), signed_tone=True),
        figure("total_trades", "Closed trades", stats["total_trades"], f"{stats['total_trades']:,}",
               f"{stats['open_trades']:,} open" if stats["open_trades"] else ""),
        figure("win_rate", "Win rate", rate, NONE if rate is None else f"{money(rate)}%",
               f"{stats['wins']:,} won, {stats['losses']:,} lost, {stats['breakeven']:,} breakeven"),
        figure("profit_factor", "Profit factor", stats["profit_factor"], money(stats["profit_factor"]),
               "gross profit ÷ gross loss" if stats["profit_factor"] is not None else "no losing trades"),
        figure("expectancy", "Expectancy", stats["expectancy"], cash(stats["expectancy"], True), "per trade",
               signed_tone=True),
    ]  # fmt: skip
    details = [
        figure("avg_win", "Average win", stats["avg_win"], cash(stats["avg_win"])),
        figure("avg_loss", "Average loss", stats["avg_loss"], cash(stats["avg_loss"])),
        figure("best_trade", "Best trade", stats["best_trade"], cash(stats["best_trade"], True)),
        figure("worst_trade", "Worst trade", stats["worst_trade"], cash(stats["worst_trade"], True)),
        figure("gross_profit", "Gross profit", stats["gross_profit"], cash(stats["gross_profit"])),
        figure("gross_loss", "Gross loss", stats["gross_loss"], cash(stats["gross_loss"])),
        figure("wins", "Wins", stats["wins"], f"{stats['wins']:,}"),
        figure("losses", "Losses", stats["losses"], f"{stats['losses']:,}"),
        figure("breakeven", "Breakeven", stats["breakeven"], f"{stats['breakeven']:,}"),
        figure("open_trades", "Open trades", stats["open_trades"], f"{stats['open_trades']:,}"),
        figure("total_commission", "Commission", stats["total_commission"], cash(stats["total_commission"])),
        figure("max_drawdown", "Largest drawdown", equity["max_drawdown"], cash(equity["max_drawdown"]),
               "" if equity["max_drawdown_pct"] is None else f"{money(equity['max_drawdown_pct'])}% of the peak"),
        figure("current_drawdown", "Below the peak now", equity["current_drawdown"], cash(equity["current_drawdown"])),
    ]  # fmt: skip
    return {"headline": headline, "details": details}


# --- The equity curve -------------------------------------------------------------------------------


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values (steps of 1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if high == low:
        low, high = low - max(abs(low) * 0.05, 1), high + max(abs(high) * 0.05, 1)
    rough = (high - low) / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [i * step for i in range(first, last + 1)]


def _date_label(text: str, *, long_span: bool, one_day: bool = False) -> str:
    if one_day and len(text) > 10:  # a day trader's trades of one day: their exit times (UTC)
        return text[11:16]
    day = date.fromisoformat(text[:10])
    return f"{day:%b %Y}" if long_span else f"{day:%b} {day.day}"


def equity_chart(equity: dict, drawdowns: dict, *, currency: str) -> dict | None:
    """The curve as SVG paths from the starting balance through every point, the drawdowns as the
    area between the running peak and the equity, with round values on the y axis and a few dates on
    the x axis (as percentages of the box, for the HTML labels); None without points. The largest
    drawdown it names is `drawdowns`' (the per-trade curve's, whatever the points are)."""
    points = equity["points"]
    if not points:
        return None
    start = equity["starting_balance"] or Decimal(0)
    equities = [float(start)] + [float(point["equity"]) for point in points]
    peaks = [float(start)] + [float(point["peak"]) for point in points]
    ticks = nice_ticks(min(equities), max(peaks))
    low, high = ticks[0], ticks[-1]
    step = ticks[1] - ticks[0]

    def x(i: int) -> float:
        return round(i * WIDTH / (len(equities) - 1), 1)

    def y(value: float) -> float:
        return round(HEIGHT - (value - low) * HEIGHT / (high - low), 1)

    line = " ".join(f"{'M' if i == 0 else 'L'}{x(i)},{y(v)}" for i, v in enumerate(equities))
    under_peak = " ".join(f"L{x(i)},{y(v)}" for i, v in reversed(list(enumerate(peaks))))
    first, last = points[0]["time"][:10], points[-1]["time"][:10]
    long_span = (date.fromisoformat(last) - date.fromisoformat(first)).days > 120
    # The point indices that get a date: evenly spread, the first and the last included.
    shown = sorted({round(k * (len(points) - 1) / (X_LABELS - 1)) for k in range(X_LABELS)})

    def edge(i: int) -> str:  # the outer labels are aligned inwards, not centred past the box
        return "last" if i == len(points) - 1 else "first" if i == 0 else ""

    drawdown = (
        f"largest drawdown {money(drawdowns['max_drawdown'])} {currency}"
        + (f" ({money(drawdowns['max_drawdown_pct'])}%)" if drawdowns["max_drawdown_pct"] is not None else "")
        + (f" from {drawdowns['max_drawdown_start']}" if drawdowns["max_drawdown_start"] else " from the start")
        + f" to {drawdowns['max_drawdown_end']}"
        if drawdowns["max_drawdown"]
        else "no drawdown"
    )
    return {
        "width": WIDTH, "height": HEIGHT, "line": line, "drawdown": f"{line} {under_peak} Z",
        "baseline": y(float(start)),
        "y_ticks": [{"y": y(t), "top": round(100 * (high - t) / (high - low), 2),
                     "text": money(t, places=0 if step >= 1 else 2)} for t in ticks],
        "x_ticks": [{"left": round(100 * (i + 1) / len(points), 2), "edge": edge(i),
                     "text": _date_label(points[i]["time"], long_span=long_span, one_day=first == last)}
                    for i in shown],
        "rows": [{"time": point["time"], **{name: raw(point[name]) for name in ("pnl", "equity", "drawdown")},
                  "pnl_text": money(point["pnl"], signed=True), "equity_text": money(point["equity"]),
                  "drawdown_text": money(point["drawdown"])} for point in points],
        "desc": f"Equity in {currency} from {money(start)} at the start to {money(points[-1]['equity'])} on {last}, "
                f"{len(points)} points from {first}; {drawdown}.",
    }  # fmt: skip


# --- The month's calendar ---------------------------------------------------------------------------


def month_bounds(month: str) -> tuple[date, date, date]:
    """The first day of `month` (YYYY-MM), of the month before and of the month after."""
    first = date.fromisoformat(f"{month}-01")
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return first, previous, following


def month_grid(first: date, days: list[dict]) -> list[list[dict]]:
    """The month's weeks, Monday to Sunday, each day with the API's figures for it (None without
    trades) and a shade (1-3) by its P&L against the month's largest."""
    by_date = {day["date"]: day for day in days}
    largest = max((abs(day["net_pnl"]) for day in days), default=0) or 1
    weeks = []
    for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month):
        cells = []
        for day in week:
            figures = by_date.get(day.isoformat()) if day.month == first.month else None
            cell = {"date": day, "in_month": day.month == first.month, "figures": figures}
            if figures:
                cell.update(
                    tone=tone(figures["net_pnl"]), shade=min(3, 1 + int(3 * abs(figures["net_pnl"]) / largest)),
                    raw=raw(figures["net_pnl"]), text=money(figures["net_pnl"], signed=True),
                    short=compact(figures["net_pnl"]),
                )  # fmt: skip
            cells.append(cell)
        weeks.append(cells)
    return weeks


def week_total(week: list[dict]) -> dict | None:
    """A calendar row's total: the net P&L and trades of its days in the month, the sum of the API's
    days (each already to the cent, so the sum is exact); None for a week without trades."""
    days = [cell["figures"] for cell in week if cell["figures"]]
    if not days:
        return None
    net = sum((Decimal(day["net_pnl"]) for day in days), Decimal(0))
    trades = sum(day["total_trades"] for day in days)
    return {"net_pnl": net, "total_trades": trades, "raw": raw(net), "tone": tone(net),
            "text": money(net, signed=True), "short": compact(net)}  # fmt: skip


# --- The breakdowns ---------------------------------------------------------------------------------


def _bucket_label(key, by: str) -> str:
    if key is None:
        return {"setup_type": "No setup", "tag": "No tag"}.get(by, "None")
    return f"{key:02d}:00" if by == "hour" else str(key)


def bars(buckets: list[dict], *, by: str) -> dict:
    """The buckets as bars as long as their net P&L against the largest: clock and scale buckets
    (weekday, hour, hold time) in their order (hours without trades left out), the others best
    first, at most MAX_BARS."""
    if by == "hour":
        buckets = [bucket for bucket in buckets if bucket["total_trades"]]
    elif by not in ("weekday", "hold_time"):
        buckets = sorted(buckets, key=lambda bucket: bucket["net_pnl"], reverse=True)
    hidden = max(0, len(buckets) - MAX_BARS)
    if hidden:
        buckets = buckets[: MAX_BARS // 2] + buckets[-MAX_BARS // 2 :]
    largest = max((abs(bucket["net_pnl"]) for bucket in buckets), default=0) or 1
    rows = [
        {"key": raw(bucket["key"]), "label": _bucket_label(bucket["key"], by), "net_pnl": raw(bucket["net_pnl"]),
         "text": money(bucket["net_pnl"], signed=True), "tone": tone(bucket["net_pnl"]),
         "trades": bucket["total_trades"], "win_rate": bucket["win_rate"],
         "width": round(100 * float(abs(bucket["net_pnl"]) / largest), 1)}
        for bucket in buckets
    ]  # fmt: skip
    return {"rows": rows, "hidden": hidden, "split_at": MAX_BARS // 2 if hidden else None}
