"""Shared test set-up: Playwright on Debian's Chromium for the browser tests.

pytest-playwright cannot be told which browser executable to use, so its launch-arguments
fixture is overridden here (see shared/recipes/browser-tests.md). Tests marked ``browser`` are
skipped, with the reason, when there is no Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
