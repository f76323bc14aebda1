# The realized P&L of the open trades imported before it was kept, from their fills as the engine
# works it out for a new build (imports/engine.py closed_part_pnl).

from collections import defaultdict
from decimal import Decimal, localcontext

from django.db import migrations

from imports.engine import PRECISION, closed_part_pnl

BATCH = 2000


def realize(apps, schema_editor) -> None:
    Trade = apps.get_model("journal", "Trade")
    TradeFill = apps.get_model("imports", "TradeFill")
    open_trades = Trade.objects.filter(exit_time__isnull=True, fills__isnull=False).distinct()
    ids = list(open_trades.values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        sums = defaultdict(lambda: defaultdict(Decimal))
        rows = TradeFill.objects.filter(trade_id__in=batch).values_list(
            "trade_id", "opening", "quantity", "commission", "fees", "execution__price"
        )
        for trade_id, opening, quantity, commission, fees, price in rows.iterator():
            part = "opened" if opening else "closed"
            sums[trade_id][part] += quantity
            with localcontext() as context:
                context.prec = PRECISION  # sums of 20-digit products, exactly
                sums[trade_id][f"{part}_value"] += price * quantity
            sums[trade_id][f"{'opening' if opening else 'closing'}_costs"] += commission + fees
        trades = list(Trade.objects.filter(id__in=batch).only("id", "side", "multiplier"))
        for trade in trades:
            figures = sums[trade.id]
            trade.fills_realized_pnl = closed_part_pnl(
                long=trade.side == "long", multiplier=trade.multiplier, **{
                    name: figures[name] for name in (
                        "opened", "opened_value", "opening_costs", "closed", "closed_value", "closing_costs",
                    )
                },
            )  # fmt: skip
        Trade.objects.bulk_update(trades, ["fills_realized_pnl"])


class Migration(migrations.Migration):
    dependencies = [("imports", "0002_corporateaction"), ("journal", "0008_trade_fills_realized_pnl")]

    operations = [migrations.RunPython(realize, migrations.RunPython.noop)]
