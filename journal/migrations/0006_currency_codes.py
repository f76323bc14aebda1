# A currency is 3 to 6 upper-case letters or digits: an ISO 4217 code or a quote asset (USDT).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("journal", "0005_idempotency_key_to_core")]

    operations = [
        migrations.RemoveConstraint(model_name="account", name="account_currency_iso4217"),
        migrations.AlterField(
            model_name="account",
            name="currency",
            field=models.CharField(db_default="USD", default="USD", max_length=6),
        ),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.CheckConstraint(
                condition=models.Q(("currency__regex", "^[A-Z0-9]{3,6}$")), name="account_currency_code"
            ),
        ),
    ]
