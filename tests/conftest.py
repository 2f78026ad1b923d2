"""Shared test set-up: Playwright on Debian's Chromium for the browser tests.

pytest-playwright cannot be told which browser executable to use, so its launch-arguments
fixture is overridden here (see shared/recipes/browser-tests.md). Tests marked ``browser`` are
skipped, with the reason, when there is no Chromium (``apt-get install chromium``).

The dashboard's browser test modules share ``served`` (one ``panel serve`` per module, on
generated data with hostile names, with a stored first view) and ``app`` (that first view in a
fresh page behind the offline guard).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import Page

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


def pytest_configure(config):
    # Workspaces (aandacht.workspace) made by tests go to a temporary folder, not ~/.cache;
    # subprocesses (the CLI, served apps) inherit it.
    if "AANDACHT_CACHE" not in os.environ:
        import tempfile

        os.environ["AANDACHT_CACHE"] = tempfile.mkdtemp(prefix="aandacht-test-cache-")
        config._aandacht_cache = os.environ["AANDACHT_CACHE"]


def pytest_unconfigure(config):
    made = getattr(config, "_aandacht_cache", None)
    if made:
        import shutil

        shutil.rmtree(made, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROME_ARGS}


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sample_banded_result():
    """The sample data's result with bands (all users, 365 days up to 2026-10-31), as the app has it."""
    from aandacht.bands import classify
    from aandacht.engine import calculate
    from aandacht.load import load
    from aandacht.selection import Selection

    res = calculate(load(ROOT / "data_samples"), Selection(as_of="2026-10-31"))
    res["band"] = classify(res["total"]).to_series().to_numpy()
    return res


# ----------------------------------------------------------------------------------------------
# the dashboard, served once per test module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(request, tmp_path_factory):
    """(url, data folder, store folder, baseline stored calculation) of a running dashboard."""
    from test_app_state import AS_OF, write_data

    from aandacht.monitors import MonitorStore
    from app.state import MonitorState

    # a test module may serve its own data set: SERVED_DATA = a function(folder) -> folder,
    # and set variables: SERVED_ENV = {"AANDACHT_...": "..."}
    writer = getattr(request.module, "SERVED_DATA", write_data)
    data = str(writer(tmp_path_factory.mktemp("crm")))
    folder = tmp_path_factory.mktemp("store")
    MonitorState(data, store_folder=str(folder), as_of=AS_OF)  # the stored first view
    baseline = MonitorStore(folder).latest_calculation(data, owner="local")
    port = free_port()
    env = {**os.environ, "AANDACHT_DATA": data, "AANDACHT_STORE": str(folder)}
    for var in (
        "AANDACHT_SALES_MONITOR",
        "AANDACHT_TILES",
        "AANDACHT_CADENCE",
        "AANDACHT_WORKSPACE",
    ):
        env.pop(var, None)  # the defaults: no permission, no web tiles (offline), no cadence
    env.update(getattr(request.module, "SERVED_ENV", {}))  # a module's own settings
    env.pop("BOKEH_RESOURCES", None)
    log = folder / "panel-serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "panel", "serve", "app/app.py", "--port", str(port),
         "--address", "127.0.0.1", f"--allow-websocket-origin=127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/app"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"panel serve exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("panel serve did not answer within 60 s")
        time.sleep(0.2)
    yield url, data, folder, baseline
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture()
def app(served, page: Page):
    """The dashboard's first view in a fresh session, behind the offline guard."""
    from playwright.sync_api import expect

    from aandacht.monitors import MonitorStore

    url, data, folder, baseline = served
    # every test starts from the same stored calculation: it becomes the newest again
    MonitorStore(folder).save_calculation(
        baseline.result,
        baseline.settings,
        data,
        owner=baseline.owner,
        calculated_at=baseline.calculated_at,
    )
    outside, errors, dialogs = [], [], []

    def guard(route):
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda e: errors.append(f"{e} {e.stack}"))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_viewport_size({"width": 1500, "height": 1000})
    page.goto(url)
    try:
        expect(page.locator(".grid .tabulator-row").first).to_be_visible()
    except AssertionError:
        page.screenshot(path=str(folder / "failed.png"))
        print((folder / "panel-serve.log").read_text()[-5000:])
        raise
    yield page
    assert outside == [], f"requests to the internet: {outside}"
    assert dialogs == [], f"a script from the data ran: {dialogs}"
    assert errors == [], f"errors in the page: {errors}"
