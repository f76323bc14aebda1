"""Imported futures stored under the names their brokers gave them (`MNQ SEP26`, `MNQU6`) renamed to
the one name imports now write (journal/futures.py: `MNQU26`), so a file imported again finds its
executions as duplicates, continues their position streams and gives back kept journaling.

Only what came from a file is renamed: executions, the trades built from them and the kept
annotations' execution identities (imports/kept.py). A trade entered by hand keeps the name the
trader typed. Cached results (core/versions.py) expire within RESULT_TTL of the rename.
"""

from datetime import UTC, datetime

from django.db import migrations

# A one-digit year depends on the year of the fill; any other form names its year.
PROBE_YEARS = (2000, 2005)


def rename_futures(apps, schema_editor):
    from journal.futures import futures_instrument

    executions = apps.get_model("imports", "Execution").objects.all()
    trade_fills = apps.get_model("imports", "TradeFill").objects.all()
    imported_trades = apps.get_model("journal", "Trade").objects.filter(pk__in=trade_fills.values("trade_id"))
    for queryset, time in ((executions, "time"), (imported_trades, "entry_time")):
        for instrument in list(queryset.order_by().values_list("instrument", flat=True).distinct()):
            names = {futures_instrument(instrument, year=year) for year in PROBE_YEARS}
            if names == {instrument}:
                continue  # not a dated future, or already named so
            if len(names) == 1:
                queryset.filter(instrument=instrument).update(instrument=names.pop())
                continue
            of_instrument = queryset.filter(instrument=instrument)
            for moment in list(of_instrument.datetimes(time, "year", tzinfo=UTC)):
                in_year = {f"{time}__gte": moment, f"{time}__lt": datetime(moment.year + 1, 1, 1, tzinfo=UTC)}
                of_instrument.filter(**in_year).update(instrument=futures_instrument(instrument, year=moment.year))
    _rename_kept(apps.get_model("imports", "KeptAnnotation").objects.all(), futures_instrument)


def _rename_kept(kept, futures_instrument) -> None:
    """An identity is `instrument|time|…` or `instrument|id|exec_id`; the year of a one-digit contract
    year is the fill's, or, for an identity by broker id, the year the annotation was kept."""
    for annotation in kept.iterator():
        instrument, _, rest = annotation.execution.partition("|")
        if {futures_instrument(instrument, year=year) for year in PROBE_YEARS} == {instrument}:
            continue  # not a future (whose name has no `|`): the rest may not be a time
        moment = rest.partition("|")[0]
        year = annotation.created_at.year if moment == "id" else datetime.fromisoformat(moment).year
        renamed = f"{futures_instrument(instrument, year=year)}|{rest}"
        # Kept under the new name already (a file of the new names undone since): that one stands.
        if renamed != annotation.execution and not kept.filter(user_id=annotation.user_id, execution=renamed).exists():
            annotation.execution = renamed
            annotation.save(update_fields=["execution"])


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0007_kept_annotations"),
        ("journal", "0009_journal_profile"),
    ]

    operations = [
        migrations.RunPython(rename_futures, migrations.RunPython.noop),
    ]
