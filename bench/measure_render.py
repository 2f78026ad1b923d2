"""Measure how long the dashboard's first view takes to render (not a test; see docs/app.md).

    .venv/bin/python bench/measure_render.py [--data data_samples] [--runs 5]

Starts ``panel serve app/app.py`` on a free port with a fresh store, opens the page in Debian's
Chromium (offline: requests that are not to 127.0.0.1 are aborted) and reports, per visit, the
time from navigation start to the page's ``load`` event and to the first grid row on screen, and
the difference ("after the page loads"). The first visit also pays for loading the data set and
the one calculation when nothing is stored yet; later visits show the stored result.
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


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data_samples")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = tempfile.mkdtemp(prefix="aandacht-store-")
    env = {**os.environ, "AANDACHT_DATA": args.data, "AANDACHT_STORE": store}
    log = open(Path(store) / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", "app/app.py", "--port", str(port),
         "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/app"
    try:
        # wait for the server without opening a session (a GET of /app would build one)
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/bokeh.min.js")
                break
            except OSError:
                time.sleep(0.1)
        rows = []
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
                page.goto(url, wait_until="load")
                page.wait_for_selector(".grid .tabulator-row", timeout=60_000)
                grid = page.evaluate("performance.now()")
                load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                rows.append((grid / 1000, load / 1000))
                kind = "first visit (loads data, calculates)" if i == 0 else "stored result"
                print(
                    f"visit {i + 1}: load event {load / 1000:.2f} s, grid {grid / 1000:.2f} s, "
                    f"after load {(grid - load) / 1000:.2f} s  [{kind}]"
                )
                page.close()
            browser.close()
        later = rows[1:] or rows
        print(
            f"median of visits 2..{args.runs}: grid {statistics.median(g for g, _ in later):.2f} s "
            f"after navigation, {statistics.median(g - lo for g, lo in later):.2f} s after load"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    main()
