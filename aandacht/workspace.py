"""A local workspace: a validated copy of a large data set, sorted by relation, kept on disk.

Loading a folder validates every event (unique ids, known relations and users, allowed codes),
and a Parquet or CSV event log is usually sorted by time, so one relation's events are spread
over the whole file. For a large log both cost time on every run. A workspace is made once per
version of the source files: the data set is loaded and validated as usual, then the events are
written to a DuckDB database file sorted by relation and time, and the four small tables to
Parquet. Later loads of the same, unchanged files open that copy instead: nothing is validated
again (it was, and the files have not changed), one relation's timeline reads one or two blocks
of the file, and counting reads DuckDB's own storage instead of decoding Parquet.

When is a workspace used? :func:`aandacht.load` decides with ``workspace=``: ``True`` always (for
folders; made first, synchronously, when there is none), ``False`` never, ``None`` (the
default, "auto") as ``$AANDACHT_WORKSPACE`` says (``yes``/``no``) or, when that is not set,
when the events file of a folder is at least :data:`AUTO_MIN_BYTES` large. In that last case
the first load of new files does not wait for the workspace: it reads and validates the files
and answers from them, while a detached background process (:func:`build_in_background`)
makes the workspace; the loads after it is ready read it. So a first run costs about a read
and validation of the files, not also the sort. The command line has
``--workspace auto|yes|no``.

Where? In :func:`cache_folder` (``$AANDACHT_CACHE``, else ``$XDG_CACHE_HOME/aandacht``, else
``~/.cache/aandacht``), under ``workspaces/``: one directory per source folder, named after the
folder's path and the fingerprint of its files. Deleting it is always safe; it is rebuilt.

When is it stale? The fingerprint covers, per table file, its path, size, modification time and
the first and last 64 KiB of its contents; the mapping file; and the source code of the modules
that read and validate data (so an update of aandacht rebuilds it). Any change gives a new
fingerprint, and the old workspace of that folder is removed when the new one is made.

Not used for one ``.xlsx`` (small by nature), for database URLs (the data is already in an
engine), or when the caller passes its own Ibis connection.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
import uuid
import warnings
from pathlib import Path

import ibis
import pandas as pd

from .mapping import Mapping
from .schema import TABLES

#: From this size of the events file on, ``load(..., workspace=None)`` uses a workspace.
AUTO_MIN_BYTES = 32 * 2**20

#: Bumped when the layout of a workspace changes.
FORMAT = 1

SMALL_TABLES = ("relations", "relation_groups", "users", "user_groups")
_EDGE = 64 * 1024
_CODE_MODULES = ("load.py", "validation.py", "schema.py", "mapping.py", "workspace.py")


def cache_folder() -> Path:
    """The folder workspaces are kept in (``…/aandacht/workspaces``)."""
    root = os.environ.get("AANDACHT_CACHE")
    if root:
        base = Path(root)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "aandacht"
    return base / "workspaces"


def _file_print(path: Path) -> dict:
    st = path.stat()
    h = hashlib.sha256()
    with path.open("rb") as fh:
        h.update(fh.read(_EDGE))
        if st.st_size > _EDGE:
            fh.seek(max(_EDGE, st.st_size - _EDGE))
            h.update(fh.read(_EDGE))
    return {
        "path": str(path.resolve()),
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "edges": h.hexdigest(),
    }


def _code_print() -> str:
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in _CODE_MODULES:
        h.update((here / name).read_bytes())
    return h.hexdigest()


def source_files(folder: Path, mp: Mapping) -> dict[str, Path]:
    """The files the five tables of ``folder`` are read from (as :func:`aandacht.load` finds them)."""
    from .reading import _find

    found = {}
    for name in TABLES:
        p = _find(folder, name, mp.table(name))
        if p is not None:
            found[name] = p
    return found


def fingerprint(folder: Path, mp: Mapping) -> str:
    """A hash of everything a workspace of ``folder`` depends on (see the module's notes)."""
    import duckdb

    mapping = dataclasses.asdict(mp)
    mapping.pop("origin", None)
    parts = {
        "format": FORMAT,
        "code": _code_print(),
        "duckdb": duckdb.__version__,
        "mapping": mapping,
        "files": {name: _file_print(p) for name, p in sorted(source_files(folder, mp).items())},
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def wanted(folder: Path, mp: Mapping, workspace: bool | None) -> bool:
    """Whether :func:`aandacht.load` should go through a workspace for ``folder``.

    ``None`` ("auto") follows ``$AANDACHT_WORKSPACE`` (``yes``/``no``) when it is set, else
    the size of the events file.
    """
    if workspace is None:
        env = os.environ.get("AANDACHT_WORKSPACE", "auto").strip().lower()
        workspace = {"yes": True, "1": True, "true": True, "no": False, "0": False}.get(env)
        if workspace is None and env not in ("auto", ""):
            from .errors import AandachtError

            raise AandachtError(f"AANDACHT_WORKSPACE must be yes, no or auto, not {env!r}")
    if workspace is not None:
        return bool(workspace)
    events = source_files(folder, mp).get("events")
    return events is not None and events.stat().st_size >= AUTO_MIN_BYTES


def mode(folder: Path, mp: Mapping, workspace: bool | None) -> str:
    """How :func:`aandacht.load` reads ``folder``: ``"no"`` (the files), ``"now"`` (through the
    workspace, made first if needed) or ``"background"`` (through the workspace when it is
    ready; else from the files, while a background process makes it).

    ``workspace=True`` and ``$AANDACHT_WORKSPACE=yes`` mean ``"now"``; ``None`` ("auto")
    means ``"background"`` for event files of :data:`AUTO_MIN_BYTES` and more, so that the
    first run on new files costs about a read and a validation of them, not also the sort.
    """
    explicit = workspace is not None or os.environ.get("AANDACHT_WORKSPACE", "").strip()
    if not wanted(folder, mp, workspace):
        return "no"
    if explicit and str(explicit).lower() not in ("auto",):
        return "now"
    return "background"


def open_if_ready(folder: str | Path, mp: Mapping | None = None):
    """The data set through its workspace when that is made and current, else ``None``."""
    folder = Path(folder)
    where = location(folder, mp or Mapping())
    if not (where / "meta.json").exists():
        return None
    try:
        return _open(where, folder)
    except Exception:  # damaged: the next build replaces it
        shutil.rmtree(where, ignore_errors=True)
        return None


def building(folder: str | Path, mp: Mapping | None = None) -> bool:
    """Whether a background process is making the workspace of ``folder``'s current files."""
    lock = _lock_file(location(Path(folder), mp or Mapping()))
    try:
        pid = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        return False
    return _alive(pid)


_DEFERRED: list[tuple[Path, Mapping]] = []
_DEFER = False


def defer_background_builds() -> None:
    """Start background builds only when this process exits (the command line does this, so
    that the build does not share the two cores with the run that asked for it)."""
    global _DEFER
    if not _DEFER:
        import atexit

        _DEFER = True
        atexit.register(_start_deferred)


def _start_deferred() -> None:
    while _DEFERRED:
        _start_build(*_DEFERRED.pop(0))


def build_in_background(folder: str | Path, mp: Mapping | None = None) -> bool:
    """Start a detached process that makes the workspace of ``folder``; returns whether one
    was started (not when one is already at work, or the cache cannot be written).

    The process outlives the caller (a command-line run ends with its answer); it writes the
    workspace atomically, as :func:`open_workspace` does, and logs to ``build.log`` in
    :func:`cache_folder`. Concurrent callers start one process between them.
    """
    folder = Path(folder)
    mp = mp or Mapping()
    if _DEFER:
        if (folder, mp) not in _DEFERRED:
            _DEFERRED.append((folder, mp))
        return True
    return _start_build(folder, mp)


def _start_build(folder: Path, mp: Mapping) -> bool:
    import pickle
    import subprocess
    import sys

    where = location(folder, mp)
    lock = _lock_file(where)
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        if lock.exists() and not building(folder, mp):
            lock.unlink(missing_ok=True)  # left by a process that died
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except OSError:
        return False  # one is at work, or no room: the files are read as they are
    request = where.parent / f".{where.name}.{uuid.uuid4().hex[:8]}.request"
    try:
        request.write_bytes(pickle.dumps({"folder": str(folder), "mapping": mp}))
        log = open(where.parent / "build.log", "ab")  # noqa: SIM115 (handed to the child)
        child = subprocess.Popen(
            [sys.executable, "-m", "aandacht.workspace", str(request), str(lock)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
        log.close()
        os.write(fd, str(child.pid).encode())
    except OSError:
        request.unlink(missing_ok=True)
        lock.unlink(missing_ok=True)
        return False
    finally:
        os.close(fd)
    return True


def wait(folder: str | Path, mp: Mapping | None = None, timeout: float = 600.0) -> bool:
    """Wait until the workspace of ``folder`` is ready (``True``) or no process is making it."""
    deadline = time.monotonic() + timeout
    mp = mp or Mapping()
    where = location(Path(folder), mp)
    # until the process that makes it has finished (it publishes meta.json, then lets go of
    # its lock and exits): afterwards building() is False for sure
    while time.monotonic() < deadline and building(folder, mp):
        time.sleep(0.1)
    return (where / "meta.json").exists()


def _lock_file(where: Path) -> Path:
    return where.parent / f".{where.name}.building"


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a finished child not yet reaped by its parent is a zombie: not at work
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def _build_requested(request: Path, lock: Path) -> int:
    """The background process: make the workspace asked for in ``request``."""
    import pickle

    try:
        job = pickle.loads(request.read_bytes())
        request.unlink(missing_ok=True)
        started = time.perf_counter()
        ds = open_workspace(job["folder"], job["mapping"])
        print(
            f"{time.strftime('%Y-%m-%dT%H:%M:%S')} workspace of {job['folder']}: "
            f"{ds.workspace or 'not made'} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        return 0 if ds.workspace else 1
    except Exception as exc:  # bad data: the foreground run reports it
        print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} workspace not made: {exc}", flush=True)
        return 1
    finally:
        lock.unlink(missing_ok=True)


def _folder_key(folder: Path) -> str:
    return hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]


def location(folder: Path, mp: Mapping) -> Path:
    """The directory of the workspace for the current state of ``folder``'s files."""
    return cache_folder() / f"{_folder_key(folder)}-{fingerprint(folder, mp)[:24]}"


def open_workspace(folder: str | Path, mp: Mapping | None = None):
    """Load ``folder`` through its workspace, making the workspace first when there is none.

    Returns the same :class:`~aandacht.load.Dataset` as :func:`aandacht.load` would (same
    tables, same ``origin`` and ``files`` for messages), with its events in the workspace.
    Raises :class:`~aandacht.errors.DataError` exactly as :func:`aandacht.load` does. If the
    workspace cannot be written (no space, no permission), a warning is given and the data set
    is returned loaded the ordinary way.
    """
    folder = Path(folder)
    mp = mp or Mapping()
    where = location(folder, mp)
    if (where / "meta.json").exists():
        try:
            return _open(where, folder)
        except Exception as exc:  # a damaged workspace is rebuilt, never trusted
            warnings.warn(
                f"workspace {where} cannot be read ({exc}); making it again", stacklevel=2
            )
            shutil.rmtree(where, ignore_errors=True)
    import duckdb

    from .dataset import connect_duckdb
    from .reading import read_tables

    tmp = where.parent / f".{where.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        tmp.mkdir(parents=True)
    except OSError as exc:
        _cannot_write(where, exc)
        return read_tables(folder, mp, connect_duckdb())
    try:
        # A connection of its own, with its spill folder set before the first query: DuckDB
        # cannot switch the temporary directory once it has been used (validating ten
        # million events may already spill).
        con = connect_duckdb(temp_directory=str(tmp / "spill"))
        ds = read_tables(folder, mp, con)  # validates; raises DataError on bad data
        try:
            _build(ds, where, tmp)
        except (OSError, duckdb.Error) as exc:  # no space, no permission, ...
            _cannot_write(where, exc)
            return ds
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(folder, keep=where)
    return _open(where, folder)


def _cannot_write(where: Path, exc: Exception) -> None:
    warnings.warn(
        f"could not write a workspace in {where.parent} ({exc}); the data is used directly. "
        "Set AANDACHT_CACHE to a writable folder, or use workspace=False / --workspace no",
        stacklevel=3,
    )


def _build(ds, where: Path, tmp: Path) -> None:
    """Write ``ds`` to the new workspace directory ``where`` by way of ``tmp``, atomically."""
    started = time.perf_counter()
    raw = ds.con.con  # the DuckDB connection the data set was loaded into
    sql = ibis.to_sql(ds.events, dialect="duckdb")
    db = tmp / "events.duckdb"
    attached = False
    try:
        # the sort spills to disk beyond 1 GB; the connection is the data set's, so its
        # settings are put back afterwards (it is returned when the workspace fails)
        limit = raw.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        if not os.environ.get("AANDACHT_DUCKDB_MEMORY", "").strip():
            raw.execute("SET memory_limit = '1GB'")
        raw.execute("SET preserve_insertion_order = false")
        raw.execute(f"ATTACH '{_quote(str(db))}' AS aandacht_ws")
        attached = True
        raw.execute(
            f"CREATE TABLE aandacht_ws.events AS SELECT * FROM ({sql}) AS e "
            "ORDER BY relation_id, timestamp, event_id"
        )
        n_events = raw.execute("SELECT count(*) FROM aandacht_ws.events").fetchone()[0]
    finally:
        if attached:
            raw.execute("DETACH aandacht_ws")
        raw.execute(f"SET memory_limit = '{_quote(str(limit))}'")
        raw.execute("RESET preserve_insertion_order")
    shutil.rmtree(tmp / "spill", ignore_errors=True)
    for name in SMALL_TABLES:
        getattr(ds, name).to_parquet(tmp / f"{name}.parquet", index=False)
    meta = {
        "format": FORMAT,
        "origin": ds.origin,
        "files": ds.files,
        "events": int(n_events),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "build_seconds": round(time.perf_counter() - started, 2),
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    try:
        tmp.rename(where)
    except OSError:
        if not (where / "meta.json").exists():  # not a concurrent build that won
            raise


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _open(where: Path, folder: Path):
    """The data set in workspace ``where``, named as ``folder`` is spelled by this caller."""
    from .dataset import Dataset

    meta = json.loads((where / "meta.json").read_text())
    files = {name: str(folder / _relative(f, meta["origin"])) for name, f in meta["files"].items()}
    if meta.get("format") != FORMAT:
        raise ValueError(f"format {meta.get('format')}, expected {FORMAT}")
    from .dataset import connect_duckdb

    con = connect_duckdb()
    con.raw_sql(f"ATTACH '{_quote(str(where / 'events.duckdb'))}' AS aandacht_ws (READ_ONLY)")
    events = con.table("events", database="aandacht_ws")
    small = {name: pd.read_parquet(where / f"{name}.parquet") for name in SMALL_TABLES}
    return Dataset(
        con=con,
        events=events,
        origin=str(folder),
        files=files,
        workspace=str(where),
        **small,
    )


def remove(folder: str | Path) -> int:
    """Remove every workspace of ``folder``; returns how many there were."""
    found = [p for p in cache_folder().glob(_folder_key(Path(folder)) + "-*") if p.is_dir()]
    for p in found:
        shutil.rmtree(p, ignore_errors=True)
    return len(found)


def _relative(file: str, origin: str) -> Path:
    try:
        return Path(file).relative_to(origin)
    except ValueError:
        return Path(Path(file).name)


def _prune(folder: Path, keep: Path) -> None:
    """Remove the older workspaces of ``folder`` (other fingerprints of the same path)."""
    prefix = _folder_key(folder) + "-"
    for p in cache_folder().glob(prefix + "*"):
        if p != keep and p.is_dir():
            shutil.rmtree(p, ignore_errors=True)


if __name__ == "__main__":  # python -m aandacht.workspace REQUEST LOCK (build_in_background)
    import sys

    sys.exit(_build_requested(Path(sys.argv[1]), Path(sys.argv[2])))


__all__ = [
    "AUTO_MIN_BYTES",
    "build_in_background",
    "building",
    "mode",
    "open_if_ready",
    "wait",
    "cache_folder",
    "fingerprint",
    "location",
    "open_workspace",
    "remove",
    "wanted",
]
