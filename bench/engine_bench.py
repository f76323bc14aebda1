"""Micro-benchmark of the fill-to-trade engine: executions per second for 100,000 realistic fills.

    python bench/engine_bench.py [--executions 100000] [--repeat 5]

The fills are a futures day trader's: scale-ins, partial exits and flips on a quarter-point tick,
1-10 contracts, per-contract commission and exchange fees, a fill every few seconds; every 50th
fill states its position effect. Prints the best of `repeat` builds (not a test).
"""

import argparse
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imports.engine import Execution, build_trades
from imports.formats.base import BUY, CLOSE, OPEN, SELL

TICK = Decimal("0.25")
COMMISSION = Decimal("0.62")
FEES = Decimal("0.35")
MULTIPLIER = Decimal(50)


def fills(count: int, seed: int = 1) -> list[Execution]:
    rng = random.Random(seed)  # noqa: S311 - made-up market data, not a secret
    start = datetime(2025, 3, 3, 14, 30, tzinfo=UTC)
    ticks, position, seconds = 23_000, 0, 0
    executions = []
    for key in range(1, count + 1):
        ticks += rng.randint(-8, 8)
        seconds += rng.choice((0, 1, 2, 5, 30))
        if position == 0:
            side = rng.choice((BUY, SELL))
        else:
            # Flatten, flip or add, the way a trader works a position.
            reducing = rng.random() < 0.6
            side = (SELL if position > 0 else BUY) if reducing else (BUY if position > 0 else SELL)
        quantity = rng.randint(1, 10)
        signed = quantity if side == BUY else -quantity
        effect = None
        if key % 50 == 0:
            closing = position and (signed > 0) != (position > 0) and quantity <= abs(position)
            effect = CLOSE if closing else OPEN
        position += signed
        executions.append(
            Execution(
                key=key,
                time=start + timedelta(seconds=seconds),
                side=side,
                quantity=Decimal(quantity),
                price=ticks * TICK,
                commission=COMMISSION * quantity,
                fees=FEES * quantity,
                multiplier=MULTIPLIER,
                effect=effect,
            )
        )
    rng.shuffle(executions)  # the database hands them over in any order
    return executions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    executions = fills(args.executions)
    best, build = float("inf"), None
    for _ in range(args.repeat):
        started = time.perf_counter()
        build = build_trades(executions)
        best = min(best, time.perf_counter() - started)
    print(f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}")
    print(f"{len(executions):,} executions -> {len(build.trades):,} trades, {len(build.rejected):,} rejected")
    print(f"best of {args.repeat}: {best:.3f} s, {len(executions) / best:,.0f} executions/s")


if __name__ == "__main__":
    main()
