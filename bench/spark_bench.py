"""Spark (``local[2]``) against DuckDB on the same data, in the same run (issue 14).

For each data folder (default: 1M and 10M events with 100k relations, made by
``bench/bigdata.py`` when missing) this measures, in one process per engine:

* start: the Spark session (JVM) or the DuckDB connection;
* load + validate the files (Spark reads the Parquet itself; DuckDB without workspace);
* ``calculate`` warm, all users and user group Sales (median of ``--runs``);
* one relation's timeline warm (median of ``--runs``);

and checks that both engines give the same result. It prints a Markdown table with the
ratio Spark / DuckDB (above 1: Spark is slower) and, with ``--record``, writes it into
``docs/performance.md`` between ``<!-- spark-bench:begin -->`` and ``<!-- spark-bench:end -->``.

    .venv/bin/python bench/spark_bench.py            # needs make spark (Java 17 + pyspark)
    .venv/bin/python bench/spark_bench.py --record
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from docs_block import write_block  # noqa: E402

DATA = ROOT / "bench" / "data"
AS_OF = "2026-10-31"
PERIOD = ("2026-01-01", "2026-10-31")


def _measure(engine: str, folder: str, runs: int) -> dict:
    """Run in a child process: figures for one engine on one folder (JSON on stdout)."""
    import pandas as pd

    t0 = time.perf_counter()
    import aandacht

    if engine == "pyspark":
        from aandacht.spark import session

        session("local[2]")
    else:
        from aandacht.dataset import connect_duckdb

        connect_duckdb().disconnect()
    start = time.perf_counter() - t0
    t = time.perf_counter()
    kw = {"engine": "pyspark"} if engine == "pyspark" else {"workspace": False}
    ds = aandacht.load(folder, **kw)
    load = time.perf_counter() - t
    out = {"start": start, "load": load}
    sels = {
        "all": aandacht.Selection(as_of=AS_OF, period_from=PERIOD[0], period_to=PERIOD[1]),
        "sales": aandacht.Selection(
            as_of=AS_OF, period_from=PERIOD[0], period_to=PERIOD[1], user_group="Sales"
        ),
    }
    results = {}
    for name, sel in sels.items():
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            results[name] = aandacht.calculate(ds, sel)
            times.append(time.perf_counter() - t)
        out[name] = statistics.median(times)
    busiest = results["all"].sort_values("total").relation_id.iloc[len(results["all"]) // 2]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        tl = aandacht.timeline(ds, busiest, period_from=PERIOD[0], period_to=PERIOD[1])
        times.append(time.perf_counter() - t)
    out["timeline"] = statistics.median(times)
    out["timeline_events"] = len(tl)
    out["relations"] = len(results["all"])
    cols = ["relation_id", "total", "last_contact"]
    res = results["all"][cols].sort_values("relation_id").reset_index(drop=True)
    out["digest"] = int(pd.util.hash_pandas_object(res, index=False).sum() % 2**61)
    out["events_counted"] = int(results["all"]["total"].sum())
    return out


def _child(engine: str, folder: Path, runs: int) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, str(folder), "--runs", str(runs)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"{engine} on {folder} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def _folder(events: int) -> Path:
    folder = DATA / f"rel100k_ev{events // 1_000_000}m"
    if not (folder / "generated.json").exists():
        sys.path.insert(0, str(ROOT / "bench"))
        import bigdata

        bigdata.write(folder, 100_000, events)
    return folder


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--child", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--events", default="1m,10m", help="event counts (100k relations each)")
    p.add_argument("--record", action="store_true", help="write into docs/performance.md")
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.child[0], args.child[1], args.runs)))
        return 0
    began = time.time()
    rows = []
    for cell in args.events.split(","):
        n = int(float(cell.lower().rstrip("m")) * 1_000_000)
        folder = _folder(n)
        duck = _child("duckdb", folder, args.runs)
        spark = _child("pyspark", folder, args.runs)
        same = duck["digest"] == spark["digest"] and duck["relations"] == spark["relations"]
        if not same:
            raise SystemExit(f"{folder}: Spark and DuckDB results differ")
        rows.append((f"100K rel. × {cell.upper()} ev.", duck, spark))
    lines = [
        f"- date: {dt.datetime.now():%Y-%m-%dT%H:%M}; {os.cpu_count()} cores; "
        f"Python {platform.python_version()}; Spark `local[2]`; "
        f"measured by `bench/spark_bench.py` in {time.time() - began:.0f} s; "
        "results checked equal (relations, totals, last contacts)",
        "",
        "| cell | measurement | DuckDB | Spark | Spark / DuckDB |",
        "|---|---|---:|---:|---:|",
    ]
    names = {
        "start": "start (JVM + session / connection, imports included)",
        "load": "load + validate the files",
        "all": f"`calculate` warm, all users (median of {args.runs})",
        "sales": f"`calculate` warm, user group Sales (median of {args.runs})",
        "timeline": f"one relation's timeline warm (median of {args.runs})",
    }
    for cell, duck, spark in rows:
        for key, label in names.items():
            ratio = spark[key] / duck[key]
            lines.append(f"| {cell} | {label} | {_fmt(duck[key])} | {_fmt(spark[key])} | "
                         f"{ratio:.1f}x |")  # fmt: skip
    text = "\n".join(lines)
    print(text)
    if args.record:
        write_block("spark-bench", text, create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
