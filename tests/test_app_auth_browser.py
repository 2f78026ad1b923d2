"""The hosted dashboard with Panel's basic auth, in a real browser: no revenue reaches a user
without the ``sales_monitor`` role — not on screen, not in anything the page received.

One ``scripts/serve-hosted.sh`` (``panel serve --basic-auth``) for the module, on generated data,
with an ``access.yaml`` of two users: ``verkoop@example.nl`` (viewer + sales_monitor) and
``kijker@example.nl`` (viewer). Each logs in through the log-in form. Every websocket frame and
every HTML/JSON response of the session is recorded; for the viewer none may hold a revenue figure
of the library's result (the raw float, as text or in a binary/base64 array buffer, or formatted
as the page formats it) or a revenue column name (``revenue``, ``Omzet (€)``, …), and the Excel
export has no revenue (figures, or any cell with revenue/omzet) either.
The same check on the sales monitor's session finds them, so the check can fail.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from conftest import free_port
from playwright.sync_api import Page, expect
from test_app_state import AS_OF, write_data

import aandacht
from aandacht import access
from aandacht.i18n import fmt_money
from aandacht.sales import sales_view

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
expect.set_options(timeout=20_000)

SALES, VIEWER, STRANGER = "verkoop@example.nl", "kijker@example.nl", "vreemde@example.nl"
ACCESS_YAML = f"""\
version: 1
users:
  {SALES}: {{roles: [viewer, sales_monitor]}}
  {VIEWER}: {{roles: [viewer]}}
"""
#: Revenue column names as the page would receive them: a whole JSON/HTML string that is a field
#: (``revenue``, ``revenue_per_contact``, ``orders``, ``amount``…), a CSS class (``revenue-basis``)
#: or a title (``Omzet (€)``, ``Bedrag (€)``). A sentence that mentions revenue is not one.
COLUMNS = re.compile(
    r"[\"'](?:(?:revenue|omzet)[^\"'<]{0,30}|orders|invoices|amount|[^\"'<]{0,25}\(€\))[\"']",
    re.IGNORECASE,
)
#: In the Excel export every cell counts (titles are cells of their own).
WORDS = re.compile(r"revenue|omzet", re.IGNORECASE)
BASE64 = re.compile(r'"(?:data|__ndarray__)"\s*:\s*"([A-Za-z0-9+/=]{16,})"')


#: The hosted server's log (the fixture's), and how soon it lets a closed page's session go.
SERVER_LOG: dict = {}
CLOSED_GRACE_S = 3


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """(base url, passwords, data folder) of a dashboard behind basic auth."""
    from app.state import MonitorState

    tmp = tmp_path_factory.mktemp("hosted")
    data = str(write_data(tmp / "crm"))
    store = tmp / "store"
    (tmp / "access.yaml").write_text(ACCESS_YAML)
    passwords = {u: secrets.token_urlsafe(12) for u in (SALES, VIEWER, STRANGER)}
    cred = tmp / "credentials.json"
    cred.write_text(json.dumps(passwords))
    cred.chmod(0o600)
    config = access.load_access(tmp / "access.yaml")
    for login in (SALES, VIEWER):  # each login's first view: its own stored calculation
        MonitorState(data, store_folder=str(store), as_of=AS_OF, principal=config.principal(login))
    port = free_port()
    env = {
        **os.environ,
        "AANDACHT_DATA": data,
        "AANDACHT_STORE": str(store),
        "AANDACHT_ACCESS": str(tmp / "access.yaml"),
        "AANDACHT_CREDENTIALS": str(cred),
        "AANDACHT_COOKIE_SECRET": secrets.token_urlsafe(32),
        "PORT": str(port),
        "ADDRESS": "127.0.0.1",
        "PYTHON": sys.executable,
        "AANDACHT_CLOSED_SESSION_GRACE": str(CLOSED_GRACE_S),
    }
    for var in (
        "AANDACHT_SALES_MONITOR",
        "AANDACHT_TILES",
        "AANDACHT_CADENCE",
        "BOKEH_RESOURCES",
        "PANEL_COOKIE_SECRET",
        "PANEL_OAUTH_PROVIDER",
    ):
        env.pop(var, None)
    log = tmp / "panel-serve.log"
    SERVER_LOG["path"] = log
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "serve-hosted.sh")],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"serve-hosted.sh exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("panel serve did not answer within 60 s")
        time.sleep(0.2)
    yield base, passwords, data
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def needles(hosted):
    """Revenue figures of the library's result for the shown selection, as they could travel."""
    ds = aandacht.load(hosted[2])
    res = aandacht.calculate(
        ds,
        aandacht.Selection(
            as_of=AS_OF, period_from="2025-11-01", period_to="2026-10-31", revenue="both"
        ),
    )
    # the first grid page (result order) and the top relation; large enough not to be a count
    rows = res.iloc[:25]
    raw = [float(x) for x in rows.revenue if x >= 1000]
    raw.append(float(res.revenue.max()))
    sv = sales_view(res, "relative", (0.25, 0.75, 1.5, 3.0), period_days=365)
    formatted = [fmt_money(x, "nl") for x in sv.bands.revenue if x >= 1000]
    assert len(raw) >= 5 and formatted
    return {"raw": raw, "formatted": formatted}


