"""Live updates in the dashboard's state (B13), without a browser.

A session shows the new events of a file dropped in the data folder at its next look, counted
with the shown result's own selection (not the widgets' pending one) and its principal's
permissions; it keeps the ticked rows and the open timeline; it stores the result with a
watermark; the Live switch stops it; a rejected file is shown, short for a principal who may
not see every relation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import aandacht
from aandacht.access import Principal
from aandacht.service import DataService

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.state import MonitorState  # noqa: E402

AS_OF = dt.date(2026, 10, 31)
HEADER = "event_id,relation_id,user_id,timestamp,source,action,channel\n"


@pytest.fixture
def folder(tmp_path: Path):
    out = tmp_path / "crm"
    shutil.copytree(ROOT / "data_samples", out, ignore=shutil.ignore_patterns("README.md"))
    yield out
    DataService.forget(str(out))


def _drop(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _rows(relation: str, n: int, prefix: str) -> list[str]:
    return [
        f"{prefix}-{i},{relation},LV,2026-10-30 1{i % 10}:00,note,added,visit" for i in range(n)
    ]


def _total(state: MonitorState, relation: str) -> int:
    res = state.result
    return int(res.loc[res["relation_id"] == relation, "total"].iloc[0])


def _refresh(state: MonitorState) -> bool:
    # In a thread of its own: an earlier test in the same process (a served app, Playwright)
    # may leave an event loop running in this one, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, state.refresh_live()).result()


def test_a_session_follows_new_events(folder: Path, tmp_path: Path) -> None:
    state = MonitorState(str(folder), store_folder=str(tmp_path / "store"), as_of=AS_OF)
    service = state.service
    assert not _refresh(state)  # nothing new
    rel = str(state.result["relation_id"].iloc[5])
    before = _total(state, rel)
    state.selected_rows = [5, 7]
    state.timeline_row = 5
    state.period_preset = "this_week"  # pending in the widgets, not calculated
    ticked = [str(state.result["relation_id"].iloc[i]) for i in (5, 7)]
    selection = dict(state.settings["selection"])

    service.take_in(_drop(folder, "events-1.csv", _rows(rel, 4, "A")))
    assert _refresh(state)
    assert _total(state, rel) == before + 4
    assert state.settings["selection"] == selection  # the result's own selection
    assert [str(state.result["relation_id"].iloc[i]) for i in state.selected_rows] == ticked
    assert str(state.result["relation_id"].iloc[state.timeline_row]) == rel
    assert state.live_text == ""  # no watcher runs here (taken in by hand): no live line
    full = aandacht.calculate(aandacht.load(folder), state.result_selection())
    assert int(full.loc[full["relation_id"] == rel, "total"].iloc[0]) == before + 4

    stored = state.monitor_store().latest_calculation(str(folder), owner="local")
    assert stored.settings["watermark"]["extra_files"] == ["events-1.csv"]
    assert stored.settings["watermark"]["events_batch"] == 1
    assert int(stored.result.loc[stored.result["relation_id"] == rel, "total"].iloc[0]) == (
        before + 4
    )

    state.live = False  # switched off: the next file is not shown until it is on again
    service.take_in(_drop(folder, "events-2.csv", _rows(rel, 1, "B")))
    assert not _refresh(state)
    assert _total(state, rel) == before + 4
    state.live = True
    assert _refresh(state)
    assert _total(state, rel) == before + 5


def test_the_live_line_and_a_rejected_file(folder: Path, tmp_path: Path) -> None:
    state = MonitorState(str(folder), store_folder=str(tmp_path / "store"), as_of=AS_OF)
    service = state.service
    assert state.start_live()
    try:
        assert state.live_text == "live · wacht op nieuwe contactmomenten"
        rel = str(state.result["relation_id"].iloc[0])
        before = _total(state, rel)
        _drop(folder, "events-1.csv", _rows(rel, 3, "A"))
        _drop(folder, "events-2.csv", ["X-1,R99999,LV,2026-10-30 10:00,note,added,visit"])
        end = dt.datetime.now() + dt.timedelta(seconds=20)
        while dt.datetime.now() < end and not (
            service.live.new_events == 3 and service.live.rejected
        ):
            time.sleep(0.2)
        assert _refresh(state)
        assert _total(state, rel) == before + 3
        assert state.live_text.startswith("live · laatste update ")
        assert state.live_text.endswith(" · 3 nieuwe contactmomenten")
        assert any("R99999" in p and "events-2.csv" in p for p in state.live_problems)
        state.lang = "en"
        assert state.live_text.endswith(" · 3 new contact moments")

        limited = MonitorState(
            str(folder),
            store_folder=str(tmp_path / "store2"),
            as_of=AS_OF,
            principal=Principal("carla", b_groups=("top customers",)),
        )
        limited.start_live()
        assert limited.live_problems and not any("R99999" in p for p in limited.live_problems)
        assert "events-2.csv" in limited.live_problems[0]
    finally:
        service.stop_live()


def test_live_off_by_environment(folder: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AANDACHT_LIVE", "0")
    state = MonitorState(str(folder), store_folder=str(tmp_path / "store"), as_of=AS_OF)
    assert not state.start_live()
    assert not state.service.live.running
    assert state.live_text == ""


def test_a_stored_result_of_other_data_is_counted_again(folder: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    first = MonitorState(str(folder), store_folder=store, as_of=AS_OF)
    rel = str(first.result["relation_id"].iloc[0])
    before = _total(first, rel)
    _drop(folder, "events-1.csv", _rows(rel, 2, "A"))
    DataService.forget(str(folder))  # a server restarted with a new file in the folder
    again = MonitorState(str(folder), store_folder=store, as_of=AS_OF)
    assert _total(again, rel) == before + 2
