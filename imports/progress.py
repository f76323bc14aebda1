"""Live progress of a running import or undo, and the heartbeat that tells its worker is alive.

The worker applies an import in one transaction, which hides its writes until the end; progress
therefore lives outside it, in the shared cache (settings.IMPORT_PROGRESS_CACHE), written every
HEARTBEAT seconds by a thread of the worker (with a database connection of its own, where the cache
is a table). An import left processing without a heartbeat for IMPORT_HEARTBEAT_TIMEOUT seconds has
lost its worker (killed, out of memory, machine gone); its transaction rolled back, so nothing was
applied, and it goes to another worker (imports/abandoned.py).
"""

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections

from imports.models import Import

logger = logging.getLogger("tradejournal.imports")

HEARTBEAT = 1.0  # seconds between writes
UNKNOWN = object()  # the cache could not be read: no verdict on the worker

READING, MATCHING, BUILDING, WRITING = "reading", "matching", "building", "writing"
REBUILDING, REMOVING = "rebuilding", "removing"  # an undo's (imports/undo.py)


def _cache():
    return caches[settings.IMPORT_PROGRESS_CACHE]


def _key(imp: Import) -> str:
    # The start time makes the key this run's own, whatever an id reused by a fresh database finds.
    if imp.status == Import.Status.UNDOING:
        return f"import-undo-progress:{imp.pk}:{imp.undo_started_at.timestamp() if imp.undo_started_at else 0}"
    return f"import-progress:{imp.pk}:{imp.started_at.timestamp() if imp.started_at else 0}"


class Progress:
    """What the worker is doing, reported by a heartbeat thread while inside `with`.

    `listener` (the command-line progress bar) is called in the worker's own thread on each update.
    """

    def __init__(self, imp: Import, listener: Callable[["Progress"], None] | None = None) -> None:
        self.key = _key(imp)
        self.listener = listener
        self.stage = READING
        self.rows_processed = 0
        self.rows_total: int | None = None
        self._stop = threading.Event()
        self._news = threading.Event()  # a new stage: written at once rather than at the next beat
        self._thread: threading.Thread | None = None

    def update(self, *, stage: str | None = None, rows_processed: int | None = None,
               rows_total: int | None = None) -> None:  # fmt: skip
        if stage is not None and stage != self.stage:
            self.stage = stage
            self._news.set()
        if rows_processed is not None:
            self.rows_processed = rows_processed
        if rows_total is not None:
            self.rows_total = rows_total
        if self.listener is not None:
            self.listener(self)

    def snapshot(self) -> dict:
        return {"stage": self.stage, "rows_processed": self.rows_processed, "rows_total": self.rows_total,
                "at": time.time()}  # fmt: skip

    def __enter__(self) -> "Progress":
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat {self.key}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._news.set()
        self._thread.join()

    def _beat(self) -> None:
        # Every write from this thread's own connection: the worker's is inside its transaction
        # (and a row written there would hold up this thread's writes until it commits).
        try:
            while not self._stop.is_set():
                self._write()
                self._news.wait(HEARTBEAT)
                self._news.clear()
            _cache().delete(self.key)
        except Exception:  # progress is best-effort; the outcome is in the database
            logger.warning("Could not clear the progress of %s", self.key, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    def _write(self) -> None:
        try:
            _cache().set(self.key, self.snapshot(), timeout=max(60, 10 * settings.IMPORT_HEARTBEAT_TIMEOUT))
        except Exception:  # a cache outage must not fail the import
            logger.warning("Could not report the progress of %s", self.key, exc_info=True)


def read(imp: Import) -> dict | object | None:
    """The last progress reported for a processing import; None when there is none, UNKNOWN when
    the cache can't be read."""
    try:
        return _cache().get(_key(imp))
    except Exception:  # no progress to show is better than no answer
        logger.warning("Could not read the progress of import %s", imp.pk, exc_info=True)
        return UNKNOWN
