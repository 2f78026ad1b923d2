"""Live updates from a PostgreSQL events table (B13, feed b).

``aandacht live-install --data postgresql://…`` (:func:`install`) puts into the CRM's database

* a log table ``aandacht_events_log (seq bigserial, event_id text, op text, at timestamptz)``;
* a trigger on the events table (``events``, or the mapping's ``tables.events.file``) that writes
  one log row per inserted (``I``), updated (``U``) or deleted (``D``) row, and one row ``T``
  per ``TRUNCATE``. The trigger function runs as its owner (``SECURITY DEFINER``), so the CRM's
  own database users need no rights on the log table.

A data set loaded with :func:`load` (what :class:`aandacht.DataService` does for a PostgreSQL
URL when the log table is there) carries a :class:`TableFeed`, and :class:`TableWatcher` — one
thread per data set and process, started by :meth:`DataService.start_live
<aandacht.DataService.start_live>` — polls the log:

* **The watermark.** The feed has taken in the log rows up to ``seq`` *W*. The data set's events
  are the events table *without* the rows whose event id is in the log after *W* (an anti-join),
  so a row that arrives while something is being counted is either in the base or in a later
  delta, never in both and never in neither. The new events of a poll are the rows named by the
  log rows in *(W, W']*; they are counted alone and merged into the kept counts.
* **Commit order.** Sequence numbers are handed out at insert, not at commit: a transaction that
  is still open may hold a number below one that is already visible. *W* only moves to *W'* when
  nothing at or below *W'* can still appear: either every number in *(W, W']* is visible (no
  gap), or every transaction that was running when *W'* was seen has ended (the snapshot's
  ``xmin`` has passed the ``xmax`` of then). A long open transaction delays new rows after a
  gap; it never makes them count twice or not at all.
* **Checks.** New rows are validated like a full load (:func:`aandacht.validation.check_events`,
  with the data set's relations and users) and an event id the data set already has is refused.
  A range of new rows with any problem is *skipped and remembered*: none of it is counted (it
  stays out of the data set's events too), its problems are in ``service.live.rejected[<events
  table>]`` and the log, and later good rows are taken in as usual. It stays out until the data
  set is loaded again (an update or delete of the table, or a restart); a full load checks it
  again then, and while it is still wrong that load fails and the counts from before stay.
  (Rows are told apart by event id: while an id inserted a second time is rejected, counts
  made afresh leave out both rows with that id; kept counts still have the first.)
* **Edits.** Any ``U``, ``D`` or ``T`` in the log means changed data: :meth:`DataService.reload
  <aandacht.DataService.reload>`, a full recount.

Why polling a watermark, not ``LISTEN``/``NOTIFY``: a poll is two small queries a second on the
connection the data set already has — no extra connection held open per process, which
transaction poolers (pgbouncer) do not carry anyway; and the log is durable, so a dropped
connection or a restart loses nothing (a notification sent while nobody listened is gone). A
``NOTIFY`` from the trigger could later wake the poller sooner; it would not replace the log.

The log grows by one row per change. Rows that every running process has taken in may be
deleted (e.g. ``DELETE FROM aandacht_events_log WHERE at < now() - interval '7 days'``) while no
rejected rows are reported; ``aandacht live-install --uninstall`` removes trigger, function and
log.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import ibis

from .errors import AandachtError, DataError, Problem
from .live import Watcher
from .mapping import Mapping, read_mapping

if TYPE_CHECKING:
    from .dataset import Dataset
    from .service import DataService

log = logging.getLogger("aandacht.live")

#: The log table (in the schema the URL's connection works in).
LOG_TABLE = "aandacht_events_log"
#: The trigger function and the two triggers on the events table.
FUNCTION = "aandacht_log_event"
ROW_TRIGGER = "aandacht_log_rows"
TRUNCATE_TRIGGER = "aandacht_log_truncate"
#: How long a load waits for transactions that may still add rows below the newest log row.
SETTLE_SECONDS = 10.0

INSTALL_HINT = "Run `aandacht live-install --data <the URL>` once to install the trigger and log"


def _is_postgres(url: str) -> bool:
    return str(url).split("://", 1)[0] in ("postgres", "postgresql")


def _dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _mapping(mapping: str | Path | Mapping | None) -> Mapping:
    return mapping if isinstance(mapping, Mapping) else read_mapping(mapping)


def events_names(mapping: str | Path | Mapping | None = None) -> tuple[str, str]:
    """The events table's name and its event-id column's name in the database.

    >>> events_names()
    ('events', 'event_id')
    """
    tm = _mapping(mapping).table("events")
    return tm.file or "events", tm.columns.get("event_id", "event_id")


# -- install -----------------------------------------------------------------------------------


def install(url: str, mapping: str | Path | Mapping | None = None, *, remove: bool = False) -> str:
    """Create (or, with ``remove``, drop) the log table, trigger function and triggers.

    Idempotent: running it again replaces the function and the triggers and keeps the log.
    Returns a sentence saying what was done.

    Raises
    ------
    AandachtError
        Not a PostgreSQL URL, or the database refused (the message says why).
    """
    import psycopg
    from psycopg import sql

    from .database import _redact

    if not _is_postgres(url):
        raise AandachtError(f"live-install: {_redact(url)} is not a postgres:// URL")
    table, idcol = events_names(mapping)
    shown = _redact(url)
    try:
        with psycopg.connect(_dsn(url)) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_schema(), to_regclass(%s) IS NOT NULL", (_quote(table),))
            schema, exists = cur.fetchone()
            if not exists:
                raise AandachtError(
                    f"live-install: {shown} has no table '{table}' (name it with "
                    "tables.events.file in a mapping file: --mapping FILE)"
                )
            tbl = sql.Identifier(table)
            if remove:
                for trig in (ROW_TRIGGER, TRUNCATE_TRIGGER):
                    cur.execute(
                        sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(sql.Identifier(trig), tbl)
                    )
                cur.execute(
                    sql.SQL("DROP FUNCTION IF EXISTS {}()").format(sql.Identifier(FUNCTION))
                )
                cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(LOG_TABLE)))
                conn.commit()
                return f"removed the live feed from {shown} [table {table}]"
            logt = sql.Identifier(schema, LOG_TABLE)
            cur.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (seq bigserial PRIMARY KEY, event_id text, "
                    "op text NOT NULL, at timestamptz NOT NULL DEFAULT now())"
                ).format(logt)
            )
            cur.execute(
                sql.SQL(
                    """CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO {log} (event_id, op) VALUES (NULL, 'T');
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO {log} (event_id, op) VALUES (to_jsonb(OLD) ->> TG_ARGV[0], 'D');
  ELSE
    INSERT INTO {log} (event_id, op) VALUES (to_jsonb(NEW) ->> TG_ARGV[0], left(TG_OP, 1));
  END IF;
  RETURN NULL;