class Wire:
    """Everything a page received: websocket frames (text and binary) and HTML/JSON bodies."""

    def __init__(self, page: Page):
        self.text: list[str] = []
        self.binary: list[bytes] = []
        self.responses = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("response", lambda r: self.responses.append(r))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes | bytearray):
            self.binary.append(bytes(payload))
        else:
            self.text.append(payload)

    def texts(self) -> list[str]:
        out = []
        for text in self.text:  # JSON escapes "€" and non-breaking spaces: undo that
            try:
                out.append(json.dumps(json.loads(text), ensure_ascii=False))
            except ValueError:
                out.append(text)
        for r in self.responses:
            kind = r.headers.get("content-type", "")
            if "html" in kind or "json" in kind:
                try:
                    out.append(r.body().decode("utf-8", "replace"))
                except Exception:  # a redirect has no body
                    pass
        return out

    def buffers(self) -> list[bytes]:
        out = list(self.binary)
        for text in self.text:
            for m in BASE64.finditer(text):
                try:
                    out.append(base64.b64decode(m.group(1)))
                except ValueError:
                    pass
        return out

    def findings(self, needles: dict[str, list]) -> list[str]:
        """What of ``needles`` (and revenue column names) reached the page."""
        found = []
        texts = self.texts()
        for t in texts:
            for m in COLUMNS.finditer(t):
                found.append(f"column {t[max(0, m.start() - 60) : m.end() + 60]!r}")
        for x in needles["raw"]:
            reprs = {repr(x), f"{x:.2f}", str(int(x))} if x == int(x) else {repr(x)}
            for t in texts:
                for r in reprs:
                    m = re.search(rf"(?<![\w.]){re.escape(r)}(?![\w])", t)
                    if m:
                        found.append(
                            f"raw {r} in text: {t[max(0, m.start() - 80) : m.end() + 40]!r}"
                        )
            for buf in self.buffers():
                usable = len(buf) // 8 * 8
                if usable and np.any(np.frombuffer(buf[:usable], "<f8") == x):
                    found.append(f"raw {x} in a float64 buffer")
        for f in needles["formatted"]:
            if any(f in t for t in texts):
                found.append(f"formatted {f}")
        return found


def log_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/app")
    page.locator("input[name=username]").fill(login)
    page.locator("input[name=password]").fill(password)
    page.locator("button[type=submit]").click()


def open_dashboard(page: Page, base: str, login: str, password: str) -> None:
    log_in(page, base, login, password)
    expect(page.locator(".grid .tabulator-row").first).to_be_visible()
    expect(page.locator(".logged-in")).to_contain_text(f"Ingelogd als {login}")
    expect(page).to_have_title("Aandachtsmonitor")  # the browser tab, as with make app


def browse(page: Page, sales: bool) -> None:
    """Visit what could carry revenue: views, bins, bin list, timeline."""
    switch = page.locator(".view-switch .bk-btn")
    expected = ["Aandacht", "Per bron"] + (["Verkoop"] if sales else [])
    expect(switch).to_have_text(expected)
    expect(page.locator(".permission")).to_have_count(0)  # no checkbox when logged in
    expect(page.locator(".revenue-basis")).to_have_count(1 if sales else 0)
    switch.filter(has_text="Per bron").click()
    expect(page.locator('.grid .tabulator-col[tabulator-field="history"]')).to_have_count(1)
    if sales:
        switch.filter(has_text="Verkoop").click()
        expect(page.locator('.grid .tabulator-col[tabulator-field="revenue"]')).to_have_count(1)
    page.locator(".bin-little .bk-btn").hover()
    page.locator(".bin-little .bk-btn").click()
    expect(page.locator(".bin-title")).to_be_visible()
    code = page.locator('.grid .tabulator-row [tabulator-field="relation_id"]').first.inner_text()
    page.locator('.grid .tabulator-row [tabulator-field="total"]').first.click()
    expect(page.locator(".timeline-title")).to_contain_text(code)
    # the other tabs are made when opened: wait for each one's content, so that what it sends
    # is among the frames checked (a click on the next tab while the browser re-renders the tab
    # headers can be lost)
    for tab, content in (("Kaart", ".map-info"), ("Inzicht", ".two-way-line"),
                         ("Rapporten", ".report-catchup .bk-btn")):  # fmt: skip
        page.locator(".main-tabs .bk-tab", has_text=tab).click()
        expect(page.locator(".main-tabs .bk-tab.bk-active")).to_have_text(tab)
        expect(page.locator(content)).to_be_visible()


