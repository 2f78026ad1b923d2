"""Extra events files: new contact moments added to a loaded data set (B13).

A data folder may hold, beside ``events.csv`` (or ``events.parquet``), any number of extra events
files whose names start with ``events`` and end in ``.csv`` or ``.parquet`` — for example
``events-2026-12-04T1305.csv`` written by the CRM's export every few minutes. They have the
columns of the events table (or the mapping file's names for them) and are part of the data set:
:func:`aandacht.load` takes them in, and :mod:`aandacht.live` takes in the ones that appear while
the dashboard runs.

Each extra file is read and validated on its own, with the same messages as ``events.csv``
(file, row, column, what to do), and also checked against the events already loaded: an event id
seen before is a problem (an event is counted once; a changed event belongs in a full export).
A file with any problem is not taken in at all — not in part.

Taken-in events go into one table of the data set's DuckDB connection, each file as a numbered
*batch*; :attr:`Dataset.events` becomes the base events and that table together, and
:func:`delta_since` gives the events of the batches after a given one, which is what
:func:`aandacht.engine.merge` adds to an earlier count.

>>> import shutil, tempfile
>>> from pathlib import Path
>>> import aandacht
>>> folder = Path(tempfile.mkdtemp()) / "crm"
>>> _ = shutil.copytree("data_samples", folder)
>>> before = aandacht.load("data_samples").events.count().execute()
>>> _ = (folder / "events-extra.csv").write_text(
...     "event_id,relation_id,user_id,timestamp,source,action\\n"
...     "X-1,R00061,LV,2026-10-30 10:00,note,added\\n")
>>> ds = aandacht.load(folder)
>>> ds.events.count().execute() - before
1
>>> sorted(Path(f).name for f in ds.extra_events)
['events-extra.csv']
"""

from __future__ import annotations

import uuid
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from . import validation
from .dataset import Dataset, to_frame
from .errors import DataError, Problem
from .mapping import Mapping

#: The table of taken-in extra events, in the data set's DuckDB connection.
LIVE_TABLE = "aandacht_events_live"
#: The names the base events file may have (never an extra file).
BASE_NAMES = frozenset({"events.csv", "events.parquet", "events.csv.gz", "events.txt"})
#: Shown per kind of problem at most (as for the base file).
_MAX_SHOWN = validation.MAX_EXAMPLES


def is_extra_name(name: str) -> bool:
    """Whether a file name is that of an extra events file (``events*.csv|.parquet``).

    >>> [is_extra_name(n) for n in ("events-1.csv", "events.csv", "Events_2.PARQUET", "x.csv")]
    [True, False, True, False]
    """
    low = name.lower()
    return (
        low.startswith("events")
        and low not in BASE_NAMES
        and (low.endswith(".csv") or low.endswith(".parquet"))
    )


def extra_files(folder: str | Path, mp: Mapping | None = None) -> list[Path]:
    """The extra events files in ``folder``, sorted by name (the base events file excluded)."""
    from .reading import _find

    folder = Path(folder)
    mp = mp or Mapping()
    base = _find(folder, "events", mp.table("events"))
    base_name = base.name if base is not None else None
    return [
        p
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.is_file() and is_extra_name(p.name) and p.name != base_name
    ]


def signature(path: str | Path) -> tuple[int, int]:
    """(size, modification time in ns) of a file: a changed file has another signature."""
    st = Path(path).stat()
    return st.st_size, st.st_mtime_ns


def _engine(ds: Dataset) -> str:
    return getattr(ds.con, "name", "")


