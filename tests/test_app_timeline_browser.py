"""The timeline, direct answers, grid additions, insight tab and reports in a real browser.

Served once for the module (``served``/``app`` from ``conftest.py``, behind the offline guard
that also fails on any dialog or page error) on the app tests' data plus events with hostile
subjects and bodies on relation R00003 (see ``test_app_timeline.write_timeline_data``).
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from test_app_state import AS_OF
from test_app_timeline import CMD, FORMULA, IMG, REL, ROW, SCRIPT, write_timeline_data

import aandacht
from aandacht import answers as answers_mod
from aandacht import cadence, reports

pytestmark = pytest.mark.browser
SERVED_DATA = write_timeline_data  # conftest's ``served`` serves this data set
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def ds(served):
    return aandacht.load(served[1])


@pytest.fixture(scope="module")
def res(ds):
    sel = aandacht.Selection(as_of=AS_OF, period_from="2025-11-01", period_to="2026-10-31")
    return aandacht.calculate(ds, sel)


def title_of(res, row: int) -> str:
    r = res.iloc[row]
    return f"Tijdlijn van {r['name']} ({r['relation_id']})"


def grid_column(page: Page, field: str) -> list[str]:
    return page.locator(f'.grid .tabulator-row [tabulator-field="{field}"]').all_inner_texts()


def open_timeline(page: Page, row: int, events: bool = True) -> None:
    page.locator('.grid .tabulator-row [tabulator-field="total"]').nth(row).click()
    expect(page.locator(".timeline-keys-ready")).to_be_attached()  # the keys work from now on
    if events:
        expect(page.locator(".timeline .tabulator-row").first).to_be_visible()


# ----------------------------------------------------------------------------------------------


def test_timeline_steps_with_keys_and_buttons(app: Page, ds, res):
    open_timeline(app, ROW)
    title = app.locator(".timeline-title")
    expect(title).to_have_text(title_of(res, ROW))
    n = len(aandacht.timeline(ds, REL, as_of=AS_OF))
    expect(app.locator(".timeline .tabulator-row")).to_have_count(min(25, n))
    expect(app.locator(".timeline-trend")).to_contain_text("Trend (laatste 3 maanden")
    expect(app.locator(".monthly-chart canvas").first).to_be_attached()
    # + and - step through the grid's relations, as do the buttons
    app.keyboard.press("+")
    expect(title).to_have_text(title_of(res, ROW + 1))
    app.keyboard.press("-")
    app.keyboard.press("-")
    expect(title).to_have_text(title_of(res, ROW - 1))
    app.locator(".next-relation .bk-btn").click()
    expect(title).to_have_text(title_of(res, ROW))
    # ↓ / ↑ and the buttons step through the items (newest first); the opened one is selected
    first = aandacht.timeline(ds, REL, as_of=AS_OF).iloc[-1]
    app.keyboard.press("ArrowDown")
    detail = app.locator(".item-detail")
    expect(detail).to_contain_text(first["timestamp"].strftime("%d-%m-%Y %H:%M"))
    expect(app.locator(".timeline .tabulator-row.tabulator-selected")).to_have_count(1)
    app.locator(".next-item .bk-btn").click()
    second = aandacht.timeline(ds, REL, as_of=AS_OF).iloc[-2]
    expect(detail).to_contain_text(second["timestamp"].strftime("%d-%m-%Y %H:%M"))
    app.locator(".prev-item .bk-btn").click()
    expect(detail).to_contain_text(first["timestamp"].strftime("%d-%m-%Y %H:%M"))
    # typing in a field is not stepping
    app.locator(".answers-days input").press("+")
    expect(title).to_have_text(title_of(res, ROW))
    # away and back (the tab is drawn again): one key press is still one step, and none while
    # the timeline is not on screen
    app.locator(".main-tabs .bk-tab", has_text="Overzicht").click()
    expect(app.locator(".grid .tabulator-row").first).to_be_visible()
    app.keyboard.press("+")
    app.locator(".main-tabs .bk-tab", has_text="Tijdlijn").click()
    expect(title).to_have_text(title_of(res, ROW))
    expect(app.locator(".timeline-keys-ready")).to_be_attached()
    app.keyboard.press("+")
    expect(title).to_have_text(title_of(res, ROW + 1))
    app.keyboard.press("-")
    expect(title).to_have_text(title_of(res, ROW))


def test_stepping_follows_the_grids_sort(app: Page, res):
    app.locator('.grid .tabulator-col[tabulator-field="name"] .tabulator-col-title').click()
    by_name = res.assign(key=res.name.str.lower()).sort_values("key", kind="mergesort")
    expect(app.locator('.grid .tabulator-row [tabulator-field="name"]').first).to_have_text(
        by_name.name.iloc[0]
    )
    names, codes = grid_column(app, "name"), grid_column(app, "relation_id")
    assert codes[:3] == by_name.relation_id.iloc[:3].tolist()
    open_timeline(app, 0, events=False)  # the hostile names come first: they have no events
    title = app.locator(".timeline-title")
    expect(title).to_have_text(f"Tijdlijn van {names[0]} ({codes[0]})")
    app.keyboard.press("+")
    expect(title).to_have_text(f"Tijdlijn van {names[1]} ({codes[1]})")


def test_hostile_item_is_shown_as_text(app: Page):
    open_timeline(app, ROW)
    app.locator(".timeline-order .bk-btn", has_text="Oudste eerst").click()
    app.locator(".timeline .tabulator-page[data-page='last']").click()
    row = app.locator(".timeline .tabulator-row", has_text="<script>")
    expect(row).to_have_count(1)
    row.click()
    detail = app.locator(".item-detail")
    expect(detail).to_contain_text(SCRIPT)
    expect(detail).to_contain_text(IMG)
    expect(detail.locator("script")).to_have_count(0)
    expect(detail.locator("img")).to_have_count(0)
    expect(app.locator('img[src="x"]')).to_have_count(0)
    # the invoice shows its reference chain: quote → order → invoice
    app.locator(".timeline .tabulator-row", has_text="=HYPERLINK").click()
    expect(detail).to_contain_text(
        "Q-2026-9999 offerte 01-10-2026 → O-2026-9999 order 10-10-2026 → "
        "F-2026-9999 factuur 21-10-2026"
    )
    expect(detail).to_contain_text("factuur — ○ overig")
    # muted: the invoice is no contact moment
    cell = app.locator(".timeline .tabulator-row", has_text="=HYPERLINK").locator(
        '[tabulator-field="what"]'
    )
    expect(cell).to_have_css("font-style", "italic")


def test_hostile_user_name_is_text_in_the_users_filter(app: Page):
    # a user named <img src=x onerror=alert(1)> (users.csv is CRM content) touched this
    # relation: the users filter (Choices.js, which renders labels as HTML) shows the name as
    # text; the app fixture fails on any dialog or page error
    open_timeline(app, ROW)
    box = app.locator(".filter-users")
    box.locator("input").first.click()
    option = box.locator(".choices__item--choice", has_text="XSS")
    expect(option).to_have_count(1)
    expect(option).to_contain_text(f"XSS — {IMG}")
    expect(box.locator("img")).to_have_count(0)
    expect(app.locator('img[src="x"]')).to_have_count(0)
    option.click()
    expect(box.locator(".choices__item--selectable", has_text="XSS")).to_contain_text(IMG)
    expect(app.locator('img[src="x"]')).to_have_count(0)
    app.keyboard.press("Escape")


def test_answers_panel(app: Page, ds):
    app.locator(".me select").select_option(label="JdV — Jan de Vries")
    open_timeline(app, ROW)
    panel = app.locator(".answers")
    expect(panel).to_contain_text("Had een collega (niet JdV) contact sinds 01-10-2026?")
    lib = answers_mod.answers(ds, REL, "JdV", "2026-10-01", as_of=AS_OF)
    n = len(lib["colleague_contacts"])
    colleague = app.locator(".answer-colleague .answer-text")
    expect(colleague).to_have_text(f"Ja, {n} contactmomenten." if n else "Nee.")
    expect(panel).to_contain_text("Wanneer had Service het laatst contact?")
    expect(panel).to_contain_text("De laatste e-mail van inside sales aan de klant")
    mr = lib["mailing_responses"]
    mailings = app.locator(".answer-mailings .answer-text")
    if len(mr):
        expect(mailings).to_contain_text(f"Op {int(mr.responded.sum())} van ")
    expect(app.locator(".answer-top")).to_have_count(0)  # no sales-monitor permission
    box = app.locator(".answers-days input")
    box.fill("3")
    box.press("Enter")
    expect(panel).to_contain_text("Reageerde de klant binnen 3 dagen op de mailings?")


def test_grid_trend_and_overdue_first(app: Page, ds, res):
    settings = cadence.default_cadence(ds)
    first = cadence.overdue_first(cadence.cadence_status(ds, res, settings))
    app.locator(".overdue-first .bk-btn").click()
    expect(app.locator('.grid .tabulator-row [tabulator-field="relation_id"]').first).to_have_text(
        first.relation_id.iloc[0]
    )
    assert grid_column(app, "relation_id") == first.relation_id.iloc[:25].tolist()
    app.locator(".overdue-only input[type=checkbox]").check()
    overdue = first[first.overdue]
    expect(app.locator(".grid .tabulator-row")).to_have_count(min(25, len(overdue)))
    overdue_texts = {"nooit contact", "over de maximale termijn", "te laat"}
    assert set(grid_column(app, "cadence")) <= overdue_texts
    assert all(re.match(r"^[↑↓→] ", t) for t in grid_column(app, "trend"))


def test_insight_tab(app: Page):
    app.locator(".main-tabs .bk-tab", has_text="Inzicht").click()
    expect(app.locator(".two-way-line")).to_contain_text("Slapend (wel contact uit")
    expect(app.locator(".departments .tabulator-row")).to_have_count(3)
    expect(app.locator(".employees-note")).to_contain_text("Cijfers per medewerker alleen")
    expect(app.locator(".drops-none")).to_contain_text("Alleen met toegang tot de salesmonitor")


def _download(page: Page, css: str, path: Path) -> openpyxl.Workbook:
    with page.expect_download() as info:
        page.locator(f"{css} .bk-btn").click()
    info.value.save_as(path)
    return openpyxl.load_workbook(path)


def test_reports_download(app: Page, ds, tmp_path):
    app.locator(".me select").select_option(label="JdV — Jan de Vries")
    app.locator(".main-tabs .bk-tab", has_text="Rapporten").click()
    expect(app.locator(".report-handover .bk-btn")).to_be_disabled()
    # catch-up: everything in my relations since 18-10-2026 (as_of minus 13 days)
    wb = _download(app, ".report-catchup", tmp_path / "catchup.xlsx")
    assert wb.sheetnames == ["Rapport", "Per relatie", "Gebeurtenissen"]
    lib = reports.catchup_report(ds, "JdV", "2026-10-18", as_of=AS_OF)
    assert wb["Gebeurtenissen"].max_row - 1 == len(lib.events)
    hostile = [
        c for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value in (FORMULA, CMD)
    ]
    assert {c.value for c in hostile} == {FORMULA, CMD}
    assert all(c.data_type == "s" for c in hostile)  # text, never a formula
    # hand-over: only with "may see figures per employee"
    app.locator(".employee-permission input[type=checkbox]").check()
    expect(app.locator(".report-handover .bk-btn")).to_be_enabled()
    app.locator(".leaving select").select_option(label="JdV — Jan de Vries")
    wb = _download(app, ".report-handover", tmp_path / "handover.xlsx")
    lib = reports.handover_report(ds, "JdV", as_of=AS_OF)
    ws = wb["Relaties"]
    assert ws.max_row - 1 == len(lib.relations)
    cmd = [c for r in ws.iter_rows() for c in r if c.value == CMD]
    assert cmd and all(c.data_type == "s" for c in cmd)
