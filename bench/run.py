"""Speed benchmark: aandacht against a plain pandas baseline, on a matrix of data-set shapes.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It

1. generates the data sets once with ``bench/bigdata.py`` (chunked, out of core) and caches them
   under ``bench/data/`` (git-ignored): relations {1k, 10k, 100k, 1M} x events {1M, 10M}, and
   with ``--big`` one of 1M relations and 100M events; regenerated only when the parameters
   change;
2. measures per cell, in one run, for the selection of issue 11 (``--from 2025-07-01 --to
   2026-06-30 --as-of 2026-10-31 --revenue both``, all users):

   - first run on new files, as whole processes, after removing the workspace:
     ``--workspace yes`` (validates and makes the workspace, then answers) and ``--workspace
     auto``, the default (for event files of 32 MiB and more it may answer from the files and
     make the workspace in a detached background process: the time to the answer, and the time
     until the workspace is ready, polled on its ``meta.json``; the background process's peak
     memory is taken from it as a child of the launcher, which is made a subreaper); both
     against ``pd.read_parquet`` of the events and ``pd.read_csv`` of the small tables in a
     fresh process (median of 3);
   - ``calculate`` warm: the data loaded once in this process, then the median of N calls of
     ``aandacht.calculate(ds, Selection(...))`` for all users and for the department ``Sales``,
     through the workspace and (all users) reading the Parquet file; the baseline likewise on
     frames it has already read;
   - whole process: ``aandacht calculate --data DIR ... --output FILE.csv`` (median of 3, through
     the workspace; also ``--workspace no``) against ``python bench/pandas_baseline.py`` with
     the same arguments;
   - peak memory (max RSS, from ``os.wait4``) of every whole process;
   - one relation's timeline warm (``aandacht.timeline``), median of 20, for a typical relation
     (median number of events) and for the busiest one, through the workspace and without;
   - the start-up floors (bare Python, ``import pandas``, importing aandacht);

3. checks that the baseline's totals, per-category counts, dgn and revenue equal aandacht's (in
   process for all users and the user group, before timing them; and the CSV files the two
   whole processes wrote) and stops with an error if they do not;
4. prints tables (times as median and best; ratios baseline / aandacht, above 1 means aandacht
   is faster; first runs as a multiple of the pandas read) and the targets of issue 11, and
   writes them into ``docs/performance.md`` between ``<!-- calc-bench:begin -->`` and
   ``<!-- calc-bench:end -->`` (``--no-docs`` to leave it alone).

The 100M-event cell (``--big``) measures what fits: aandacht's first runs, whole process, warm
``calculate`` and timelines through the workspace, peak memory; the baseline's whole process
runs under a memory guard (``--baseline-max-mb``, default 8000) and is reported as not fitting
when it goes beyond it; nothing of pandas is held in this process for that cell.

Options: ``--cells 100k×10m,10k×1m`` (``x`` works too; default the eight cells of the matrix),
``--big`` (add 1m×100m), ``--repeat N`` (warm runs), ``--no-docs``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
OUT = DATA / "out"
DOCS = ROOT / "docs" / "performance.md"
PYTHON = sys.executable
AANDACHT = str(Path(PYTHON).with_name("aandacht"))

sys.path.insert(0, str(ROOT))  # this checkout's aandacht, also without an installed package
os.environ["AANDACHT_CACHE"] = str(DATA / "cache")  # the workspaces, next to the data sets
os.environ.pop("AANDACHT_WORKSPACE", None)  # 'auto' is the real default
sys.path.insert(0, str(BENCH))

import bigdata  # noqa: E402
import pandas as pd  # noqa: E402
import pandas_baseline  # noqa: E402
from docs_block import write_block  # noqa: E402

import aandacht  # noqa: E402
from aandacht import Selection, workspace  # noqa: E402
from aandacht.mapping import Mapping  # noqa: E402

RELATIONS = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
EVENTS = {"1m": 1_000_000, "10m": 10_000_000, "100m": 100_000_000}
MATRIX = [f"{r}×{e}" for e in ("1m", "10m") for r in RELATIONS]
BIG = "1m×100m"
SEED = 20261031
PERIOD = ("2025-07-01", "2026-06-30")
AS_OF = "2026-10-31"  # the generator's last day
GROUP = "Sales"  # a department: the user-group case
WHOLE_RUNS = 3
TIMELINE_RUNS = 20
READ_RUNS = 3
COMPARED = [
    "relation_id",
    "total",
    "dgn",
    "history",
    "history_dgn",
    "correspondence",
    "correspondence_dgn",
    "sales",
    "sales_dgn",
    "helpdesk",
    "helpdesk_dgn",
    "orders",
    "invoices",
    "revenue",
]
TARGET_CELL = "100k×10m"
TARGETS = {
    "whole_ratio": 5.0,  # whole process at least 5x faster than pandas
    "calc_warm_s": 0.5,  # warm calculate
    "dashboard_s": 1.5,  # click on Bereken to the grid redrawn, 100k relations
    "first_ratio": 2.0,  # first run at most 2x a plain pandas read of the same files
    "first_mb": 2048.0,  # peak of the first run
    "timeline_s": 0.05,  # one relation's timeline
    "big_mb": 4096.0,  # 100M events / 1M relations: peak RSS
}
DASHBOARD_JSON = DATA / "dashboard.json"  # written by bench/dashboard_bench.py


def parse_cell(text: str) -> str:
    m = re.fullmatch(r"\s*(\w+)\s*[×x*]\s*(\w+)\s*", text.lower())
    if not m or m[1] not in RELATIONS or m[2] not in EVENTS:
        raise ValueError(text)
    return f"{m[1]}×{m[2]}"


def shape(cell: str) -> tuple[int, int]:
    r, e = cell.split("×")
    return RELATIONS[r], EVENTS[e]


def label(cell: str) -> str:
    r, e = cell.split("×")
    return f"{r.upper()} rel. × {e.upper()} ev."


# --------------------------------------------------------------------------------------------
# data


def ensure_data(cell: str) -> tuple[Path, dict]:
    """The cached data set of this cell; generated (in a child process) when missing."""
    n_rel, n_ev = shape(cell)
    r, e = cell.split("×")
    folder = DATA / f"rel{r}_ev{e}"
    stamp = folder / "generated.json"
    params = {
        "generator": "bench/bigdata.py",
        "version": bigdata.VERSION,
        "relations": n_rel,
        "events": n_ev,
        "seed": SEED,
        "format": "parquet",
    }
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return folder, {}
    print(f"generating {cell}: {n_rel:,} relations, {n_ev:,} events -> {folder}", flush=True)
    cmd = [PYTHON, str(BENCH / "bigdata.py"), "--output", str(folder)]
    cmd += ["--relations", str(n_rel), "--events", str(n_ev), "--seed", str(SEED)]
    run = run_process(cmd)
    print(f"  generated in {run['s']:.1f} s, peak memory {run['mb']:,.0f} MB", flush=True)
    return folder, {"gen_s": run["s"], "gen_mb": run["mb"]}


# --------------------------------------------------------------------------------------------
# measuring


#: Runs a command with stdout to /dev/null and reports its wall time and max RSS. The command is
#: forked from this small process, not from the benchmark: Linux reports a child's max RSS as at
#: least the RSS of the process it was forked from, which would hide the real figure.
#: Options (JSON, first argument): "ready": a path to poll after the command ended (the launcher
#: is then a subreaper, so that a detached grandchild, the background build of a workspace,
#: becomes its child: its max RSS is reported, and the launcher waits for it); "max_mb": kill
#: the command when its RSS goes beyond this (a memory guard for the baseline on 100M events).
LAUNCHER = r"""
import ctypes, json, os, signal, sys, threading, time
opts = json.loads(sys.argv[1])
cmd = sys.argv[2:]
if opts.get("ready"):
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(cmd[0], cmd)
killed = []
if opts.get("max_mb"):
    page = os.sysconf("SC_PAGE_SIZE")
    def guard():
        while not killed:
            try:
                with open(f"/proc/{pid}/statm") as fh:
                    rss = int(fh.read().split()[1]) * page / 2**20
            except (OSError, ValueError, IndexError):
                return
            if rss > opts["max_mb"]:
                killed.append(rss)
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.05)
    threading.Thread(target=guard, daemon=True).start()
