"""Example responses of the analytics endpoints, shown in the OpenAPI schema."""

from drf_spectacular.utils import OpenApiExample

_BUCKET = {
    "total_trades": 0, "wins": 0, "losses": 0, "breakeven": 0, "win_rate": None, "net_pnl": 0, "gross_profit": 0,
    "gross_loss": 0, "profit_factor": None, "avg_win": None, "avg_loss": None, "expectancy": None, "avg_r": None,
}  # fmt: skip
BREAKDOWN = OpenApiExample(
    "By weekday",
    response_only=True,
    value={
        "by": "weekday", "tz": "America/New_York",
        "data": [
            {"key": "Mon", "total_trades": 12, "wins": 7, "losses": 4, "breakeven": 1, "win_rate": 58.33,
             "net_pnl": 1840.5, "gross_profit": 3120.5, "gross_loss": 1280, "profit_factor": 2.44, "avg_win": 445.79,
             "avg_loss": -320, "expectancy": 153.38, "avg_r": 0.62},
            {"key": "Tue", **_BUCKET},
            {"key": "Wed", "total_trades": 3, "wins": 1, "losses": 2, "breakeven": 0, "win_rate": 33.33,
             "net_pnl": -95.25, "gross_profit": 210, "gross_loss": 305.25, "profit_factor": 0.69, "avg_win": 210,
             "avg_loss": -152.63, "expectancy": -31.75, "avg_r": -0.21},
            *({"key": day, **_BUCKET} for day in ("Thu", "Fri", "Sat")),
            {"key": "Sun", "total_trades": 1, "wins": 1, "losses": 0, "breakeven": 0, "win_rate": 100,
             "net_pnl": 412, "gross_profit": 412, "gross_loss": 0, "profit_factor": None, "avg_win": 412,
             "avg_loss": None, "expectancy": 412, "avg_r": 2.06},
        ],
    },
)  # fmt: skip
EQUITY = OpenApiExample(
    "Daily equity of an account",
    response_only=True,
    value={
        "interval": "day", "tz": "Europe/Berlin", "starting_balance": 10000,
        "points": [
            {"time": "2025-03-03", "pnl": -250, "equity": 9750, "peak": 10000, "drawdown": 250},
            {"time": "2025-03-04", "pnl": 600.5, "equity": 10350.5, "peak": 10350.5, "drawdown": 0},
            {"time": "2025-03-06", "pnl": -420, "equity": 9930.5, "peak": 10350.5, "drawdown": 420},
        ],
        "max_drawdown": 420, "max_drawdown_pct": 4.06, "max_drawdown_start": "2025-03-04",
        "max_drawdown_end": "2025-03-06", "current_drawdown": 420,
    },
)  # fmt: skip
CALENDAR = OpenApiExample(
    "A month",
    response_only=True,
    value={
        "tz": "America/Chicago", "net_pnl": 1325.75,
        "days": [
            {"date": "2025-03-03", "total_trades": 4, "wins": 3, "losses": 1, "net_pnl": 980.25},
            {"date": "2025-03-04", "total_trades": 2, "wins": 0, "losses": 2, "net_pnl": -310},
            {"date": "2025-03-07", "total_trades": 5, "wins": 3, "losses": 1, "net_pnl": 655.5},
        ],
    },
)  # fmt: skip
RISK = OpenApiExample(
    "Risk and consistency",
    response_only=True,
    value={
        "trades_with_r": 118, "avg_r": 0.41, "total_r": 48.38, "sqn": 2.17, "max_win_streak": 7,
        "max_loss_streak": 4, "current_streak": -2, "avg_hold_seconds": 2710, "avg_hold_seconds_win": 3120,
        "avg_hold_seconds_loss": 1984, "trading_days": 61, "sharpe": 1.84, "sortino": 2.95, "max_drawdown": 1840.5,
        "max_drawdown_pct": 7.12,
    },
)  # fmt: skip
