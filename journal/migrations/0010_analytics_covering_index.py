"""The analytics' index carries every column they read; on SQLite, every index declared with INCLUDE
columns is built again with them (core/sqlite3: as trailing key columns, where they used to be dropped)."""

from django.conf import settings
from django.db import migrations, models

# Those declared with INCLUDE before this migration (trade_user_exit_idx is rebuilt on both databases).
_INCLUDING = ("trade_user_entry_idx", "trade_account_entry_idx", "trade_id_owner_idx", "trade_closed_exit_idx")


def rebuild_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    trade = apps.get_model("journal", "Trade")
    for index in trade._meta.indexes:
        if index.name in _INCLUDING:
            schema_editor.remove_index(trade, index)
            schema_editor.add_index(trade, index)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0009_journal_profile"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="trade", name="trade_user_exit_idx"),
        migrations.AddIndex(
            model_name="trade",
            index=models.Index(
                condition=models.Q(("exit_time__isnull", False)),
                fields=["user", "exit_time", "id"],
                include=(
                    "net_pnl",
                    "entry_time",
                    "account",
                    "side",
                    "instrument",
                    "setup_type",
                    "initial_risk",
                    "stop_loss",
                    "entry_price",
                    "quantity",
                    "multiplier",
                ),
                name="trade_user_exit_idx",
            ),
        ),
        migrations.RunPython(rebuild_on_sqlite, migrations.RunPython.noop),
    ]
