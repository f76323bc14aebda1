"""Reading an import file in a child process with CPU-time and memory limits.

A file of a hostile shape (a parser's worst case, deep nesting, millions of empty elements) must
not hold a worker: the file is read by a child forked from a small server process that has the
formats loaded (multiprocessing's "forkserver"), under RLIMIT_CPU proportional to the file's size
and RLIMIT_AS a fixed multiple of it plus a base. The worker waits for the child with a wall-clock
bound too, and kills it on overrun; the import fails with the reason. While it waits, the worker's
heartbeat thread (imports/progress.py) has the process to itself, and the child's row count comes
back as progress. What comes back is the parsed items, pickled.
"""

import logging
import multiprocessing
import os
import resource
import signal
import time
from dataclasses import dataclass, fields
from zoneinfo import ZoneInfo

from django.conf import settings

from imports import formats
from imports.formats import spreadsheet
from imports.formats.base import Action, Fill, FormatError, RowError, Skip

logger = logging.getLogger("tradejournal.imports")

MB = 1024 * 1024
PROGRESS_EVERY = 1000  # rows between the child's progress reports
TOO_LONG = "The file took too long to read; nothing was applied. Split it into smaller files."
TOO_BIG = "The file needs too much memory to read; nothing was applied. Split it into smaller files."
WORKBOOK_CPU = 5  # a workbook's CPU seconds per MB, against a text file's
_MEMORY_EXIT = 3  # the child ran out of memory and could not even say so

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(
    ["imports.sandbox", "imports.formats.html", *(f"imports.formats.{name}" for name in formats.FORMATS)]
)