def read_delta(ds: Dataset, path: str | Path, mp: Mapping | None = None) -> ibis.Table:
    """Read and validate one extra events file into a table of ``ds``'s connection.

    The same parsing and checks as the base events file, with the data set's relations and
    users; and no event id that the data set already has.

    Raises
    ------
    DataError
        With every problem found (file, row, column, value, what to do). Nothing is taken in.
    """
    from .reading import _csv_events, _parquet_events

    path = Path(path)
    mp = mp or Mapping()
    tm = mp.table("events")
    file = str(path)
    if _engine(ds) != "duckdb":
        raise DataError(
            [
                Problem(
                    file,
                    "extra events files are taken in on the embedded DuckDB engine only",
                    hint="Append the events to the events table, or load the folder without "
                    "--engine pyspark",
                )
            ]
        )
    name = f"aandacht_delta_{uuid.uuid4().hex[:12]}"
    con = ds.con
    try:
        if path.suffix.lower() == ".parquet":
            view = f"{name}_file"
            try:
                t = con.create_table(name, _parquet_events(con, path, tm, view))
            finally:
                con.drop_view(view, force=True)
        else:
            t = _csv_events(path, mp, tm, con, name)
        small = _small_for(ds, t)
        text = validation.FREE_TEXT_EVENT_COLUMNS if path.suffix.lower() == ".parquet" else ()
        problems = validation.check_events(t, small, file, text_columns=text)
        problems += _seen_before(ds, t, file)
        if problems:
            raise DataError(problems)
    except Exception:
        con.drop_table(name, force=True)
        raise
    return t


class KnownIds:
    """The event ids a data set has, as sorted 64-bit hashes: an id seen before is found in time
    of the delta, not of the whole event log.

    Made on the first extra file (one scan of the event ids: about 8 bytes per event) and kept
    with the data set; each taken-in batch adds its hashes. A hash found is only a candidate:
    the events themselves are asked whether they really have that id (two different ids with
    the same hash are counted, not rejected).
    """

    def __init__(self, ds: Dataset):
        self.base = np.sort(_hashes(ds.events))
        self.extra = np.empty(0, dtype=np.int64)

    @classmethod
    def of(cls, ds: Dataset) -> KnownIds:
        known = ds.__dict__.get("_known_ids")
        if known is None:
            known = ds.__dict__["_known_ids"] = cls(ds)
        return known

    def maybe(self, hashes: np.ndarray) -> np.ndarray:
        """Which of ``hashes`` may be ids the data set has (a mask)."""
        return _found(self.base, hashes) | _found(self.extra, hashes)

    def add(self, hashes: np.ndarray) -> None:
        self.extra = np.sort(np.concatenate([self.extra, hashes]))


def _hashes(t: ibis.Table) -> np.ndarray:
    ids = t.filter(t.event_id.notnull())
    return ids.select(h=ids.event_id.hash()).to_pyarrow()["h"].to_numpy()


