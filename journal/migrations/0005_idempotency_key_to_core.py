# IdempotencyKey moved to the kernel app (core); its table stays where it is (no data moves).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("journal", "0004_trade_user_exit_idx")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyKey")],
            database_operations=[],
        ),
    ]