def export_all(page: Page) -> openpyxl.Workbook:
    page.locator(".main-tabs .bk-tab", has_text="Overzicht").click()
    with page.expect_download() as info:
        page.locator(".export-all .bk-btn").click()
    return openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))


def workbook_findings(wb: openpyxl.Workbook, raw: list[float]) -> list[str]:
    found = []
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and WORDS.search(v):
                    found.append(f"{ws.title}: {v!r}")
                elif isinstance(v, int | float) and float(v) in raw:
                    found.append(f"{ws.title}: {v}")
    return found


# ----------------------------------------------------------------------------------------------


def test_log_in_form_refuses_a_wrong_password_and_an_unknown_login(hosted, page: Page):
    base, passwords, _ = hosted
    log_in(page, base, VIEWER, "not-the-password")
    expect(page.locator(".errormessage")).to_contain_text("Invalid username or password")
    expect(page.locator(".grid")).to_have_count(0)
    log_in(page, base, STRANGER, passwords[STRANGER])  # a valid password, not in access.yaml
    expect(page.locator(".access-refused")).to_contain_text("Geen toegang")
    expect(page.locator(".access-refused")).to_contain_text("access.yaml")
    expect(page.locator(".grid")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_no_revenue_reaches_a_user_without_the_role(hosted, needles, page: Page):
    base, passwords, _ = hosted
    wire = Wire(page)
    open_dashboard(page, base, VIEWER, passwords[VIEWER])
    browse(page, sales=False)
    wb = export_all(page)
    assert "Uitgesloten" not in wb.sheetnames
    assert workbook_findings(wb, needles["raw"]) == []
    assert wire.text and wire.binary  # the check saw the traffic …
    assert wire.findings(needles) == []  # … and no revenue in it


def test_the_same_check_finds_the_revenue_of_the_sales_monitor(hosted, needles, page: Page):
    base, passwords, _ = hosted
    wire = Wire(page)
    open_dashboard(page, base, SALES, passwords[SALES])
    browse(page, sales=True)
    found = wire.findings(needles)
    assert any(f.startswith("column") for f in found)
    assert any("buffer" in f or "in text" in f for f in found)  # a relation's revenue
    assert any(f.startswith("formatted") for f in found)  # a bin's revenue on hover
    wb = export_all(page)
    assert "Omzet (€)" in [c.value for c in wb.worksheets[0][1]]
    assert workbook_findings(wb, needles["raw"])


def test_log_out(hosted, page: Page):
    base, passwords, _ = hosted
    open_dashboard(page, base, VIEWER, passwords[VIEWER])
    page.locator(".logged-in a.logout").click()
    expect(page.locator(".logged-out")).to_be_visible()
    page.goto(f"{base}/app")
    expect(page.locator("input[name=username]")).to_be_visible()  # the log-in form again


def test_a_closed_page_s_session_is_discarded_and_an_open_one_kept(hosted, browser):
    """A session lives on the server while its page is open, and goes soon after it closed
    (not after serve-hosted.sh's 5-minute lifetime for pages that have not connected yet)."""
    from bokeh.util.token import get_session_id

    base, passwords, _ = hosted
    log = SERVER_LOG["path"]
    context = browser.new_context()
    page = context.new_page()
    open_dashboard(page, base, VIEWER, passwords[VIEWER])
    token = re.search(r'"token"\s*:\s*"([^"]+)"', page.content()).group(1)
    line = f"page of session {get_session_id(token)} closed"

    def discarded() -> int:
        return log.read_text(errors="replace").count(line)

    time.sleep(CLOSED_GRACE_S + 6)  # beyond the grace and a check, with the page still open
    assert discarded() == 0, "the session of an open page was discarded"
    expect(page.locator(".grid .tabulator-row").first).to_be_visible()
    context.close()
    deadline = time.monotonic() + 60
    while discarded() == 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert discarded() == 1, log.read_text()[-3000:]
