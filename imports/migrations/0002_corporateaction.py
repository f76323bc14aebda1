# Corporate actions (splits, reverse splits, symbol changes) the files report, kept per import.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("journal", "0007_trade_fills_pnl"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CorporateAction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("instrument", models.CharField(max_length=32)),
                ("new_instrument", models.CharField(max_length=32)),
                ("time", models.DateTimeField()),
                ("old_units", models.DecimalField(decimal_places=8, max_digits=20)),
                ("new_units", models.DecimalField(decimal_places=8, max_digits=20)),
                ("row", models.PositiveIntegerField()),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="corporate_actions",
                        to="journal.account",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corporate_actions",
                        to="imports.import",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["user", "account"], name="corporate_action_account_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("new_units__gt", 0), ("old_units__gt", 0)),
                        name="corporate_action_units_gt_0",
                    )
                ],
            },
        ),
    ]
