# Column mappings traders save for files no format reads, and what an import keeps of one.

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_open_trades_realized_pnl"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="import",
            name="mapping",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="import",
            name="suggested_mapping",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="ImportMapping",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=64)),
                ("level", models.CharField(choices=[("fills", "fills"), ("trades", "trades")], max_length=6)),
                ("columns", models.JSONField()),
                ("values", models.JSONField(blank=True, default=dict)),
                ("date_format", models.CharField(blank=True, max_length=64, null=True)),
                ("tz", models.CharField(blank=True, max_length=64, null=True)),
                ("header_signature", models.TextField(blank=True, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="import_mappings",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        models.F("user"),
                        django.db.models.functions.text.Lower("name"),
                        name="import_mapping_name_unique_per_user_ci",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("level__in", ("fills", "trades"))), name="import_mapping_level_valid"
                    ),
                ],
            },
        ),
    ]
