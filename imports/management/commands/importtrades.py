"""`importtrades FILE --user U`: an import run in-process, with a progress bar and the same report
as the API (the import object, as JSON)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework import serializers
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core.renderers import dumps
from imports.apply import import_run
from imports.formats import catalogue
from imports.serializers import AUTO, FORMAT_CHOICES, ImportParametersSerializer, ImportSerializer
from imports.services import UNDETECTABLE, import_create, undetectable
from journal.zones import zone_of

# The command's words for what the API calls its parameters.
OPTIONS = {"format": "--format", "account": "--account", "tz": "--tz", "mapping": "--mapping", "file": "FILE"}


def refusal(detail: dict) -> str:
    """What the import's checks refused, a line per message, each under the option it is about."""
    lines = []
    for name, messages in detail.items():
        for message in messages if isinstance(messages, list) else [messages]:
            text = undetectable("--format") if str(message) == UNDETECTABLE else str(message)
            lines.append(f"{OPTIONS[name]}: {text}" if name in OPTIONS else text)
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Import a broker file into a trader's journal (the same work as POST /api/v1/imports, in-process); "
        "--formats lists the formats and how to export each from its broker."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--formats", action="store_true", help="list the formats and stop")
        parser.add_argument("--user", help="the trader's username (required to import)")
        parser.add_argument("--format", default=AUTO, choices=FORMAT_CHOICES)
        parser.add_argument("--account", help="put every fill in this account (its id)")
        parser.add_argument("--tz", help="IANA zone of timestamps without an offset (default: the trader's zone)")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen, store nothing")
        parser.add_argument("--mapping", help="with --format mapped: an import mapping's id, or one as JSON")

    def handle(self, *args, file: Path | None, formats: bool, user: str | None, format: str, account: str | None,
               tz: str | None, dry_run: bool, mapping: str | None, **options) -> None:  # fmt: skip
        if formats:
            for name, broker, summary in catalogue():
                self.stdout.write(f"{name} ({broker}): {summary}")
            return
        if file is None or user is None:
            raise CommandError("Name the file and the trader: importtrades FILE --user NAME (or --formats).")
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user {user!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Can't read {file}: {exc.strerror}.") from None
        tz = tz or zone_of(owner)
        given = {"format": format, "tz": tz, **({"account": account} if account else {}),
                 **({"mapping": mapping} if mapping else {})}  # fmt: skip
        parameters = ImportParametersSerializer(data=given, user=owner)
        try:
            parameters.is_valid(raise_exception=True)
            imp = import_create(user=owner, data=data, filename=file.name, format=format, tz=tz, dry_run=dry_run,
                                account=parameters.validated_data.get("account"),
                                mapping_rules=parameters.validated_data.get("mapping"), enqueue=False)  # fmt: skip
        except serializers.ValidationError as exc:
            raise CommandError(refusal(exc.detail)) from None
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True)) as bar:  # fmt: skip
            task = bar.add_task(f"{imp.format}: reading", total=None)

            def show(tracker) -> None:
                bar.update(task, description=f"{imp.format}: {tracker.stage}", completed=tracker.rows_processed,
                           total=tracker.rows_total)  # fmt: skip

            # A file no format reads is failed at once, with the mapping it suggests in its report.
            imp = import_run(import_id=imp.pk, listener=show) or imp
        self.stdout.write(dumps(ImportSerializer(imp).data).decode())
        if imp.status == imp.Status.FAILED:
            raise CommandError(imp.errors[0]["message"] if imp.errors else "The import failed.")
