"""The same counting on a real PostgreSQL server gives identical results to DuckDB.

Needs ``PG_URL`` (``.ci/run`` starts a server with ``scripts/postgres-start.sh`` and sets it).
"""

import contextlib
import os
from pathlib import Path

import pandas as pd
import pytest

import aandacht
from aandacht.database import write_tables

pytestmark = pytest.mark.postgres
PG_URL = os.environ.get("PG_URL")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples"

if not PG_URL:
    pytest.skip(
        'PG_URL is not set: start a server with `eval "$(scripts/postgres-start.sh)"`',
        allow_module_level=True,
    )


def sample_tables():
    ds = aandacht.load(SAMPLE)
    events = ds.events.drop("_row").to_pandas()
    return {
        "relations": ds.relations,
        "relation_groups": ds.relation_groups,
        "users": ds.users,
        "user_groups": ds.user_groups,
        "events": events,
    }


@pytest.fixture(scope="module")
def both():
    write_tables(PG_URL, sample_tables(), replace=True)
    return aandacht.load(SAMPLE), aandacht.load(PG_URL)


SELECTIONS = [
    dict(as_of="2026-10-31"),
    dict(as_of="2026-10-31", revenue="both", user_group="Sales"),
    dict(
        as_of="2026-06-30",
        period_from="2026-01-01",
        period_to="2026-03-31",
        revenue="orders",
        b_group="top customers",
    ),
    dict(as_of="2026-10-31", users=("JdV",), revenue="invoices"),
]


def normalise(df):
    df = df.sort_values("relation_id").reset_index(drop=True)
    for c in df.columns:
        if c.endswith("dgn") or c in ("total", "history", "correspondence", "sales", "helpdesk"):
            df[c] = df[c].astype("Int64")
        elif c == "last_contact":
            df[c] = pd.to_datetime(df[c]).astype("datetime64[us]")
        elif df[c].dtype.kind == "f":
            df[c] = df[c].astype("float64")
        else:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


@pytest.mark.parametrize("kwargs", SELECTIONS)
def test_calculate_identical(both, kwargs):
    duck, pg = both
    if "users" in kwargs and kwargs["users"][0] not in set(duck.users.user_id):
        kwargs = {**kwargs, "users": (duck.users.user_id.iloc[0],)}
    sel = aandacht.Selection(**kwargs)
    a = normalise(aandacht.calculate(duck, sel))
    b = normalise(aandacht.calculate(pg, sel))
    assert len(a) > 0 and a.total.sum() > 0
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)


def test_timeline_identical(both):
    duck, pg = both
    rid = duck.relations.relation_id.iloc[3]
    a = aandacht.timeline(duck, rid, period_from="2025-06-01")
    b = aandacht.timeline(pg, rid, period_from="2025-06-01")
    assert len(a) > 0
    pd.testing.assert_frame_equal(
        normalise(a.drop(columns="timestamp")), normalise(b.drop(columns="timestamp"))
    )
    assert (pd.to_datetime(a.timestamp) == pd.to_datetime(b.timestamp)).all()


@contextlib.contextmanager
def refused(**tables):
    """Write ``tables`` (name=frame) over the sample's, yield the load's DataError, put the
    sample's back."""
    write_tables(PG_URL, tables, replace=True)
    try:
        with pytest.raises(aandacht.DataError) as exc:
            aandacht.load(PG_URL)
        yield exc.value
    finally:
        sample = sample_tables()
        write_tables(PG_URL, {name: sample[name] for name in tables}, replace=True)


def test_validation_runs_in_the_database(both):
    t = sample_tables()
    t["events"].loc[7, "relation_id"] = "R-UNKNOWN"
    t["events"].loc[9, "source"] = "telepathy"
    with refused(events=t["events"]) as err:
        text = str(err)
    assert "R-UNKNOWN is not in relations" in text and "telepathy" in text
    assert "aandacht:***@" in text and "aandacht:aandacht@" not in text


def test_control_characters_in_table_text_are_problems(both):
    """A table's text is not parsed as a CSV file's is: checked in the database at load."""
    ev = sample_tables()["events"]
    ev["subject"] = ev["subject"].astype(object)
    ev.loc[4, "subject"] = "bell\x07subject"
    with refused(events=ev) as err:
        found = [p for p in err.problems if "control character" in p.message]
    assert [(p.column, p.value) for p in found] == [("subject", "bell\x07subject")]
    assert "[table events]" in found[0].file


def test_control_characters_in_a_small_table_are_problems(both):
    """The relations, users and groups of a database: the same check and message as a CSV's."""
    rel = sample_tables()["relations"].copy()
    rel["name"] = rel["name"].astype(object)
    rel.loc[2, "name"] = "bad\x07name"
    with refused(relations=rel) as err:
        found = [(p.column, p.value, p.message) for p in err.problems]
    assert found == [("name", "bad\x07name", "contains a control character (such as a NUL byte)")]
    assert "[table relations]" in err.problems[0].file


def test_timestamptz_column_is_read_in_dutch_time(both):
    """A CRM database with ``timestamp with time zone``: the same Dutch days as a CSV with offsets."""
    import psycopg

    t = sample_tables()
    url = PG_URL
    write_tables(url, {"events": t["events"]}, replace=True)
    dsn = "postgresql://" + url.split("://", 1)[1]
    try:
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            # stored as Dutch local time: interpret them so, as a CRM would store them
            cur.execute("SET TIME ZONE 'UTC'")
            cur.execute(
                'ALTER TABLE events ALTER COLUMN "timestamp" TYPE timestamptz '
                "USING \"timestamp\" AT TIME ZONE 'Europe/Amsterdam'"
            )
        ds = aandacht.load(url)
        assert ds.events.schema()["timestamp"].is_timestamp()
        sample = both[0]
        rid = sample.relations["relation_id"].iloc[5]
        a = aandacht.timeline(sample, rid)
        b = aandacht.timeline(ds, rid)
        assert len(a) > 0
        assert (pd.to_datetime(a.timestamp) == pd.to_datetime(b.timestamp)).all()
        assert a.event_id.tolist() == b.event_id.tolist()
        sel = aandacht.Selection(as_of="2026-10-31", revenue="both")
        pd.testing.assert_frame_equal(
            normalise(aandacht.calculate(sample, sel)),
            normalise(aandacht.calculate(ds, sel)),
            check_dtype=False,
        )
    finally:
        write_tables(url, {"events": sample_tables()["events"]}, replace=True)
