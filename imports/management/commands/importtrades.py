"""`importtrades FILE --user U`: an import run in-process, with a progress bar and the same report
as the API (the import object, as JSON)."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework import serializers
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from imports.apply import import_run
from imports.serializers import AUTO, FORMAT_CHOICES, ImportParametersSerializer, ImportSerializer
from imports.services import import_create
from tradejournal.renderers import dumps


class Command(BaseCommand):
    help = "Import a broker file into a trader's journal (the same work as POST /api/v1/imports, in-process)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the trader's username")
        parser.add_argument("--format", default=AUTO, choices=FORMAT_CHOICES)
        parser.add_argument("--account", help="put every fill in this account (its id)")
        parser.add_argument("--tz", default="UTC", help="IANA zone of timestamps without an offset")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen, store nothing")

    def handle(self, *args, file: Path, user: str, format: str, account: str | None, tz: str, dry_run: bool,
               **options) -> None:  # fmt: skip
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user {user!r}.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Can't read {file}: {exc.strerror}.") from None
        given = {"format": format, "tz": tz, **({"account": account} if account else {})}
        parameters = ImportParametersSerializer(data=given, user=owner)
        try:
            parameters.is_valid(raise_exception=True)
            imp = import_create(user=owner, data=data, filename=file.name, format=format, tz=tz, dry_run=dry_run,
                                account=parameters.validated_data.get("account"), enqueue=False)  # fmt: skip
        except serializers.ValidationError as exc:
            raise CommandError(json.dumps(exc.detail)) from None
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True)) as bar:  # fmt: skip
            task = bar.add_task(f"{imp.format}: reading", total=None)

            def show(tracker) -> None:
                bar.update(task, description=f"{imp.format}: {tracker.stage}", completed=tracker.rows_processed,
                           total=tracker.rows_total)  # fmt: skip

            imp = import_run(import_id=imp.pk, listener=show)
        self.stdout.write(dumps(ImportSerializer(imp).data).decode())
        if imp.status == imp.Status.FAILED:
            raise CommandError(imp.errors[0]["message"] if imp.errors else "The import failed.")