END
$body$"""
                ).format(fn=sql.Identifier(schema, FUNCTION), log=logt)
            )
            for trig, when in (
                (ROW_TRIGGER, "AFTER INSERT OR UPDATE OR DELETE ON {tbl} FOR EACH ROW"),
                (TRUNCATE_TRIGGER, "AFTER TRUNCATE ON {tbl} FOR EACH STATEMENT"),
            ):
                name = sql.Identifier(trig)
                cur.execute(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(name, tbl))
                cur.execute(
                    sql.SQL(
                        "CREATE TRIGGER {name} " + when + " EXECUTE FUNCTION {fn}({arg})"
                    ).format(
                        name=name,
                        tbl=tbl,
                        fn=sql.Identifier(schema, FUNCTION),
                        arg=sql.Literal(idcol),
                    )
                )
            conn.commit()
    except psycopg.Error as exc:
        raise AandachtError(f"live-install: {shown}: {str(exc).strip()}") from exc
    return (
        f"installed the live feed on {shown} [table {table}]: trigger {ROW_TRIGGER} logs into "
        f"{schema}.{LOG_TABLE}"
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def installed(con: ibis.BaseBackend, table: str) -> bool:
    """Whether the log table is there and the events table has the trigger."""
    cur = con.raw_sql(
        "SELECT to_regclass(%s) IS NOT NULL, EXISTS (SELECT 1 FROM pg_trigger "
        "WHERE tgname = %s AND tgrelid = to_regclass(%s))",
        params=(_quote(LOG_TABLE), ROW_TRIGGER, _quote(table)),
    )
    try:
        has_log, has_trigger = cur.fetchone()
    finally:
        cur.close()
    return bool(has_log and has_trigger)


def _one(con: ibis.BaseBackend, query: str, params: tuple = ()) -> tuple:
    cur = con.raw_sql(query, params=params)
    try:
        return cur.fetchone()
    finally:
        cur.close()


_SNAPSHOT = "SELECT txid_snapshot_xmin(txid_current_snapshot()), txid_snapshot_xmax(txid_current_snapshot())"


def settled_max(con: ibis.BaseBackend, wait: float = SETTLE_SECONDS) -> int:
    """The highest log ``seq`` below which no row can still appear (see the module).

    Waits (at most ``wait`` seconds) for the transactions that were open when that row was seen.
    """
    m, xmin, xmax = _one(
        con,
        f"SELECT coalesce(max(seq), 0), txid_snapshot_xmin(txid_current_snapshot()), "
        f"txid_snapshot_xmax(txid_current_snapshot()) FROM {LOG_TABLE}",
    )
    end = time.monotonic() + wait
    while xmin < xmax:
        if time.monotonic() > end:
            log.warning(
                "a transaction open for more than %.0f s may still add events below log row %d; "
                "they will count in full recounts only",
                wait,
                m,
            )
            break
        time.sleep(0.05)
        xmin = _one(con, _SNAPSHOT)[0]
    return int(m)


# -- the feed ----------------------------------------------------------------------------------


class TableFeed:
    """The data set's view of the log: watermark, new events, rejected ranges (the module).

    ``feed.batch`` / ``delta_since`` / ``events_since`` (:mod:`aandacht.feed`) ask it when it is
    the data set's ``_feed``.
    """

    def __init__(self, con: ibis.BaseBackend, table: str, idcol: str, watermark: int) -> None:
        self.con = con
        self.table = table
        self.idcol = idcol
        #: The highest log seq taken in (or skipped as rejected).
        self.watermark = int(watermark)
        #: Skipped ranges (lo, hi] of rejected rows: never part of the events.
        self.rejected: list[tuple[int, int]] = []
        self._sizes: dict[int, int] = {}
        self._conform = None  # raw table -> canonical columns (set by :func:`load`)

    # the log and the table as Ibis expressions
    def _log(self) -> ibis.Table:
        return self.con.table(LOG_TABLE)

    def _in_rejected(self, seq):
        return ibis.or_(*[(seq > lo) & (seq <= hi) for lo, hi in self.rejected])

    def _not_taken(self, watermark: int | None = None) -> ibis.Table:
        """The event ids of the log rows not taken in: after the watermark, or rejected."""
        w = self.watermark if watermark is None else watermark
        lg = self._log()
        cond = lg.seq > w
        if self.rejected:
            cond = cond | self._in_rejected(lg.seq)
        return lg.filter(cond & lg.event_id.notnull()).select(_id=lg.event_id).distinct()

    def _key(self, raw: ibis.Table):
        e = raw[self.idcol]
        return e if e.type().is_string() else e.cast("string")

    def raw_events(self, raw: ibis.Table) -> ibis.Table:
        """``raw`` (the events table, database column names) without what is not taken in."""
        ids = self._not_taken()
        key = self._key(raw)
        # IN / NOT IN on a subquery: the sets are small; PostgreSQL hashes them
        return raw.filter(key.notnull() & key.notin(ids._id))

    def _raw_range(self, after: int, upto: int) -> ibis.Table:
        """The table's rows inserted by the log rows in ``(after, upto]`` (rejected excluded)."""
        raw = self.con.table(self.table)
        lg = self._log()
        cond = (lg.seq > after) & (lg.seq <= upto) & (lg["op"] == "I") & lg.event_id.notnull()
        if self.rejected:
            cond = cond & ~self._in_rejected(lg.seq)
        ids = lg.filter(cond).select(_id=lg.event_id).distinct()
        later = self._not_taken(upto)
        key = self._key(raw)
        return raw.filter(key.isin(ids._id) & key.notin(later._id))

    def events(self) -> ibis.Table:
        return self._conform(self.raw_events(self.con.table(self.table)))

    # what aandacht.feed asks
    def batch(self) -> int:
        return self.watermark

    def delta_since(self, after: int) -> ibis.Table:
        return self._conform(self._raw_range(after, self.watermark))

    def events_since(self, after: int) -> int:
        return sum(n for w, n in self._sizes.items() if w > after)

    def advance(self, ds: Dataset, upto: int, n: int, *, rejected: bool = False) -> None:
        """Move the watermark to ``upto`` (its ``n`` new events taken in, or the range skipped
        as rejected) and define ``ds.events`` anew."""
        if rejected:
            self.rejected.append((self.watermark, upto))
        else:
            self._sizes[upto] = n
        self.watermark = upto
        ds.events = self.events()
        ds.__dict__.pop("_last_event_day", None)


