"""The same counting on Apache Spark gives identical results to DuckDB (B9).

Runs when ``AANDACHT_SPARK_TESTS=1`` (``.ci/run`` sets it after installing Java 17 and the
``spark`` extra); without it the module is skipped with that reason. One local Spark session
(``local[2]``) is shared by every test; the data is the bundled sample (150k events) or a few
hundred events of it.
"""

import dataclasses
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

import aandacht
from aandacht import answers, reports, trend, twoway, who
from aandacht.bands import classify
from aandacht.sales import sales_view

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples"
AS_OF = "2026-10-31"

if os.environ.get("AANDACHT_SPARK_TESTS") != "1":
    pytest.skip(
        "AANDACHT_SPARK_TESTS is not set: install Java 17 and the extra (make spark), then "
        "AANDACHT_SPARK_TESTS=1",
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
def spark():
    from aandacht.spark import session

    s = session("local[2]", **{"spark.sql.shuffle.partitions": "4"})
    yield s
    s.stop()


@pytest.fixture(scope="session")
def both(spark):
    return aandacht.load(SAMPLE), aandacht.load(SAMPLE, engine="pyspark")


def same(a, b):
    """Equal values and equal dtypes, through dicts and report dataclasses."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same(a[k], b[k])
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            same(getattr(a, f.name), getattr(b, f.name))
    else:
        assert a == b or (pd.isna(a) and pd.isna(b)), (a, b)


SELECTIONS = [
    dict(as_of=AS_OF),
    dict(as_of=AS_OF, revenue="both", user_group="Sales"),
    dict(
        as_of="2026-06-30",
        period_from="2026-01-01",
        period_to="2026-03-31",
        revenue="orders",
        b_group="top customers",
    ),
    dict(as_of=AS_OF, users=("JdV",), revenue="invoices"),
]


def test_events_stay_in_spark(both):
    duck, sp = both
    assert sp.con.name == "pyspark" and sp.events.get_backend() is sp.con
    # typed per the canonical schema (Spark's timestamps carry no declared scale)
    assert {c: type(t) for c, t in sp.events.schema().items()} == {
        c: type(t) for c, t in duck.events.schema().items()
    }
    same(duck.relations, sp.relations)
    same(duck.users, sp.users)


@pytest.mark.parametrize("kwargs", SELECTIONS)
def test_calculate_identical(both, kwargs):
    duck, sp = both
    sel = aandacht.Selection(**kwargs)
    a = aandacht.calculate(duck, sel)
    b = aandacht.calculate(sp, sel)
    assert len(a) > 0 and a.total.sum() > 0
    same(a, b)  # values and dtypes: string, datetime64[us], Int64 ...
    assert list(classify(a["total"]).yb) == list(classify(b["total"]).yb)
    if kwargs.get("revenue"):
        same(sales_view(a).table, sales_view(b).table)


def test_timeline_identical(both):
    duck, sp = both
    for rid in duck.relations.relation_id.iloc[[0, 3, 7]]:
        a = aandacht.timeline(duck, rid, period_from="2025-06-01")
        b = aandacht.timeline(sp, rid, period_from="2025-06-01")
        assert len(a) > 0
        same(a, b)


def test_insights_identical(both):
    duck, sp = both
    sel = aandacht.Selection(as_of=AS_OF, user_group="Sales")
    rid = duck.relations.relation_id.iloc[3]
    for run in (
        lambda d: trend.trends(d, sel),
        lambda d: twoway.two_way(d, sel),
        lambda d: who.contacts_per_employee(d, sel),
        lambda d: answers.answers(d, rid, "JdV", "2026-09-01", as_of=AS_OF, days=14),
        lambda d: reports.open_quotes(d, as_of=AS_OF),
        lambda d: reports.catchup_report(d, "JdV", "2026-10-15", as_of=AS_OF),
        lambda d: reports.handover_report(d, "JdV", as_of=AS_OF),
    ):
        same(run(duck), run(sp))


def test_cli_identical(both, capsys):
    from aandacht.cli import main

    out = {}
    for engine in ("duckdb", "pyspark"):
        args = ["calculate", "--data", str(SAMPLE), "--as-of", AS_OF, "--revenue", "both"]
        assert main([*args, "--workspace", "no", "--engine", engine]) == 0
        out[engine] = capsys.readouterr().out
    assert out["duckdb"].count("\n") > 100 and out["duckdb"] == out["pyspark"]
    assert main(["validate", "--data", str(SAMPLE), "--engine", "pyspark"]) == 0
    assert "OK" in capsys.readouterr().out


def _small_copy(tmp_path, n=400):
    """The sample's small tables and its first ``n`` events (DataFrame) in a new folder."""
    for f in SAMPLE.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    ev = pd.read_parquet(SAMPLE / "events.parquet").head(n)
    return ev.astype(
        {c: object for c in ev.columns if isinstance(ev[c].dtype, pd.CategoricalDtype)}
    )


def _messages(source, **kw):
    with pytest.raises(aandacht.DataError) as exc:
        aandacht.load(source, **kw)
    return [str(p) for p in exc.value.problems]


def test_validation_same_messages_parquet(spark, tmp_path):
    """Parquet events on Spark: the same problems, with the same row numbers, as on DuckDB."""
    ev = _small_copy(tmp_path)
    ev.loc[7, "relation_id"] = "R-UNKNOWN"
    ev.loc[9, "source"] = "telepathy"
    ev.loc[11, "event_id"] = ev.loc[12, "event_id"]
    ev.loc[13, "user_id"] = None
    ev.loc[15, "subject"] = "a bell \x07 in the text"  # a control character in free text (#16)
    ev.to_parquet(tmp_path / "events.parquet", index=False)
    duck = _messages(tmp_path, workspace=False)
    sp = _messages(tmp_path, engine="pyspark")
    assert any("row 8," in m and "R-UNKNOWN is not in relations" in m for m in sp)
    assert any("telepathy" in m for m in sp)
    assert len([m for m in sp if "row 16, column 'subject'" in m]) == 1
    assert sp == duck


def test_csv_events(both, tmp_path):
    """A CSV event log read by Spark: counted the same; bad values named with the event id."""
    ev = _small_copy(tmp_path)
    ev.to_csv(tmp_path / "events.csv", index=False)
    sel = aandacht.Selection(as_of=AS_OF, revenue="both")
    same(
        aandacht.calculate(aandacht.load(tmp_path, workspace=False), sel),
        aandacht.calculate(aandacht.load(tmp_path, engine="pyspark"), sel),
    )
    raw = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    raw.loc[5, "timestamp"] = "31-02-2026"
    raw.loc[6, "amount"] = "12,50 EUR?"
    raw.loc[8, "source"] = "telepathy"
    raw.to_csv(tmp_path / "events.csv", index=False)
    msgs = _messages(tmp_path, engine="pyspark")
    eid = raw.loc[5, "event_id"]
    assert any(
        f"event {eid}: not a date/time" in m and "'timestamp'" in m and "31-02-2026" in m
        for m in msgs
    )
    assert any(f"event {raw.loc[6, 'event_id']}: not an amount" in m for m in msgs)
    raw.loc[[5, 6], ["timestamp", "amount"]] = ev.loc[[5, 6], ["timestamp", "amount"]].astype(str)
    raw.loc[6, "amount"] = ""
    raw.to_csv(tmp_path / "events.csv", index=False)
    msgs = _messages(tmp_path, engine="pyspark")
    assert msgs == [
        f"{tmp_path / 'events.csv'}, column 'source': event {raw.loc[8, 'event_id']}: unknown "
        "source (value: 'telepathy'). Use one of: history, note, correspondence, sales, "
        "helpdesk, marketing (map Dutch values with tables.events.values.source)"
    ]


def test_tables_in_the_catalog(both, spark):
    """``pyspark://``: tables already in the session's catalog, counted the same."""
    duck, _sp = both
    names = ["relations", "relation_groups", "users", "user_groups"]
    for name in names:
        spark.createDataFrame(getattr(duck, name)).createOrReplaceTempView(name)
    spark.read.parquet(str(SAMPLE / "events.parquet")).createOrReplaceTempView("events")
    try:
        cat = aandacht.load("pyspark://")
        sel = aandacht.Selection(as_of=AS_OF, revenue="both", user_group="Sales")
        same(aandacht.calculate(duck, sel), aandacht.calculate(cat, sel))
    finally:
        for name in [*names, "events"]:
            spark.catalog.dropTempView(name)


def test_control_characters_in_catalog_tables_are_problems(both, spark, tmp_path):
    """``pyspark://``: a control character in a catalog table's text is a problem, named with
    its table and column, as in a file or a PostgreSQL table (#16)."""
    duck, _sp = both
    names = ["relations", "relation_groups", "users", "user_groups"]
    frames = {name: getattr(duck, name).copy() for name in names}
    frames["relations"]["name"] = frames["relations"]["name"].astype(object)
    frames["relations"].loc[3, "name"] = "a bell \x07 in a name"
    for name in names:
        spark.createDataFrame(frames[name]).createOrReplaceTempView(name)
    ev = pd.read_parquet(SAMPLE / "events.parquet").head(3000)
    ev["subject"] = ev["subject"].astype(object)
    ev.loc[15, "subject"] = "a NUL \x00 in a subject"
    ev.to_parquet(tmp_path / "events.parquet", index=False)
    spark.read.parquet(str(tmp_path / "events.parquet")).createOrReplaceTempView("events")
    try:
        msgs = _messages("pyspark://")
    finally:
        for name in [*names, "events"]:
            spark.catalog.dropTempView(name)
    named = [m for m in msgs if "control character" in m]
    assert any("[table relations]" in m and "column 'name'" in m for m in named), msgs
    assert any("[table events]" in m and "column 'subject'" in m for m in named), msgs
    assert len(named) == 2, msgs
