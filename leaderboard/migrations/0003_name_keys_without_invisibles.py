"""Display names' keys made again by the rule that drops what shows as nothing (leaderboard/names.py)."""

from django.db import migrations


def refill_name_keys(apps, schema_editor):
    """Keys by the current rule (names that differ only by what shows as nothing now share one); of
    two names that look alike, the later one is cleared."""
    from leaderboard.names import name_key

    profiles = apps.get_model("leaderboard", "TraderProfile").objects.exclude(display_name="").order_by("pk")
    # Cleared first: a new key may be another row's old one, which the unique constraint holds to.
    profiles.update(name_key="")
    seen = set()
    for profile in profiles:
        key = name_key(profile.display_name)
        if key in seen or not key:
            profile.display_name, key = "", ""
        seen.add(key)
        profile.name_key = key
        profile.save(update_fields=["display_name", "name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0002_display_name_keys"),
    ]

    operations = [
        migrations.RunPython(refill_name_keys, migrations.RunPython.noop),
    ]
