"""Live updates from a PostgreSQL events table (B13, feed b): trigger, log, watermark, watcher.

Needs ``PG_URL`` (``eval "$(scripts/postgres-start.sh)"``). The tables go into a schema of their
own (``aandacht_pglive``, through the URL's ``search_path``), so that ``tests/test_postgres.py``
can use the same database at the same time.

After rows are inserted, the watcher's incremental result equals a fresh full count; an update
or delete makes a full recount; an insert with an unknown relation is reported and not counted
while later good rows are; rows of a transaction still open are not counted before it commits,
also when a later transaction's rows are visible already (commit order is not sequence order).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd
import pytest

import aandacht
from aandacht import pglive
from aandacht.access import Principal
from aandacht.cli import main
from aandacht.database import write_tables
from aandacht.service import DataService

pytestmark = pytest.mark.postgres
PG_URL = os.environ.get("PG_URL")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples"
SCHEMA = "aandacht_pglive"
AS_OF = "2026-10-31"
SEL = aandacht.Selection(as_of=AS_OF, period_from="2026-05-01", period_to=AS_OF)

if not PG_URL:
    pytest.skip(
        'PG_URL is not set: start a server with `eval "$(scripts/postgres-start.sh)"`',
        allow_module_level=True,
    )

URL = f"{PG_URL}?options=-csearch_path%3D{SCHEMA}"
DSN = "postgresql://" + URL.split("://", 1)[1]


def _connect(autocommit: bool = True):
    import psycopg

    return psycopg.connect(DSN, autocommit=autocommit)


@pytest.fixture(scope="module")
def tables():
    ds = aandacht.load(SAMPLE)
    return {
        "relations": ds.relations,
        "relation_groups": ds.relation_groups,
        "users": ds.users,
        "user_groups": ds.user_groups,
        "events": ds.events.drop("_row").to_pandas(),
    }


@pytest.fixture
def url(tables):
    import psycopg

    with psycopg.connect("postgresql://" + PG_URL.split("://", 1)[1], autocommit=True) as c:
        c.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        c.execute(f"CREATE SCHEMA {SCHEMA}")
    write_tables(URL, tables, replace=True)
    assert main(["live-install", "--data", URL]) == 0
    return URL


def _insert(rows: list[tuple], conn=None) -> None:
    sql = (
        'INSERT INTO events (event_id, relation_id, user_id, "timestamp", source, action, '
        "channel) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    if conn is not None:
        conn.cursor().executemany(sql, rows)
        return
    with _connect() as c:
        c.cursor().executemany(sql, rows)


def _good(n: int, relation: str = "R00061", prefix: str = "PG") -> list[tuple]:
    return [
        (f"{prefix}-{i}", relation, "LV", f"2026-10-{20 + i % 10:02d} 10:{i % 60:02d}", "history",
         "added", "visit")
        for i in range(n)
    ]  # fmt: skip


def _until(check, seconds: float = 30.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds:.0f} s")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a = a.sort_values("relation_id").reset_index(drop=True)
    b = b.sort_values("relation_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_like=True)


def _full(principal=None) -> pd.DataFrame:
    """A fresh full load and count (no feed: the whole table as it is now)."""
    return DataService(aandacht.load(URL), URL).session(principal).calculate(SEL)


def _total(df: pd.DataFrame, relation: str = "R00061") -> int:
    return int(df.set_index("relation_id").loc[relation, "total"])


@pytest.fixture
def service(url):
    svc = DataService(pglive.load(url), url)
    yield svc
    svc.stop_live()


# -- install -----------------------------------------------------------------------------------


def test_install_is_idempotent_and_removable(url, capsys) -> None:
    assert main(["live-install", "--data", url]) == 0  # the fixture installed it once already
    assert "installed the live feed" in capsys.readouterr().out
    with _connect() as c:
        n = c.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal"
        ).fetchone()[0]
        assert n == 2  # the row trigger and the truncate trigger, once each
    ds = pglive.load(url)
    assert isinstance(ds.__dict__["_feed"], pglive.TableFeed)

    assert main(["live-install", "--data", url, "--uninstall"]) == 0
    assert main(["live-install", "--data", url, "--uninstall"]) == 0
    assert "_feed" not in pglive.load(url).__dict__  # not installed: a plain load
    assert main(["live-install", "--data", url]) == 0


def test_install_refuses_other_urls_and_missing_tables(url, capsys, tmp_path) -> None:
    assert main(["live-install", "--data", "duckdb:///x.duckdb"]) == 2
    assert "not a postgres:// URL" in capsys.readouterr().err
    mp = tmp_path / "mapping.yaml"
    mp.write_text("tables:\n  events:\n    file: crm_events\n", encoding="utf-8")
    assert main(["live-install", "--data", url, "--mapping", str(mp)]) == 2
    assert "no table 'crm_events'" in capsys.readouterr().err


def test_the_trigger_logs_every_kind_of_change(url) -> None:
    with _connect() as c:
        _insert(_good(2), c)
        c.execute("UPDATE events SET channel = 'phone' WHERE event_id = 'PG-0'")
        c.execute("DELETE FROM events WHERE event_id = 'PG-1'")
        rows = c.execute("SELECT event_id, op FROM aandacht_events_log ORDER BY seq").fetchall()
    assert rows == [("PG-0", "I"), ("PG-1", "I"), ("PG-0", "U"), ("PG-1", "D")]


def test_no_watcher_without_the_trigger(url, caplog) -> None:
    assert main(["live-install", "--data", url, "--uninstall"]) == 0
    svc = DataService(pglive.load(url), url)
    with caplog.at_level("ERROR", "aandacht.live"):
        assert svc.start_live(interval=0.1) is False
    assert "aandacht live-install" in caplog.text
    assert "live-install" in svc.live.error


# -- the feed and the watcher --------------------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [None, Principal("carla", b_groups=("top customers",))],
    ids=["local", "one-group"],
)
def test_inserted_rows_are_counted_like_a_full_count(service, principal) -> None:
    session = service.session(principal)
    first = session.calculate(SEL)
    rel = first["relation_id"].iloc[0]
    assert service.start_live(interval=0.1)
    _insert(_good(4, rel, "A"))
    _until(lambda: service.live.new_events == 4)
    _insert(_good(3, rel, "B"))
    _until(lambda: service.live.new_events == 7)
    live = session.calculate(SEL)
    assert live.attrs["events_batch"] == 7  # the watermark: log rows 1..7
    assert _total(live, rel) == _total(first, rel) + 7
    _same(live, _full(principal))
    assert service.live.reloads == 0  # counted by merging the new rows only


def test_an_update_or_delete_makes_a_full_recount(service) -> None:
    session = service.session()
    before = session.calculate(SEL)
    assert service.start_live(interval=0.1)
    with _connect() as c:
        c.execute(
            "UPDATE events SET relation_id = CASE relation_id WHEN 'R00061' THEN 'R00062' "
            "ELSE 'R00061' END WHERE event_id = (SELECT min(event_id) FROM events "
            "WHERE \"timestamp\" >= '2026-06-01' AND source = 'history')"
        )
    _until(lambda: service.live.reloads == 1)
    _same(session.calculate(SEL), _full())
    _insert(_good(2))  # the new data set has its feed again
    _until(lambda: service.live.new_events == 2)
    _same(session.calculate(SEL), _full())
    with _connect() as c:
        c.execute("DELETE FROM events WHERE event_id LIKE 'PG-%'")
    _until(lambda: service.live.reloads == 2)
    _same(session.calculate(SEL), _full())
    assert not before.equals(session.calculate(SEL))  # an event moved to another relation


def test_a_bad_insert_is_rejected_and_later_rows_still_count(service) -> None:
    session = service.session()
    before = _total(session.calculate(SEL))
    assert service.start_live(interval=0.1)
    _insert([("BAD-1", "R99999", "LV", "2026-10-30 10:00", "history", "added", "visit")])
    _until(lambda: "events" in service.live.rejected)
    text = " ".join(service.live.rejected["events"])
    assert "relation_id R99999 is not in relations" in text
    assert _total(session.calculate(SEL)) == before  # nothing of it counted
    assert service.live.new_events == 0

    _insert(_good(2, prefix="OK"))  # later good rows are taken in
    _until(lambda: service.live.new_events == 2)
    live = session.calculate(SEL)
    assert _total(live) == before + 2
    # a fresh count without the rejected row gives the same
    with _connect() as c:
        c.execute("DELETE FROM events WHERE event_id = 'BAD-1'")
    _until(lambda: service.live.reloads == 1)
    assert service.live.rejected == {}
    _same(live, session.calculate(SEL))
    _same(live, _full())


def test_an_event_id_seen_before_is_rejected(service) -> None:
    session = service.session()
    first = session.calculate(SEL)
    assert service.start_live(interval=0.1)
    _insert([("E0000001", "R00061", "LV", "2026-10-30 10:00", "history", "added", "visit")])
    _until(lambda: "events" in service.live.rejected)
    assert "event_id E0000001 is already in the data set" in " ".join(
        service.live.rejected["events"]
    )
    assert _total(session.calculate(SEL)) == _total(first)


def test_an_open_transaction_holds_back_later_rows(service) -> None:
    """Sequence numbers are handed out at insert: an open transaction's row (log row 1) is
    invisible while a later one (log row 2) is committed. Taking in 2 and moving the watermark
    past 1 would count row 1 in a full count but never in a delta."""
    session = service.session()
    before = _total(session.calculate(SEL))
    assert service.start_live(interval=0.1)
    slow = _connect(autocommit=False)
    try:
        _insert(_good(1, prefix="SLOW"), slow)  # log row 1, not committed
        _insert(_good(1, prefix="FAST"))  # log row 2, committed
        time.sleep(1.0)
        assert service.live.new_events == 0  # waits for the open transaction
        assert _total(session.calculate(SEL)) == before
        slow.commit()
    finally:
        slow.close()
    _until(lambda: service.live.new_events == 2)
    live = session.calculate(SEL)
    assert _total(live) == before + 2
    _same(live, _full())


def test_a_rolled_back_transaction_leaves_a_gap_that_is_passed(service) -> None:
    session = service.session()
    before = _total(session.calculate(SEL))
    assert service.start_live(interval=0.1)
    gone = _connect(autocommit=False)
    try:
        _insert(_good(1, prefix="GONE"), gone)  # log row 1
        _insert(_good(1, prefix="KEPT"))  # log row 2
        gone.rollback()
    finally:
        gone.close()
    _until(lambda: service.live.new_events == 1)
    assert _total(session.calculate(SEL)) == before + 1
    _insert(_good(1, prefix="NEXT"))
    _until(lambda: service.live.new_events == 2)
    _same(session.calculate(SEL), _full())


def test_rows_that_arrive_after_the_watermark_are_not_in_the_base(url) -> None:
    """The data set's events are the table without the rows logged after its watermark."""
    ds = pglive.load(url)
    n = int(ds.events.count().execute())
    _insert(_good(3))
    assert int(ds.events.count().execute()) == n  # not yet taken in: not counted
    feed = ds.__dict__["_feed"]
    assert feed.batch() == 0 and int(feed.delta_since(0).count().execute()) == 0
    feed.advance(ds, 3, 3)
    assert int(ds.events.count().execute()) == n + 3
    assert int(feed.delta_since(0).count().execute()) == 3
    assert feed.events_since(0) == 3 and feed.events_since(3) == 0


def test_for_source_loads_with_the_feed_and_truncate_recounts(url) -> None:
    DataService.forget(url)
    svc = DataService.for_source(url)
    try:
        assert isinstance(svc.data.__dict__.get("_feed"), pglive.TableFeed)
        assert svc.start_live(interval=0.1)
        with _connect() as c:
            c.execute("TRUNCATE events")
        _until(lambda: svc.live.reloads == 1)
        assert int(svc.data.events.count().execute()) == 0
        assert isinstance(svc.data.__dict__.get("_feed"), pglive.TableFeed)
    finally:
        svc.stop_live()
        DataService.forget(url)
