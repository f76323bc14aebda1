"""`seed_demo`: realistic demo journals for many traders, loaded in bulk, with a progress bar."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from journal import seeding


class Command(BaseCommand):
    help = "Create demo traders and their trades (COPY on PostgreSQL). Reproducible with --seed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, required=True)
        parser.add_argument("--trades-per-user", type=int, required=True)
        parser.add_argument("--heavy-user-trades", type=int, default=0, help="also one trader with this many")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--username-prefix", default="trader")

    def handle(self, *args, users: int, trades_per_user: int, heavy_user_trades: int, seed: int,
               username_prefix: str, **options) -> None:  # fmt: skip
        if users < 1 or trades_per_user < 0 or heavy_user_trades < 0:
            raise CommandError("--users must be at least 1 and the trade counts at least 0.")
        plan = seeding.SeedPlan(users, trades_per_user, heavy_user_trades, seed, username_prefix)
        started = time.monotonic()
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            width = 30
            filled = int(width * done / total)
            line = f"trades [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {rate:,.0f}/s"
            self.stderr.write(("\r" + line) if interactive else line, ending="" if interactive else "\n")

        count = seeding.seed(plan, progress=progress)
        elapsed = time.monotonic() - started
        if interactive:
            self.stderr.write("")
        self.stdout.write(f"Seeded {count:,} trades for {users + bool(heavy_user_trades):,} traders "
                          f"in {elapsed:.1f} s ({count / max(elapsed, 1e-9):,.0f} trades/s).")  # fmt: skip
