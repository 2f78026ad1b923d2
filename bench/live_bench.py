"""Live updates (B13): the cost of a delta against a full recount, and drop-to-browser latency.

    .venv/bin/python bench/live_bench.py [--cells 100k×1m,100k×10m] [--delta 1000] [--drops 4]
                                         [--no-browser] [--no-docs]

Per cell (a data set of ``bench/run.py``, read as the dashboard reads it: through its
workspace):

1. **Library, in this process.** The dashboard's default selection (all users, the last 12
   months up to 2026-10-31) counted in full (the baseline, median of 3), then ``--drops`` times:
   an extra events file of ``--delta`` events (random relations and users, on 2026-10-31) is
   taken in (``DataService.take_in``: read, validated against the data set, appended) and the
   session's result is brought up to date (counting the new events only and merging). The
   incremental result is checked equal to a full count of everything at the end.
2. **Browser.** ``panel serve app/app.py`` on the same folder, the page open in headless
   Chromium; ``--drops`` times an events file is written under another name and renamed into the
   folder (as a CRM export should), with one event for each relation on the grid's first page
   plus random ones up to ``--delta``; the time runs from the rename until the page's grid shows
   changed totals and a new live line (checked on every animation frame). It includes the
   watcher's wait for a file that is still being written (one look a second; see
   ``aandacht.live``) and the session's one-second look.

Extra files are named ``events-livebench-*.csv`` and removed at the start and the end. Writes the
block between ``<!-- live-bench:begin -->`` and ``<!-- live-bench:end -->`` in
``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard_bench as dash  # noqa: E402
import run  # noqa: E402  (sets AANDACHT_CACHE: the benchmark's workspaces)
from docs_block import write_block  # noqa: E402

import aandacht  # noqa: E402
from aandacht import feed  # noqa: E402
from aandacht.service import DataService  # noqa: E402

SEL = aandacht.Selection(as_of="2026-10-31", period_from="2025-11-01", period_to="2026-10-31")
PREFIX = "events-livebench-"
HEADER = "event_id,relation_id,user_id,timestamp,source,action,channel\n"
LATENCY_TARGET_S = 5.0
COST_TARGET = 0.10

#: In the page: true once the first page of the grid's totals and the live line both changed.
CHANGED = """([before, line]) => {
  const all = (sel, root = document) => {
    let out = [...root.querySelectorAll(sel)];
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) out = out.concat(all(sel, el.shadowRoot));
    }
    return out;
  };
  const live = all('.live-text')[0];
  if (!live || live.textContent === line || !live.textContent.includes('laatste update'))
    return false;
  const grid = all('.grid')[0];
  if (!grid) return false;
  const cells = all('.tabulator-row [tabulator-field="total"]', grid.shadowRoot || grid);
  return cells.length && cells.map(c => c.textContent.trim()).join(',') !== before;
}"""


def _clean(folder: Path) -> None:
    for f in folder.glob(f"{PREFIX}*"):
        f.unlink()


def _write(
    folder: Path, k: int, first: list[str], pool: list[str], users: list[str], n: int, tag: str
):
    """An events file of ``n`` events (``first`` relations once each, then random ones of
    ``pool``), written under a temporary name: (temporary path, final path)."""
    rng = np.random.default_rng(k)
    rels = list(first[:n]) + list(rng.choice(pool, max(0, n - len(first[:n]))))
    rows = [
        f"LB{tag}{k}-{i},{r},{rng.choice(users)},2026-10-31 {8 + i % 10:02d}:{i % 60:02d},"
        "note,added,visit\n"
        for i, r in enumerate(rels[:n])
    ]
    tmp = folder / f".{PREFIX}{tag}{k}.part"
    tmp.write_text(HEADER + "".join(rows), encoding="utf-8")
    path = folder / f"{PREFIX}{tag}{k:03d}.csv"
    return tmp, path


def library(folder: Path, delta: int, drops: int) -> dict:
    start = time.perf_counter()
    service = DataService(aandacht.load(folder, extras="skip"), folder)
    load_s = time.perf_counter() - start
    session = service.session()
    data = service.data
    fulls = []
    for _ in range(3):
        t0 = time.perf_counter()
        aandacht.calculate(service.data, SEL)
        fulls.append(time.perf_counter() - t0)
    full_s = statistics.median(fulls)
    session.calculate(SEL)  # the session's first result: the counts it keeps
    feed.prepare(data)  # as the watcher does before its first look
    relations = data.relations["relation_id"].astype(str).tolist()
    users = data.users["user_id"].astype(str).tolist()
    takes, merges = [], []
    for k in range(drops):
        tmp, path = _write(folder, k, [], relations, users, delta, "a")
        tmp.rename(path)
        t0 = time.perf_counter()
        service.take_in(path)
        t1 = time.perf_counter()
        out = session.calculate(SEL)
        t2 = time.perf_counter()
        takes.append(t1 - t0)
        merges.append(t2 - t1)
        print(f"  delta {k + 1}: take in {t1 - t0:.3f} s, count+merge {t2 - t1:.3f} s", flush=True)
    full = aandacht.calculate(service.data, SEL)
    a = out.sort_values("relation_id").reset_index(drop=True)
    b = full.sort_values("relation_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_like=True)  # incremental == full
    take_s, merge_s = statistics.median(takes), statistics.median(merges)
    return {
        "load_s": load_s,
        "full_s": full_s,
        "take_s": take_s,
        "merge_s": merge_s,
        "ratio": (take_s + merge_s) / full_s,
        "ratio_merge": merge_s / full_s,
    }


def browser_latency(folder: Path, delta: int, drops: int) -> dict:
    from playwright.sync_api import sync_playwright

    store = Path(tempfile.mkdtemp(prefix="aandacht-live-"))
    proc, url = dash.serve(folder, store)
    users = pd.read_csv(folder / "users.csv")["user_id"].astype(str).tolist()
    pool = pd.read_csv(folder / "relations.csv")["relation_id"].astype(str).tolist()
    times = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=dash.CHROMIUM, args=dash.CHROME_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            t0 = time.perf_counter()
            page.goto(url, wait_until="load", timeout=300_000)
            page.wait_for_selector(dash.TOTALS, timeout=300_000)
            page.wait_for_selector(".live-text", timeout=60_000)
            first = time.perf_counter() - t0
            for k in range(drops):
                shown = page.locator(
                    '.grid .tabulator-row [tabulator-field="relation_id"]'
                ).all_inner_texts()
                before = dash.totals(page)
                line = page.locator(".live-text").inner_text()
                tmp, path = _write(folder, k, [s.strip() for s in shown], pool, users, delta, "b")
                time.sleep(1.0)  # the page's next live line differs by its time of day
                t0 = time.perf_counter()
                tmp.rename(path)
                page.wait_for_function(CHANGED, arg=[before, line], polling="raf", timeout=60_000)
                times.append(time.perf_counter() - t0)
                print(f"  drop {k + 1}: on screen after {times[-1]:.2f} s", flush=True)
            browser.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"first_view_s": first, "latency_s": statistics.median(times), "worst_s": max(times)}


def _target(r: dict) -> str:
    if r["ratio"] <= COST_TARGET:
        return "met"
    if r["ratio_merge"] <= COST_TARGET:
        return "met for the update, **not met** with the take-in"
    return "**not met**"


def block(results: list[dict], info: dict) -> str:
    lines = [
        f"Measured by `bench/live_bench.py` on {info['date']} (load average at the start "
        f"{info['load_start']}, at the end {info['load_end']}; two shared cores). A delta of "
        f"{info['delta']:,} events, {info['drops']} times per data set; baseline: a full count "
        "of the same selection in the same process (median of 3).",
        "",
        "| data set | full recount (baseline) | take in delta | count delta + merge "
        "| update / full | (take in + update) / full | target ≤ 10 % "
        "| file dropped → on screen (median) | worst | target ≤ 5 s |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in results:
        lat = r.get("latency_s")
        lat_ok = (
            "" if lat is None else ("met" if r["worst_s"] <= LATENCY_TARGET_S else "**not met**")
        )
        lines.append(
            f"| {r['relations']:,} relations, {r['events']:,} events | {run.fmt_s(r['full_s'])} "
            f"| {run.fmt_s(r['take_s'])} | {run.fmt_s(r['merge_s'])} | {r['ratio_merge']:.1%} "
            f"| {r['ratio']:.1%} | {_target(r)} "
            f"| {run.fmt_s(lat) if lat is not None else '–'} "
            f"| {run.fmt_s(r['worst_s']) if lat is not None else '–'} | {lat_ok} |"
        )
    lines += [
        "",
        "*Take in*: read the file, validate it whole against the data set (relations, users, ids "
        "seen before), append it; done once per file for every session. *Count delta + merge*: "
        "a session's next result, counting the new events only, merging them into the counts it "
        "kept (`aandacht.engine.merge`) and making only the touched relations' rows again "
        "(`aandacht.engine.refresh`); the incremental result is checked equal to a full count. *On screen*: from the file's "
        "rename into the data folder of a served dashboard until the open page's grid and live "
        "line changed; part of it is waiting by design — the watcher takes a fresh file when it "
        "is unchanged at a second look 0.3 s later (a file still being written is not read "
        "half), it looks once a second, and each session looks twice a second; the rest is "
        "counting and sending the grid to the browser.",
    ]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    write_block("live-bench", text, heading="## Live updates")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cells", default="100k×1m,100k×10m")
    p.add_argument("--delta", type=int, default=1000)
    p.add_argument("--drops", type=int, default=4)
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--no-docs", action="store_true")
    args = p.parse_args(argv)
    from aandacht import workspace

    info = {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "load_start": run.loadavg(),
        "delta": args.delta,
        "drops": args.drops,
    }
    os.environ["AANDACHT_WORKSPACE"] = "yes"
    results = []
    for cell in [run.parse_cell(c) for c in args.cells.split(",") if c.strip()]:
        folder, _ = run.ensure_data(cell)
        _clean(folder)
        try:
            workspace.open_workspace(folder)  # made once, as the dashboard would find it
            print(f"== {cell}", flush=True)
            out = library(folder, args.delta, args.drops)
            _clean(folder)
            if not args.no_browser:
                out.update(browser_latency(folder, args.delta, args.drops))
        finally:
            _clean(folder)
        n_rel, n_ev = run.shape(cell)
        out.update(cell=cell, relations=n_rel, events=n_ev)
        results.append(out)
    info["load_end"] = run.loadavg()
    text = block(results, info)
    print("\n" + text)
    if not args.no_docs:
        write_docs(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
