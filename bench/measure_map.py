"""Measure the map tab with many relations in a real browser (not a test; see docs/map.md).

    .venv/bin/python bench/measure_map.py [--relations 10000] [--events 300000] [--runs 3]

Generates a data set (:func:`aandacht.generate.generate`), serves the dashboard on it with a
fresh store, opens it in Debian's Chromium (offline: requests that are not to 127.0.0.1 are
aborted) and reports, per visit:

* *map drawn*: from the click on the Kaart tab until every point is in the page's Bokeh data
  source and the figure has finished drawing (WebGL);
* *box selection → grid*: from releasing the mouse after a box selection over the middle of the
  country until the server has selected those rows (the tab's "Geselecteerd (n)" button);
* *grid → map*: from clicking a distribution bin on the overview and opening the map until its
  relations are highlighted.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip
VIEWS = """
function views() {
  const out = [];
  const walk = (v) => {
    out.push(v);
    for (const c of (typeof v.children === "function" ? v.children() : [])) walk(c);
  };
  for (const v of Object.values(Bokeh.index)) walk(v);
  return out;
}
function points() {
  return views().find((v) => v.model.constructor.__name__ === "GlyphRenderer" &&
                             v.model.glyph.constructor.__name__ === "Scatter" &&
                             "relation_id" in v.model.data_source.data);
}
function figure() {
  const p = points();
  return p && views().find((v) => v.model.constructor.__name__ === "Figure" &&
                                  v.model.renderers.includes(p.model));
}
"""


def js(body: str) -> str:
    """A JavaScript function with the helpers above and ``body``."""
    return "() => {" + VIEWS + body + "}"


def main() -> None:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from aandacht.generate import generate, write
    from aandacht.geo import to_geodataframe

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--relations", type=int, default=10_000)
    ap.add_argument("--events", type=int, default=300_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aandacht-map-"))
    data = tmp / "crm"
    t0 = time.perf_counter()
    tables = generate(args.relations, args.events, seed=11)
    write(tables, data)
    on_map = len(to_geodataframe(tables["relations"])[0])
    print(
        f"data: {args.relations:,} relations ({on_map:,} on the map), {args.events:,} events "
        f"({time.perf_counter() - t0:.1f} s to generate)"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "AANDACHT_DATA": str(data), "AANDACHT_STORE": str(tmp / "store")}
    env.pop("AANDACHT_TILES", None)
    log = open(tmp / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", "app/app.py", "--port", str(port),
         "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/app"
    rows: list[tuple[float, float, float]] = []
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/bokeh.min.js")
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                args=CHROME_ARGS,
            )
            for i in range(args.runs):
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.route(
                    "**/*",
                    lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort(),
                )
                page.goto(url)
                page.wait_for_selector(".grid .tabulator-row", timeout=120_000)
                t = time.perf_counter()
                page.locator(".main-tabs .bk-tab", has_text="Kaart").click()
                page.wait_for_function(
                    js(
                        f"""const p = points(), f = figure();
                        return p && p.model.data_source.get_length() == {on_map} &&
                               f.has_finished();"""
                    ),
                    timeout=120_000,
                    polling=50,
                )
                drawn = time.perf_counter() - t
                box = page.evaluate(
                    js(
                        """const f = figure(), b = f.frame.bbox, c = f.el.getBoundingClientRect();
                        return [c.left + b.left, c.top + b.top, b.width, b.height];"""
                    )
                )
                page.locator(".map .bk-tool-icon-box-select").click()
                x, y, w, h = box
                page.mouse.move(x + 0.3 * w, y + 0.3 * h)
                page.mouse.down()
                page.mouse.move(x + 0.7 * w, y + 0.6 * h, steps=5)
                t = time.perf_counter()
                page.mouse.up()
                page.wait_for_function(
                    js("return points().model.data_source.selected.indices.length > 0;"),
                    polling=20,
                )
                n = page.evaluate(js("return points().model.data_source.selected.indices.length;"))
                page.locator(".map-show .bk-btn", has_text=f"({n})").wait_for(timeout=60_000)
                selected = time.perf_counter() - t
                page.locator(".map-clear .bk-btn").click()
                page.locator(".main-tabs .bk-tab", has_text="Overzicht").click()
                page.locator(".bin-little .bk-btn").click()
                t = time.perf_counter()
                page.locator(".main-tabs .bk-tab", has_text="Kaart").click()
                page.wait_for_function(
                    js(
                        "return points() && figure().has_finished() && "
                        "points().model.data_source.selected.indices.length > 0;"
                    ),
                    timeout=120_000,
                    polling=50,
                )
                highlighted = time.perf_counter() - t
                rows.append((drawn, selected, highlighted))
                print(
                    f"visit {i + 1}: map drawn {drawn:.2f} s; box selection of {n:,} → grid "
                    f"{selected:.2f} s; bin → map highlighted {highlighted:.2f} s"
                )
                page.close()
            browser.close()
        med = [statistics.median(c) for c in zip(*rows, strict=True)]
        print(
            f"median: map drawn {med[0]:.2f} s, box selection → grid {med[1]:.2f} s, "
            f"bin → map {med[2]:.2f} s"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    main()
