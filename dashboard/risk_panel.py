"""The Overview's R and hold-time figures: /stats/risk's answer as a trader reads it (display only:
each figure's value is written beside its text as the API writes it)."""

from dashboard.charts import NONE, figure, money
from dashboard.trade_story import hold_text


def duration(seconds: int | None) -> str:
    """A hold as a trader says it (45s, 12m 05s, 3h 20m, 2d 4h, as a trade's story says it); a dash
    for none."""
    return NONE if seconds is None else hold_text(seconds)


def _ratio(value) -> str:
    return money(value)


def _r(value) -> str:
    return NONE if value is None else f"{money(value, signed=True)}R"


def _streak(value: int) -> str:
    if not value:
        return "none"
    return (
        f"{abs(value)} win{'s' if abs(value) != 1 else ''}"
        if value > 0
        else f"{-value} loss{'es' if value != -1 else ''}"
    )


def risk_figures(risk: dict) -> list[dict]:
    """The R figures (with runs and the daily ratios), then the hold times."""
    r = [
        figure("avg_r", "Average R", risk["avg_r"], _r(risk["avg_r"]),
               f"over {risk['trades_with_r']:,} trade{'s' if risk['trades_with_r'] != 1 else ''} with a risk"),
        figure("total_r", "Total R", risk["total_r"], _r(risk["total_r"])),
        figure("sqn", "SQN", risk["sqn"], _ratio(risk["sqn"]), "" if risk["sqn"] is not None else "from 30 trades"),
        figure("max_win_streak", "Longest winning run", risk["max_win_streak"], f"{risk['max_win_streak']:,}"),
        figure("max_loss_streak", "Longest losing run", risk["max_loss_streak"], f"{risk['max_loss_streak']:,}"),
        figure("current_streak", "Current run", risk["current_streak"], _streak(risk["current_streak"])),
        figure("sharpe", "Sharpe (daily)", risk["sharpe"], _ratio(risk["sharpe"]),
               "" if risk["sharpe"] is not None else f"from 20 trading days ({risk['trading_days']} so far)"),
        figure("sortino", "Sortino (daily)", risk["sortino"], _ratio(risk["sortino"])),
    ]  # fmt: skip
    hold = [
        figure("avg_hold_seconds", "Average hold", risk["avg_hold_seconds"], duration(risk["avg_hold_seconds"])),
        figure("avg_hold_seconds_win", "Winners held", risk["avg_hold_seconds_win"],
               duration(risk["avg_hold_seconds_win"])),
        figure("avg_hold_seconds_loss", "Losers held", risk["avg_hold_seconds_loss"],
               duration(risk["avg_hold_seconds_loss"])),
    ]  # fmt: skip
    return [{"id": "r-figures", "title": "R and consistency", "figures": r},
            {"id": "hold-figures", "title": "Hold time", "figures": hold}]  # fmt: skip