def load(url: str, mapping: str | Path | Mapping | None = None, *, wait: float = SETTLE_SECONDS):
    """:func:`aandacht.load` of a PostgreSQL URL, with the live feed when it is installed.

    The watermark is read *before* the events are defined and validated, so the data set's
    events and the feed's later deltas never overlap.
    """
    from .database import load_database
    from .reading import conform_ibis

    mp = _mapping(mapping)
    try:
        con = ibis.connect(url)
    except Exception:  # load_database says why, in the user's terms
        return load_database(url, mp)
    table, idcol = events_names(mp)
    try:
        live = installed(con, table)
    except Exception:  # e.g. no rights to look: load without the feed
        live = False
    if not live:
        return load_database(url, mp, con=con)
    feed = TableFeed(con, table, idcol, settled_max(con, wait))
    tm = mp.table("events")
    ds = load_database(url, mp, con=con, events_view=feed.raw_events)
    shown = ds.files["events"]
    feed._conform = lambda raw: conform_ibis(raw, "events", shown, tm)
    # the feed leaves out rows without an event id (it cannot tell them apart): refuse them here
    raw = con.table(table)
    blank = int(raw.filter(raw[idcol].isnull()).count().execute())
    if blank:
        raise DataError(
            [
                Problem(
                    shown,
                    f"{blank} events have no event_id",
                    column="event_id",
                    hint="This column is required: fill it in or remove the event",
                )
            ]
        )
    ds.__dict__["_feed"] = feed
    return ds


