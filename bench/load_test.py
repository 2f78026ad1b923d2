"""Load test of the hosted dashboard: N concurrent sessions open, choose, calculate (issue 7).

Bounded and loopback only: starts ``scripts/serve-hosted.sh`` (``panel serve`` with basic auth) on
127.0.0.1 on a free port with a temporary store, ``access.yaml`` and credentials for N logins,
then drives N browser contexts of one Chromium at the same time (async Playwright; every request
that is not to 127.0.0.1 is aborted and counted as an error). Each session

1. logs in and waits for its first grid (its login has no stored calculation yet, so opening
   calculates once),
2. chooses a different user (*Eén*, user i), clicks *Bereken* and waits until the grid's first
   page shows exactly the library's result for that selection (click → grid updated is the
   calculate time),
3. after all sessions are done, reads its grid again: it must still show its own selection.

It fails on any page error, dialog, request to the internet, server traceback, a grid that does
not match, or when the whole run exceeds ``--timeout`` seconds. Prints the median and the 95th
percentile of the open and calculate times (for ``docs/performance.md``).

    .venv/bin/python bench/load_test.py                 # 20 sessions on data_samples
    .venv/bin/python bench/load_test.py --sessions 5 --timeout 120
    .venv/bin/python bench/load_test.py --server-side    # also: the server alone, no browsers
                                                        # (calculations, and pages opening)
    .venv/bin/python bench/load_test.py --sessions 1 --warm   # one session on a server in use
    make loadtest                                       # 20 sessions and --server-side
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PAGE_ROWS = 25


@dataclass
class Session:
    """One browser session: its login, its selection and what it measured."""

    login: str
    user: str
    label: str  # the user selector's option: "AV — Anouk Visser"
    expected_codes: list[str] = field(default_factory=list)
    expected_totals: list[str] = field(default_factory=list)
    expected_count: int = 0
    open_s: float | None = None
    calculate_s: float | None = None
    errors: list[str] = field(default_factory=list)
    phase: str = "start"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear between the closest ranks."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def expected_results(data: str, sessions: list[Session], as_of: dt.date) -> None:
    """The library's first grid page for each session's selection (one user, last 12 months)."""
    import aandacht
    from aandacht.selection import period_preset

    ds = aandacht.load(data)
    start, end = period_preset("last_12_months", as_of)
    for s in sessions:
        sel = aandacht.Selection(users=(s.user,), period_from=start, period_to=end, as_of=as_of)
        res = aandacht.calculate(ds, sel)
        s.expected_codes = res.relation_id.iloc[:PAGE_ROWS].astype(str).tolist()
        s.expected_totals = [str(int(x)) for x in res.total.iloc[:PAGE_ROWS]]
        s.expected_count = len(res)


def start_server(
    data: str, tmp: Path, logins: list[str], args: list[str] = ()
) -> tuple[subprocess.Popen, str, dict]:
    """``scripts/serve-hosted.sh`` on a free loopback port; (process, base url, passwords)."""
    users = "\n".join(f"  {login}: {{roles: [admin]}}" for login in logins)
    (tmp / "access.yaml").write_text(f"version: 1\nusers:\n{users}\n")
    passwords = {login: secrets.token_urlsafe(12) for login in logins}
    cred = tmp / "credentials.json"
    cred.write_text(json.dumps(passwords))
    cred.chmod(0o600)
    port = free_port()
    env = {
        **os.environ,
        "AANDACHT_DATA": data,
        "AANDACHT_STORE": str(tmp / "store"),
        "AANDACHT_ACCESS": str(tmp / "access.yaml"),
        "AANDACHT_CREDENTIALS": str(cred),
        "AANDACHT_COOKIE_SECRET": secrets.token_urlsafe(32),
        "PORT": str(port),
        "ADDRESS": "127.0.0.1",
        "PYTHON": sys.executable,
    }
    for var in ("AANDACHT_TILES", "AANDACHT_CADENCE", "BOKEH_RESOURCES", "PANEL_COOKIE_SECRET"):
        env.pop(var, None)
    log = (tmp / "panel-serve.log").open("wb")
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve-hosted.sh"), *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"serve-hosted.sh exited: {(tmp / 'panel-serve.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5) as r:
                if r.status == 200:
                    return proc, base, passwords
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("panel serve did not answer within 60 s")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


async def _grid_page(page) -> tuple[list[str], list[str]]:
    rows = page.locator(".grid .tabulator-row")
    codes = await rows.locator('[tabulator-field="relation_id"]').all_inner_texts()
    totals = await rows.locator('[tabulator-field="total"]').all_inner_texts()
    return codes, totals


async def run_session(browser, base: str, password: str, s: Session, start_gate, done_gate):
    """One session from log-in to its own, checked grid; the gates line the sessions up."""
    from playwright.async_api import expect

    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(240_000)  # a busy server is slow, not broken: --timeout bounds it

    async def guard(route):
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            s.errors.append(f"request to the internet ({s.phase}): {route.request.url}")
            await route.abort()

    await page.route("**/*", guard)
    page.on("pageerror", lambda e: s.errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: s.errors.append(f"dialog: {d.message}"))
    try:
        await start_gate.wait()
        t0 = time.perf_counter()
        await page.goto(f"{base}/app")
        await page.locator("input[name=username]").fill(s.login)
        await page.locator("input[name=password]").fill(password)
        await page.locator("button[type=submit]").click()
        await expect(page.locator(".grid .tabulator-row").first).to_be_visible()
        s.open_s = time.perf_counter() - t0
        s.phase = "choose"

        await page.locator(".user-mode .bk-btn", has_text="Eén").click()
        await page.locator(".user select").select_option(label=s.label)
        await expect(page.locator(".pending")).to_be_visible()
        totals = page.locator('.grid .tabulator-row [tabulator-field="total"]')
        t0 = time.perf_counter()
        s.phase = "calculate"
        await page.locator(".calculate .bk-btn").click()
        await expect(page.locator(".result-line")).to_contain_text(f"medewerker {s.user}")
        await expect(totals).to_have_text(s.expected_totals)
        s.calculate_s = time.perf_counter() - t0
        s.phase = "done"
        await expect(page.locator(".grid-count")).to_contain_text(
            f"{s.expected_count} relaties in het overzicht"
        )
        codes, shown = await _grid_page(page)
        if (codes, shown) != (s.expected_codes, s.expected_totals):
            s.errors.append(f"grid after calculating is not {s.user}'s selection")
        done_gate.release()
        await done_gate.acquire_all()
        codes, shown = await _grid_page(page)  # after every session calculated
        if (codes, shown) != (s.expected_codes, s.expected_totals):
            s.errors.append(f"grid changed after the others calculated: not {s.user}'s selection")
    except Exception as exc:  # a timeout or a mismatch: the session failed
        s.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        done_gate.release()
    finally:
        await context.close()


class Barrier:
    """Sessions wait here until all of them have calculated (or failed)."""

    def __init__(self, n: int):
        self.n, self.count, self.event = n, 0, asyncio.Event()

    def release(self) -> None:
        self.count += 1
        if self.count >= self.n:
            self.event.set()

    async def acquire_all(self) -> None:
        await self.event.wait()


async def drive(
    base: str, passwords: dict[str, str], sessions: list[Session], warm: list[Session] = ()
) -> None:
    """The ``warm`` sessions one after another first (not timed: the server has loaded the data
    and answered once, as on a working day), then ``sessions`` all at once."""
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=120_000)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            for w in warm:
                gate, barrier = asyncio.Event(), Barrier(1)
                gate.set()
                await run_session(browser, base, passwords[w.login], w, gate, barrier)
            start, done = asyncio.Event(), Barrier(len(sessions))
            tasks = [
                asyncio.create_task(run_session(browser, base, passwords[s.login], s, start, done))
                for s in sessions
            ]
            start.set()  # all at once
            await asyncio.gather(*tasks)
        finally:
            await browser.close()


def _run_in_thread(coro) -> None:
    """``asyncio.run(coro)`` in a thread of its own: works where an event loop already runs (a
    pytest session that used Playwright's sync API). Exceptions are raised here."""
    import threading

    failed: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            failed.append(exc)

    th = threading.Thread(target=target, name="load-test")
    th.start()
    th.join()
    if failed:
        raise failed[0]


def load_test(
    sessions: int = 20,
    data: str = "data_samples",
    timeout: float = 300.0,
    server_args: list[str] = (),
    warm: bool = False,
) -> dict[str, object]:
    """Run the load test; returns the figures and the problems found (empty when all is well).

    ``warm``: one session opens and calculates first, alone and untimed (the data loaded, the
    server's first answer given), so that the figures are those of a server already in use.

    Raises
    ------
    TimeoutError
        When the whole run takes longer than ``timeout`` seconds.
    """
    import aandacht

    ds = aandacht.load(data)
    u = ds.users.assign(user_id=ds.users.user_id.astype(str)).sort_values("user_id")
    if sessions + warm > len(u):
        raise ValueError(f"{data} has {len(u)} users; at most that many sessions")
    labels = [
        f"{i} — {n}" if isinstance(n, str) and n else i
        for i, n in zip(u.user_id, u.name, strict=True)
    ]
    runs = [
        Session(f"user{i:02d}@example.nl", u.user_id.iloc[i], labels[i]) for i in range(sessions)
    ]
    first = [Session("warmup@example.nl", u.user_id.iloc[sessions], labels[sessions])] * warm
    # the dashboard's own default: today, or the last day with events when the data ends earlier
    as_of = ds.default_as_of()
    expected_results(data, runs + first, as_of)
    with tempfile.TemporaryDirectory(prefix="aandacht-load-") as tmp:
        proc, base, passwords = start_server(
            data, Path(tmp), [s.login for s in runs + first], list(server_args)
        )
        started = time.perf_counter()
        try:
            _run_in_thread(asyncio.wait_for(drive(base, passwords, runs, first), timeout))
        finally:
            wall = time.perf_counter() - started
            stop_server(proc)
            log = (Path(tmp) / "panel-serve.log").read_text(errors="replace")
            (ROOT / "test-artifacts").mkdir(exist_ok=True)
            (ROOT / "test-artifacts" / "load-test-server.log").write_text(log)
    problems = [f"{s.login} ({s.user}): {e}" for s in runs + first for e in s.errors]
    if "Traceback" in log or " ERROR " in log:
        problems.append("server log has errors:\n" + log[-3000:])
    opens = [s.open_s for s in runs if s.open_s is not None]
    calcs = [s.calculate_s for s in runs if s.calculate_s is not None]
    return {
        "sessions": sessions,
        "data": data,
        "as_of": as_of.isoformat(),
        "wall_s": wall,
        "open_median_s": statistics.median(opens) if opens else float("nan"),
        "open_p95_s": percentile(opens, 95),
        "calculate_median_s": statistics.median(calcs) if calcs else float("nan"),
        "calculate_p95_s": percentile(calcs, 95),
        "calculate_max_s": max(calcs) if calcs else float("nan"),
        "completed": len(calcs),
        "warm": bool(warm),
        "warm_open_s": first[0].open_s if first else None,
        "problems": problems,
    }


def server_side(sessions: int = 20, data: str = "data_samples") -> dict[str, float]:
    """The same calculations without browsers: ``sessions`` dashboard states in one process,
    each calculating its user's selection in its own thread at the same moment (what the server
    does for the click, without the page). Median and 95th percentile in seconds."""
    import threading

    sys.path.insert(0, str(ROOT))
    from aandacht import access
    from app.state import MonitorState

    config = access.parse_access(
        {"users": {f"user{i:02d}@example.nl": {"roles": ["admin"]} for i in range(sessions)}}
    )
    users = sorted(MonitorState(data, auto=False).param.user.objects)[:sessions]
    with tempfile.TemporaryDirectory(prefix="aandacht-load-") as tmp:
        states = [
            MonitorState(
                data, store_folder=tmp, principal=config.principal(f"user{i:02d}@example.nl")
            )
            for i in range(sessions)
        ]
        for st, user in zip(states, users, strict=True):
            st.param.update(user_mode="user", user=user)
        times: list[float] = []
        gate = threading.Barrier(sessions)

        def one(st) -> None:
            gate.wait()
            t0 = time.perf_counter()
            st.calculate()
            times.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=one, args=(st,)) for st in states]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    return {"median_s": statistics.median(times), "p95_s": percentile(times, 95)}


