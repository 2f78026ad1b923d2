"""Soak run of the hosted dashboard: sessions open and close for a while; the server's memory.

Starts ``scripts/serve-hosted.sh`` as ``bench/load_test.py`` does (loopback, a temporary store,
logins), then for ``--minutes`` keeps ``--parallel`` browser sessions going: each logs in, waits
for its first grid, stays ``--stay`` seconds and closes. The server process's resident memory
(``VmRSS`` of ``/proc/<pid>/status``) is read after the first session (warm: the data set
loaded, the imports done) and after every round; at the end the run waits for Bokeh to discard
the closed sessions and reads it once more. Prints the readings and the growth per closed
session, overall and in the run's second half: the first rounds raise the memory to what the
sessions open at once (and those kept for the grace after closing, ``app/auth.py``) need, a leak
shows as growth that goes on. A benchmark, not a test: run it by hand (it takes the minutes asked).

    .venv/bin/python bench/soak.py --minutes 30
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_test import CHROMIUM, start_server, stop_server  # noqa: E402


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def one_session(browser, base: str, login: str, password: str, stay: float) -> float:
    """Log in, wait for the first grid, stay, close; seconds to the first grid."""
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(180_000)

    async def guard(route):
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            await route.abort()

    await page.route("**/*", guard)
    try:
        t0 = time.perf_counter()
        await page.goto(f"{base}/app")
        await page.locator("input[name=username]").fill(login)
        await page.locator("input[name=password]").fill(password)
        await page.locator("button[type=submit]").click()
        await expect(page.locator(".grid .tabulator-row").first).to_be_visible(timeout=180_000)
        opened = time.perf_counter() - t0
        await asyncio.sleep(stay)
        return opened
    finally:
        await context.close()


async def soak(minutes: float, parallel: int, stay: float, linger: float) -> dict:
    from playwright.async_api import async_playwright

    logins = [f"soak{i:02d}@example.nl" for i in range(parallel)]
    with tempfile.TemporaryDirectory(prefix="aandacht-soak-") as tmp:
        proc, base, passwords = start_server("data_samples", Path(tmp), logins)
        readings: list[tuple[int, float]] = []
        opens: list[float] = []
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True)
                try:
                    opens.append(
                        await one_session(browser, base, logins[0], passwords[logins[0]], 0)
                    )
                    await asyncio.sleep(linger)  # the first session discarded too
                    readings.append((1, rss_mb(proc.pid)))
                    closed, end = 1, time.monotonic() + minutes * 60
                    while time.monotonic() < end:
                        got = await asyncio.gather(
                            *(one_session(browser, base, lg, passwords[lg], stay) for lg in logins)
                        )
                        opens += got
                        closed += len(got)
                        readings.append((closed, rss_mb(proc.pid)))
                        print(f"{closed:5d} sessions closed, server {readings[-1][1]:.0f} MB")
                    await asyncio.sleep(linger)  # Bokeh discards closed sessions on a timer
                    readings.append((closed, rss_mb(proc.pid)))
                finally:
                    await browser.close()
        finally:
            stop_server(proc)
    (n0, m0), (n1, m1) = readings[0], readings[-1]
    # the first sessions raise the memory to what a few open sessions (and the ones kept for
    # the grace after closing) need; a leak shows as growth that goes on: compare the halves
    nh, mh = next((n, m) for n, m in readings if n >= (n0 + n1) / 2)
    return {
        "readings": readings,
        "sessions": n1,
        "start_mb": m0,
        "half_mb": mh,
        "half_sessions": nh,
        "end_mb": m1,
        "per_session_kb": (m1 - m0) * 1024 / max(n1 - n0, 1),
        "second_half_per_session_kb": (m1 - mh) * 1024 / max(n1 - nh, 1),
        "open_median_s": sorted(opens)[len(opens) // 2],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--parallel", type=int, default=3, help="sessions open at once")
    ap.add_argument("--stay", type=float, default=5.0, help="seconds a session stays open")
    ap.add_argument(
        "--linger", type=float, default=45.0, help="seconds to let the server discard sessions"
    )
    args = ap.parse_args(argv)
    out = asyncio.run(soak(args.minutes, args.parallel, args.stay, args.linger))
    print(
        f"{out['sessions']} sessions opened and closed; server memory {out['start_mb']:.0f} MB "
        f"after the first, {out['end_mb']:.0f} MB at the end: "
        f"{out['per_session_kb']:.0f} kB per closed session; in the second half (from "
        f"{out['half_sessions']} sessions, {out['half_mb']:.0f} MB) "
        f"{out['second_half_per_session_kb']:.0f} kB per closed session; open median "
        f"{out['open_median_s']:.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