def feed_of(ds: Dataset) -> TableFeed | None:
    feed = ds.__dict__.get("_feed")
    return feed if isinstance(feed, TableFeed) else None


# -- the watcher -------------------------------------------------------------------------------


class TableWatcher(Watcher):
    """Polls the log table of a PostgreSQL data set (see the module)."""

    def __init__(self, service: DataService, interval: float = 1.0) -> None:
        super().__init__(service, interval)
        self._pending: tuple[int, int] | None = None  # (seq seen, xmax then)
        self._stuck: int | None = None  # the log's max seq when a reload failed
        self._seen = 0  # the log's max seq at the last look

    @classmethod
    def for_service(cls, service: DataService, interval: float = 1.0) -> TableWatcher | None:
        """The watcher, or ``None`` (logged) when the trigger and log are not installed."""
        data = service.data
        if feed_of(data) is None:
            table, _ = events_names(service.mapping)
            with service.lock:
                ok = installed(data.con, table)
            if not ok:
                log.error(
                    "no live updates for %s: the log table %s or the trigger on %s is missing. %s",
                    data.origin,
                    LOG_TABLE,
                    table,
                    INSTALL_HINT,
                )
                service.live.error = f"no live updates: {INSTALL_HINT}"
                return None
            log.info("%s: loading again with the live feed", data.origin)
            service.reload()  # loaded without the feed: again, with it (a full recount)
        return cls(service, interval)

    def poll(self) -> int:
        """Look at the log once; returns the number of events taken in."""
        service = self.service
        with service.lock:
            data = service.data
            feed = feed_of(data)
            if feed is None:
                return 0
            w = feed.watermark
            m, gap_end, xmin, xmax, trigger = _one(
                data.con,
                f"""WITH r AS (SELECT seq, seq - %s - row_number() OVER (ORDER BY seq) AS d
                              FROM {LOG_TABLE} WHERE seq > %s)
                SELECT (SELECT coalesce(max(seq), %s) FROM r),
                       (SELECT min(seq - d - 1) FROM r WHERE d > 0),
                       txid_snapshot_xmin(txid_current_snapshot()),
                       txid_snapshot_xmax(txid_current_snapshot()),
                       EXISTS (SELECT 1 FROM pg_trigger
                               WHERE tgname = %s AND tgrelid = to_regclass(%s))""",
                (w, w, w, ROW_TRIGGER, _quote(feed.table)),
            )
        if not trigger:
            if self._stuck != -1:
                self._stuck = -1
                msg = f"the trigger on {feed.table} is gone (table made anew?). {INSTALL_HINT}"
                log.error("%s: %s", data.origin, msg)
                service.live.error = msg
            return 0
        self._seen = int(m)
        if m == self._stuck:
            return 0  # a changed data set that cannot be used: waiting for the next change
        ready = int(m if gap_end is None else gap_end)  # every number up to here is visible
        if self._pending is not None and xmin >= self._pending[1]:
            ready = max(ready, self._pending[0])  # what was open then has ended
            self._pending = None
        if xmin >= xmax:  # nothing open now
            ready, self._pending = int(m), None
        if ready < m and self._pending is None:
            self._pending = (int(m), int(xmax))
        if ready <= w:
            return 0
        return self._take(data, feed, w, ready)

    def _take(self, data: Dataset, feed: TableFeed, w: int, upto: int) -> int:
        service = self.service
        with service.lock:
            n_ins, n_other, n_blank = _one(
                data.con,
                f"SELECT count(*) FILTER (WHERE op = 'I'), count(*) FILTER (WHERE op <> 'I'), "
                f"count(*) FILTER (WHERE op = 'I' AND event_id IS NULL) "
                f"FROM {LOG_TABLE} WHERE seq > %s AND seq <= %s",
                (w, upto),
            )
        if n_other:
            return self._reload()
        if not n_ins:  # only numbers of transactions that were rolled back
            with service.lock:
                if service.data is data:
                    feed.advance(data, upto, 0)
            return 0
        problems = self._check(data, feed, w, upto, n_blank)
        live = service.live
        with service.lock:
            if service.data is not data:
                return 0  # loaded again meanwhile
            if problems:
                feed.advance(data, upto, 0, rejected=True)
                live.rejected[feed.table] = live.rejected.get(feed.table, []) + [
                    str(p) for p in problems
                ]
                log.error(
                    "rejected %d new rows of %s (log rows %d-%d; nothing of them is counted):\n%s",
                    n_ins,
                    feed.table,
                    w + 1,
                    upto,
                    DataError(problems),
                )
                service._changed(0)
                return 0
            feed.advance(data, upto, int(n_ins))
            service._changed(int(n_ins))
        log.info("took in %d new events of %s (log rows up to %d)", n_ins, feed.table, upto)
        return int(n_ins)

    def _check(self, data: Dataset, feed: TableFeed, w: int, upto: int, n_blank: int) -> list:
        """The problems of the rows inserted by log rows ``(w, upto]``: those of a full load,
        and event ids the table had before (the id-seen-before rule of :mod:`aandacht.feed`)."""
        from . import validation

        file = data.files.get("events", feed.table)
        problems: list[Problem] = []
        if n_blank:
            problems.append(
                Problem(
                    file,
                    f"{n_blank} new events have no event_id",
                    column="event_id",
                    hint="This column is required: fill it in or remove the event",
                )
            )
        small = {
            n: getattr(data, n) for n in ("relations", "relation_groups", "users", "user_groups")
        }
        with self.service.lock:
            # an id with more rows in the table than inserts in the range: it was there before
            # (the data set's events leave the id out while it is new, so ask the table)
            cur = data.con.raw_sql(
                f"""SELECT l.event_id, count(*) OVER () FROM (
                      SELECT event_id, count(*) AS n FROM {LOG_TABLE}
                      WHERE seq > %s AND seq <= %s AND op = 'I' AND event_id IS NOT NULL
                      GROUP BY event_id) AS l
                    WHERE (SELECT count(*) FROM {_quote(feed.table)} AS e
                           WHERE e.{_quote(feed.idcol)}::text = l.event_id) > l.n
                    ORDER BY l.event_id LIMIT %s""",
                params=(w, upto, validation.MAX_EXAMPLES),
            )
            try:
                again = cur.fetchall()
            finally:
                cur.close()
            seen = [r[0] for r in again]
            for eid in seen:
                problems.append(
                    Problem(
                        file,
                        f"event_id {eid} is already in the data set",
                        None,
                        "event_id",
                        eid,
                        "An event is counted once: give new events new ids, and change an "
                        "event with an UPDATE of its row instead",
                    )
                )
            if again and again[0][1] > len(seen):
                problems.append(
                    Problem(
                        file,
                        f"{again[0][1]} new events in all are already in the data set",
                        None,
                        "event_id",
                    )
                )
            new = feed._conform(feed._raw_range(w, upto))
            if seen:
                new = new.filter(~new.event_id.isin(seen))
            problems += validation.check_events(
                new, small, file, text_columns=validation.FREE_TEXT_EVENT_COLUMNS
            )
        return problems

    def _reload(self) -> int:
        service = self.service
        log.info(
            "%s: rows of the events table changed or were removed: a full recount", service.source
        )
        try:
            service.reload()
        except DataError as exc:  # the old data set stays in use
            service.live.error = str(exc)
            self._stuck = self._seen
            log.error("the changed data set cannot be used; the old one stays:\n%s", exc)
        else:
            self._stuck = None
            self._pending = None
            service.live.error = ""
        return 0


__all__ = [
    "LOG_TABLE",
    "TableFeed",
    "TableWatcher",
    "events_names",
    "install",
    "installed",
    "load",
    "settled_max",
]