_, status, usage = os.wait4(pid, 0)
out = {"s": time.perf_counter() - start, "kb": usage.ru_maxrss,
       "code": os.waitstatus_to_exitcode(status), "killed": bool(killed)}
killed.append(0)
if opts.get("ready"):
    deadline = time.monotonic() + opts.get("timeout", 3600)
    ready_s, bg_kb = None, 0
    while time.monotonic() < deadline:
        if ready_s is None and os.path.exists(opts["ready"]):
            ready_s = time.perf_counter() - start
        try:
            p, _, ru = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if p:
            bg_kb = max(bg_kb, ru.ru_maxrss)
        else:
            time.sleep(0.02)
    if ready_s is None and os.path.exists(opts["ready"]):
        ready_s = time.perf_counter() - start
    out.update(ready_s=ready_s, bg_kb=bg_kb)
print(json.dumps(out))
"""


def run_process(cmd: list[str], allow_fail: bool = False, **opts) -> dict:
    """Run ``cmd`` with stdout to /dev/null; {"s", "mb", "code", "killed"[, "ready_s", "bg_mb"]}."""
    proc = subprocess.run(
        [PYTHON, "-c", LAUNCHER, json.dumps(opts), *cmd],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        out = {"s": 0.0, "kb": 0, "code": proc.returncode or 1, "killed": False}
    out["mb"] = out.pop("kb") / 1024  # ru_maxrss is in KB on Linux
    if "bg_kb" in out:
        out["bg_mb"] = out.pop("bg_kb") / 1024
    out["stderr"] = proc.stderr[-3000:]
    if out["code"] != 0 and not allow_fail:
        raise SystemExit(f"failed ({out['code']}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return out


def summary(runs: list[dict]) -> tuple[float, float, float]:
    """Median and best seconds, and the highest max RSS (MB) of runs of :func:`run_process`."""
    return (
        statistics.median(r["s"] for r in runs),
        min(r["s"] for r in runs),
        max(r["mb"] for r in runs),
    )


def warm(fns: dict, runs: int) -> tuple[dict, dict]:
    """Median seconds of ``runs`` calls of each function, after one warm-up call each.

    The functions take turns (a, b, c, a, b, c, ...), so that a change in the load of the
    machine hits all of them alike. Returns (seconds per key, last result per key).
    """
    results = {k: fn() for k, fn in fns.items()}
    times: dict = {k: [] for k in fns}
    for _ in range(runs):
        for k, fn in fns.items():
            start = time.perf_counter()
            results[k] = fn()
            times[k].append(time.perf_counter() - start)
    secs = {k: statistics.median(v) for k, v in times.items()}
    secs.update({f"{k}_best": min(v) for k, v in times.items()})
    return secs, results


def check_equal(ours: pd.DataFrame, theirs: pd.DataFrame, what: str) -> None:
    """Stop loudly when the baseline's numbers differ from aandacht's."""
    cols = [c for c in COMPARED if c in ours.columns and c in theirs.columns]
    assert {"relation_id", "total", "dgn", "revenue"} <= set(cols), cols
    a = ours[cols].reset_index(drop=True)
    b = theirs[cols].reset_index(drop=True)
    a["relation_id"] = a["relation_id"].astype(str)
    b["relation_id"] = b["relation_id"].astype(str)
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, atol=0.005)
    except AssertionError as exc:
        raise SystemExit(
            f"BASELINE AND AANDACHT DISAGREE ({what}): the comparison is void.\n{exc}"
        ) from exc
    print(f"  check: baseline == aandacht ({what}, {len(a):,} relations)", flush=True)


READ_CODE = """
import sys, pandas as pd
from pathlib import Path
d = Path(sys.argv[1])
pd.read_parquet(d / "events.parquet")
for t in ("relations", "relation_groups", "users", "user_groups"):
    pd.read_csv(d / f"{t}.csv")