def _found(sorted_hashes: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    if not len(sorted_hashes):
        return np.zeros(len(hashes), dtype=bool)
    pos = np.searchsorted(sorted_hashes, hashes).clip(max=len(sorted_hashes) - 1)
    return sorted_hashes[pos] == hashes


def _small_for(ds: Dataset, t: ibis.Table) -> dict:
    """The data set's small tables for checking ``t``: of the relations only those ``t`` names
    (the same problems as with all of them; 100,000 relations need not go to the engine for
    a file of a few events)."""
    small = {n: getattr(ds, n) for n in ("relations", "relation_groups", "users", "user_groups")}
    named = t.select("relation_id").distinct().to_pyarrow()["relation_id"].to_pylist()
    rel = ds.relations
    small["relations"] = rel[rel["relation_id"].isin([r for r in named if r is not None])]
    return small


def _seen_before(ds: Dataset, t: ibis.Table, file: str) -> list[Problem]:
    """Events of ``t`` whose id the data set already has (counted once, never twice)."""
    from .reading import ROW

    ids = t.filter(t.event_id.notnull())
    found = ids.select("event_id", h=ids.event_id.hash()).to_pyarrow()
    maybe = KnownIds.of(ds).maybe(found["h"].to_numpy())
    if not maybe.any():
        return []
    candidates = sorted(set(found["event_id"].filter(maybe).to_pylist()))
    known = ds.events.select("event_id")
    known = known.filter(known.event_id.isin(candidates))
    again = t.filter(t.event_id.isin(candidates)).semi_join(known, "event_id")
    n = int(again.count().execute())
    if not n:
        return []
    cols = [ROW, "event_id"] if ROW in t.columns else ["event_id"]
    rows = again.select(*cols)
    if ROW in t.columns:
        rows = rows.order_by(ROW)
    problems = [
        Problem(
            file,
            f"event_id {rec['event_id']} is already in the data set",
            int(rec[ROW]) if ROW in rec else None,
            "event_id",
            rec["event_id"],
            "An event is counted once: give new events new ids, and put changed events in a "
            "full export (events.csv) instead",
        )
        for rec in rows.limit(_MAX_SHOWN).to_pandas().to_dict("records")
    ]
    if n > _MAX_SHOWN:
        problems.append(
            Problem(file, f"{n} events in all are already in the data set", None, "event_id")
        )
    return problems


def _other_feed(ds: Dataset):
    """The feed object of a data set whose new events come from elsewhere (a database table,
    :mod:`aandacht.pglive`): it has ``batch()``, ``delta_since(after)`` and
    ``events_since(after)`` with the meaning of the functions here."""
    return ds.__dict__.get("_feed")


def batch(ds: Dataset) -> int:
    """The number of the last batch of extra events taken in (0: none)."""
    other = _other_feed(ds)
    if other is not None:
        return int(other.batch())
    return int(ds.__dict__.get("_live_batch", 0))


def append(ds: Dataset, delta: ibis.Table) -> int:
    """Add the validated events of ``delta`` (from :func:`read_delta`) to ``ds`` as a new batch;
    returns how many there were. ``delta``'s table is dropped."""
    con = ds.con
    base = ds.__dict__.setdefault("_base_events", ds.events)
    schema = base.schema()
    cols = {
        c: (delta[c] if c in delta.columns else ibis.null()).cast(schema[c]) for c in schema.names
    }
    number = batch(ds) + 1
    rows = delta.select(**cols, _batch=ibis.literal(number, "int64"))
    # the batch's events as a frame to count in memory (delta_frame), read from the small table
    frame = to_frame(rows.select(*FRAME_COLUMNS))
    if LIVE_TABLE in con.list_tables():
        con.insert(LIVE_TABLE, rows)
    else:
        con.create_table(LIVE_TABLE, rows)
    hashes = _hashes(delta)
    con.drop_table(delta.get_name(), force=True)
    return _added(ds, base, number, frame, hashes)


def _added(ds: Dataset, base: ibis.Table, number: int, frame: pd.DataFrame, hashes) -> int:
    """Batch ``number`` (``frame``: its events, ``hashes``: of their ids) is in the live table:
    the data set's events include it from now on."""
    n = len(frame)
    known = ds.__dict__.get("_known_ids")
    if known is not None:
        known.add(hashes)
    live = ds.__dict__.get("_live_table")
    if live is None:
        live = ds.__dict__["_live_table"] = ds.con.table(LIVE_TABLE).drop("_batch")
    ds.events = base.union(live)
    ds.__dict__["_live_batch"] = number
    ds.__dict__.setdefault("_batch_sizes", {})[number] = n
    ds.__dict__.setdefault("_batch_frames", {})[number] = frame
    ds.__dict__.pop("_last_event_day", None)  # the newest event may be newer now
    return n


def delta_since(ds: Dataset, after: int) -> ibis.Table:
    """The extra events of the batches after batch ``after`` (canonical columns)."""
    other = _other_feed(ds)
    if other is not None:
        return other.delta_since(after)
    live = ds.con.table(LIVE_TABLE)
    return live.filter(live._batch > after).drop("_batch")


#: The event columns a delta is counted by (:func:`aandacht.engine.count_frame`).
FRAME_COLUMNS = [
    "event_id",
    "relation_id",
    "user_id",
    "timestamp",
    "source",
    "action",
    "channel",
    "direction",
    "amount",
]


def delta_frame(ds: Dataset, after: int) -> pd.DataFrame:
    """:func:`delta_since` as a pandas frame of :data:`FRAME_COLUMNS`, to count in memory.

    The extra events of each batch are fetched once (one query for the batches not fetched
    yet) and kept with the data set, so that every session's next update reads them without a
    query. A data set whose new events come from elsewhere (a database table) is asked each
    time.
    """
    other = _other_feed(ds)
    if other is not None:
        return to_frame(other.delta_since(after).select(*FRAME_COLUMNS))
    now = batch(ds)
    frames = ds.__dict__.setdefault("_batch_frames", {})
    missing = [b for b in range(after + 1, now + 1) if b not in frames]
    if missing:
        live = ds.con.table(LIVE_TABLE)
        got = to_frame(
            live.filter((live._batch >= min(missing)) & (live._batch <= now)).select(
                *FRAME_COLUMNS, "_batch"
            )
        )
        for b in missing:
            frames[b] = got.loc[got["_batch"] == b, FRAME_COLUMNS].reset_index(drop=True)
    parts = [frames[b] for b in range(after + 1, now + 1)]
    if not parts:
        return to_frame(delta_since(ds, now).select(*FRAME_COLUMNS).limit(0))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def events_since(ds: Dataset, after: int) -> int:
    """How many extra events were taken in after batch ``after``."""
    other = _other_feed(ds)
    if other is not None:
        return int(other.events_since(after))
    sizes = ds.__dict__.get("_batch_sizes", {})
    return sum(n for b, n in sizes.items() if b > after)


#: An extra CSV file up to this size is taken in the quick way (:class:`_Quick`).
QUICK_BYTES = 16 * 2**20


class _Quick:
    """Taking in a small extra CSV file with queries compiled once per data set.

    The result is the same as :func:`read_delta` and :func:`append` (tested): the file is
    parsed as they parse it, its problems are counted by the queries of
    :func:`aandacht.validation.check_events`, its ids are looked up among the known ones, and
    its rows go to the live table with the same casts. Only the SQL is made once (Ibis takes
    tens of milliseconds to compile the checks; the queries on a file of 1,000 events run in a
    few): the file is registered under a fixed name and the data set's relation and user ids are
    kept in temporary tables. A file with any problem, or with an id that may have been seen
    before, is left to :func:`read_delta`, which says what is wrong.
    """

    def __init__(self, ds: Dataset):
        import pyarrow as pa

        from .reading import ROW
        from .schema import COLUMNS

        con = ds.con
        raw = con.con
        tag = uuid.uuid4().hex[:12]
        self.staging = f"aandacht_delta_in_{tag}"
        relations = f"aandacht_known_relations_{tag}"
        users = f"aandacht_known_users_{tag}"
        for name, frame, col in (
            (relations, ds.relations, "relation_id"),
            (users, ds.users, "user_id"),
        ):
            ids = pa.table({col: pa.array(frame[col].astype("string"), pa.string())})
            raw.register(f"{name}_in", ids)
            try:
                raw.execute(
                    f'CREATE OR REPLACE TEMP TABLE "{name}" AS SELECT DISTINCT "{col}" '
                    f'FROM "{name}_in" WHERE "{col}" IS NOT NULL'
                )
            finally:
                raw.unregister(f"{name}_in")
        kinds = {"text": pa.string(), "float": pa.float64(), "decimal": pa.float64()}
        kinds |= {"bool": pa.bool_(), "datetime": pa.timestamp("us")}
        self.arrow_schema = pa.schema(
            [(c, kinds[k]) for c, k in COLUMNS["events"].items()]
            + [(ROW, pa.int64()), ("_batch", pa.int64())]
        )
        st = ibis.table(ibis.Schema.from_pyarrow(self.arrow_schema), name=self.staging)
        # a CSV file's text is checked for control characters as it is read
        self.checks, control = validation._event_checks(st, ())
        known_r = ibis.table({"relation_id": "string"}, name=relations)
        known_u = ibis.table({"user_id": "string"}, name=users)
        queries = validation._count_queries(
            st, known_r, known_u, self.checks, control, known_distinct=True
        )
        # one statement (the file is small: reading it three times costs nothing)
        parts = [f"({con.compile(q)}) AS q{i}" for i, q in enumerate(queries)]
        self.count_sql = f"SELECT * FROM {', '.join(parts)}"
        ids = st.filter(st.event_id.notnull())
        self.hash_sql = con.compile(ids.select(h=ids.event_id.hash()))
        self.base = ds.__dict__.setdefault("_base_events", ds.events)
        schema = self.base.schema()
        cols = {
            c: (st[c] if c in st.columns else ibis.null()).cast(schema[c]) for c in schema.names
        }
        rows = st.select(**cols, _batch=st._batch)
        self.rows_schema = rows.schema()
        self.rows_sql = con.compile(rows)
        self.frame_sql = con.compile(rows.select(*FRAME_COLUMNS))

    @classmethod
    def of(cls, ds: Dataset) -> _Quick:
        quick = ds.__dict__.get("_quick")
        if quick is None:
            quick = ds.__dict__["_quick"] = cls(ds)
        return quick

    @classmethod
    def take_in(cls, ds: Dataset, path: Path, mp: Mapping) -> int | None:
        """The number of events taken in; ``None``: not taken in (use the slow way).

        Raises
        ------
        DataError
            When the file cannot be parsed (the same messages as :func:`read_delta`).
        """
        if (
            _engine(ds) != "duckdb"
            or path.suffix.lower() != ".csv"
            or path.stat().st_size > QUICK_BYTES
            or _other_feed(ds) is not None
        ):
            return None
        from .reading import _csv_event_chunks

        parts = list(_csv_event_chunks(path, mp, mp.table("events")))
        quick = cls.of(ds)
        return quick._take(ds, pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0])

    def _take(self, ds: Dataset, frame: pd.DataFrame) -> int | None:
        import pyarrow as pa

        con = ds.con
        raw = con.con
        number = batch(ds) + 1
        frame = frame.assign(_batch=number)
        table = pa.Table.from_pandas(frame, schema=self.arrow_schema, preserve_index=False)
        raw.register(self.staging, table)
        try:
            cur = raw.execute(self.count_sql)
            row = cur.fetchone()
            counts = {
                d[0]: 0 if v is None else int(v) for d, v in zip(cur.description, row, strict=True)
            }
            if not validation.no_problems(counts, self.checks):
                return None
            hashes = _arrow(raw.execute(self.hash_sql))["h"].to_numpy()
            if KnownIds.of(ds).maybe(hashes).any():
                return None  # an id the data set may have: the slow way tells which
            if not ds.__dict__.get("_live_made") and LIVE_TABLE not in con.list_tables():
                con.create_table(LIVE_TABLE, schema=self.rows_schema)
            ds.__dict__["_live_made"] = True
            out = _arrow(raw.execute(self.frame_sql)).to_pandas()
            raw.execute(f'INSERT INTO "{LIVE_TABLE}" {self.rows_sql}')
        finally:
            raw.unregister(self.staging)
        return _added(ds, self.base, number, out, hashes)


