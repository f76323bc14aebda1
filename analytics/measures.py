"""What the analytics measure on each trade, as database expressions: its outcome, its risk and
R-multiple, and how long it was held."""

from django.db.models import BigIntegerField, Case, DecimalField, F, Func, IntegerField, Q, Value, When

from analytics.database import Quotient
from journal.models import Side
from journal.stats import LOSS, WIN

MINUTE = 60_000_000  # microseconds

# +1 a win, -1 a loss, 0 breakeven: journal.stats' definitions, as a value to run streaks over.
OUTCOME = Case(When(WIN, then=Value(1)), When(LOSS, then=Value(-1)), default=Value(0), output_field=IntegerField())

# The money a trade risked: its initial_risk when set, else the distance to a stop on the losing
# side of the entry (long: below, short: above) times quantity and multiplier; otherwise none.
RISK = Case(
    When(initial_risk__isnull=False, then=F("initial_risk")),
    When(
        Q(side=Side.LONG, stop_loss__lt=F("entry_price")),
        then=(F("entry_price") - F("stop_loss")) * F("quantity") * F("multiplier"),
    ),
    When(
        Q(side=Side.SHORT, stop_loss__gt=F("entry_price")),
        then=(F("stop_loss") - F("entry_price")) * F("quantity") * F("multiplier"),
    ),
    default=None,
    output_field=DecimalField(),
)
# The R-multiple: net P&L in units of the money risked; null for a trade without a risk.
R_MULTIPLE = Quotient(F("net_pnl"), RISK)


class HoldMicroseconds(Func):
    """exit_time - entry_time in whole microseconds (the precision timestamps are stored with)."""

    # 64 bits: Django drops comparisons with numbers beyond a 32-bit IntegerField as always true.
    output_field = BigIntegerField()

    def __init__(self):
        super().__init__(F("exit_time"), F("entry_time"))

    def as_postgresql(self, compiler, connection, **extra):
        # EXTRACT(EPOCH ...) is an exact numeric with six decimals on PostgreSQL 14+.
        return self.as_sql(
            compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint",
            arg_joiner=" - ", **extra,
        )  # fmt: skip

    def as_sqlite(self, compiler, connection, **extra):
        # In SQLite's own functions: Django's django_timestamp_diff is Python called per row (parsing
        # both timestamps); over 120,000 trades the hold-time breakdown took 5.5 s (bench/README.md).
        # SQLite stores a timestamp as 'YYYY-MM-DD HH:MM:SS[.ffffff]'; its date functions round the
        # fraction to the millisecond (.9995 s is the next second), so the whole seconds are read
        # without the fraction, and the microseconds from the text.
        (exit_sql, exit_params), (entry_sql, entry_params) = map(compiler.compile, self.get_source_expressions())
        # Each timestamp appears twice in its expression, with its parameters each time.
        params = (*exit_params, *exit_params, *entry_params, *entry_params)
        return f"({_sqlite_microseconds(exit_sql)} - {_sqlite_microseconds(entry_sql)})", params


class HoldBucket(Func):
    """Which of the ascending hold `limits` (whole minutes, in microseconds) a trade's hold has
    reached: 0 below the first, k at or above the k-th. The hold is computed once per trade, where a
    CASE would compute it again for each limit it compares (over 120,000 trades on SQLite the
    hold-time breakdown cost 0.7 s that way, bench/README.md)."""

    output_field = IntegerField()

    def __init__(self, limits: tuple[int, ...]):
        if any(limit % MINUTE for limit in limits) or list(limits) != sorted(limits):
            raise ValueError("Hold limits are ascending whole minutes.")
        self.limits = limits
        super().__init__(HoldMicroseconds())

    def as_postgresql(self, compiler, connection, **extra):
        hold, params = compiler.compile(self.get_source_expressions()[0])
        limits = ", ".join(str(limit) for limit in self.limits)
        return f"width_bucket({hold}, ARRAY[{limits}]::bigint[])", params

    def as_sqlite(self, compiler, connection, **extra):
        # The k of each whole minute up to the last limit, as one digit per minute; the hold's
        # whole minutes (exact: integer division of a whole number >= 0) pick theirs.
        hold, params = compiler.compile(self.get_source_expressions()[0])
        last = self.limits[-1] // MINUTE
        digits = "".join(str(sum(minute * MINUTE >= limit for limit in self.limits)) for minute in range(last + 1))
        return f"CAST(substr(%s, MIN({hold} / {MINUTE}, {last}) + 1, 1) AS INTEGER)", (digits, *params)


def _sqlite_microseconds(sql: str) -> str:
    """A stored SQLite timestamp as whole microseconds since the epoch, exactly."""
    return (
        f"(CAST(strftime('%%s', substr({sql}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr(substr({sql}, 21) || '000000', 1, 6) AS INTEGER))"
    )
