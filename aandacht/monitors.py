"""Saved monitors and the history of calculations (S3), in one embedded SQLite database.

A **monitor** is a named set of settings — users or a user group, a period *rule* (resolved to
dates for the day it runs), relations (all, a B-group or a list of codes), banding strategy and
thresholds, revenue basis — belonging to one person (``owner`` = their login) or **shared**
(``owner=None``). Every **calculation** is stored with its time, its settings, who ran it and the
monitor it ran (if any); the latest one is what the dashboard shows when it opens, earlier ones
are the history.

Storage
-------
One SQLite file, ``monitors.sqlite``, in the store folder (``$AANDACHT_STORE``, default
``.aandacht/`` in the working directory; see :func:`store_folder`). Why SQLite
(Python's own ``sqlite3``, nothing to install or run):

* **atomic**: a save is one transaction (``BEGIN IMMEDIATE … COMMIT``); a process killed at any
  point before the commit leaves the database as it was — the previous result intact;
* **durable**: write-ahead log (``journal_mode=WAL``) with ``synchronous=FULL``: a committed
  save survives a crash or power loss;
* **concurrent**: any number of sessions and processes; writers take turns (``busy_timeout``),
  readers are never blocked by a writer and never see half a save;
* **one file to back up** while the server runs (:meth:`MonitorStore.backup`, or
  ``sqlite3 monitors.sqlite ".backup copy.sqlite"``).

Results are stored as Parquet (in a ``BLOB``) with the table's ``attrs`` as JSON, so a stored
result round-trips exactly: values, column order, dtypes (``Int64``, ``datetime64``, ``object``
text) and ``attrs``. The database file is created readable by the server's user only (``0600``):
it holds revenue. It must be on a local disk (WAL does not work on network file systems).

What may be *shown* from a stored result is decided by :mod:`aandacht.access`
(:meth:`aandacht.Session.result`): history is kept per owner, and a result is passed
through the access rules again when it is loaded.

>>> import tempfile, pandas as pd
>>> store = MonitorStore(tempfile.mkdtemp())
>>> m = store.save_monitor(Monitor("Top customers", owner="jan", b_group="top customers",
...                                period="last_month"))
>>> [x.name for x in store.list_monitors("jan")]
['Top customers']
>>> m.period_dates("2026-03-31")
(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
>>> df = pd.DataFrame({"relation_id": ["R1"], "total": [3]})
>>> saved = store.save_calculation(df, {"monitor": m.to_dict()}, "data_samples", owner="jan",
...                                monitor=m.name)
>>> store.latest_calculation("data_samples", owner="jan").result.total.tolist()
[3]
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import AandachtError
from .selection import REVENUE_BASES, Selection, period_preset, to_date

__all__ = [
    "DB_NAME",
    "PERIOD_RULES",
    "CalculationInfo",
    "Monitor",
    "MonitorError",
    "MonitorStore",
    "StoredCalculation",
    "delete_monitor",
    "latest_calculation",
    "list_monitors",
    "load_monitor",
    "period_rule",
    "resolve_period",
    "save_calculation",
    "save_monitor",
    "store_folder",
]

#: The database file in the store folder.
DB_NAME = "monitors.sqlite"
#: The layout of the database (``PRAGMA user_version``).
SCHEMA_VERSION = 1
#: The period rules a monitor may use.
PERIOD_RULES = (
    "this_week",
    "last_month",
    "last_12_months",
    "last_<N>_days",
    "since:<YYYY-MM-DD>",
    "custom:<FROM>..<TO>",
)
#: Longest monitor name.
MAX_NAME = 100

#: Test hook: called with the operation's name inside a write transaction, just before COMMIT.
#: The tests use it to kill a process at exactly that point. ``None`` in normal use.
_before_commit: Callable[[str], None] | None = None


class MonitorError(AandachtError):
    """A monitor or stored calculation that does not exist or cannot be used."""


# ----------------------------------------------------------------------------------------------
# period rules


_LAST_DAYS = re.compile(r"^last_(\d{1,5})_days$")
#: A day after any real date: checks a rule's syntax without "starts after it ends" errors.
_FAR = dt.date(9999, 12, 30)


def resolve_period(rule: str, as_of: dt.date | str | None = None) -> tuple[dt.date, dt.date]:
    """The period (first day, last day; both inclusive) of a period rule on day ``as_of``.

    Rules: ``this_week``, ``last_month``, ``last_12_months`` (as
    :func:`aandacht.selection.period_preset`), ``last_<N>_days`` (the N days up to and including
    ``as_of``), ``since:<date>`` (that day through ``as_of``) and ``custom:<from>..<to>``
    (fixed dates). ``as_of`` defaults to today.

    Raises
    ------
    MonitorError
        For a rule that is not one of :data:`PERIOD_RULES` or has a bad date.

    Examples
    --------
    >>> resolve_period("last_12_months", "2026-10-31")
    (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    >>> resolve_period("since:2026-01-01", "2026-02-15")
    (datetime.date(2026, 1, 1), datetime.date(2026, 2, 15))
    >>> resolve_period("custom:2026-01-01..2026-03-31", "2026-10-31")
    (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    >>> resolve_period("last_7_days", "2026-10-31")
    (datetime.date(2026, 10, 25), datetime.date(2026, 10, 31))
    """
    text = str(rule).strip()
    try:
        end = to_date(as_of, "as_of") or dt.date.today()
        if text in ("this_week", "last_month", "last_12_months"):
            return period_preset(text, end)
        m = _LAST_DAYS.match(text)
        if m:
            n = int(m.group(1))
            if n < 1:
                raise MonitorError(f"period rule '{text}': the number of days must be at least 1")
            return end - dt.timedelta(days=n - 1), end
        if text.startswith("since:"):
            return period_preset("since", end, since=text[len("since:") :].strip())
        if text.startswith("custom:") and ".." in text:
            start, stop = text[len("custom:") :].split("..", 1)
            return period_preset("custom", end, period_from=start.strip(), period_to=stop.strip())
    except AandachtError as exc:
        if isinstance(exc, MonitorError):
            raise
        raise MonitorError(f"period rule '{text}': {exc}") from exc
    raise MonitorError(f"unknown period rule '{text}'; use one of: {', '.join(PERIOD_RULES)}")


def period_rule(
    preset: str,
    since: dt.date | str | None = None,
    period_from: dt.date | str | None = None,
    period_to: dt.date | str | None = None,
) -> str:
    """The rule of the dashboard's period widgets (``preset`` of
    :data:`aandacht.selection.PERIOD_PRESETS`, with its dates).

    >>> period_rule("since", since="2026-01-01"), period_rule("last_month")
    ('since:2026-01-01', 'last_month')
    """
    if preset == "since":
        rule = f"since:{to_date(since, 'since')}"
    elif preset == "custom":
        rule = f"custom:{to_date(period_from, 'from')}..{to_date(period_to, 'to')}"
    else:
        rule = preset
    resolve_period(rule, _FAR)
    return rule


# ----------------------------------------------------------------------------------------------
# monitors


@dataclass(frozen=True)
class Monitor:
    """Named settings of a calculation.

    Parameters
    ----------
    name : the name, unique per owner (1–100 characters).
    owner : the login it belongs to; ``None`` = shared with everyone.
    users : user ids, or ``None``; ``user_group`` : a group or department (not both).
    period : a period rule (:func:`resolve_period`), default ``last_12_months``.
    b_group : a B-group, or ``codes`` : relation codes (not both); neither = all relations.
    strategy : banding strategy (:data:`aandacht.bands.STRATEGIES`); ``thresholds`` its 4
        thresholds or ``None`` for the strategy's defaults.
    revenue : revenue basis (``orders``, ``invoices``, ``both``) or ``None``.
    description : free text.
    options : other JSON-safe settings the app wants to keep (view, language, …).
    """

    name: str
    owner: str | None = None
    users: tuple[str, ...] | None = None
    user_group: str | None = None
    period: str = "last_12_months"
    b_group: str | None = None
    codes: tuple[str, ...] | None = None
    strategy: str = "relative"
    thresholds: tuple[float, ...] | None = None
    revenue: str | None = None
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from .bands import STRATEGIES

        name = str(self.name).strip()
        if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
            raise MonitorError(
                f"monitor name {self.name!r}: use 1 to {MAX_NAME} characters, no control characters"
            )
        object.__setattr__(self, "name", name)
        if self.owner is not None:
            owner = str(self.owner).strip()
            if not owner:
                raise MonitorError("a monitor's owner is a login, or None for a shared monitor")
            object.__setattr__(self, "owner", owner)
        for attr in ("users", "codes"):
            value = getattr(self, attr)
            if value is not None:
                if isinstance(value, str):
                    value = [value]
                object.__setattr__(self, attr, tuple(str(v).strip() for v in value))
        if self.users is not None and self.user_group is not None:
            raise MonitorError(f"monitor '{name}': choose users or a user group, not both")
        if self.b_group is not None and self.codes is not None:
            raise MonitorError(f"monitor '{name}': choose a B-group or relation codes, not both")
        if self.strategy not in STRATEGIES:
            raise MonitorError(
                f"monitor '{name}': unknown strategy '{self.strategy}'; use {', '.join(STRATEGIES)}"
            )
        if self.thresholds is not None:
            try:
                th = tuple(float(x) for x in self.thresholds)
            except (TypeError, ValueError) as exc:
                raise MonitorError(f"monitor '{name}': thresholds must be numbers") from exc
            if len(th) != 4 or any(b <= a for a, b in zip(th, th[1:], strict=False)):
                raise MonitorError(f"monitor '{name}': thresholds must be 4 ascending numbers")
            object.__setattr__(self, "thresholds", th)
        if self.revenue is not None and self.revenue not in REVENUE_BASES:
            raise MonitorError(
                f"monitor '{name}': revenue basis '{self.revenue}' is unknown; "
                f"use {', '.join(REVENUE_BASES)}"
            )
        resolve_period(self.period, _FAR)  # the rule's syntax and dates
        try:
            json.dumps(dict(self.options))
        except (TypeError, ValueError) as exc:
            raise MonitorError(f"monitor '{name}': options must be JSON-safe: {exc}") from exc
        object.__setattr__(self, "options", dict(self.options))

    @property
    def shared(self) -> bool:
        """True for a shared monitor (no owner)."""
        return self.owner is None

    def period_dates(self, as_of: dt.date | str | None = None) -> tuple[dt.date, dt.date]:
        """The period of this monitor on day ``as_of`` (default today)."""
        return resolve_period(self.period, as_of)

    def selection(self, as_of: dt.date | str | None = None, *, revenue: bool = True) -> Selection:
        """The :class:`~aandacht.Selection` of this monitor on day ``as_of`` (default today).

        ``revenue=False`` leaves the revenue basis out (for a user without ``sales_monitor``
        who opens a shared monitor that has one).
        """
        end = to_date(as_of, "as_of") or dt.date.today()
        p_from, p_to = self.period_dates(end)
        return Selection(
            users=self.users,
            user_group=self.user_group,
            b_group=self.b_group,
            relations=self.codes,
            period_from=p_from,
            period_to=p_to,
            as_of=end,
            revenue=self.revenue if revenue else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-safe values (``owner`` included)."""
        d = dataclasses.asdict(self)
        for k in ("users", "codes", "thresholds"):
            d[k] = list(d[k]) if d[k] is not None else None
        d["options"] = dict(self.options)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Monitor:
        """The monitor of :meth:`to_dict`'s output (unknown keys are an error)."""
        names = {f.name for f in dataclasses.fields(cls)}
        bad = sorted(set(d) - names)
        if bad:
            raise MonitorError(f"unknown monitor setting(s): {', '.join(bad)}")
        return cls(**dict(d))


# ----------------------------------------------------------------------------------------------
# the store folder, data set keys and stored values


def store_folder(folder: str | Path | None = None) -> Path:
    """The store folder: ``folder``, else ``$AANDACHT_STORE``, else ``./.aandacht``."""
    if folder is not None:
        return Path(folder)
    env = os.environ.get("AANDACHT_STORE")
    return Path(env) if env else Path.cwd() / ".aandacht"


def _data_key(data: str | Path) -> str:
    """A stable name for a data set: its absolute path (or URL without password)."""
    text = str(data)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+]*://", text):
        return re.sub(r"://([^:/@]+):[^@]*@", r"://\1@", text)
    return str(Path(text).expanduser().resolve())