def prepare(ds: Dataset) -> None:
    """Make what taking in a file needs, before the first one arrives: the index of the known
    event ids (about a second at 10M events) and, on DuckDB, the compiled checks."""
    KnownIds.of(ds)
    if _engine(ds) == "duckdb" and _other_feed(ds) is None:
        _Quick.of(ds)


def _arrow(cursor):
    """A DuckDB result as an Arrow table (``to_arrow_table`` since DuckDB 1.4)."""
    fetch = getattr(cursor, "to_arrow_table", None) or cursor.fetch_arrow_table
    return fetch()


def take_in(ds: Dataset, path: str | Path, mp: Mapping | None = None) -> int:
    """Read, validate and add one extra events file; returns the number of events.

    Raises
    ------
    DataError
        When the file has any problem (then nothing of it is added).
    """
    sig = signature(path)
    n = _Quick.take_in(ds, Path(path), mp or Mapping())
    if n is None:  # a problem to report, or a file the quick way does not take
        n = append(ds, read_delta(ds, path, mp))
    ds.extra_events[str(path)] = sig
    return n


def add_extra_files(
    ds: Dataset, folder: str | Path, mp: Mapping | None = None, *, strict: bool = True
) -> int:
    """Take in every extra events file of ``folder`` not yet in ``ds`` (on load).

    With ``strict=False`` a bad file is left out whole and its problems are kept in
    ``ds.rejected_events`` (the other files are taken in).

    Raises
    ------
    DataError
        With ``strict``: the problems of every bad file (the data set is not used then).
    """
    problems: list[Problem] = []
    n = 0
    for path in extra_files(folder, mp):
        if str(path) in ds.extra_events:
            continue
        try:
            sig = signature(path)
            n += take_in(ds, path, mp)
        except DataError as exc:
            problems += exc.problems
            ds.rejected_events[str(path)] = list(exc.problems)
            ds.__dict__.setdefault("_rejected_signatures", {})[str(path)] = sig
    if problems and strict:
        raise DataError(problems)
    return n


__all__ = [
    "LIVE_TABLE",
    "add_extra_files",
    "append",
    "batch",
    "delta_since",
    "events_since",
    "extra_files",
    "is_extra_name",
    "KnownIds",
    "prepare",
    "read_delta",
    "signature",
    "take_in",
]
