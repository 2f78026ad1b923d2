"""The workspace (aandacht.workspace): a validated copy sorted by relation gives the same answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import tiny

import aandacht
from aandacht import DataError, Selection, calculate, timeline
from aandacht import workspace as ws
from aandacht.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples"
DUTCH = ROOT / "docs" / "examples" / "dutch_export"
SMALL = ("relations", "relation_groups", "users", "user_groups")


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("AANDACHT_CACHE", str(folder))
    return folder / "workspaces"


def _workspaces(cache: Path) -> list[Path]:
    return sorted(p for p in cache.glob("*") if p.is_dir() and not p.name.startswith("."))


def _same_dataset(a, b):
    for name in SMALL:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.origin == b.origin
    assert a.files == b.files
    assert a.events.schema() == b.events.schema()


def _same_answers(a, b, relation_ids):
    selections = [
        Selection(as_of="2026-10-31"),
        Selection(as_of="2026-10-31", revenue="both", period_from="2026-01-01"),
        Selection(as_of="2026-06-30", user_group="Sales", revenue="invoices"),
        Selection(as_of="2026-10-31", b_group=sorted(a.b_group_names())[0], revenue="orders"),
        Selection(as_of="2026-10-31", users=tuple(a.users["user_id"][:3])),
    ]
    for sel in selections:
        pd.testing.assert_frame_equal(calculate(a, sel), calculate(b, sel))
    for rid in relation_ids:
        pd.testing.assert_frame_equal(timeline(a, rid), timeline(b, rid))
        kwargs = {"period_from": "2026-02-01", "period_to": "2026-05-31", "user_group": "Sales"}
        pd.testing.assert_frame_equal(timeline(a, rid, **kwargs), timeline(b, rid, **kwargs))


def test_sample_data_through_a_workspace_gives_the_same_answers(cache):
    direct = aandacht.load(SAMPLE, workspace=False)
    assert direct.workspace is None
    through = aandacht.load(SAMPLE, workspace=True)
    assert through.workspace is not None
    assert Path(through.workspace).parent == cache
    _same_dataset(direct, through)
    ids = list(direct.relations["relation_id"].iloc[[0, 7, 123, 399]])
    _same_answers(direct, through, ids)
    # the events really are in the workspace, sorted by relation
    df = through.events.select("relation_id", "timestamp").to_pandas()
    assert len(df) == int(direct.events.count().to_pandas())
    assert df["relation_id"].is_monotonic_increasing


def test_csv_events_and_a_mapping_file_through_a_workspace(cache, tmp_path):
    folder = tmp_path / "tiny"
    tiny.write_csv_folder(folder)
    direct = aandacht.load(folder, workspace=False)
    through = aandacht.load(folder, workspace=True)
    _same_dataset(direct, through)
    sel = Selection(as_of="2026-03-31", period_from="2026-03-01", revenue="both")
    pd.testing.assert_frame_equal(calculate(direct, sel), calculate(through, sel))
    pd.testing.assert_frame_equal(timeline(direct, "R1"), timeline(through, "R1"))

    mapping = DUTCH / "mapping.yaml"
    direct = aandacht.load(DUTCH, mapping, workspace=False)
    through = aandacht.load(DUTCH, mapping, workspace=True)
    _same_dataset(direct, through)
    sel = Selection(as_of="2026-10-31", revenue="both")
    pd.testing.assert_frame_equal(calculate(direct, sel), calculate(through, sel))


def test_the_workspace_is_reused_while_the_files_are_unchanged(cache, monkeypatch):
    first = aandacht.load(SAMPLE, workspace=True)
    made = Path(first.workspace)
    meta = (made / "meta.json").read_text()

    def no_build(*args, **kwargs):
        raise AssertionError("the workspace was made again")

    monkeypatch.setattr(ws, "_build", no_build)
    again = aandacht.load(SAMPLE, workspace=True)
    assert again.workspace == first.workspace
    assert (made / "meta.json").read_text() == meta


def test_a_changed_file_makes_a_new_workspace_and_removes_the_old(cache, tmp_path):
    folder = tmp_path / "tiny"
    tiny.write_csv_folder(folder)
    first = aandacht.load(folder, workspace=True)
    assert len(_workspaces(cache)) == 1
    events = folder / "events.csv"
    st = events.stat()
    text = events.read_text()
    # same size, same modification time, other contents: still seen (the file's edges are hashed)
    events.write_text(text.replace("2026-03-15 10:00:00", "2026-03-16 10:00:00"))
    os.utime(events, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert events.stat().st_size == st.st_size
    second = aandacht.load(folder, workspace=True)
    assert second.workspace != first.workspace
    assert _workspaces(cache) == [Path(second.workspace)]
    tl = timeline(second, "R1")
    assert "2026-03-16 10:00:00" in set(tl["timestamp"].astype(str))


def test_a_new_mapping_makes_a_new_workspace(cache, tmp_path):
    folder = tmp_path / "tiny"
    tiny.write_csv_folder(folder)
    plain = aandacht.load(folder, workspace=True).workspace
    mapping = tmp_path / "m.yaml"
    mapping.write_text("tables:\n  relations:\n    columns:\n      city: city\n")
    mapped = aandacht.load(folder, mapping, workspace=True).workspace
    assert plain != mapped


def test_bad_data_is_reported_as_always_and_no_workspace_is_made(cache, tmp_path):
    folder = tmp_path / "bad"
    tables = tiny.tables()
    tables["events"] = tables["events"].copy()
    tables["events"].loc[3, "relation_id"] = "R999"
    tiny.write_csv_folder(folder, tables)
    with pytest.raises(DataError) as direct:
        aandacht.load(folder, workspace=False)
    with pytest.raises(DataError) as through:
        aandacht.load(folder, workspace=True)
    assert str(through.value) == str(direct.value)
    assert "R999" in str(through.value)
    assert _workspaces(cache) == []


def test_a_damaged_workspace_is_made_again(cache, tmp_path):
    folder = tmp_path / "tiny"
    tiny.write_csv_folder(folder)
    first = Path(aandacht.load(folder, workspace=True).workspace)
    (first / "events.duckdb").write_bytes(b"not a database")
    with pytest.warns(UserWarning, match="cannot be read"):
        again = aandacht.load(folder, workspace=True)
    assert Path(again.workspace) == first
    assert len(timeline(again, "R1")) == len(timeline(aandacht.load(folder, workspace=False), "R1"))


def test_an_unwritable_cache_falls_back_to_the_files(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("AANDACHT_CACHE", str(blocker))  # a file: no folder can be made in it
    folder = tmp_path / "tiny"
    tiny.write_csv_folder(folder)
    with pytest.warns(UserWarning, match="could not write a workspace"):
        ds = aandacht.load(folder, workspace=True)
    assert ds.workspace is None
    assert len(timeline(ds, "R1")) > 0


def test_auto_uses_a_workspace_for_large_event_files_only(cache, tmp_path, monkeypatch):
    folder = tmp_path / "tiny"
    tiny.write_csv_folder(folder)
    assert aandacht.load(folder).workspace is None
    assert _workspaces(cache) == []
    monkeypatch.setattr(ws, "AUTO_MIN_BYTES", 1)
    # the first run answers from the files, validated, while a background process makes the
    # workspace; the runs after it read the workspace
    first = aandacht.load(folder)
    assert first.workspace is None
    assert ws.wait(folder, timeout=120)
    assert not ws.building(folder)
    again = aandacht.load(folder)
    assert again.workspace is not None
    sel = Selection(as_of="2026-10-31", revenue="both")
    pd.testing.assert_frame_equal(calculate(again, sel), calculate(first, sel))
    log = (ws.cache_folder() / "build.log").read_text()
    assert "workspace of" in log and "not made" not in log
    # an explicit connection or an .xlsx never goes through a workspace
    import ibis

    assert aandacht.load(folder, con=ibis.duckdb.connect(), workspace=True).workspace is None


def test_cli_with_and_without_workspace_writes_the_same(cache, tmp_path, capsys):
    args = ["--data", str(SAMPLE), "--as-of", "2026-10-31"]
    outputs = {}
    for mode in ("no", "yes"):
        out = tmp_path / f"{mode}.csv"
        assert main(["calculate", *args, "--revenue", "both", "--workspace", mode,
                     "--output", str(out)]) == 0  # fmt: skip
        tl = tmp_path / f"tl-{mode}.csv"
        assert main(["timeline", *args, "--relation", "R00002", "--workspace", mode,
                     "--output", str(tl)]) == 0  # fmt: skip
        outputs[mode] = (out.read_bytes(), tl.read_bytes())
    assert outputs["no"] == outputs["yes"]
    assert len(_workspaces(cache)) == 1
    assert main(["validate", "--data", str(SAMPLE), "--workspace", "yes"]) == 0
    assert "workspace (validated, sorted by relation)" in capsys.readouterr().out


_BUILD = """
import sys, aandacht
ds = aandacht.load(sys.argv[1], workspace=True)
print(ds.workspace, len(aandacht.timeline(ds, "R1")))
"""


def test_concurrent_first_loads_both_succeed(cache, tmp_path):
    folder = tmp_path / "tiny"
    tiny.write_csv_folder(folder)
    env = {**os.environ, "AANDACHT_CACHE": str(cache.parent)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD, str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    assert len({out for out, _err in results}) == 1
    assert len(_workspaces(cache)) == 1
    assert not [p for p in cache.glob(".*")]  # no half-made workspaces left behind
    meta = json.loads((_workspaces(cache)[0] / "meta.json").read_text())
    assert meta["events"] == len(tiny.tables()["events"])


def test_the_dashboards_library_calls_give_the_same_through_a_workspace(cache):
    """Everything the app asks of a data set, from the files and through a workspace."""
    import dataclasses

    from aandacht import answers, history, reports, trend, twoway, who

    direct = aandacht.load(SAMPLE, workspace=False)
    through = aandacht.load(SAMPLE, workspace=True)
    sel = Selection(as_of="2026-10-31", revenue="both")
    rid = direct.relations["relation_id"].iloc[11]
    me = direct.users["user_id"].iloc[0]
    calls = {
        "trends": lambda d: trend.trends(d, sel),
        "monthly": lambda d: trend.monthly_counts(d, sel),
        "two_way": lambda d: twoway.two_way(d, sel),
        "per_employee": lambda d: who.contacts_per_employee(d, sel),
        "spoc": lambda d: who.single_point_of_contact(d, sel),
        "band_history": lambda d: history.band_history(d, start="2025-01-01", end="2026-10-31"),
    }
    for name, call in calls.items():
        a, b = call(direct), call(through)
        pd.testing.assert_frame_equal(a, b, obj=name)
    a = answers.answers(direct, rid, me, "2026-09-01", as_of="2026-10-31")
    b = answers.answers(through, rid, me, "2026-09-01", as_of="2026-10-31")
    assert repr(a) == repr(b)
    for make in (
        lambda d: reports.handover_report(d, me, as_of="2026-10-31"),
        lambda d: reports.catchup_report(d, me, "2026-09-01", as_of="2026-10-31"),
    ):
        a, b = make(direct), make(through)
        for field in dataclasses.fields(a):
            x, y = getattr(a, field.name), getattr(b, field.name)
            if isinstance(x, pd.DataFrame):
                pd.testing.assert_frame_equal(x, y, obj=field.name)
            else:
                assert x == y, field.name


def test_aandacht_workspace_variable_decides_auto(cache, tmp_path, monkeypatch):
    folder = tiny.write_csv_folder(tmp_path / "tiny")
    monkeypatch.setenv("AANDACHT_WORKSPACE", "yes")
    assert aandacht.load(folder).workspace is not None
    assert aandacht.load(folder, workspace=False).workspace is None  # an explicit choice wins
    monkeypatch.setenv("AANDACHT_WORKSPACE", "no")
    monkeypatch.setattr(ws, "AUTO_MIN_BYTES", 1)
    assert aandacht.load(folder).workspace is None
    monkeypatch.setenv("AANDACHT_WORKSPACE", "sometimes")
    with pytest.raises(aandacht.AandachtError, match="AANDACHT_WORKSPACE must be yes, no or auto"):
        aandacht.load(folder)


def test_names_follow_the_callers_spelling_of_the_folder(cache, tmp_path, monkeypatch):
    folder = tiny.write_csv_folder(tmp_path / "tiny")
    first = aandacht.load(folder.resolve(), workspace=True)
    monkeypatch.chdir(tmp_path)
    again = aandacht.load("tiny", workspace=True)
    assert again.workspace == first.workspace
    direct = aandacht.load("tiny", workspace=False)
    assert (again.origin, again.files) == (direct.origin, direct.files)


def test_an_engine_error_while_writing_falls_back_with_the_settings_put_back(
    cache, tmp_path, monkeypatch
):
    folder = tiny.write_csv_folder(tmp_path / "tiny")
    monkeypatch.setattr(ws.ibis, "to_sql", lambda expr, dialect: "SELECT nonsense FROM nowhere")
    with pytest.warns(UserWarning, match="could not write a workspace"):
        ds = aandacht.load(folder, workspace=True)
    assert ds.workspace is None
    raw = ds.con.con
    assert raw.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    assert _workspaces(cache) == [] and not list(cache.glob(".*"))
    assert len(timeline(ds, "R1")) > 0


def test_one_background_build_at_a_time_and_none_for_bad_data(cache, tmp_path, monkeypatch):
    folder = tiny.write_csv_folder(tmp_path / "tiny")
    assert ws.build_in_background(folder)
    assert not ws.build_in_background(folder)  # one is at work already
    assert ws.wait(folder, timeout=120)
    assert ws.open_if_ready(folder) is not None
    # bad data: the foreground load fails with the problems; no workspace is made
    bad = tiny.write_csv_folder(tmp_path / "bad")
    events = bad / "events.csv"
    events.write_text(events.read_text() + events.read_text().splitlines()[1] + "\n")
    monkeypatch.setattr(ws, "AUTO_MIN_BYTES", 1)
    with pytest.raises(DataError, match="appears more than once"):
        aandacht.load(bad)
    assert not ws.building(bad)
    assert not (ws.location(bad, ws.Mapping()) / "meta.json").exists()


def test_a_workspace_is_made_when_validation_and_sort_spill_to_disk(cache, tmp_path, monkeypatch):
    # The bug this guards against: at 100,000 relations validating the log spilled to DuckDB's
    # temporary directory, and the workspace build then failed with "Cannot switch temporary
    # directory after the current one has been used" (so it was never made). Here the
    # validation is made to spill for sure (a large sort on its connection under a small memory
    # cap, checked), and the build's own sort spills under the same cap.
    import duckdb

    from aandacht import validation
    from aandacht.generate import generate, write

    folder = tmp_path / "spill"
    write(generate(2_000, 400_000, seed=7), folder, events_format="parquet")
    monkeypatch.setenv("AANDACHT_DUCKDB_MEMORY", "128MB")
    spilled = []
    check_events = validation.check_events

    def spilling_check(events, small, file, **kw):
        raw = events._find_backend().con
        raw.execute("SELECT * FROM range(6000000) t(i) ORDER BY hash(i)").fetchone()
        try:
            raw.execute("SET temp_directory = '/nonexistent/other'")
        except duckdb.Error as exc:
            spilled.append(str(exc))
        return check_events(events, small, file, **kw)

    monkeypatch.setattr(validation, "check_events", spilling_check)
    with warnings_as_errors():
        ds = aandacht.load(folder, workspace=True)
    assert spilled and "temporary directory" in spilled[0]
    assert ds.workspace is not None
    monkeypatch.undo()
    direct = aandacht.load(folder, workspace=False)
    sel = Selection(as_of="2026-10-31", revenue="both")
    pd.testing.assert_frame_equal(calculate(ds, sel), calculate(direct, sel))
    rid = direct.relations["relation_id"].iloc[5]
    pd.testing.assert_frame_equal(timeline(ds, rid), timeline(direct, rid))


def warnings_as_errors():
    """A context in which a UserWarning (such as 'could not write a workspace') fails the test."""
    return _WarningsAsErrors()


class _WarningsAsErrors:
    def __enter__(self):
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("error", UserWarning)
        return self

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)