def _jsonable(value: Any) -> Any:
    """``value`` with only JSON types: dates as ISO text, numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _restore_object_columns(df: pd.DataFrame, pandas_meta: dict[str, Any]) -> pd.DataFrame:
    """Give text columns that were ``object`` when written their ``object`` dtype back."""
    for col in pandas_meta.get("columns", []):
        name = col.get("name")
        if col.get("numpy_type") == "object" and name in df.columns and df[name].dtype != object:
            df[name] = df[name].astype(object)
    return df


# ----------------------------------------------------------------------------------------------
# stored calculations


@dataclass
class CalculationInfo:
    """One calculation in the history (without its result table).

    Attributes
    ----------
    id : its number (increasing: a higher id is a later save).
    calculated_at : local date and time of the calculation (seconds).
    data : the data set (path or URL without password).
    owner : who ran it (login).
    monitor : the monitor's name, or ``None``.
    n_rows : rows in the result.
    settings : the settings it was calculated with.
    """

    id: int
    calculated_at: dt.datetime
    data: str
    owner: str
    monitor: str | None
    n_rows: int
    settings: dict[str, Any]


@dataclass
class StoredCalculation(CalculationInfo):
    """A stored calculation with its result table (``attrs`` restored)."""

    result: pd.DataFrame = field(default_factory=pd.DataFrame)


def _to_blob(result: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = result.copy()
    frame.attrs = {}
    table = pa.Table.from_pandas(frame, preserve_index=None)
    meta = {b"aandacht_attrs": json.dumps(_jsonable(dict(result.attrs))).encode("utf-8")}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _from_blob(blob: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(blob))
    df = _restore_object_columns(table.to_pandas(), table.schema.pandas_metadata or {})
    df.attrs = json.loads((table.schema.metadata or {}).get(b"aandacht_attrs", b"{}"))
    return df


_SCHEMA = """
CREATE TABLE IF NOT EXISTS monitors (
    owner      TEXT NOT NULL,           -- login, or '' for shared
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,           -- JSON of Monitor.to_dict()
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (owner, name)
);
CREATE TABLE IF NOT EXISTS calculations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    data          TEXT NOT NULL,        -- data set key (path, or URL without password)
    owner         TEXT NOT NULL,        -- login of who ran it
    monitor       TEXT,                 -- monitor name or NULL
    calculated_at TEXT NOT NULL,        -- ISO local time, seconds
    settings      TEXT NOT NULL,        -- JSON
    n_rows        INTEGER NOT NULL,
    result        BLOB NOT NULL         -- Parquet, attrs in its metadata
);
CREATE INDEX IF NOT EXISTS calculations_latest ON calculations (data, owner, id);
"""


class MonitorStore:
    """Monitors and calculations in ``<folder>/monitors.sqlite``.

    Safe to use from many threads and processes at once: every call opens its own connection,
    and every save is one transaction.

    Parameters
    ----------
    folder : the store folder; default :func:`store_folder`
        (``$AANDACHT_STORE`` or ``./.aandacht``).
    timeout : seconds a save waits for another writer before giving up.
    """

    def __init__(self, folder: str | Path | None = None, *, timeout: float = 60.0) -> None:
        self.folder = store_folder(folder)
        self.path = self.folder / DB_NAME
        self.timeout = float(timeout)
        self._ready = False

    def __repr__(self) -> str:
        return f"MonitorStore({str(self.folder)!r})"

    # -- connections and transactions ------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # create it private before SQLite does: it holds revenue; SQLite gives its -wal and
            # -shm files the same permissions
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            if not self._ready:
                self._setup(con)
            con.execute("PRAGMA synchronous = FULL")
        except BaseException:
            con.close()
            raise
        return con

    def _setup(self, con: sqlite3.Connection) -> None:
        mode = con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise MonitorError(
                f"{self.path}: the store needs SQLite's write-ahead log (got '{mode}'); put the "
                "store on a local disk ($AANDACHT_STORE)"
            )
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise MonitorError(
                f"{self.path} was written by a newer aandacht (layout {version}); upgrade aandacht"
            )
        if version < SCHEMA_VERSION:
            con.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        con.execute(statement)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        self._ready = True

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    @contextlib.contextmanager
    def _write(self, operation: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside is saved together, or not at all."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                if _before_commit is not None:
                    _before_commit(operation)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    # -- monitors ----------------------------------------------------------------------------

    def save_monitor(self, monitor: Monitor, *, by: Any = None) -> Monitor:
        """Save (create or replace) a monitor under its owner and name.

        ``by`` (an :class:`aandacht.access.Principal`) checks the right to do so: one's own
        monitors, and shared ones only with ``share_monitors``.
        """
        _check_owner(monitor.owner, by, f"monitor '{monitor.name}'")
        now = _now().isoformat()
        with self._write("save_monitor") as con:
            con.execute(
                "INSERT INTO monitors (owner, name, settings, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner, name) DO UPDATE SET "
                "settings = excluded.settings, updated_at = excluded.updated_at",
                (monitor.owner or "", monitor.name, json.dumps(monitor.to_dict()), now, now),
            )
        return monitor

    def list_monitors(self, owner: str | None = None, *, shared: bool = True) -> list[Monitor]:
        """The monitors of ``owner`` (by name), then the shared ones (by name).

        ``owner=None`` lists the shared monitors only.
        """
        owners = ([owner] if owner else []) + ([""] if shared else [])
        if not owners:
            return []
        marks = ", ".join("?" for _ in owners)
        with self._read() as con:
            rows = con.execute(
                f"SELECT owner, settings FROM monitors WHERE owner IN ({marks}) "
                "ORDER BY owner = '', name",
                owners,
            ).fetchall()
        return [_monitor(settings) for _, settings in rows]

    def load_monitor(self, name: str, owner: str | None = None) -> Monitor:
        """The monitor ``name`` of ``owner``, else the shared one of that name.

        Raises
        ------
        MonitorError
            When there is none, listing the names there are.
        """
        owners = ([owner] if owner else []) + [""]
        with self._read() as con:
            for o in owners:
                row = con.execute(
                    "SELECT settings FROM monitors WHERE owner = ? AND name = ?", (o, name)
                ).fetchone()
                if row is not None:
                    return _monitor(row[0])
        known = [m.name for m in self.list_monitors(owner)]
        raise MonitorError(
            f"there is no monitor '{name}'"
            + (f" of {owner} or shared" if owner else " (shared)")
            + f"; monitors: {', '.join(known) or '(none)'}"
        )

    def delete_monitor(self, name: str, owner: str | None = None, *, by: Any = None) -> bool:
        """Delete the monitor ``name`` of ``owner`` (``None``: the shared one).

        Its calculations stay in the history. Returns whether there was one. ``by`` checks the
        right to do so, as in :meth:`save_monitor`.
        """
        _check_owner(owner, by, f"monitor '{name}'")
        with self._write("delete_monitor") as con:
            cur = con.execute(
                "DELETE FROM monitors WHERE owner = ? AND name = ?", (owner or "", name)
            )
            return cur.rowcount > 0

    # -- calculations ------------------------------------------------------------------------

    def save_calculation(
        self,
        result: pd.DataFrame,
        settings: Mapping[str, Any],
        data: str | Path,
        *,
        owner: str,
        monitor: str | None = None,
        calculated_at: dt.datetime | None = None,
        keep: int | None = None,
    ) -> StoredCalculation:
        """Store a calculation: its result, settings and time, for ``owner`` (a login).

        The result is serialised before the transaction starts, so the database is locked only
        for the write itself. ``keep`` (optional) then deletes all but the newest ``keep``
        calculations of this owner on this data set, in the same transaction.

        Raises
        ------
        OSError, sqlite3.Error
            When the store cannot be written; what was stored before is then unchanged.
        """
        if not str(owner).strip():
            raise MonitorError("a calculation is stored for an owner (a login)")
        if keep is not None and keep < 1:
            raise MonitorError(f"keep must be at least 1, got {keep}")
        at = (calculated_at or _now()).replace(microsecond=0)
        key = _data_key(data)
        blob = _to_blob(result)
        settings_json = json.dumps(_jsonable(dict(settings)))
        with self._write("save_calculation") as con:
            cur = con.execute(
                "INSERT INTO calculations "
                "(data, owner, monitor, calculated_at, settings, n_rows, result) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, owner, monitor, at.isoformat(), settings_json, len(result), blob),
            )
            calc_id = int(cur.lastrowid)
            if keep is not None:
                con.execute(
                    "DELETE FROM calculations WHERE data = ? AND owner = ? AND id NOT IN "
                    "(SELECT id FROM calculations WHERE data = ? AND owner = ? "
                    "ORDER BY id DESC LIMIT ?)",
                    (key, owner, key, owner, int(keep)),
                )
        return StoredCalculation(
            calc_id, at, key, owner, monitor, len(result), json.loads(settings_json), result
        )

    def history(
        self,
        data: str | Path | None = None,
        *,
        owner: str | None = None,
        monitor: str | None = None,
        limit: int | None = 100,
    ) -> list[CalculationInfo]:
        """Stored calculations, newest first (without their tables), filtered by data set,
        owner and monitor name when given."""
        where, args = _filters(data, owner, monitor)
        sql = (
            "SELECT id, calculated_at, data, owner, monitor, n_rows, settings FROM calculations"
            f"{where} ORDER BY id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as con:
            rows = con.execute(sql, args).fetchall()
        return [_info(r) for r in rows]

    def latest_calculation(
        self,
        data: str | Path,
        *,
        owner: str | None = None,
        monitor: str | None = None,
    ) -> StoredCalculation | None:
        """The newest stored calculation on ``data`` (of ``owner``, of ``monitor``), or ``None``.

        This is what the dashboard shows when it opens.
        """
        where, args = _filters(data, owner, monitor)
        with self._read() as con:
            row = con.execute(
                "SELECT id, calculated_at, data, owner, monitor, n_rows, settings, result "
                f"FROM calculations{where} ORDER BY id DESC LIMIT 1",
                args,
            ).fetchone()
        return None if row is None else _stored(row)

    def load_calculation(self, calc_id: int) -> StoredCalculation:
        """The stored calculation with this id.

        Raises
        ------
        MonitorError
            When there is none.
        """
        with self._read() as con:
            row = con.execute(
                "SELECT id, calculated_at, data, owner, monitor, n_rows, settings, result "
                "FROM calculations WHERE id = ?",
                (int(calc_id),),
            ).fetchone()
        if row is None:
            raise MonitorError(f"there is no stored calculation {calc_id}")
        return _stored(row)

    def delete_calculations(
        self, data: str | Path | None = None, *, owner: str | None = None, keep: int = 0
    ) -> int:
        """Delete stored calculations (of ``data``/``owner``), all but the newest ``keep``.

        Returns the number deleted.
        """
        where, args = _filters(data, owner, None)
        with self._write("delete_calculations") as con:
            cur = con.execute(
                f"DELETE FROM calculations{where}"
                + (" AND" if where else " WHERE")
                + f" id NOT IN (SELECT id FROM calculations{where} ORDER BY id DESC LIMIT ?)",
                (*args, *args, int(keep)),
            )
            return cur.rowcount

    # -- maintenance -------------------------------------------------------------------------

    def backup(self, target: str | Path) -> Path:
        """Copy the whole store to ``target`` (a new SQLite file), consistently, while the
        server keeps running (SQLite's online backup)."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.unlink(missing_ok=True)
        with self._read() as con:
            dest = sqlite3.connect(tmp)
            try:
                con.backup(dest)
            finally:
                dest.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
        return target

    def check(self) -> list[str]:
        """SQLite's integrity check: an empty list when the database is sound."""
        with self._read() as con:
            rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        return [] if rows == ["ok"] else rows


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _check_owner(owner: str | None, by: Any, what: str) -> None:
    if by is None:
        return
    from .access import PermissionDenied, require

    if owner is None:
        require(by, "share_monitors", f"changing shared {what}")
    elif str(owner).strip() != by.login:
        raise PermissionDenied(by.login, f"{what} of {owner}", "one may only change one's own")


def _monitor(settings: str) -> Monitor:
    return Monitor.from_dict(json.loads(settings))


def _filters(data: Any, owner: str | None, monitor: str | None) -> tuple[str, list[Any]]:
    clauses, args = [], []
    if data is not None:
        clauses.append("data = ?")
        args.append(_data_key(data))
    if owner is not None:
        clauses.append("owner = ?")
        args.append(owner)
    if monitor is not None:
        clauses.append("monitor = ?")
        args.append(monitor)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), args