class Unreadable(Exception):
    """The file can't be read within the bounds, or as the format; the message is for the trader
    (`logged` says why, for the log, where the trader's message is vaguer)."""

    def __init__(self, message: str, logged: str = "", cpu_seconds: float | None = None,
                 peak_bytes: int | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.logged = logged
        self.cpu_seconds, self.peak_bytes = cpu_seconds, peak_bytes  # the child's, where it could tell


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int
    memory_bytes: int
    wall_seconds: float

    @classmethod
    def for_size(cls, size: int, *, workbook: bool = False) -> "Limits":
        """The limits for a file of `size` bytes; a workbook's XML is compressed (a 3.7 MiB one of
        100,000 rows holds 39 MB of it, read in 15.6 s of CPU where the CSV of the same rows takes 1.5)."""
        per_mb = settings.IMPORT_PARSE_CPU_SECONDS_PER_MB * (WORKBOOK_CPU if workbook else 1)
        cpu = max(settings.IMPORT_PARSE_CPU_SECONDS, round(per_mb * size / MB))
        memory = settings.IMPORT_PARSE_MEMORY_BASE_MB * MB + settings.IMPORT_PARSE_MEMORY_MULTIPLE * size
        # The CPU limit is the bound; the wall clock only ends a child that waits on nothing, so it
        # leaves room for a machine whose cores are shared many times over (measured: 40x).
        return cls(cpu, memory, 10 * cpu + 60)


@dataclass
class Outcome:
    items: tuple[list[Fill], list[Action], list[Skip], list[RowError]]
    rows: int
    cpu_seconds: float  # the child's
    peak_bytes: int  # the child's maximum resident set size


def parse(data: bytes, *, format: str, mapping: dict | None, tz: str,
          progress=None, limits: Limits | None = None) -> Outcome:  # fmt: skip
    """The file's fills, actions, skipped rows and errors, read by `format` in a bounded child;
    Unreadable with the reason when it can't be. `progress(rows)` is called as rows are read."""
    limits = limits or Limits.for_size(len(data), workbook=spreadsheet.is_xlsx(data))
    receiving, sending = _context.Pipe(duplex=False)
    overrides = {name: getattr(settings, name) for name in ("IMPORT_MAX_ROWS", "IMPORT_MAX_BYTES")}
    child = _context.Process(
        target=_child, args=(sending, data, format, mapping, tz, limits, overrides), name="import parse", daemon=True
    )
    child.start()
    sending.close()
    deadline = time.monotonic() + limits.wall_seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unreadable(TOO_LONG, f"over the wall-clock bound of {limits.wall_seconds:.0f} s")
            if not receiving.poll(min(left, 1.0)):
                continue
            try:
                message = receiving.recv()
            except EOFError:  # the child died without a word: its limits ended it
                child.join(5)
                raise _died(child.exitcode, limits) from None
            kind = message[0]
            if kind == "rows":
                if progress is not None:
                    progress(message[1])
            elif kind == "done":
                return Outcome(_unpacked(message[1]), *message[2:])
            elif kind == "memory":
                raise Unreadable(TOO_BIG, f"MemoryError under {limits.memory_bytes // MB} MB")
            elif kind == "unreadable":
                raise Unreadable(*message[1:])
            else:
                raise RuntimeError(f"the file's parse failed: {message[1]}")
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join(10)


def _died(exitcode: int | None, limits: Limits) -> Unreadable:
    if exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
        return Unreadable(TOO_LONG, f"over the CPU limit of {limits.cpu_seconds} s (exit {exitcode})")
    if exitcode == _MEMORY_EXIT:
        return Unreadable(TOO_BIG, f"out of memory under {limits.memory_bytes // MB} MB")
    return Unreadable(TOO_BIG, f"the child ended with exit code {exitcode}")


def _child(conn, data: bytes, format: str, mapping: dict | None, tz: str, limits: Limits, overrides: dict) -> None:
    # The hard CPU limit a little past the soft one: SIGXCPU ends the child, SIGKILL if it is caught.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 2))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    for name, value in overrides.items():
        setattr(settings, name, value)
    try:
        message = _read(conn, data, format, mapping, tz)
        if message[0] == "unreadable":
            message = (*message, *_usage())
    except MemoryError:
        message = ("memory",)
    except Exception as exc:  # a bug: the worker logs it and fails the import with the internal message
        message = ("error", repr(exc)[:2000])
    try:
        conn.send(message)
    except MemoryError:
        os._exit(_MEMORY_EXIT)
    conn.close()


def _read(conn, data: bytes, format: str, mapping: dict | None, tz: str) -> tuple:
    module = formats.get(format, mapping)
    fills, found, skipped, errors = [], [], [], []
    lists = {Fill: fills, Action: found, Skip: skipped, RowError: errors}
    rows: set[int] = set()
    limit = settings.IMPORT_MAX_ROWS
    too_many = f"The file has more than {limit:,} rows; split it into smaller files."
    try:
        # A sheet's rows are counted before it is read: its header is a row besides the limit's.
        text = spreadsheet.file_text(data, max_rows=limit + 1)
        del data
        for item in module.parse(text, tz=ZoneInfo(tz)):
            if item.row not in rows:
                rows.add(item.row)
                if len(rows) > limit:
                    return ("unreadable", too_many, "")
                if len(rows) % PROGRESS_EVERY == 0:
                    conn.send(("rows", len(rows)))
            lists[type(item)].append(item)
    except FormatError as problem:
        return ("unreadable", f"The file can't be read as {module.BROKER} ({module.NAME}): {problem}", "")
    except formats.base.TooManyRows:
        return ("unreadable", too_many, "")
    except (ValueError, ArithmeticError, RecursionError) as problem:
        return ("unreadable", f"The file can't be read as {module.BROKER} ({module.NAME}).", repr(problem)[:2000])
    return ("done", _packed((fills, found, skipped, errors)), len(rows), *_usage())


# The items cross as tuples of their fields: pickling the dataclasses themselves costs twice the
# CPU (100,000 fills: 2.2 s to pickle and 1.2 to unpickle, against 1.2 and 0.6 as tuples).
_KINDS = (Fill, Action, Skip, RowError)
_FIELDS = {kind: tuple(f.name for f in fields(kind)) for kind in _KINDS}


def _packed(lists: tuple) -> list[list[tuple]]:
    return [[tuple(getattr(item, name) for name in _FIELDS[kind]) for item in items]
            for kind, items in zip(_KINDS, lists, strict=True)]  # fmt: skip


def _unpacked(packed: list[list[tuple]]) -> tuple:
    return tuple([kind(*values) for values in rows] for kind, rows in zip(_KINDS, packed, strict=True))


def _usage() -> tuple[float, int]:
    """This process's CPU seconds and peak resident bytes so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024
