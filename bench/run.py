"""Speed benchmark: aandacht against a plain pandas baseline, on 1M and 10M events.

Run with ``make bench`` (or ``.venv/bin/python bench/run.py``). It

1. generates the data sets once (``aandacht.generate``, Parquet events) and caches them under
   ``bench/data/`` (git-ignored); they are regenerated only when the parameters change;
2. measures, per size, in one run (aandacht through its workspace, :mod:`aandacht.workspace`,
   unless said otherwise; the workspaces are kept in ``bench/data/cache/``):

   - the first run on new files, as a whole process: loading, validating and making the
     workspace (``--workspace yes`` after removing it), once;

   - ``calculate`` warm: the data loaded once in this process, then the median of N calls of
     ``aandacht.calculate(ds, Selection(as_of=..., revenue="both"))`` (default 365-day period),
     for all users and for one user group, and for all users without the workspace (reading the
     Parquet file); the baseline likewise on frames it has already read;
   - whole process: ``aandacht calculate --data DIR --as-of DATE --revenue both > /dev/null``
     (median of 3), so with Python start-up, imports, opening the workspace (or, with
     ``--workspace no``, loading and validating the files); the baseline as
     ``python bench/pandas_baseline.py`` with the same arguments;
   - peak memory (max RSS) of those whole-process runs, from ``os.wait4``;
   - one relation's timeline warm (``aandacht.timeline``), median of 20, for a typical relation
     (median number of events) and for the busiest one, with and without the workspace;

3. checks that the baseline's totals, per-category counts, dgn and revenue equal aandacht's, for
   all users and for the user group, and stops with an error if they do not;
4. prints a table with the times, the ratios (baseline / aandacht: above 1 means aandacht is
   faster) and the targets, and writes it into ``docs/performance.md`` between the markers
   ``<!-- calc-bench:begin -->`` and ``<!-- calc-bench:end -->`` (``--no-docs`` to leave it alone).

Options: ``--sizes 1m,10m``, ``--repeat N`` (warm runs), ``--no-docs``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
DOCS = ROOT / "docs" / "performance.md"
PYTHON = sys.executable
AANDACHT = str(Path(PYTHON).with_name("aandacht"))

sys.path.insert(0, str(ROOT))  # this checkout's aandacht, also without an installed package
os.environ["AANDACHT_CACHE"] = str(DATA / "cache")  # the workspaces, next to the data sets
sys.path.insert(0, str(BENCH))

import pandas as pd  # noqa: E402
import pandas_baseline  # noqa: E402

import aandacht  # noqa: E402
from aandacht import Selection, workspace  # noqa: E402

#: name -> (relations, events)
SIZES = {"1m": (1_000, 1_000_000), "10m": (10_000, 10_000_000)}
SEED = 20261031
AS_OF = "2026-10-31"  # the generator's last day
GROUP = "Sales"  # a department: the user-group case
WHOLE_RUNS = 3
TIMELINE_RUNS = 20
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
TARGETS = {
    "calc_warm_s": 1.0,  # 10M events, calculate warm, under 1 s
    "whole_ratio": 5.0,  # 10M events, whole process, at least 5x faster than pandas
    "timeline_s": 0.1,  # one relation's timeline from 10M events, under 100 ms
    "peak_mb": 2048.0,  # peak memory under 2 GB
}


# --------------------------------------------------------------------------------------------
# data


def ensure_data(name: str) -> Path:
    """The cached data set of this size; generated (in a child process) when missing."""
    n_rel, n_ev = SIZES[name]
    folder = DATA / f"events_{name}"
    stamp = folder / "generated.json"
    params = {"relations": n_rel, "events": n_ev, "seed": SEED, "format": "parquet"}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return folder
    print(f"generating {name}: {n_rel:,} relations, {n_ev:,} events -> {folder}", flush=True)
    code = (
        "import sys; from aandacht.generate import generate, write; "
        f"write(generate({n_rel}, {n_ev}, seed={SEED}), sys.argv[1], events_format='parquet')"
    )
    seconds, peak_mb, _ = run_process([PYTHON, "-c", code, str(folder)])
    stamp.write_text(json.dumps(params))
    print(f"  generated in {seconds:.1f} s, peak memory {peak_mb:,.0f} MB", flush=True)
    return folder


# --------------------------------------------------------------------------------------------
# measuring


#: Runs a command with stdout to /dev/null and reports its wall time and max RSS. The command is
#: forked from this small process, not from the benchmark: Linux reports a child's max RSS as at
#: least the RSS of the process it was forked from, which would hide the real figure.
LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]))
"""