"""


def first_runs(folder: Path, args: list[str], r: dict) -> None:
    """The first run on new files: ``--workspace auto`` and ``yes``, after removing the workspace;
    and the plain pandas read of the same files."""
    reads = [run_process([PYTHON, "-c", READ_CODE, str(folder)]) for _ in range(READ_RUNS)]
    r["read_s"], r["read_s_best"], r["read_mb"] = summary(reads)
    ready = workspace.location(folder, Mapping()) / "meta.json"

    workspace.remove(folder)
    run = run_process([AANDACHT, "calculate", *args, "--workspace", "auto"], ready=str(ready))
    r["auto_s"], r["auto_mb"] = run["s"], run["mb"]
    r["auto_ready_s"], r["auto_bg_mb"] = run.get("ready_s"), run.get("bg_mb") or None
    r["auto_ws"] = ready.exists()
    how = (
        f"workspace ready after {r['auto_ready_s']:.1f} s (background peak {r['auto_bg_mb']:,.0f} MB)"
        if r["auto_ws"] and r["auto_bg_mb"]
        else ("workspace made before the answer" if r["auto_ws"] else "no workspace (small file)")
    )
    print(f"  first run auto: answer {r['auto_s']:.1f} s, {r['auto_mb']:,.0f} MB; {how}")

    workspace.remove(folder)
    run = run_process([AANDACHT, "calculate", *args, "--workspace", "yes"])
    r["build_s"], r["build_mb"] = run["s"], run["mb"]
    assert ready.exists(), "--workspace yes made no workspace"
    print(
        f"  first run yes (makes the workspace): {r['build_s']:.1f} s, {r['build_mb']:,.0f} MB; "
        f"pandas read {r['read_s']:.2f} s, {r['read_mb']:,.0f} MB",
        flush=True,
    )


def in_process(cell: str, folder: Path, repeat: int, r: dict, big: bool) -> None:
    """Warm runs: each loads its data once; checks that the results agree.

    aandacht is measured through its workspace (made by :func:`first_runs` before) and, except
    for the big cell, reading the Parquet file directly; the baseline, except for the big cell,
    on the frames it has read.
    """
    start = time.perf_counter()
    ds = aandacht.load(folder, workspace=True)
    r["open_ws_s"] = time.perf_counter() - start
    assert ds.workspace, "the workspace was not used"
    direct = frames = None
    if not big:
        start = time.perf_counter()
        direct = aandacht.load(folder, workspace=False)
        r["load_s"] = time.perf_counter() - start
        start = time.perf_counter()
        frames = pandas_baseline.read(folder)
        r["base_read_s"] = time.perf_counter() - start
        print(
            f"  load+validate {r['load_s']:.2f} s; open the workspace {r['open_ws_s']:.3f} s; "
            f"pandas read {r['base_read_s']:.2f} s",
            flush=True,
        )

    as_of = dt.date.fromisoformat(AS_OF)
    p_from, p_to = (dt.date.fromisoformat(d) for d in PERIOD)
    kw = {"as_of": AS_OF, "period_from": p_from, "period_to": p_to, "revenue": "both"}
    sel_all, sel_group = Selection(**kw), Selection(**kw, user_group=GROUP)
    base = {"period_from": p_from, "period_to": p_to}
    fns = {
        "calc_all_s": lambda: aandacht.calculate(ds, sel_all),
        "calc_group_s": lambda: aandacht.calculate(ds, sel_group),
    }
    if not big:
        fns |= {
            "base_all_s": lambda: pandas_baseline.calculate(frames, as_of, None, "both", **base),
            "base_group_s": lambda: pandas_baseline.calculate(frames, as_of, GROUP, "both", **base),
            "calc_direct_s": lambda: aandacht.calculate(direct, sel_all),
        }
        # before timing: the baseline must give aandacht's numbers
        check_equal(fns["calc_all_s"](), fns["base_all_s"](), f"{cell}, all users")
        check_equal(fns["calc_group_s"](), fns["base_group_s"](), f"{cell}, user group {GROUP}")
        check_equal(fns["calc_direct_s"](), fns["base_all_s"](), f"{cell}, all users, direct")
    secs, _ = warm(fns, repeat)
    r.update(secs)
    print(
        "  calculate warm: "
        + ", ".join(f"{k[:-2]} {v:.3f} s" for k, v in secs.items() if not k.endswith("_best")),
        flush=True,
    )
    frames = None  # noqa: F841 (freed before the timelines)
    gc.collect()

    sizes = ds.events.group_by("relation_id").aggregate(n=ds.events.count()).to_pandas()
    sizes = sizes.sort_values(["n", "relation_id"]).reset_index(drop=True)
    for key, row in (("typical", sizes.iloc[len(sizes) // 2]), ("busiest", sizes.iloc[-1])):
        rid = str(row["relation_id"])
        fns = {key: lambda rid=rid: aandacht.timeline(ds, rid)}
        if direct is not None:
            fns["direct"] = lambda rid=rid: aandacht.timeline(direct, rid)
        secs, res = warm(fns, TIMELINE_RUNS)
        assert len(res[key]) == int(row["n"]), (rid, len(res[key]), row["n"])
        if direct is not None:
            pd.testing.assert_frame_equal(res[key], res["direct"])
            r[f"timeline_{key}_direct_s"] = secs["direct"]
            r[f"timeline_{key}_direct_s_best"] = secs["direct_best"]
        r[f"timeline_{key}_s"], r[f"timeline_{key}_n"] = secs[key], int(row["n"])
        r[f"timeline_{key}_s_best"] = secs[f"{key}_best"]
        print(
            f"  timeline {key} ({rid}, {row['n']:,} events) {secs[key] * 1000:.1f} ms"
            + (f" (from the Parquet file {secs['direct'] * 1000:.1f} ms)" if direct else ""),
            flush=True,
        )


def bench_cell(cell: str, repeat: int, big: bool, baseline_max_mb: float) -> dict:
    folder, gen = ensure_data(cell)
    n_rel, n_ev = shape(cell)
    print(f"\n== {cell}: {n_ev:,} events, {n_rel:,} relations ({folder})", flush=True)
    r: dict = {"cell": cell, "events": n_ev, "relations": n_rel, "repeat": repeat, **gen}
    r["file_mb"] = (folder / "events.parquet").stat().st_size / 2**20
    args = ["--data", str(folder), "--from", PERIOD[0], "--to", PERIOD[1], "--as-of", AS_OF]
    args += ["--revenue", "both"]
    OUT.mkdir(parents=True, exist_ok=True)
    ours_csv, direct_csv, base_csv = (OUT / f"{cell}.{k}.csv" for k in ("aandacht", "no", "pandas"))

    first_runs(folder, [*args, "--output", str(ours_csv)], r)
    in_process(cell, folder, repeat, r, big)
    gc.collect()

    # whole processes, taking turns
    ours, direct, theirs = [], [], []
    guard = {"max_mb": baseline_max_mb} if big else {}
    for _ in range(WHOLE_RUNS):
        ours.append(
            run_process(
                [AANDACHT, "calculate", *args, "--workspace", "yes", "--output", str(ours_csv)]
            )
        )
        if not big:
            direct.append(
                run_process(
                    [AANDACHT, "calculate", *args, "--workspace", "no", "--output", str(direct_csv)]
                )
            )
        if not r.get("base_failed"):
            cmd = [PYTHON, str(BENCH / "pandas_baseline.py"), *args, "--output", str(base_csv)]
            run = run_process(cmd, allow_fail=big, **guard)
            if run["code"] != 0:
                why = (
                    f"stopped above {baseline_max_mb:,.0f} MB"
                    if run["killed"]
                    else f"failed ({run['code']}): {run['stderr'].strip().splitlines()[-1:]}"
                )
                r["base_failed"] = why
                print(f"  pandas baseline, whole process: {why}", flush=True)
            else:
                theirs.append(run)
    r["whole_s"], r["whole_s_best"], r["whole_mb"] = summary(ours)
    if direct:
        r["direct_whole_s"], r["direct_whole_s_best"], r["direct_whole_mb"] = summary(direct)
    if theirs:
        r["base_whole_s"], r["base_whole_s_best"], r["base_whole_mb"] = summary(theirs)
        check_equal(pd.read_csv(ours_csv), pd.read_csv(base_csv), f"{cell}, the two CSV files")
    print(
        f"  whole process: aandacht {r['whole_s']:.2f} s ({r['whole_mb']:,.0f} MB)"
        + (f", without workspace {r['direct_whole_s']:.2f} s" if direct else "")
        + (f", pandas {r['base_whole_s']:.2f} s ({r['base_whole_mb']:,.0f} MB)" if theirs else ""),
        flush=True,
    )
    return r


def floors() -> dict:
    """Start-up costs that every whole-process run pays."""
    out = {}
    for key, code in (
        ("python", "pass"),
        ("pandas", "import pandas"),
        ("aandacht", "import aandacht, aandacht.cli, duckdb, ibis.backends.duckdb"),
    ):
        out[key] = summary([run_process([PYTHON, "-c", code]) for _ in range(5)])[0]
    return out


def code_print() -> str:
    """A hash of the library's source: to tell whether it changed during the run."""
    h = hashlib.sha256()
    for p in sorted((ROOT / "aandacht").rglob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


# --------------------------------------------------------------------------------------------
# reporting


def _sh(cmd: str) -> str:
    try:
        return subprocess.run(
            cmd, shell=True, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def loadavg() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> str:
    import duckdb
    import ibis
    import numpy
    import pyarrow

    mem = _sh("free -h | awk '/^Mem:/ {print $2}'")
    model = _sh("lscpu | sed -n 's/^Model name: *//p'")
    lines = [
        f"- date: {dt.datetime.now().isoformat(timespec='minutes')}; commit "
        f"{_sh('git -C ' + str(ROOT) + ' rev-parse --short HEAD')}",
        f"- cores (`nproc`): {_sh('nproc')} ({model}); memory: {mem}",
        f"- Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"Ibis {ibis.__version__}, pandas {pd.__version__}, pyarrow {pyarrow.__version__}, "
        f"numpy {numpy.__version__}",
    ]
    return "\n".join(lines)


def fmt_s(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def fmt_mb(x: float | None) -> str:
    return f"{x:,.0f} MB" if x else ""


def timed(r: dict, key: str) -> str:
    if r.get(key) is None:
        return ""
    best = r.get(f"{key}_best")
    return fmt_s(r[key]) + (f" ({fmt_s(best)})" if best is not None else "")


def ratio(a: float | None, b: float | None) -> str:
    """b / a, as '2.4x'."""
    return f"{b / a:.1f}x" if a and b else ""


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def tables(results: list[dict], fl: dict) -> str:
    lines = ["**Whole process** (`aandacht calculate ... --output FILE.csv`, median of 3):", ""]
    rows = []
    for r in results:
        base = r.get("base_whole_s")
        nobase = f"does not fit: {r['base_failed']}" if r.get("base_failed") else ""
        rows.append(
            [
                label(r["cell"]),
                timed(r, "whole_s"),
                timed(r, "base_whole_s") or nobase,
                ratio(r["whole_s"], base),
                timed(r, "direct_whole_s"),
                ratio(r.get("direct_whole_s"), base),
                fmt_mb(r["whole_mb"]),
                fmt_mb(r.get("direct_whole_mb")),
                fmt_mb(r.get("base_whole_mb")),
            ]
        )
    lines += _table(
        [
            "cell",
            "aandacht (workspace)",
            "pandas",
            "ratio",
            "aandacht without workspace",
            "ratio",
            "peak aandacht",
            "peak without workspace",
            "peak pandas",
        ],
        rows,
    )
    lines += ["", "**`calculate` warm**, in process (data loaded once):", ""]
    rows = []
    for r in results:
        rows.append(
            [
                label(r["cell"]),
                timed(r, "calc_all_s"),
                timed(r, "base_all_s"),
                ratio(r["calc_all_s"], r.get("base_all_s")),
                timed(r, "calc_group_s"),
                timed(r, "base_group_s"),
                ratio(r["calc_group_s"], r.get("base_group_s")),
                timed(r, "calc_direct_s"),
                ratio(r.get("calc_direct_s"), r.get("base_all_s")),
            ]
        )
    lines += _table(
        [
            "cell",
            "all users",
            "pandas",
            "ratio",
            f"user group {GROUP}",
            "pandas",
            "ratio",
            "all users, without workspace",
            "ratio",
        ],
        rows,
    )
    lines += [
        "",
        "**First run on new files** (whole process, once, after removing the workspace), against "
        f"a plain pandas read of the same files in a fresh process (median of {READ_RUNS}); "
        '"x read" is the first run\'s time as a multiple of the read (target ≤ 2x):',
        "",
    ]
    rows = []
    for r in results:
        if r["auto_ws"] and r.get("auto_bg_mb"):
            ready = f"{fmt_s(r['auto_ready_s'])} ({fmt_mb(r['auto_bg_mb'])})"
        elif r["auto_ws"]:
            ready = "at the answer"
        else:
            ready = "none made (file < 32 MiB)"
        rows.append(
            [
                label(r["cell"]),
                f"{r['file_mb']:,.0f} MB",
                timed(r, "read_s"),
                fmt_s(r["auto_s"]),
                f"{r['auto_s'] / r['read_s']:.1f}x",
                fmt_mb(r["auto_mb"]),
                ready,
                fmt_s(r["build_s"]),
                f"{r['build_s'] / r['read_s']:.1f}x",
                fmt_mb(r["build_mb"]),
                fmt_mb(r["read_mb"]),
            ]
        )
    lines += _table(
        [
            "cell",
            "events file",
            "pandas read",
            "auto: answer",
            "x read",
            "peak",
            "auto: workspace ready (peak of its build)",
            "yes: makes the workspace",
            "x read",
            "peak",
            "peak pandas read",
        ],
        rows,
    )
    lines += ["", f"**One relation's timeline** warm, median of {TIMELINE_RUNS}:", ""]
    rows = []
    for r in results:
        rows.append(
            [
                label(r["cell"]),
                f"{timed(r, 'timeline_typical_s')}, {r['timeline_typical_n']:,} events",
                timed(r, "timeline_typical_direct_s"),
                f"{timed(r, 'timeline_busiest_s')}, {r['timeline_busiest_n']:,} events",
                timed(r, "timeline_busiest_direct_s"),
                fmt_s(r["open_ws_s"]),
                timed(r, "load_s"),
            ]
        )
    lines += _table(
        [
            "cell",
            "typical relation",
            "without workspace",
            "busiest relation",
            "without workspace",
            "in process: open the workspace",
            "load + validate the files",
        ],
        rows,
    )
    gen = [r for r in results if r.get("gen_s")]
    lines += [
        "",
        "Times: the median, and in brackets the best run. Ratios are pandas / aandacht of the "
        "medians: above 1 means aandacht is faster. Warm runs per measurement: "
        + ", ".join(
            sorted({f"{r['repeat']} ({r['cell'].split('×')[1].upper()} events)" for r in results})
        )
        + ", aandacht and pandas taking turns, after the results were checked equal. Start-up "
        f"floors (median of 5 processes): bare Python {fmt_s(fl['python'])}, `import pandas` "
        f"{fmt_s(fl['pandas'])}, importing aandacht with DuckDB and its Ibis backend "
        f"{fmt_s(fl['aandacht'])}.",
    ]
    if gen:
        lines += [
            "",
            "Generated in this run by `bench/bigdata.py`: "
            + "; ".join(f"{r['cell']} {fmt_s(r['gen_s'])}, peak {fmt_mb(r['gen_mb'])}" for r in gen)
            + ".",
        ]
    lines += ["", targets(results)]
    return "\n".join(lines)


def targets(results: list[dict]) -> str:
    by = {r["cell"]: r for r in results}
    rows = []
    t = by.get(TARGET_CELL)
    if t:
        whole = t["base_whole_s"] / t["whole_s"] if t.get("base_whole_s") else None
        first = t["auto_s"] / t["read_s"]
        first_yes = t["build_s"] / t["read_s"]
        peak_first = max(x for x in (t["auto_mb"], t.get("auto_bg_mb"), t["build_mb"]) if x)
        rows += [
            (
                "whole process ≥ 5x faster than pandas (through the workspace)",
                whole is not None and whole >= TARGETS["whole_ratio"],
                f"{whole:.1f}x ({fmt_s(t['whole_s'])} against {fmt_s(t['base_whole_s'])})"
                if whole
                else "baseline did not run",
            ),
            (
                "warm `calculate` ≤ 0.5 s",
                t["calc_all_s"] <= TARGETS["calc_warm_s"],
                f"{fmt_s(t['calc_all_s'])} all users, {fmt_s(t['calc_group_s'])} {GROUP}",
            ),
            (
                "first run ≤ 2x a pandas read of the files (auto, the default: to the answer)",
                first <= TARGETS["first_ratio"],
                f"{first:.1f}x ({fmt_s(t['auto_s'])} against {fmt_s(t['read_s'])})",
            ),
            (
                "first run with `--workspace yes` (validates and makes the workspace first)",
                first_yes <= TARGETS["first_ratio"],
                f"{first_yes:.1f}x ({fmt_s(t['build_s'])})",
            ),
            (
                "first run: peak ≤ 2 GB (answer, background build, `yes`)",
                peak_first <= TARGETS["first_mb"],
                f"{fmt_mb(peak_first)}",
            ),
            (
                "one relation's timeline ≤ 50 ms",
                t["timeline_typical_s"] <= TARGETS["timeline_s"],
                f"{fmt_s(t['timeline_typical_s'])} typical, {fmt_s(t['timeline_busiest_s'])} busiest",
            ),
        ]
    if t and DASHBOARD_JSON.exists():
        dash = json.loads(DASHBOARD_JSON.read_text())
        cell = dash.get("cells", {}).get("100k")
        if cell:
            rows.append(
                (
                    "dashboard: click on *Bereken* to the grid redrawn ≤ 1.5 s",
                    cell["median_s"] <= TARGETS["dashboard_s"],
                    f"{fmt_s(cell['median_s'])} (`bench/dashboard_bench.py`, {dash['date']})",
                )
            )
    b = by.get(BIG)
    if b:
        peak = max(
            x for x in (b["auto_mb"], b.get("auto_bg_mb"), b["build_mb"], b["whole_mb"]) if x
        )
        rows.append(
            (
                "100M events / 1M relations: completes, peak RSS ≤ 4 GB",
                peak <= TARGETS["big_mb"],
                f"completed; peak {fmt_mb(peak)}",
            )
        )
    if not rows:
        return ""
    out = [
        f"**Targets** of issue 11 (at {TARGET_CELL.replace('×', ' relations × ')} events):",
        "",
        "| target | met | measured |",
        "|---|---|---|",
    ]
    out += [f"| {what} | {'yes' if ok else '**no**'} | {m} |" for what, ok, m in rows]
    return "\n".join(out)


def write_docs(block: str) -> None:
    write_block("calc-bench", block)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="aandacht speed benchmark")
    p.add_argument(
        "--cells",
        default=",".join(MATRIX),
        help="comma separated RELATIONS×EVENTS (or x): relations 1k, 10k, 100k, 1m; "
        "events 1m, 10m, 100m (default: the matrix, 1k..1m × 1m, 10m)",
    )
    p.add_argument("--big", action="store_true", help=f"also the {BIG} cell (long)")
    p.add_argument(
        "--repeat", type=int, default=0, help="warm runs (default 10 for 1M, 5 for 10M, 3 above)"
    )
    p.add_argument(
        "--baseline-max-mb",
        type=float,
        default=8000,
        help="memory guard of the pandas baseline on 100M events (MB)",
    )
    p.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = p.parse_args(argv)
    try:
        cells = [parse_cell(c) for c in args.cells.split(",") if c.strip()]
    except ValueError as exc:
        p.error(f"unknown cell {exc}; use e.g. 100k×10m or 1k x 1m")
    if args.big and BIG not in cells:
        cells.append(BIG)
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info = machine()
    load_start, code_start = loadavg(), code_print()
    for cell in cells:
        ensure_data(cell)
    results = []
    for cell in cells:
        n_ev = shape(cell)[1]
        repeat = args.repeat or (10 if n_ev <= 1_000_000 else 5 if n_ev <= 10_000_000 else 3)
        results.append(bench_cell(cell, repeat, n_ev > 10_000_000, args.baseline_max_mb))
    fl = floors()
    changed = code_print() != code_start
    block = (
        f"{info}\n\nMeasured by `bench/run.py --cells {','.join(cells)}` in "
        f"{time.perf_counter() - started:.0f} s; load average (1 / 5 / 15 min) at the start "
        f"{load_start}, at the end {loadavg()}. The machine is shared: other work on its two "
        "cores slows every figure down."
        + (
            " **The library's code changed during this run** (others work in the same "
            "checkout): the cells may have measured different versions."
            if changed
            else ""
        )
        + f"\n\n{tables(results, fl)}"
    )
    print("\n" + block)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))
    if not args.no_docs:
        write_docs(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
