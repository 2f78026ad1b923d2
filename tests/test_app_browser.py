"""The dashboard in a real browser (Playwright + Debian Chromium), fully offline.

One ``panel serve`` for the module, on generated data with hostile relation names. Before each
test the store is reset to one known calculation, so every test starts from the same first view.
Every page runs behind an offline guard: requests that are not to 127.0.0.1 are aborted and
recorded, and the test fails if there was any.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from test_app_state import AS_OF, HOSTILE

import aandacht
from aandacht import bands
from aandacht.i18n import fmt_number, fmt_percent
from aandacht.sales import sales_view

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
expect.set_options(timeout=15_000)
PSEUDONYM = re.compile(r"^P-[0-9A-F]{8}$")


@pytest.fixture(scope="module")
def ds(served):
    return aandacht.load(served[1])


def calc(ds, **sel):
    return aandacht.calculate(ds, aandacht.Selection(as_of=AS_OF, **sel))


def expect_bins(page: Page, counts: dict[str, int], lang: str = "nl", shares=None) -> None:
    for band, n in counts.items():
        text = f"{bands.label(band, lang)}: {n}"
        if shares is not None:  # the sales view adds each bin's share of the revenue
            text += f" · {shares[band]} omzet"
        expect(page.locator(f".bin-{band} .bk-btn")).to_have_text(text)


def grid_column(page: Page, field: str) -> list[str]:
    return page.locator(f'.grid .tabulator-row [tabulator-field="{field}"]').all_inner_texts()


# ----------------------------------------------------------------------------------------------


def test_first_view_shows_the_stored_calculation(app: Page, served, ds):
    stored = served[3]  # the stored calculation (aandacht.monitors.MonitorStore)
    when = stored.calculated_at.strftime("%d-%m-%Y %H:%M")
    expect(app.locator(".calculated-at")).to_have_text(f"berekend op {when}")
    expect(app).to_have_title("Aandachtsmonitor")  # the browser tab, not "Panel Application"
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31")
    expect(app.locator(".grid-count")).to_contain_text(f"{len(res)} relaties in het overzicht")
    expect_bins(app, bands.classify(res.total).counts)
    expect(app.locator(".grid .tabulator-row")).to_have_count(25)  # the first page
    assert grid_column(app, "relation_id") == res.relation_id.iloc[:25].tolist()
    assert grid_column(app, "total") == [str(x) for x in res.total.iloc[:25]]
    # a test artefact always; the README's docs/screenshot.png when missing or asked for
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    app.screenshot(path=str(ROOT / "test-artifacts" / "dashboard.png"))
    readme_shot = ROOT / "docs" / "screenshot.png"
    if os.environ.get("UPDATE_SCREENSHOT") or not readme_shot.exists():
        app.screenshot(path=str(readme_shot))


def test_change_the_selection_and_calculate(app: Page, ds):
    app.locator(".relation-mode .bk-btn", has_text="B-groep").click()
    app.locator(".b-group select").select_option("top customers")
    app.locator(".preset select").select_option(label="Afgelopen maand")
    expect(app.locator(".pending")).to_be_visible()
    app.locator(".calculate .bk-btn").click()
    expect(app.locator(".result-line")).to_contain_text("B-groep top customers")
    expect(app.locator(".pending")).to_be_hidden()
    res = calc(ds, b_group="top customers", period_from="2026-10-01", period_to="2026-10-31")
    expect(app.locator(".grid-count")).to_contain_text(f"{len(res)} relaties")
    expect_bins(app, bands.classify(res.total).counts)
    expect(app.locator(".grid .tabulator-row")).to_have_count(min(25, len(res)))
    assert grid_column(app, "relation_id") == res.relation_id.iloc[:25].tolist()
    assert grid_column(app, "total") == [str(x) for x in res.total.iloc[:25]]


def test_bin_hover_and_list(app: Page, ds):
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31")
    banding = bands.classify(res.total)
    table = bands.band_table(banding).set_index("band")
    app.locator(".bin-little .bk-btn").hover()
    lo, hi = table.loc["little", "min"], table.loc["little", "max"]
    expect(app.get_by_text(f"{lo} tot en met {hi} contactmomenten")).to_be_visible()
    app.locator(".bin-little .bk-btn").click()
    members = res[banding.yb == "little"]
    expect(app.locator(".bin-title")).to_have_text(f"weinig: {len(members)} relaties")
    first = app.locator(".bin-list .tabulator-row").first
    row = members.iloc[0]
    expect(first.locator('[tabulator-field="name"]')).to_have_text(row["name"])
    expect(first.locator('[tabulator-field="address"]')).to_have_text(row["address"])


def test_sales_view_needs_permission(app: Page, ds):
    switch = app.locator(".view-switch .bk-btn")
    expect(switch).to_have_text(["Aandacht", "Per bron"])
    expect(app.locator('.grid .tabulator-col[tabulator-field="revenue"]')).to_have_count(0)
    app.locator(".permission input[type=checkbox]").check()
    expect(switch).to_have_text(["Aandacht", "Per bron", "Verkoop"])
    app.locator(".view-switch .bk-btn", has_text="Verkoop").click()
    expect(app.locator('.grid .tabulator-col[tabulator-field="revenue"]')).to_have_count(1)
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31", revenue="both")
    sv = sales_view(res)
    shares = {
        b: fmt_percent(x, "nl") for b, x in zip(sv.bands.band, sv.bands.revenue_share, strict=True)
    }
    expect_bins(app, dict(zip(sv.bands.band, sv.bands["count"], strict=True)), shares=shares)
    expect(app.locator(".excluded-title")).to_contain_text(f"{len(sv.excluded)} relaties")
    # Dutch number formats, empty cells for missing values
    rpc = sv.table.revenue_per_contact
    assert grid_column(app, "revenue") == [fmt_number(x, "nl") for x in res.revenue.iloc[:25]]
    assert grid_column(app, "revenue_per_contact") == [
        "" if pd.isna(x) else fmt_number(x, "nl", 2) for x in rpc.iloc[:25]
    ]
    expect(app.locator(".summary")).to_contain_text("Mogelijk onvoldoende")
    app.locator(".permission input[type=checkbox]").uncheck()
    expect(switch).to_have_text(["Aandacht", "Per bron"])
    expect(app.locator('.grid .tabulator-col[tabulator-field="revenue"]')).to_have_count(0)


def test_per_source_view(app: Page):
    app.locator(".view-switch .bk-btn", has_text="Per bron").click()
    for field in ("history", "correspondence_dgn", "sales", "helpdesk_dgn"):
        expect(app.locator(f'.grid .tabulator-col[tabulator-field="{field}"]')).to_have_count(1)


def _download(page: Page, button: str, path: Path) -> openpyxl.Workbook:
    with page.expect_download() as info:
        page.locator(f"{button} .bk-btn").click()
    info.value.save_as(path)
    return openpyxl.load_workbook(path)


def test_excel_export_all_and_selected(app: Page, ds, tmp_path):
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31")
    wb = _download(app, ".export-all", tmp_path / "all.xlsx")
    assert wb.sheetnames == ["Relaties", "Samenvatting", "Instellingen"]
    ws = wb["Relaties"]
    assert ws.max_row == len(res) + 1
    header = [c.value for c in ws[1]]
    band_col = header.index("Aandacht") + 1
    labels = {b.label_nl: b.colour[1:].upper() for b in bands.BANDS.values()}
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, band_col)
        assert cell.fill.fgColor.rgb[-6:] == labels[cell.value]
    cells = {ws.cell(r, 3).value: ws.cell(r, 3) for r in range(2, ws.max_row + 1)}
    for text in HOSTILE.values():
        assert cells[text].data_type == "s", text  # stays text, never a formula

    rows = app.locator(".grid .tabulator-row")
    for i in (1, 3):
        rows.nth(i).locator("input[type=checkbox]").check()
    expect(app.locator(".export-selected .bk-btn")).to_have_text("Excel: selectie (2)")
    ws = _download(app, ".export-selected", tmp_path / "sel.xlsx")["Relaties"]
    codes = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert codes == [res.relation_id.iloc[1], res.relation_id.iloc[3]]


def test_privacy_mode(app: Page, ds, tmp_path):
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31")
    app.locator(".privacy input[type=checkbox]").check()
    first = app.locator(".grid .tabulator-row").first
    # the server's pseudonym key is its own: check the shape, and that nothing real shows
    expect(first.locator('[tabulator-field="relation_id"]')).to_have_text(PSEUDONYM)
    names = grid_column(app, "name")
    assert all(n.startswith("Relatie P-") for n in names)
    assert not set(names) & set(res.name)
    wb = _download(app, ".export-all", tmp_path / "private.xlsx")
    ws = wb["Relaties"]
    values = {ws.cell(r, c).value for r in range(2, ws.max_row + 1) for c in (2, 3, 4)}
    assert not values & (set(res.name) | set(res.relation_id) | set(res.address.dropna()))
    first.locator('[tabulator-field="total"]').click()
    expect(app.locator(".timeline-title")).to_contain_text("Relatie P-")


def test_language_switch(app: Page, ds):
    app.locator(".lang .bk-btn", has_text="English").click()
    expect(app.locator(".calculate .bk-btn")).to_have_text("Calculate")
    expect(app.locator(".calculated-at")).to_contain_text("calculated on ")
    expect(app.locator('.grid .tabulator-col[tabulator-field="name"]')).to_contain_text("Name")
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31")
    expect_bins(app, bands.classify(res.total).counts, lang="en")
    expect(app.locator(".summary")).to_contain_text("little attention")
    app.locator(".lang .bk-btn", has_text="Nederlands").click()
    expect(app.locator(".calculate .bk-btn")).to_have_text("Bereken")


def test_language_switch_on_another_tab_stays_offline(app: Page):
    # re-rendering the tabs after a language switch must not point stylesheets at the CDN
    app.locator('.grid .tabulator-row [tabulator-field="total"]').nth(1).click()
    expect(app.locator(".timeline-title")).to_be_visible()
    app.locator(".lang .bk-btn", has_text="English").click()
    expect(app.locator(".calculate .bk-btn")).to_have_text("Calculate")
    expect(app.locator(".timeline-title")).to_be_visible()
    app.locator(".lang .bk-btn", has_text="Nederlands").click()
    expect(app.locator(".calculate .bk-btn")).to_have_text("Bereken")
    expect(app.locator(".timeline-title")).to_be_visible()


def test_total_opens_the_timeline(app: Page, ds):
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31")
    app.locator('.grid .tabulator-row [tabulator-field="total"]').nth(2).click()
    row = res.iloc[2]
    expect(app.locator(".timeline-title")).to_have_text(
        f"Tijdlijn van {row['name']} ({row['relation_id']})"
    )
    n = len(aandacht.timeline(ds, row["relation_id"], as_of=AS_OF))
    expect(app.locator(".timeline .tabulator-row")).to_have_count(min(25, n))


def test_hostile_names_are_shown_as_text(app: Page):
    box = app.locator('.grid .tabulator-col[tabulator-field="relation_id"] input')
    box.fill("R9000")
    box.press("Enter")
    expect(app.locator(".grid .tabulator-row")).to_have_count(len(HOSTILE))
    expect(app.locator('.grid [tabulator-field="name"]', has_text="<img src=x")).to_have_count(1)
    expect(app.locator(".grid img")).to_have_count(0)


def test_band_tuning_rebands_instantly(app: Page, ds):
    res = calc(ds, period_from="2025-11-01", period_to="2026-10-31")
    app.locator(".strategy select").select_option(label="Vaste aantallen")
    expect_bins(app, bands.classify(res.total, "fixed").counts)
    box = app.locator(".threshold-3 input")
    box.fill("100")
    box.press("Enter")
    expect_bins(app, bands.classify(res.total, "fixed", (3, 6, 12, 100)).counts)


def test_bad_selection_file_is_explained(app: Page, tmp_path):
    bad = tmp_path / "codes.txt"
    bad.write_text("R00001\nR77777\n")
    app.locator(".relation-mode .bk-btn", has_text="Bestand").click()
    app.locator(".selection-file input[type=file]").set_input_files(str(bad))
    expect(app.locator(".file-error")).to_contain_text("codes.txt")
    # in Dutch only (#15): the line, the code and what to do
    expect(app.locator(".file-error")).to_contain_text(
        "regel 2: relatie R77777 staat niet in de relaties. Verbeter de code of haal de regel weg"
    )
    expect(app.locator(".file-error")).not_to_contain_text("relation")
    good = tmp_path / "good.txt"
    good.write_text("R00002\nR00005\n")
    app.locator(".selection-file input[type=file]").set_input_files(str(good))
    expect(app.locator(".file-status")).to_contain_text("good.txt: 2 relaties")
    expect(app.locator(".file-error")).to_be_hidden()
    app.locator(".calculate .bk-btn").click()
    expect(app.locator(".grid-count")).to_contain_text("2 relaties in het overzicht")


def test_the_cadence_and_monitor_cards_are_made_when_opened_and_work(app: Page, served):
    """The collapsed sidebar cards are empty in the first page (their widgets are made when
    the card is first opened) and work once opened: the cadence settings show in their
    table, a monitor is saved and listed."""
    from aandacht.monitors import MonitorStore

    for key in ("cadence", "monitors"):
        expect(app.locator(f".card-{key}")).to_be_visible()
    expect(app.locator(".cadence-table")).to_have_count(0)
    expect(app.locator(".monitor-name")).to_have_count(0)

    app.locator(".card-cadence .card-header").click()
    expect(app.locator(".cadence-table")).to_be_visible()
    expect(app.locator(".cadence-save .bk-btn")).to_be_visible()

    app.locator(".card-monitors .card-header").click()
    name = app.locator(".monitor-name input")
    expect(name).to_be_visible()
    name.fill("Weekstart")
    name.press("Enter")
    app.locator(".monitor-save .bk-btn").click()
    expect(app.locator(".monitor-message")).to_contain_text("Weekstart")
    expect(app.locator(".monitor-list select")).to_contain_text("Weekstart")
    names = [m.name for m in MonitorStore(served[2]).list_monitors("local")]
    assert "Weekstart" in names