def run_process(cmd: list[str]) -> tuple[float, float, int]:
    """Run ``cmd`` with stdout to /dev/null; return (seconds, max RSS in MB, exit code)."""
    proc = subprocess.run(
        [PYTHON, "-c", LAUNCHER, *cmd], capture_output=True, text=True, cwd=ROOT, check=False
    )
    try:
        seconds, max_rss_kb, code = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        code, seconds, max_rss_kb = proc.returncode or 1, 0.0, 0
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return seconds, max_rss_kb / 1024, code  # ru_maxrss is in KB on Linux


def summary(runs: list[tuple[float, float, int]]) -> tuple[float, float, float]:
    """Median and best seconds, and the highest max RSS (MB) of runs of :func:`run_process`."""
    return (
        statistics.median(r[0] for r in runs),
        min(r[0] for r in runs),
        max(r[1] for r in runs),
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
    a = ours[COMPARED].reset_index(drop=True)
    b = theirs[COMPARED].reset_index(drop=True)
    a["relation_id"] = a["relation_id"].astype(str)
    b["relation_id"] = b["relation_id"].astype(str)
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, atol=0.005)
    except AssertionError as exc:
        raise SystemExit(
            f"BASELINE AND AANDACHT DISAGREE ({what}): the comparison is void.\n{exc}"
        ) from exc
    print(f"  check: baseline == aandacht ({what}, {len(a):,} relations)", flush=True)


