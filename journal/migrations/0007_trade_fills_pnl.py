# A trade built from fills keeps their exact P&L (imports/engine.py); trades built before it get it
# on their next rebuild.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0006_currency_codes")]

    operations = [
        migrations.AddField(
            model_name="trade",
            name="fills_pnl",
            field=models.DecimalField(blank=True, decimal_places=8, editable=False, max_digits=44, null=True),
        ),
    ]
