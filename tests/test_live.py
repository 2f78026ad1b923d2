"""Live updates (B13): extra events files in a data folder, taken in on load and while served.

Extra files are validated whole with the messages of a full load; a bad one is rejected, not
taken in in part; an event id seen before is rejected. After new events are taken in, the
service's incremental result (a count of the new events merged into the kept counts) equals a
full count of the whole folder, for the local principal and for a restricted one. The watcher
thread finds a dropped file, rejects a bad one while the rest keeps working, and loads the data
set again when a taken-in file is removed.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aandacht
from aandacht import feed
from aandacht.access import Principal
from aandacht.errors import DataError
from aandacht.service import DataService

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples"
AS_OF = "2026-10-31"
SEL = aandacht.Selection(as_of=AS_OF, period_from="2026-05-01", period_to=AS_OF)
HEADER = "event_id,relation_id,user_id,timestamp,source,action,channel,direction,amount\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "crm"
    shutil.copytree(SAMPLE, out, ignore=shutil.ignore_patterns("README.md"))
    return out


def _write(path: Path, rows: list[str]) -> Path:
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    tmp.rename(path)  # as a CRM export should: never a half-written file under its name
    return path


def _good_rows(n: int, relation: str = "R00061", prefix: str = "LIVE") -> list[str]:
    return [
        f"{prefix}-{i},{relation},LV,2026-10-{20 + i % 10:02d} 10:{i % 60:02d},history,added,"
        "visit,,"
        for i in range(n)
    ]


def _row(df: pd.DataFrame, relation: str) -> pd.Series:
    return df.set_index("relation_id").loc[relation]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a = a.sort_values("relation_id").reset_index(drop=True)
    b = b.sort_values("relation_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_like=True)


# -- on load -----------------------------------------------------------------------------------


def test_extra_files_are_part_of_the_data_set(folder: Path) -> None:
    before = _row(aandacht.calculate(aandacht.load(folder), SEL), "R00061")
    _write(folder / "events-2026-10-31T1305.csv", _good_rows(3))
    (folder / "notes.csv").write_text("not, events\n")  # not an events file: ignored
    ds = aandacht.load(folder)
    assert [Path(f).name for f in ds.extra_events] == ["events-2026-10-31T1305.csv"]
    after = _row(aandacht.calculate(ds, SEL), "R00061")
    assert after["total"] == before["total"] + 3
    assert after["history"] == before["history"] + 3


def test_extra_file_through_the_mapping_and_as_parquet(folder: Path) -> None:
    rows = pd.DataFrame(
        {
            "id": ["P-1", "P-2"],
            "relatie": ["R00061", "R00061"],
            "medewerker": ["LV", "LV"],
            "moment": pd.to_datetime(["2026-10-30 09:00", "2026-10-30 09:30"]),
            "source": ["note", "note"],
            "action": ["added", "added"],
        }
    )
    rows.to_parquet(folder / "events-extra.parquet", index=False)
    (folder / "mapping.yaml").write_text(
        "tables:\n  events:\n    columns:\n      event_id: id\n      relation_id: relatie\n"
        "      user_id: medewerker\n      timestamp: moment\n",
        encoding="utf-8",
    )
    base = aandacht.load(SAMPLE)
    ds = aandacht.load(folder, folder / "mapping.yaml")
    assert int(ds.events.count().execute()) == int(base.events.count().execute()) + 2


def test_bad_extra_file_names_file_row_and_column(folder: Path) -> None:
    bad = _write(
        folder / "events-bad.csv",
        [
            "B-1,R00061,LV,2026-10-30 10:00,history,added,visit,,",
            "B-2,R99999,LV,2026-10-30 10:00,history,added,visit,,",  # unknown relation
            "E0000001,R00061,LV,2026-10-30 10:00,history,added,visit,,",  # seen before
        ],
    )
    dates = _write(folder / "events-dates.csv", ["D-1,R00061,LV,30-30-2026,note,added,,,"])
    with pytest.raises(DataError) as caught:
        aandacht.load(folder)
    text = str(caught.value)
    assert str(bad) in text and str(dates) in text  # every bad file, each named
    assert "R99999" in text and "relation_id" in text
    assert "event_id E0000001 is already in the data set" in text
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert (str(bad), 3, "relation_id") in found  # the header is row 1
    assert (str(bad), 4, "event_id") in found
    assert (str(dates), 2, "timestamp") in found

    # leniently (the served dashboard): the file is left out whole, with its problems
    ds = aandacht.load(folder, extras="skip")
    assert ds.extra_events == {}
    assert set(ds.rejected_events) == {str(bad), str(dates)}
    assert int(ds.events.count().execute()) == int(aandacht.load(SAMPLE).events.count().execute())


def test_an_id_in_two_extra_files_counts_once(folder: Path) -> None:
    _write(folder / "events-a.csv", _good_rows(2))
    _write(folder / "events-b.csv", _good_rows(1))  # LIVE-0 again
    with pytest.raises(DataError, match="event_id LIVE-0 is already in the data set"):
        aandacht.load(folder)
    ds = aandacht.load(folder, extras="skip")
    assert [Path(f).name for f in ds.extra_events] == ["events-a.csv"]
    assert [Path(f).name for f in ds.rejected_events] == ["events-b.csv"]


def test_a_hash_seen_before_is_only_a_candidate(folder: Path, monkeypatch) -> None:
    # ids are found by their 64-bit hashes; two ids with the same hash are different events
    monkeypatch.setattr(feed.KnownIds, "maybe", lambda self, h: np.ones(len(h), dtype=bool))
    _write(folder / "events-a.csv", _good_rows(3))
    ds = aandacht.load(folder)
    assert [Path(f).name for f in ds.extra_events] == ["events-a.csv"]
    _write(folder / "events-b.csv", _good_rows(2, prefix="LIVE-B") + _good_rows(1))
    with pytest.raises(DataError) as err:
        feed.take_in(ds, folder / "events-b.csv")
    text = str(err.value)
    assert "event_id LIVE-0 is already in the data set" in text
    assert "LIVE-B" not in text


def _sample_rows(folder: Path, name: str, n: int, prefix: str) -> Path:
    """``n`` events of the sample (every column, all sources) under new ids, as a CSV file."""
    events = pd.read_parquet(SAMPLE / "events.parquet").sample(n, random_state=7)
    events["event_id"] = [f"{prefix}-{i}" for i in range(n)]
    events["body"] = events["body"].astype(object)
    events.loc[events.index[:3], "body"] = 'a "quoted", multi-line\nbody'
    path = folder / name
    tmp = path.with_name("." + name + ".tmp")
    events.to_csv(tmp, index=False)
    tmp.rename(path)
    return path


def _taken(ds) -> tuple[pd.DataFrame, pd.DataFrame]:
    live = ds.con.table(feed.LIVE_TABLE).to_pandas().sort_values("event_id")
    frame = feed.delta_frame(ds, 0).sort_values("event_id")
    return live.reset_index(drop=True), frame.reset_index(drop=True)


def test_the_quick_way_takes_in_what_the_slow_way_does(folder: Path, monkeypatch) -> None:
    # a small CSV file is checked and appended with SQL compiled once per data set; the events
    # table, the batch's frame and every count are the same as by read_delta + append
    quick_ds = aandacht.load(folder)
    slow_ds = aandacht.load(folder)
    paths = [_sample_rows(folder, f"events-{k}.csv", 300, f"Q{k}") for k in range(2)]
    calls = []
    real = feed._Quick._take
    monkeypatch.setattr(feed._Quick, "_take", lambda *a: calls.append(1) or real(*a))
    for path in paths:
        assert feed.take_in(quick_ds, path) == 300
    assert len(calls) == 2  # both taken the quick way
    monkeypatch.setattr(feed, "QUICK_BYTES", -1)  # never the quick way
    for path in paths:
        assert feed.take_in(slow_ds, path) == 300
    assert len(calls) == 2
    for quick, slow in zip(_taken(quick_ds), _taken(slow_ds), strict=True):
        pd.testing.assert_frame_equal(quick, slow)
    assert quick_ds.events.schema() == slow_ds.events.schema()
    _same(aandacht.calculate(quick_ds, SEL), aandacht.calculate(slow_ds, SEL))
    # an id of the first file again: the quick way gives way to the slow one, which says so
    again = _write(folder / "events-again.csv", ["Q0-5,R00061,LV,2026-10-30 10:00,note,added,,,"])
    with pytest.raises(DataError, match="event_id Q0-5 is already in the data set"):
        feed.take_in(quick_ds, again)
    assert feed.batch(quick_ds) == 2


@pytest.mark.parametrize(
    "row, column",
    [
        ("N-1,R99999,LV,2026-10-30 10:00,note,added,,,", "relation_id"),
        ("N-1,R00061,NOBODY,2026-10-30 10:00,note,added,,,", "user_id"),
        ("N-1,R00061,LV,2026-10-30 10:00,note,flown,,,", "action"),
        ("N-1,R00061,LV,2026-10-30 10:00,note,added,pigeon,,", "channel"),
        ("N-1,R00061,LV,2026-10-30 10:00,note,added,,sideways,", "direction"),
        ("N-1,R00061,LV,2026-10-30 10:00,sales,order,,,inf", "amount"),
        (",R00061,LV,2026-10-30 10:00,note,added,,,", "event_id"),
        ("N-0,R00061,LV,2026-10-30 10:00,note,added,,,", "event_id"),  # twice in the file
    ],
)
def test_a_problem_the_quick_checks_count_is_reported(folder: Path, row: str, column: str) -> None:
    ds = aandacht.load(folder)
    path = _write(folder / "events-n.csv", ["N-0,R00061,LV,2026-10-29 10:00,note,added,,,", row])
    with pytest.raises(DataError) as caught:
        feed.take_in(ds, path)
    assert (str(path), 3, column) in {(p.file, p.row, p.column) for p in caught.value.problems}
    assert feed.batch(ds) == 0 and ds.extra_events == {}


def test_the_base_file_is_never_an_extra_file(folder: Path) -> None:
    assert feed.extra_files(folder) == []
    assert not feed.is_extra_name("events.parquet")
    assert feed.is_extra_name("events-2026-12-04T1305.csv")
    assert feed.is_extra_name("events_2.parquet")
    assert not feed.is_extra_name("events-2.xlsx")


# -- the service: incremental equals full ------------------------------------------------------


@pytest.mark.parametrize(
    "principal",
    [None, Principal("carla", b_groups=("top customers",))],
    ids=["local", "one-group"],
)
def test_incremental_result_equals_a_full_count(folder: Path, principal) -> None:
    service = DataService(aandacht.load(folder), folder)
    session = service.session(principal)
    first = session.calculate(SEL)
    assert first.attrs["events_batch"] == 0
    rel = first["relation_id"].iloc[0]  # a relation this principal sees
    service.take_in(_write(folder / "events-1.csv", _good_rows(4, rel, "L1")))
    service.take_in(_write(folder / "events-2.csv", _good_rows(2, rel, "L2")))
    live = session.calculate(SEL)
    assert live.attrs["events_batch"] == 2
    assert _row(live, rel)["total"] == _row(first, rel)["total"] + 6
    full = DataService(aandacht.load(folder), folder).session(principal).calculate(SEL)
    _same(live, full)
    assert set(live["relation_id"]) == set(first["relation_id"])  # nothing else became visible
    assert service.live.new_events == 6


def test_a_rejected_file_changes_nothing(folder: Path) -> None:
    service = DataService(aandacht.load(folder), folder)
    first = service.session().calculate(SEL)
    version = service.version
    bad = _write(folder / "events-1.csv", _good_rows(3) + ["X,R99999,LV,2026-10-30,note,added,,,"])
    with pytest.raises(DataError, match="R99999"):
        service.take_in(bad)
    assert service.version == version
    assert feed.batch(service.data) == 0
    _same(service.session().calculate(SEL), first)


# -- the watcher -------------------------------------------------------------------------------


def _until(check, seconds: float = 20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds:.0f} s")


def test_watcher_takes_in_rejects_and_reloads(folder: Path) -> None:
    service = DataService(aandacht.load(folder), folder)
    session = service.session()
    before = _row(session.calculate(SEL), "R00061")["total"]
    assert service.start_live(interval=0.1)
    try:
        assert service.live.running
        good = _write(folder / "events-1.csv", _good_rows(5))
        _until(lambda: service.live.new_events == 5)
        assert _row(session.calculate(SEL), "R00061")["total"] == before + 5
        assert service.live.updated_at is not None

        bad = _write(folder / "events-2.csv", ["Y-1,R99999,LV,2026-10-30 10:00,note,added,,,"])
        _until(lambda: str(bad) in service.live.rejected)
        assert "R99999" in " ".join(service.live.rejected[str(bad)])
        assert _row(session.calculate(SEL), "R00061")["total"] == before + 5  # still working
        more = _write(folder / "events-3.csv", _good_rows(2, prefix="M"))
        _until(lambda: service.live.new_events == 7)

        good.unlink()  # a taken-in file removed: the data set is loaded again
        more.unlink()
        _until(lambda: service.live.reloads >= 1 and not service.data.extra_events)
        assert _row(session.calculate(SEL), "R00061")["total"] == before
        assert str(bad) in service.live.rejected  # still bad, still reported
        assert service.live.error == ""

        bad.unlink()
        _write(folder / "events-2.csv", _good_rows(1, prefix="Z"))  # fixed
        _until(lambda: _row(session.calculate(SEL), "R00061")["total"] == before + 1)
    finally:
        service.stop_live()
    assert not service.live.running


def test_watcher_waits_for_a_file_being_written(folder: Path) -> None:
    service = DataService(aandacht.load(folder), folder)
    from aandacht.live import FolderWatcher

    watcher = FolderWatcher(service, folder)
    path = folder / "events-slow.csv"
    path.write_text(HEADER + _good_rows(1)[0] + "\n")
    assert watcher.poll() == 0  # just written: looked at again
    assert watcher.poll() == 1  # unchanged since: taken in
    assert watcher.poll() == 0  # once


def test_no_watcher_without_a_folder() -> None:
    service = DataService(aandacht.load(SAMPLE))
    assert service.start_live() is False


def test_spark_refuses_a_folder_with_extra_files(folder: Path) -> None:
    from aandacht.spark import load_spark

    _write(folder / "events-1.csv", _good_rows(1))
    with pytest.raises(DataError, match="extra events file"):
        load_spark(folder, aandacht.mapping.Mapping())


def test_control_characters_in_an_extra_parquet_file_are_rejected(folder: Path) -> None:
    service = DataService(aandacht.load(folder), folder)
    before = int(service.data.events.count().execute())
    rows = pd.DataFrame(
        {
            "event_id": ["C-1", "C-2"],
            "relation_id": ["R00061", "R00061"],
            "user_id": ["LV", "LV"],
            "timestamp": pd.to_datetime(["2026-10-30 09:00", "2026-10-30 09:30"]),
            "source": ["note", "note"],
            "action": ["added", "added"],
            "body": ["ok", "a NUL \x00 byte"],
        }
    )
    path = folder / "events-ctl.parquet"
    rows.to_parquet(path, index=False)
    with pytest.raises(DataError) as caught:
        service.take_in(path)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [(str(path), 2, "body")]
    assert int(service.data.events.count().execute()) == before  # nothing of it taken in
