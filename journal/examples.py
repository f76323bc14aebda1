"""The reference documentation's examples, shown in our OpenAPI schema."""

from drf_spectacular.utils import OpenApiExample

CREATE_REQUEST = OpenApiExample(
    "Create a trade",
    request_only=True,
    value={
        "instrument": "BTCUSDT", "side": "long", "quantity": 0.5, "entry_time": "2025-03-15T10:30:00Z",
        "entry_price": 65000, "exit_time": "2025-03-15T14:00:00Z", "exit_price": 66500, "stop_loss": 64000,
        "take_profit": 68000, "commission": 1.5, "notes": "Strong momentum breakout", "setup_type": "breakout",
    },
)  # fmt: skip
CREATED = OpenApiExample(
    "Trade created",
    response_only=True,
    status_codes=["201"],
    value={"id": 99, "instrument": "BTCUSDT", "side": "long", "entry_price": 65000, "message": "Trade created"},
)
STATS = OpenApiExample(
    "Account stats",
    response_only=True,
    value={
        "total_trades": 150, "win_rate": 62.5, "net_pnl": 12450.75, "profit_factor": 2.35, "gross_profit": 25000.5,
        "gross_loss": 10638.3, "avg_win": 312.5, "avg_loss": -189.25, "best_trade": 1500, "worst_trade": -650,
        "wins": 93, "losses": 56, "breakeven": 1, "open_trades": 4, "total_commission": 412.5, "expectancy": 83.01,
        "currency": "USD",
    },
)  # fmt: skip
# One row: the schema generator wraps a list endpoint's example in the list itself.
LEADERBOARD = OpenApiExample(
    "Leaderboard", response_only=True, value={"rank": 1, "user": "TraderAce", "trades": 45, "pnl": 8500}
)
