"""The analytics figures computed again, independently: plain Python over the trades as they were
sent, exact fractions for every ratio and the contract's definitions read literally (no SQL, no
code shared with the server). The tests compare every figure of every endpoint with these."""

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from zoneinfo import ZoneInfo

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOLD_BUCKETS = [("<1m", 60), ("1-5m", 300), ("5-15m", 900), ("15-60m", 3600), ("1-4h", 4 * 3600),
                ("4-24h", 24 * 3600), ("1d+", None)]  # fmt: skip


def half_up(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """Rounded half away from zero (the contract's half-up) to `places` decimals, exactly."""
    value = Fraction(value)
    scaled = math.floor(abs(value) * 10**places + Fraction(1, 2))
    return Decimal(scaled if value >= 0 else -scaled).scaleb(-places)


def net_pnl(row: dict) -> Fraction:
    move = row["exit_price"] - row["entry_price"] if row["side"] == "long" else row["entry_price"] - row["exit_price"]
    return Fraction(move) * Fraction(row["quantity"]) * Fraction(row.get("multiplier", 1)) - Fraction(row["commission"])


def r_multiple(row: dict) -> Fraction | None:
    if row.get("initial_risk") is not None:
        risk = Fraction(row["initial_risk"])
    else:
        stop = row.get("stop_loss")
        if stop is None:
            return None
        distance = row["entry_price"] - stop if row["side"] == "long" else stop - row["entry_price"]
        if distance <= 0:
            return None
        risk = Fraction(distance) * Fraction(row["quantity"]) * Fraction(row.get("multiplier", 1))
    return net_pnl(row) / risk


def closed_in_exit_order(rows: list[dict]) -> list[dict]:
    """Closed rows by exit time, ties in the order they were created (= by id)."""
    indexed = [(row["exit_time"], i, row) for i, row in enumerate(rows) if row.get("exit_time") is not None]
    return [row for _, _, row in sorted(indexed, key=lambda item: item[:2])]


def local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- /stats/breakdown ---------------------------------------------------------------------------------


def outcome_figures(rows: list[dict]) -> dict:
    nets = [net_pnl(row) for row in rows]
    wins, losses = [n for n in nets if n > 0], [n for n in nets if n < 0]
    gross_profit, gross_loss = sum(wins, Fraction(0)), -sum(losses, Fraction(0))
    rs = [r for r in map(r_multiple, rows) if r is not None]

    def ratio(a, b):
        return None if not b else half_up(Fraction(a) / Fraction(b))

    return {
        "total_trades": len(nets), "wins": len(wins), "losses": len(losses),
        "breakeven": len(nets) - len(wins) - len(losses), "win_rate": ratio(len(wins) * 100, len(nets)),
        "net_pnl": half_up(sum(nets, Fraction(0))), "gross_profit": half_up(gross_profit),
        "gross_loss": half_up(gross_loss), "profit_factor": ratio(gross_profit, gross_loss),
        "avg_win": ratio(gross_profit, len(wins)), "avg_loss": ratio(-gross_loss, len(losses)),
        "expectancy": ratio(sum(nets, Fraction(0)), len(nets)), "avg_r": ratio(sum(rs, Fraction(0)), len(rs)),
    }  # fmt: skip


def bucket_keys(row: dict, by: str, zone: str, account_ids: list[int]) -> list:
    entry, exit_ = local(row["entry_time"], zone), local(row["exit_time"], zone)
    if by == "tag":
        return list(row.get("tags") or []) or [None]
    if by == "hold_time":
        seconds = (row["exit_time"] - row["entry_time"]) / timedelta(seconds=1)
        return [next(name for name, limit in HOLD_BUCKETS if limit is None or seconds < limit)]
    return [{
        "instrument": lambda: row["instrument"].strip().upper(),
        "setup_type": lambda: row.get("setup_type", "").lower() or None,
        "side": lambda: row["side"],
        "account": lambda: None if row.get("account") is None else account_ids[row["account"]],
        "weekday": lambda: WEEKDAYS[entry.weekday()],
        "hour": lambda: entry.hour,
        "month": lambda: f"{exit_.year:04d}-{exit_.month:02d}",
    }[by]()]  # fmt: skip


def breakdown(rows: list[dict], by: str, zone: str = "UTC", account_ids: list[int] = ()) -> list[dict]:
    groups = defaultdict(list)
    for row in closed_in_exit_order(rows):
        for key in bucket_keys(row, by, zone, account_ids):
            groups[key].append(row)
    if by == "weekday":
        keys = WEEKDAYS
    elif by == "hour":
        keys = list(range(24))
    elif by == "hold_time":
        keys = [name for name, _ in HOLD_BUCKETS]
    else:
        keys = sorted(
            (k for k in groups if k is not None),
            key=lambda k: (str(k).casefold(), str(k)) if isinstance(k, str) else (k,),
        )
        keys += [None] if None in groups else []
    return [{"key": key, **outcome_figures(groups.get(key, []))} for key in keys]


# --- /stats/equity --------------------------------------------------------------------------------------


def period_start(moment: datetime, interval: str, zone: str) -> date:
    day = local(moment, zone).date()
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def equity(rows: list[dict], interval: str = "day", zone: str = "UTC", starting_balance: Decimal = Decimal(0)) -> dict:
    closed = closed_in_exit_order(rows)
    if interval == "trade":
        points = [(timestamp(row["exit_time"]), net_pnl(row)) for row in closed]
    else:
        sums = defaultdict(Fraction)
        for row in closed:
            sums[period_start(row["exit_time"], interval, zone)] += net_pnl(row)
        points = [(day.isoformat(), amount) for day, amount in sorted(sums.items())]
    balance = Fraction(starting_balance)
    curve, equity_now, highest = [], balance, None
    for time, amount in points:
        equity_now += amount
        highest = equity_now if highest is None else max(highest, equity_now)
        peak = max(balance, highest)
        curve.append({"time": time, "pnl": amount, "equity": equity_now, "peak": peak, "drawdown": peak - equity_now})
    deepest = max((p["drawdown"] for p in curve), default=None)
    start = end = None
    if deepest:
        trough = next(i for i, p in enumerate(curve) if p["drawdown"] == deepest)
        end = curve[trough]["time"]
        start = next((p["time"] for p in reversed(curve[:trough]) if p["drawdown"] == 0), None)
    pct = max((p["drawdown"] / p["peak"] * 100 for p in curve), default=None) if balance > 0 else None
    return {
        "interval": interval, "tz": zone, "starting_balance": half_up(balance),
        "points": [{name: value if name == "time" else half_up(value) for name, value in p.items()} for p in curve],
        "max_drawdown": None if deepest is None else half_up(deepest),
        "max_drawdown_pct": None if pct is None else half_up(pct),
        "max_drawdown_start": start, "max_drawdown_end": end,
        "current_drawdown": half_up(curve[-1]["drawdown"]) if curve else None,
    }  # fmt: skip


# --- /stats/calendar ---------------------------------------------------------------------------------------


def calendar(rows: list[dict], zone: str = "UTC", month: str | None = None, year: str | None = None) -> dict:
    days = defaultdict(list)
    for row in closed_in_exit_order(rows):
        day = local(row["exit_time"], zone).date()
        if (month and f"{day:%Y-%m}" != month) or (year and f"{day:%Y}" != year):
            continue
        days[day].append(net_pnl(row))
    return {
        "tz": zone,
        "net_pnl": half_up(sum((n for nets in days.values() for n in nets), Fraction(0))),
        "days": [
            {"date": day.isoformat(), "total_trades": len(nets), "wins": sum(n > 0 for n in nets),
             "losses": sum(n < 0 for n in nets), "net_pnl": half_up(sum(nets, Fraction(0)))}
            for day, nets in sorted(days.items())
        ],
    }  # fmt: skip


# --- /stats/risk -------------------------------------------------------------------------------------------


def _sqrt(value: Fraction) -> Decimal:
    with localcontext(prec=60):
        return (Decimal(value.numerator) / Decimal(value.denominator)).sqrt()


def _to_decimal(value: Fraction) -> Decimal:
    with localcontext(prec=60):
        return Decimal(value.numerator) / Decimal(value.denominator)


def _rounded(value: Decimal) -> Decimal:
    return half_up(Fraction(value))


def risk(rows: list[dict], zone: str = "UTC", starting_balance: Decimal = Decimal(0)) -> dict:
    closed = closed_in_exit_order(rows)
    rs = [r for r in map(r_multiple, closed) if r is not None]
    n = len(rs)
    sqn = None
    if n >= 30:
        mean = sum(rs, Fraction(0)) / n
        variance = sum(((r - mean) ** 2 for r in rs), Fraction(0)) / (n - 1)
        if variance:
            with localcontext(prec=60):
                sqn = _rounded(Decimal(n).sqrt() * _to_decimal(mean) / _sqrt(variance))

    outcomes = [(net_pnl(row) > 0) - (net_pnl(row) < 0) for row in closed]
    longest, run, previous = {1: 0, -1: 0}, 0, 0
    for outcome in outcomes:
        run = run + 1 if outcome == previous and outcome != 0 else 1
        previous = outcome
        if outcome:
            longest[outcome] = max(longest[outcome], run)
    current = previous * run if outcomes and previous else 0

    def mean_seconds(selected):
        holds = [
            Fraction((row["exit_time"] - row["entry_time"]) // timedelta(microseconds=1), 10**6) for row in selected
        ]
        return int(half_up(sum(holds, Fraction(0)) / len(holds), 0)) if holds else None

    daily = defaultdict(Fraction)
    for row in closed:
        daily[local(row["exit_time"], zone).date()] += net_pnl(row)
    xs, sharpe, sortino = list(daily.values()), None, None
    if len(xs) >= 20:
        mean = sum(xs, Fraction(0)) / len(xs)
        variance = sum(((x - mean) ** 2 for x in xs), Fraction(0)) / (len(xs) - 1)
        downside = sum((min(Fraction(0), x) ** 2 for x in xs), Fraction(0)) / len(xs)
        with localcontext(prec=60):
            annual = Decimal(252).sqrt()
            sharpe = _rounded(_to_decimal(mean) / _sqrt(variance) * annual) if variance else None
            sortino = _rounded(_to_decimal(mean) / _sqrt(downside) * annual) if downside else None

    curve = equity(rows, "trade", zone, starting_balance)
    return {
        "trades_with_r": n, "avg_r": half_up(sum(rs, Fraction(0)) / n) if n else None,
        "total_r": half_up(sum(rs, Fraction(0))), "sqn": sqn, "max_win_streak": longest[1],
        "max_loss_streak": longest[-1], "current_streak": current,
        "avg_hold_seconds": mean_seconds(closed), "avg_hold_seconds_win": mean_seconds([r for r, o in zip(closed, outcomes, strict=True) if o > 0]),
        "avg_hold_seconds_loss": mean_seconds([r for r, o in zip(closed, outcomes, strict=True) if o < 0]),
        "trading_days": len(xs), "sharpe": sharpe, "sortino": sortino,
        "max_drawdown": curve["max_drawdown"], "max_drawdown_pct": curve["max_drawdown_pct"],
    }  # fmt: skip


def differences(got, expected, path: str = "") -> list[str]:
    """Where a response differs from the oracle's figures, as `path: got != expected` lines (numbers
    compared as numbers: 2.5 == 2.50)."""
    if isinstance(got, dict) and isinstance(expected, dict):
        if list(got) != list(expected):
            return [f"{path or '.'} keys: {list(got)} != {list(expected)}"]
        return [line for key in got for line in differences(got[key], expected[key], f"{path}.{key}")]
    if isinstance(got, list) and isinstance(expected, list):
        if len(got) != len(expected):
            return [f"{path} length: {len(got)} != {len(expected)}"]
        return [
            line
            for i, (a, b) in enumerate(zip(got, expected, strict=True))
            for line in differences(a, b, f"{path}[{i}]")
        ]
    return (
        []
        if got == expected and type(got) is not bool
        else [f"{path}: {got!r} != {expected!r}"]
        if got != expected
        else []
    )