def server_opens(sessions: int = 20, data: str = "data_samples") -> dict[str, float]:
    """The server's part of ``sessions`` pages opening at once, without browsers: for each
    login (its own principal, no stored calculation) the dashboard's state, its page
    (``create_app``), its Bokeh document and the document's JSON, one after another, as the
    server's one event-loop thread makes them. A session's time is when its document is
    ready, counted from the moment all asked; after one untimed session (a server in use).
    Median and 95th percentile in seconds, and the mean cost of one page."""
    from bokeh.core.json_encoder import serialize_json
    from bokeh.document import Document

    sys.path.insert(0, str(ROOT))
    from aandacht import access
    from app.app import create_app
    from app.state import MonitorState

    logins = [f"user{i:02d}@example.nl" for i in range(sessions + 1)]
    config = access.parse_access({"users": {x: {"roles": ["admin"]} for x in logins}})
    with tempfile.TemporaryDirectory(prefix="aandacht-load-") as tmp:

        def page(login: str) -> int:
            state = MonitorState(data, store_folder=tmp, principal=config.principal(login))
            doc = Document()
            create_app(state).server_doc(doc)
            return len(serialize_json(doc.to_json()))

        page(logins[-1])  # warm: imports, the data set, the first calculation
        t0 = time.perf_counter()
        ready = []
        for login in logins[:-1]:
            page(login)
            ready.append(time.perf_counter() - t0)
    return {
        "median_s": statistics.median(ready),
        "p95_s": percentile(ready, 95),
        "per_page_s": ready[-1] / sessions,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--data", default="data_samples")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds for the whole run")
    ap.add_argument("--server-side", action="store_true", help="also time it without browsers")
    ap.add_argument(
        "--warm", action="store_true", help="one untimed session first (a server in use)"
    )
    ap.add_argument("server_args", nargs="*", help="passed on to panel serve (after --)")
    args = ap.parse_args(argv)
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        print(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
        return 2
    out = load_test(args.sessions, args.data, args.timeout, args.server_args, warm=args.warm)
    warmed = (
        f", after one untimed session (it opened in {out['warm_open_s']:.2f} s)"
        if out["warm"] and out["warm_open_s"] is not None
        else ""
    )
    print(
        f"{out['sessions']} concurrent sessions on {out['data']} (as of {out['as_of']}), "
        f"{out['completed']} completed in {out['wall_s']:.1f} s{warmed}\n"
        f"  open (log-in → first grid):        median {out['open_median_s']:.2f} s, "
        f"p95 {out['open_p95_s']:.2f} s\n"
        f"  calculate (click → grid updated):  median {out['calculate_median_s']:.2f} s, "
        f"p95 {out['calculate_p95_s']:.2f} s, max {out['calculate_max_s']:.2f} s"
    )
    if args.server_side:
        srv = server_side(args.sessions, args.data)
        print(
            f"  server only ({args.sessions} states calculating at once, no browsers): "
            f"median {srv['median_s']:.2f} s, p95 {srv['p95_s']:.2f} s"
        )
        opens = server_opens(args.sessions, args.data)
        print(
            f"  server only ({args.sessions} pages asked at once, made one after another, no "
            f"browsers): ready median {opens['median_s']:.2f} s, p95 {opens['p95_s']:.2f} s "
            f"({opens['per_page_s']:.2f} s per page)"
        )
    for p in out["problems"]:
        print("PROBLEM:", p)
    return 1 if out["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
