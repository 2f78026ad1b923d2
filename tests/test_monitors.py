"""Saved monitors and stored calculations (S3): named settings per user and shared, exact round
trips, and a store that survives a killed process and concurrent sessions."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import aandacht
from aandacht import monitors
from aandacht.monitors import Monitor, MonitorError, MonitorStore, resolve_period

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 10, 31)


@pytest.fixture()
def ms(tmp_path) -> MonitorStore:
    return MonitorStore(tmp_path / "store")


@pytest.fixture(scope="module")
def sample_result() -> pd.DataFrame:
    ds = aandacht.load(ROOT / "data_samples")
    return aandacht.calculate(ds, aandacht.Selection(as_of=AS_OF, revenue="both"))


# --- period rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, as_of, expected",
    [
        ("this_week", "2026-10-29", ("2026-10-26", "2026-10-29")),
        ("last_month", "2026-03-31", ("2026-03-01", "2026-03-31")),
        ("last_month", "2026-03-15", ("2026-02-16", "2026-03-15")),
        ("last_12_months", "2026-10-31", ("2025-11-01", "2026-10-31")),
        ("last_1_days", "2026-10-31", ("2026-10-31", "2026-10-31")),
        ("last_90_days", "2026-10-31", ("2026-08-03", "2026-10-31")),
        ("since:2026-01-01", "2026-10-31", ("2026-01-01", "2026-10-31")),
        ("since:01-01-2026", "2026-10-31", ("2026-01-01", "2026-10-31")),
        ("custom:2026-01-01..2026-03-31", "2026-10-31", ("2026-01-01", "2026-03-31")),
    ],
)
def test_period_rules_resolve_for_a_day(rule, as_of, expected):
    assert resolve_period(rule, as_of) == tuple(dt.date.fromisoformat(d) for d in expected)


@pytest.mark.parametrize(
    "rule, message",
    [
        ("yesterday", "unknown period rule 'yesterday'"),
        ("last_0_days", "at least 1"),
        ("since:2027-01-01", "starts .2027-01-01. after it ends"),
        ("since:soon", "is not a date"),
        ("custom:2026-03-31..2026-01-01", "starts .2026-03-31. after it ends"),
    ],
)
def test_bad_period_rules(rule, message):
    with pytest.raises(MonitorError, match=message):
        resolve_period(rule, "2026-10-31")


def test_period_rule_from_the_dashboard_widgets():
    assert monitors.period_rule("this_week") == "this_week"
    assert monitors.period_rule("since", since=dt.date(2026, 9, 1)) == "since:2026-09-01"
    rule = monitors.period_rule("custom", period_from="01-01-2026", period_to="2026-03-31")
    assert rule == "custom:2026-01-01..2026-03-31"
    with pytest.raises(MonitorError, match="unknown period rule"):
        monitors.period_rule("fortnight")


# --- monitors ----------------------------------------------------------------------------------


def test_a_monitor_is_a_selection_for_a_day():
    m = Monitor(
        "Noord",
        owner="jan",
        user_group="Sales",
        b_group="region north",
        period="last_month",
        strategy="quantile",
        thresholds=(0.2, 0.4, 0.6, 0.8),
        revenue="orders",
    )
    s = m.selection("2026-10-31")
    assert (s.user_group, s.b_group, s.revenue, s.as_of) == (
        "Sales",
        "region north",
        "orders",
        AS_OF,
    )
    assert s.period() == (dt.date(2026, 10, 1), AS_OF)
    assert m.selection(AS_OF, revenue=False).revenue is None
    assert Monitor.from_dict(m.to_dict()) == m
    codes = Monitor("codes", codes=["R00001", " R00002 "], users=["JdV"])
    assert codes.selection(AS_OF).relations == ("R00001", "R00002")
    assert codes.selection(AS_OF).users == ("JdV",)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": " "}, "use 1 to 100 characters"),
        ({"name": "x" * 101}, "use 1 to 100 characters"),
        ({"name": "a\nb"}, "no control characters"),
        ({"users": ("JdV",), "user_group": "Sales"}, "users or a user group"),
        ({"b_group": "x", "codes": ("R1",)}, "B-group or relation codes"),
        ({"strategy": "gut_feeling"}, "unknown strategy 'gut_feeling'"),
        ({"thresholds": (1, 2, 3)}, "4 ascending numbers"),
        ({"thresholds": (1, 3, 2, 4)}, "4 ascending numbers"),
        ({"revenue": "profit"}, "revenue basis 'profit'"),
        ({"period": "next_year"}, "unknown period rule"),
        ({"options": {"when": dt.date(2026, 1, 1)}}, "JSON-safe"),
    ],
)
def test_bad_monitors_say_what_is_wrong(kwargs, message):
    with pytest.raises(MonitorError, match=message):
        Monitor(**{"name": "m", **kwargs})


def test_save_list_load_delete_per_user_and_shared(ms):
    ms.save_monitor(Monitor("B", owner="jan", period="this_week"))
    ms.save_monitor(Monitor("A", owner="jan", b_group="top customers"))
    ms.save_monitor(Monitor("A", owner="petra", user_group="Service"))
    ms.save_monitor(Monitor("A", period="last_month"))  # shared
    ms.save_monitor(Monitor("Team", user_group="Sales", options={"view": "sales"}))

    assert [(m.name, m.owner) for m in ms.list_monitors("jan")] == [
        ("A", "jan"),
        ("B", "jan"),
        ("A", None),
        ("Team", None),
    ]
    assert [(m.name, m.owner) for m in ms.list_monitors(None)] == [("A", None), ("Team", None)]
    assert [m.name for m in ms.list_monitors("jan", shared=False)] == ["A", "B"]
    assert ms.list_monitors("nobody", shared=False) == []

    assert ms.load_monitor("A", "jan").b_group == "top customers"  # own before shared
    assert ms.load_monitor("A", "petra").user_group == "Service"
    assert ms.load_monitor("A").period == "last_month"  # the shared one
    assert ms.load_monitor("Team", "jan").options == {"view": "sales"}  # shared, for everyone
    with pytest.raises(MonitorError, match="no monitor 'B' of petra or shared; monitors: A, A"):
        ms.load_monitor("B", "petra")

    ms.save_monitor(Monitor("A", owner="jan", b_group="dealers"))  # replace
    assert ms.load_monitor("A", "jan").b_group == "dealers"
    assert len(ms.list_monitors("jan")) == 4

    assert ms.delete_monitor("A", "jan")
    assert not ms.delete_monitor("A", "jan")
    assert ms.load_monitor("A", "jan").owner is None  # the shared one shows through
    assert ms.delete_monitor("A")
    assert [m.name for m in ms.list_monitors("jan")] == ["B", "Team"]


def test_module_functions_use_the_store_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("AANDACHT_STORE", str(tmp_path / "env-store"))
    assert monitors.store_folder() == tmp_path / "env-store"
    assert monitors.store_folder(tmp_path / "given") == tmp_path / "given"  # wins over the env
    monitors.save_monitor(Monitor("m", owner="jan"))
    assert (tmp_path / "env-store" / monitors.DB_NAME).is_file()
    assert [m.name for m in monitors.list_monitors("jan")] == ["m"]
    assert monitors.load_monitor("m", "jan").owner == "jan"
    assert monitors.delete_monitor("m", "jan")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AANDACHT_STORE")
    assert monitors.store_folder() == tmp_path / ".aandacht"
    assert MonitorStore().path == tmp_path / ".aandacht" / "monitors.sqlite"


def test_store_file_is_private_and_in_wal_mode(ms):
    ms.save_monitor(Monitor("m", owner="jan"))
    assert (ms.path.stat().st_mode & 0o777) == 0o600
    import sqlite3

    con = sqlite3.connect(ms.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert ms.check() == []


# --- stored calculations -----------------------------------------------------------------------


def test_a_calculation_round_trips_exactly(ms, sample_result):
    settings = {"selection": {"as_of": AS_OF, "users": None}, "strategy": "relative"}
    saved = ms.save_calculation(sample_result, settings, "data_samples", owner="jan", monitor="m")
    back = ms.load_calculation(saved.id)
    pd.testing.assert_frame_equal(back.result, sample_result, check_exact=True)
    assert list(back.result.dtypes) == list(sample_result.dtypes)
    assert back.result.attrs == sample_result.attrs
    expected = {"selection": {"as_of": "2026-10-31", "users": None}, "strategy": "relative"}
    assert back.settings == expected  # JSON: the date as ISO text
    assert (back.owner, back.monitor, back.n_rows) == ("jan", "m", len(sample_result))
    assert back.data == monitors._data_key("data_samples")
    assert back.calculated_at == saved.calculated_at


def test_odd_frames_round_trip_exactly(ms):
    df = pd.DataFrame(
        {
            "i": pd.array([1, None, 3], dtype="Int64"),
            "f": [1.5, np.nan, np.inf],
            "s": pd.array(["a", None, "=1+1"], dtype="string"),
            "o": ["x", None, "y"],
            "b": [True, False, True],
            "t": pd.to_datetime(["2026-01-01 10:00:00", None, "2026-03-31 23:59:59"]),
            "c": pd.Categorical(["low", "high", "low"], categories=["low", "high"]),
        },
        index=pd.Index(["r1", "r2", "r3"], name="rid"),
    )
    df.attrs = {"period_days": 31, "users": ["JdV", "PB"], "b_group": None}
    back = ms.load_calculation(ms.save_calculation(df, {}, "x", owner="o").id).result
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert back.attrs == df.attrs
    empty = df.drop(columns="c").iloc[:0]  # (an empty categorical loses its categories)
    back = ms.load_calculation(ms.save_calculation(empty, {}, "x", owner="o").id).result
    pd.testing.assert_frame_equal(back, empty)


def test_history_latest_first_per_owner_and_monitor(ms):
    def frame(n):
        return pd.DataFrame({"relation_id": ["R1"], "total": [n]})

    at = dt.datetime(2026, 10, 31, 9, 0)
    for i, (owner, mon) in enumerate(
        [("jan", None), ("jan", "Noord"), ("petra", None), ("jan", "Noord"), ("jan", None)]
    ):
        ms.save_calculation(frame(i), {"i": i}, "data", owner=owner, monitor=mon, calculated_at=at)
    assert ms.latest_calculation("data", owner="jan").result.total.tolist() == [4]
    assert ms.latest_calculation("data", owner="petra").settings == {"i": 2}
    assert ms.latest_calculation("data", owner="jan", monitor="Noord").settings == {"i": 3}
    assert ms.latest_calculation("data", owner="kees") is None
    assert ms.latest_calculation("other", owner="jan") is None
    assert [c.settings["i"] for c in ms.history("data", owner="jan")] == [4, 3, 1, 0]
    assert [c.settings["i"] for c in ms.history(monitor="Noord")] == [3, 1]
    assert [c.settings["i"] for c in ms.history(limit=2)] == [4, 3]
    assert ms.history()[0].calculated_at == at

    ms.save_calculation(frame(5), {"i": 5}, "data", owner="jan", keep=2)
    assert [c.settings["i"] for c in ms.history("data", owner="jan")] == [5, 4]
    assert [c.settings["i"] for c in ms.history("data", owner="petra")] == [2]  # untouched
    assert ms.delete_calculations("data", owner="jan", keep=1) == 1
    assert [c.settings["i"] for c in ms.history("data")] == [5, 2]
    with pytest.raises(MonitorError, match="no stored calculation 999"):
        ms.load_calculation(999)
    with pytest.raises(MonitorError, match="for an owner"):
        ms.save_calculation(frame(0), {}, "data", owner=" ")


def test_backup_while_running(ms, tmp_path, sample_result):
    ms.save_calculation(sample_result, {}, "data_samples", owner="jan")
    ms.save_monitor(Monitor("m", owner="jan"))
    copy = ms.backup(tmp_path / "backup" / "monitors.sqlite")
    restored = MonitorStore(copy.parent)
    pd.testing.assert_frame_equal(restored.latest_calculation("data_samples").result, sample_result)
    assert [m.name for m in restored.list_monitors("jan")] == ["m"]


# --- a process killed in the middle of saving --------------------------------------------------

KILLED_MONITOR_SAVE = """
import os, sys, time
import numpy as np, pandas as pd
from aandacht import monitors

