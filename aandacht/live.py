"""Live updates (B13): one watcher per data set and process takes in new events as they land.

:meth:`aandacht.DataService.start_live` starts the watcher of its data set's source; every
session on that service sees the new events at its next question, and the dashboard asks every
second (``service.version`` tells it that something changed). What is watched:

* **A data folder** (:class:`FolderWatcher`): an extra events file (``events*.csv`` /
  ``events*.parquet``, :mod:`aandacht.feed`) that appears is taken in once its size and
  modification time have stayed the same for a moment (``AGAIN_SECONDS``; a file older than
  ``SETTLED_SECONDS`` at once) — a file still being written is waited for; writing it under
  another name and renaming it is best. It is validated whole, with the
  messages of a full load; a file with any problem is rejected — not taken in in part — and
  reported in :attr:`LiveStatus.rejected <aandacht.service.LiveStatus>` and in the log
  (``aandacht.live``); it is looked at again when it changes. An extra file that changes or
  disappears after it was taken in, or a change of one of the base files (``events.csv``,
  ``relations.csv``, …), means edited or deleted data: the data set is loaded again and
  everything counted anew.
* **A PostgreSQL data set** (:class:`TableWatcher`, after ``aandacht live-install``): new rows
  of the events table, found by polling a log table that a trigger fills
  (:mod:`aandacht.pglive`).

The counts kept per selection are brought up to date by counting the new events alone and
merging (:func:`aandacht.engine.merge`); a new day, other rules or another selection count
everything.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DataError

if TYPE_CHECKING:
    from .service import DataService

log = logging.getLogger("aandacht.live")

#: A file that has not changed for this long is taken in at once (no second look needed).
SETTLED_SECONDS = 2.0
#: A file seen for the first time while it may still be written is looked at again this soon:
#: unchanged by then, it is taken in.
AGAIN_SECONDS = 0.3


class Watcher:
    """A thread that calls :meth:`poll` every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, service: DataService, interval: float = 1.0) -> None:
        self.service = service
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.soon = False  # a poll wants the next look sooner (a file not yet settled)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="aandacht-live", daemon=True)
        self.service.live.running = True
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.service.live.running = False

    def _run(self) -> None:
        self.warm()
        while not self._stop.is_set():
            self.soon = False
            try:
                self.poll()
            except Exception as exc:  # the watcher keeps going; the dashboard shows why
                log.exception("live update failed")
                self.service.live.error = f"{type(exc).__name__}: {exc}"
            self._stop.wait(min(self.interval, AGAIN_SECONDS) if self.soon else self.interval)

    def poll(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def warm(self) -> None:
        """Made once before the first look, not with the first new events."""


class FolderWatcher(Watcher):
    """Takes in the extra events files that appear in a data folder (see the module)."""

    def __init__(self, service: DataService, folder: str | Path, interval: float = 1.0) -> None:
        super().__init__(service, interval)
        self.folder = Path(folder)
        self._seen: dict[str, tuple[int, int]] = {}  # first look at a new file: its signature
        # rejected, as it was then (also the files the loader left out)
        self._rejected: dict[str, tuple[int, int]] = dict(self._left_out())
        self._base = self._base_signatures()
        self._stuck: tuple | None = None  # the files' state when a reload failed

    def warm(self) -> None:
        """The data set's known event ids (to reject an id seen before; about a second at 10M
        events) and the compiled checks of a new file, made before the first file arrives."""
        from .feed import prepare

        try:
            with self.service.lock:
                prepare(self.service.data)
        except Exception:  # made again with the first file; that one says what is wrong
            log.exception("could not index the event ids")

    def _left_out(self) -> dict[str, tuple[int, int]]:
        return dict(self.service.data.__dict__.get("_rejected_signatures", {}))

    def _base_signatures(self) -> dict[str, tuple[int, int] | None]:
        from .feed import signature

        out: dict[str, tuple[int, int] | None] = {}
        for f in self.service.data.files.values():
            try:
                out[f] = signature(f)
            except OSError:
                out[f] = None
        return out

    def poll(self) -> int:
        """Look once; returns the number of events taken in (a reload counts as 0)."""
        from .feed import extra_files, signature

        data = self.service.data
        state = self._state()
        if state != self._stuck and (
            self._base_signatures() != self._base
            or any(state[1].get(f) != sig for f, sig in data.extra_events.items())
        ):
            return self._reload(state)
        if self._stuck is not None:
            return 0  # a changed data set that cannot be used: waiting for the next change
        mp = self.service.mapping
        taken = 0
        for path in extra_files(self.folder, mp):
            name = str(path)
            if name in data.extra_events:
                continue
            try:
                sig = signature(path)
            except OSError:  # gone between listing and looking
                continue
            if self._rejected.get(name) == sig:
                continue
            settled = time.time() - sig[1] / 1e9 >= SETTLED_SECONDS
            if not settled and self._seen.get(name) != sig:
                self._seen[name] = sig  # look again soon: it may still be written
                self.soon = True
                continue
            self._seen.pop(name, None)
            taken += self._take(path, sig)
        return taken

    def _take(self, path: Path, sig: tuple[int, int]) -> int:
        name = str(path)
        live = self.service.live
        try:
            n = self.service.take_in(path)
        except DataError as exc:
            self._rejected[name] = sig
            live.rejected[name] = [str(p) for p in exc.problems]
            log.error("rejected %s (nothing of it is counted):\n%s", name, exc)
            return 0
        self._rejected.pop(name, None)
        live.rejected.pop(name, None)
        log.info("took in %s: %d new events", name, n)
        return n

    def _state(self) -> tuple:
        """The signatures of the base files and of the extra files taken in (``None``: gone)."""
        from .feed import signature

        extras: dict[str, tuple[int, int] | None] = {}
        for f in self.service.data.extra_events:
            try:
                extras[f] = signature(f)
            except OSError:
                extras[f] = None
        return tuple(sorted(self._base_signatures().items())), extras

    def _reload(self, state: tuple) -> int:
        live = self.service.live
        log.info("a file of %s changed or was removed: loading the data set again", self.folder)
        try:
            self.service.reload()
        except DataError as exc:  # the old data set stays in use
            live.error = str(exc)
            self._stuck = state
            log.error("the changed data set cannot be used; the old one stays:\n%s", exc)
        else:
            self._stuck = None
            live.error = ""
            self._rejected = self._left_out()
            self.warm()  # the new data set's ids and checks, before its first new file
        self._base = self._base_signatures()
        return 0


__all__ = ["FolderWatcher", "Watcher", "SETTLED_SECONDS"]
