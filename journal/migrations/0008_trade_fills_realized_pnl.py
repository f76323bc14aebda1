# An open trade built from fills keeps the realized P&L of what they have closed so far; trades built
# before it get it from imports' 0003 (their fills live there).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0007_trade_fills_pnl")]

    operations = [
        migrations.AddField(
            model_name="trade",
            name="fills_realized_pnl",
            field=models.DecimalField(blank=True, decimal_places=8, editable=False, max_digits=44, null=True),
        ),
    ]