def hook(operation):
    os.write(1, b"committing\\n")  # the parent kills us now: everything is written, no COMMIT
    time.sleep(120)

rng = np.random.default_rng(1)
n = 400_000
big = pd.DataFrame({
    "relation_id": [f"R{i:07d}" for i in range(n)],
    "total": rng.integers(0, 1000, n),
    "name": rng.choice(["Bakkerij", "Kwekerij", "Garage"], n).astype(object),
    "noise": rng.random(n),
})
monitors._before_commit = hook
monitors.MonitorStore(sys.argv[1]).save_calculation(big, {"v": 2}, "data", owner="jan")
os.write(1, b"committed\\n")
"""


def _wait_for_line(proc: subprocess.Popen, expected: bytes, timeout: float = 120) -> None:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the child did not reach the commit"
    line = proc.stdout.readline()
    assert line.strip() == expected, (line, proc.stderr.read() if proc.poll() is not None else "")


def _child(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )


@pytest.mark.slow
def test_killed_while_saving_leaves_the_previous_result_intact(ms, sample_result):
    first = ms.save_calculation(sample_result, {"v": 1}, "data", owner="jan")
    wal = ms.path.with_name(ms.path.name + "-wal")
    before = wal.stat().st_size if wal.exists() else 0

    proc = _child(KILLED_MONITOR_SAVE, str(ms.folder))
    try:
        _wait_for_line(proc, b"committing")
        grown = wal.stat().st_size - before
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert grown > 1_000_000  # the big result was being written (into the log) when killed

    fresh = MonitorStore(ms.folder, timeout=5)  # a new session: no stale lock, no half save
    latest = fresh.latest_calculation("data", owner="jan")
    assert latest.id == first.id and latest.settings == {"v": 1}
    pd.testing.assert_frame_equal(latest.result, sample_result)
    assert [c.id for c in fresh.history()] == [first.id]
    assert fresh.check() == []
    after = fresh.save_calculation(sample_result.head(3), {"v": 3}, "data", owner="jan")
    assert fresh.latest_calculation("data", owner="jan").id == after.id


# --- concurrent sessions -----------------------------------------------------------------------

N_PROCS, N_SAVES = 8, 20


def _saver(folder: str, proc: int, barrier) -> None:
    ms = MonitorStore(folder)
    barrier.wait(60)
    for i in range(N_SAVES):
        df = pd.DataFrame({"relation_id": [f"R{proc}-{i}-{k}" for k in range(50)], "total": i})
        ms.save_calculation(df, {"proc": proc, "i": i}, "data", owner=f"user{proc % 3}")
        ms.save_monitor(Monitor(f"m{proc}-{i}", owner=f"user{proc % 3}", period="last_month"))


@pytest.mark.slow
def test_concurrent_saves_from_several_processes_lose_nothing(tmp_path):
    folder = str(tmp_path / "store")
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(N_PROCS)
    procs = [ctx.Process(target=_saver, args=(folder, p, barrier)) for p in range(N_PROCS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
    assert [p.exitcode for p in procs] == [0] * N_PROCS

    ms = MonitorStore(folder)
    history = ms.history(limit=None)
    assert len(history) == N_PROCS * N_SAVES
    assert len({c.id for c in history}) == len(history)
    assert {(c.settings["proc"], c.settings["i"]) for c in history} == {
        (p, i) for p in range(N_PROCS) for i in range(N_SAVES)
    }
    for c in history:
        df = ms.load_calculation(c.id).result
        p, i = c.settings["proc"], c.settings["i"]
        assert df.relation_id.tolist() == [f"R{p}-{i}-{k}" for k in range(50)]
        assert (df.total == i).all() and c.owner == f"user{p % 3}"
    names = {m.name for u in range(3) for m in ms.list_monitors(f"user{u}", shared=False)}
    assert names == {f"m{p}-{i}" for p in range(N_PROCS) for i in range(N_SAVES)}
    assert ms.check() == []