def in_process(name: str, folder: Path, repeat: int, r: dict) -> None:
    """Warm runs: each loads its data once; checks that the results agree.

    aandacht is measured through its workspace (made by :func:`bench_size` before) and, for
    comparison, reading the Parquet file directly.
    """
    start = time.perf_counter()
    direct = aandacht.load(folder, workspace=False)
    r["load_s"] = time.perf_counter() - start
    start = time.perf_counter()
    ds = aandacht.load(folder, workspace=True)
    r["open_ws_s"] = time.perf_counter() - start
    assert ds.workspace, "the workspace was not used"
    start = time.perf_counter()
    tables = pandas_baseline.read(folder)
    r["base_read_s"] = time.perf_counter() - start
    print(
        f"  load+validate {r['load_s']:.2f} s; open the workspace {r['open_ws_s']:.3f} s; "
        f"pandas read {r['base_read_s']:.2f} s",
        flush=True,
    )

    as_of = dt.date.fromisoformat(AS_OF)
    sel_all = Selection(as_of=AS_OF, revenue="both")
    sel_group = Selection(as_of=AS_OF, revenue="both", user_group=GROUP)
    secs, res = warm(
        {
            "calc_all_s": lambda: aandacht.calculate(ds, sel_all),
            "base_all_s": lambda: pandas_baseline.calculate(tables, as_of, None, "both"),
            "calc_group_s": lambda: aandacht.calculate(ds, sel_group),
            "base_group_s": lambda: pandas_baseline.calculate(tables, as_of, GROUP, "both"),
            "calc_direct_s": lambda: aandacht.calculate(direct, sel_all),
        },
        repeat,
    )
    r.update(secs)
    print(
        f"  calculate warm: aandacht {secs['calc_all_s']:.3f} s (all) / "
        f"{secs['calc_group_s']:.3f} s ({GROUP}) / {secs['calc_direct_s']:.3f} s (all, "
        f"from the Parquet file); pandas {secs['base_all_s']:.3f} s / "
        f"{secs['base_group_s']:.3f} s",
        flush=True,
    )
    check_equal(res["calc_all_s"], res["base_all_s"], f"{name}, all users")
    check_equal(res["calc_group_s"], res["base_group_s"], f"{name}, user group {GROUP}")
    check_equal(res["calc_direct_s"], res["base_all_s"], f"{name}, all users, direct")

    sizes = ds.events.group_by("relation_id").aggregate(n=ds.events.count()).to_pandas()
    sizes = sizes.sort_values(["n", "relation_id"]).reset_index(drop=True)
    for key, row in (("typical", sizes.iloc[len(sizes) // 2]), ("busiest", sizes.iloc[-1])):
        rid = str(row["relation_id"])
        secs, res = warm(
            {
                key: lambda rid=rid: aandacht.timeline(ds, rid),
                "direct": lambda rid=rid: aandacht.timeline(direct, rid),
            },
            TIMELINE_RUNS,
        )
        assert len(res[key]) == int(row["n"]), (rid, len(res[key]), row["n"])
        pd.testing.assert_frame_equal(res[key], res["direct"])
        r[f"timeline_{key}_s"], r[f"timeline_{key}_n"] = secs[key], int(row["n"])
        r[f"timeline_{key}_s_best"] = secs[f"{key}_best"]
        r[f"timeline_{key}_direct_s"] = secs["direct"]
        r[f"timeline_{key}_direct_s_best"] = secs["direct_best"]
        print(
            f"  timeline {key} ({rid}, {row['n']:,} events) {secs[key] * 1000:.1f} ms "
            f"(from the Parquet file {secs['direct'] * 1000:.1f} ms)",
            flush=True,
        )


def bench_size(name: str, repeat: int) -> dict:
    folder = ensure_data(name)
    n_rel, n_ev = SIZES[name]
    print(f"\n== {name}: {n_ev:,} events, {n_rel:,} relations ({folder})", flush=True)
    r: dict = {"name": name, "events": n_ev, "relations": n_rel, "repeat": repeat}
    args = ["--data", str(folder), "--as-of", AS_OF, "--revenue", "both"]

    # the first run on new files: loads, validates and makes the workspace (once per version of
    # the files), as a whole process
    workspace.remove(folder)
    r["build_s"], r["build_mb"], _ = run_process(
        [AANDACHT, "calculate", *args, "--workspace", "yes"]
    )
    print(f"  first run, making the workspace: {r['build_s']:.1f} s, {r['build_mb']:,.0f} MB")

    in_process(name, folder, repeat, r)
    gc.collect()

    # whole processes, taking turns
    ours, direct, theirs = [], [], []
    for _ in range(WHOLE_RUNS):
        ours.append(run_process([AANDACHT, "calculate", *args, "--workspace", "yes"]))
        direct.append(run_process([AANDACHT, "calculate", *args, "--workspace", "no"]))
        theirs.append(run_process([PYTHON, str(BENCH / "pandas_baseline.py"), *args]))
    r["whole_s"], r["whole_s_best"], r["whole_mb"] = summary(ours)
    r["direct_whole_s"], r["direct_whole_s_best"], r["direct_whole_mb"] = summary(direct)
    r["base_whole_s"], r["base_whole_s_best"], r["base_whole_mb"] = summary(theirs)
    print(
        f"  whole process: aandacht {r['whole_s']:.2f} s ({r['whole_mb']:,.0f} MB), "
        f"without workspace {r['direct_whole_s']:.2f} s ({r['direct_whole_mb']:,.0f} MB), "
        f"pandas {r['base_whole_s']:.2f} s ({r['base_whole_mb']:,.0f} MB)",
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
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def machine() -> str:
    import duckdb
    import ibis
    import numpy
    import pyarrow

    mem = _sh("free -h | awk '/^Mem:/ {print $2}'")
    lines = [
        f"- date: {dt.datetime.now().isoformat(timespec='minutes')}",
        f"- cores (`nproc`): {_sh('nproc')}; memory: {mem}",
        f"- Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"Ibis {ibis.__version__}, pandas {pd.__version__}, pyarrow {pyarrow.__version__}, "
        f"numpy {numpy.__version__}",
        "",
        "```",
        _sh("lscpu | head -n 15"),
        "```",
    ]
    return "\n".join(lines)


def fmt_s(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def table(results: list[dict], fl: dict) -> str:
    head = (
        "| measurement | "
        + " | ".join(
            f"{r['name'].upper()} aandacht | {r['name'].upper()} pandas | ratio" for r in results
        )
        + " |"
    )
    sep = "|---|" + "---:|---:|---:|" * len(results)
    rows = []

    def timed(r: dict, key: str | None) -> str:
        if not key or r.get(key) is None:
            return ""
        best = r.get(f"{key}_best")
        return fmt_s(r[key]) + (f" ({fmt_s(best)})" if best is not None else "")

    def row(label, ours, theirs=None, fmt=timed):
        cells = []
        for r in results:
            a = r.get(ours)
            b = r.get(theirs) if theirs else None
            cells += [fmt(r, ours), fmt(r, theirs), f"{b / a:.1f}x" if a and b else ""]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")

    def memory(r: dict, key: str | None) -> str:
        return f"{r[key]:,.0f} MB" if key else ""

    row("calculate warm, all users", "calc_all_s", "base_all_s")
    row(f"calculate warm, user group {GROUP}", "calc_group_s", "base_group_s")
    row("calculate warm, all users, without workspace", "calc_direct_s", "base_all_s")
    row(f"whole process `calculate` ({WHOLE_RUNS} runs)", "whole_s", "base_whole_s")
    row("whole process, without workspace", "direct_whole_s", "base_whole_s")
    row("whole process, first run: makes the workspace (once)", "build_s", "base_whole_s")
    row("peak memory of the whole process (max RSS)", "whole_mb", "base_whole_mb", fmt=memory)
    row("peak memory, without workspace", "direct_whole_mb", "base_whole_mb", fmt=memory)
    row("peak memory, first run: makes the workspace", "build_mb", "base_whole_mb", fmt=memory)
    row("in process: open the workspace / pandas read", "open_ws_s", "base_read_s")
    row("in process: load + validate the files / pandas read", "load_s", "base_read_s")
    for key in ("typical", "busiest"):
        for suffix, how in (("", ""), ("_direct", ", without workspace")):
            label = f"timeline warm, {key} relation{how} ({TIMELINE_RUNS} runs)"
            rows.append(
                f"| {label} | "
                + " | ".join(
                    f"{timed(r, f'timeline_{key}{suffix}_s')}, {r[f'timeline_{key}_n']:,} "
                    "events | | "
                    for r in results
                )
                + " |"
            )
    lines = [
        head,
        sep,
        *rows,
        "",
        "Times: the median, and in brackets the best run. Ratios are baseline / aandacht of the "
        "medians: above 1 means aandacht is faster. Warm runs per measurement: "
        + ", ".join(f"{r['repeat']} ({r['name'].upper()})" for r in results)
        + ", aandacht and pandas taking turns. aandacht's figures are through its workspace "
        "(a validated copy sorted by relation, made by the first run and reused while the "
        "files are unchanged; see `aandacht.workspace`) unless the row says without; the first "
        "run is measured once. Start-up floors "
        f"(median of 5 processes): bare Python {fmt_s(fl['python'])}, "
        f"`import pandas` {fmt_s(fl['pandas'])}, importing aandacht with DuckDB and its "
        f"Ibis backend {fmt_s(fl['aandacht'])}.",
    ]
    big = next((r for r in results if r["name"] == "10m"), None)
    if big:
        ratio = big["base_whole_s"] / big["whole_s"]
        timeline = big["timeline_typical_s"]
        peak = max(r[k] for r in results for k in ("whole_mb", "direct_whole_mb", "build_mb"))
        checks = [
            (
                "10M calculate warm < 1 s",
                big["calc_all_s"] < TARGETS["calc_warm_s"],
                fmt_s(big["calc_all_s"]),
            ),
            (
                "10M whole process >= 5x faster than pandas",
                ratio >= TARGETS["whole_ratio"],
                f"{ratio:.1f}x",
            ),
            (
                "10M one (typical) relation's timeline < 100 ms",
                timeline < TARGETS["timeline_s"],
                f"{fmt_s(big['timeline_typical_s'])} typical, {fmt_s(big['timeline_busiest_s'])} "
                "busiest",
            ),
            (
                "peak memory < 2 GB (every aandacht run, also the first)",
                peak < TARGETS["peak_mb"],
                f"{peak:,.0f} MB",
            ),
        ]
        lines += ["", "| target | met | measured |", "|---|---|---|"]
        lines += [f"| {t} | {'yes' if ok else '**no**'} | {m} |" for t, ok, m in checks]
    return "\n".join(lines)


def write_docs(block: str) -> None:
    begin, end = "<!-- calc-bench:begin -->", "<!-- calc-bench:end -->"
    text = DOCS.read_text() if DOCS.exists() else f"# Performance\n\n{begin}\n{end}\n"
    if begin not in text or end not in text:
        text = text.rstrip() + f"\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOCS.write_text(f"{head}{begin}\n{block}\n{end}{tail}")
    print(f"\nwrote the results into {DOCS.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="aandacht speed benchmark")
    p.add_argument("--sizes", default="1m,10m", help="comma separated: 1m, 10m")
    p.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="warm runs per measurement (default 10 for 1M, 5 for 10M)",
    )
    p.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    args = p.parse_args(argv)
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        p.error(f"unknown size(s) {', '.join(unknown)}; use {', '.join(SIZES)}")
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info = machine()
    load_start = loadavg()
    for name in sizes:
        ensure_data(name)
    results = []
    for name in sizes:
        repeat = args.repeat or (10 if SIZES[name][1] <= 1_000_000 else 5)
        results.append(bench_size(name, repeat))
    fl = floors()
    block = (
        f"{info}\n\nMeasured by `make bench` in {time.perf_counter() - started:.0f} s; load average "
        f"(1 min) at the start {load_start}, at the end {loadavg()} (other work on the machine "
        "slows every figure down).\n\n"
        f"{table(results, fl)}"
    )
    print("\n" + block)
    if not args.no_docs:
        write_docs(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
