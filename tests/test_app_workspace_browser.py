"""The dashboard on a data set opened through a workspace (``AANDACHT_WORKSPACE=yes``).

Large data sets are opened through a workspace (:mod:`aandacht.workspace`) by default; here the
server is told to use one for the small test data set, and the grid, the timeline with hostile
content and the direct answers must work and show what the files give.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_app_state import AS_OF
from test_app_timeline import REL, ROW, SCRIPT, write_timeline_data
from test_app_timeline_browser import open_timeline, title_of

import aandacht
from aandacht import workspace
from aandacht.mapping import Mapping

pytestmark = pytest.mark.browser
SERVED_DATA = write_timeline_data
SERVED_ENV = {"AANDACHT_WORKSPACE": "yes"}
expect.set_options(timeout=15_000)


def test_dashboard_through_a_workspace(app: Page, served):
    data = Path(served[1])
    # the server made the workspace of this data set (the same cache folder as this process)
    where = workspace.location(data, Mapping())
    assert (where / "meta.json").exists()
    ds = aandacht.load(data, workspace=False)  # the files themselves, for the expectations
    res = aandacht.calculate(
        ds, aandacht.Selection(as_of=AS_OF, period_from="2025-11-01", period_to="2026-10-31")
    )
    open_timeline(app, ROW)
    expect(app.locator(".timeline-title")).to_have_text(title_of(res, ROW))
    n = len(aandacht.timeline(ds, REL, as_of=AS_OF))
    expect(app.locator(".timeline .tabulator-row")).to_have_count(min(25, n))
    # hostile content from the workspace is still shown as text
    app.locator(
        ".timeline-order .bk-btn", has_text="Oudste eerst"
    ).click()  # newest first by default
    app.locator(".timeline .tabulator-page[data-page='last']").click()
    row = app.locator(".timeline .tabulator-row", has_text="<script>")
    expect(row).to_have_count(1)
    row.click()
    detail = app.locator(".item-detail")
    expect(detail).to_contain_text(SCRIPT)
    expect(detail.locator("script")).to_have_count(0)
