#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradejournal.settings")
    # Commands (migrations, seeding, imports, the task worker) may run statements longer than a
    # web request should wait; the server's statement timeout is for requests.
    if sys.argv[1:2] != ["runserver"]:
        os.environ.setdefault("DB_STATEMENT_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