def _info(row: tuple[Any, ...]) -> CalculationInfo:
    cid, at, data, owner, monitor, n_rows, settings = row[:7]
    return CalculationInfo(
        int(cid),
        dt.datetime.fromisoformat(at),
        data,
        owner,
        monitor,
        int(n_rows),
        json.loads(settings),
    )


def _stored(row: tuple[Any, ...]) -> StoredCalculation:
    info = _info(row)
    return StoredCalculation(**dataclasses.asdict(info), result=_from_blob(row[7]))


# ----------------------------------------------------------------------------------------------
# module-level shortcuts (a store in ``folder``, default the store folder)


def save_monitor(monitor: Monitor, *, folder: str | Path | None = None, by: Any = None) -> Monitor:
    """:meth:`MonitorStore.save_monitor` on the store in ``folder``."""
    return MonitorStore(folder).save_monitor(monitor, by=by)


def list_monitors(owner: str | None = None, *, folder: str | Path | None = None) -> list[Monitor]:
    """:meth:`MonitorStore.list_monitors` on the store in ``folder``."""
    return MonitorStore(folder).list_monitors(owner)


def load_monitor(
    name: str, owner: str | None = None, *, folder: str | Path | None = None
) -> Monitor:
    """:meth:`MonitorStore.load_monitor` on the store in ``folder``."""
    return MonitorStore(folder).load_monitor(name, owner)


def delete_monitor(
    name: str, owner: str | None = None, *, folder: str | Path | None = None, by: Any = None
) -> bool:
    """:meth:`MonitorStore.delete_monitor` on the store in ``folder``."""
    return MonitorStore(folder).delete_monitor(name, owner, by=by)


def save_calculation(
    result: pd.DataFrame,
    settings: Mapping[str, Any],
    data: str | Path,
    *,
    owner: str,
    monitor: str | None = None,
    folder: str | Path | None = None,
    calculated_at: dt.datetime | None = None,
) -> StoredCalculation:
    """:meth:`MonitorStore.save_calculation` on the store in ``folder``."""
    return MonitorStore(folder).save_calculation(
        result, settings, data, owner=owner, monitor=monitor, calculated_at=calculated_at
    )


def latest_calculation(
    data: str | Path,
    *,
    owner: str | None = None,
    monitor: str | None = None,
    folder: str | Path | None = None,
) -> StoredCalculation | None:
    """:meth:`MonitorStore.latest_calculation` on the store in ``folder``."""
    return MonitorStore(folder).latest_calculation(data, owner=owner, monitor=monitor)
