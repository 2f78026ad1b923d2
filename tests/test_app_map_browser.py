"""The map tab in a real browser (Playwright + Debian Chromium), fully offline.

Uses ``served`` and ``app`` from ``conftest.py``: one ``panel serve`` for the module on generated
data (120 relations with coordinates or postcodes, some abroad or without a postcode, and four
with hostile names and no address), every page behind the offline guard. The map is read from
the page's Bokeh models: the points' data source (codes, names, positions) and its selection.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from test_app_state import AS_OF

import aandacht
from aandacht import bands
from aandacht.geo import to_geodataframe
from aandacht.mapdata import lon_lat_to_web_mercator

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
expect.set_options(timeout=15_000)
PSEUDONYM = re.compile(r"^P-[0-9A-F]{8}$")

# every rendered Bokeh view, depth first
_VIEWS = """
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
"""


def js(body: str) -> str:
    """A JavaScript function with the helpers above and ``body``."""
    return "() => {" + _VIEWS + body + "}"


POINTS = js(
    """
  const p = points();
  if (!p) return null;
  const d = p.model.data_source.data;
  return {ids: [...d.relation_id], names: [...d.name], x: [...d.x], y: [...d.y],
          selected: [...p.model.data_source.selected.indices]};
"""
)
# the map's frame (the plotting area) in page coordinates
FRAME = js(
    """
  const f = views().find((v) => v.model.constructor.__name__ === "Figure" &&
                                v.model.renderers.some((r) => r === points().model));
  const b = f.frame.bbox, c = f.el.getBoundingClientRect();
  return [c.left + b.left, c.top + b.top, b.width, b.height];
"""
)
# every text value in the data sources on the page (map points, tables)
TEXTS = js(
    """
  const out = new Set();
  for (const v of views()) {
    for (const src of [v.model.data_source, v.model.source]) {
      if (!src || !src.data) continue;
      for (const col of Object.values(src.data))
        for (const x of (Array.isArray(col) ? col : [])) if (typeof x === "string") out.add(x);
    }
  }
  return [...out];
"""
)


@pytest.fixture(scope="module")
def result(served) -> pd.DataFrame:
    ds = aandacht.load(served[1])
    res = aandacht.calculate(
        ds, aandacht.Selection(as_of=AS_OF, period_from="2025-11-01", period_to="2026-10-31")
    )
    res["band"] = bands.classify(res.total).yb
    return res


@pytest.fixture(scope="module")
def on_map(result):
    return to_geodataframe(result)


def open_map(page: Page, n: int) -> dict:
    """Open the map tab; wait until its ``n`` points are in the page; return them."""
    page.locator(".main-tabs .bk-tab", has_text="Kaart").click()
    page.wait_for_function(f"() => {{ const p = ({POINTS})(); return p && p.ids.length == {n}; }}")
    return page.evaluate(POINTS)


def wait_selected(page: Page, n: int) -> dict:
    page.wait_for_function(f"() => ({POINTS})().selected.length == {n}")
    return page.evaluate(POINTS)


def drag(page: Page, path: list[tuple[float, float]]) -> None:
    """A mouse drag through ``path`` (fractions of the map frame)."""
    x, y, w, h = page.evaluate(FRAME)
    pts = [(x + fx * w, y + fy * h) for fx, fy in path]
    page.mouse.move(*pts[0])
    page.mouse.down()
    for p in pts[1:]:
        page.mouse.move(*p, steps=4)
    page.mouse.up()


def wait_map_selection(page: Page) -> list[str]:
    """The codes selected on the map once the box/lasso selection has reached the server (the
    map tab's own selection counter shows it)."""
    page.wait_for_function(f"() => ({POINTS})().selected.length > 0")
    pts = page.evaluate(POINTS)
    ids = [pts["ids"][i] for i in pts["selected"]]
    expect(page.locator(".map-show .bk-btn").nth(1)).to_have_text(f"Geselecteerd ({len(ids)})")
    return ids


def export_codes(page: Page, path: Path) -> list[str]:
    with page.expect_download() as info:
        page.locator(".export-selected .bk-btn").click()
    info.value.save_as(path)
    ws = openpyxl.load_workbook(path)["Relaties"]
    return [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]


# ----------------------------------------------------------------------------------------------


def test_map_renders_offline_with_every_relation(app: Page, on_map):
    on, off = on_map
    pts = open_map(app, len(on))
    assert sorted(pts["ids"]) == sorted(on["relation_id"])
    # drawn where the library puts them (Web Mercator)
    x, y = lon_lat_to_web_mercator(on.geometry.x, on.geometry.y)
    got = dict(zip(pts["ids"], zip(pts["x"], pts["y"], strict=True), strict=True))
    for rid, xx, yy in zip(on["relation_id"], x, y, strict=True):
        assert got[rid] == pytest.approx((xx, yy))
    expect(app.locator(".map-info")).to_contain_text(
        f"{len(on)} relaties op de kaart, {len(off)} relaties niet op de kaart."
    )
    expect(app.locator(".map-info")).to_contain_text("offline")
    expect(app.locator(".not-on-map-title")).to_have_text(f"Niet op de kaart: {len(off)} relaties")
    expect(app.locator(".not-on-map .tabulator-row")).to_have_count(len(off))
    codes = app.locator('.not-on-map [tabulator-field="relation_id"]').all_inner_texts()
    assert sorted(codes[1:]) == sorted(off["relation_id"])  # [0] is the header
    expect(app.get_by_text("buitenland, geen coördinaten").first).to_be_visible()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    app.screenshot(path=str(ROOT / "test-artifacts" / "map.png"))


def test_a_clicked_band_is_highlighted_on_the_map(app: Page, result, on_map):
    on, _ = on_map
    little = on[on["band"] == "little"]
    app.locator(".bin-little .bk-btn").click()  # the distribution on the overview
    expect(app.locator(".bin-title")).to_contain_text("weinig")
    open_map(app, len(on))
    pts = wait_selected(app, len(little))
    assert sorted(pts["ids"][i] for i in pts["selected"]) == sorted(little["relation_id"])
    n_little = int((result["band"] == "little").sum())
    expect(app.locator(".map-highlight")).to_have_text(
        f"Gemarkeerd: band weinig, {n_little} relaties ({len(little)} relaties op de kaart)."
    )
    # only that band on the map
    app.locator(".map-show .bk-btn", has_text="Eén band").click()
    app.wait_for_function(f"() => ({POINTS})().ids.length == {len(little)}")
    assert sorted(app.evaluate(POINTS)["ids"]) == sorted(little["relation_id"])


def test_grid_rows_are_highlighted_on_the_map(app: Page, result, on_map):
    rows = app.locator(".grid .tabulator-row")
    for n, i in enumerate((0, 1, 4), start=1):
        rows.nth(i).locator("input[type=checkbox]").check()
        # one at a time: each tick has reached the server before the next
        expect(app.locator(".export-selected .bk-btn")).to_have_text(f"Excel: selectie ({n})")
    wanted = set(result["relation_id"].iloc[[0, 1, 4]]) & set(on_map[0]["relation_id"])
    pts = open_map(app, len(on_map[0]))
    pts = wait_selected(app, len(wanted))
    assert {pts["ids"][i] for i in pts["selected"]} == wanted


def test_box_and_lasso_selection_on_the_map_select_in_the_grid(app: Page, result, tmp_path):
    open_map(app, len(to_geodataframe(result)[0]))
    # box select over the middle of the country
    app.locator(".map .bk-tool-icon-box-select").click()
    drag(app, [(0.25, 0.25), (0.75, 0.7)])
    boxed = wait_map_selection(app)
    assert 0 < len(boxed) < len(result)
    expect(app.locator(".map-highlight")).to_contain_text(
        f"Gemarkeerd: {len(boxed)} relaties geselecteerd in het overzicht"
    )
    # lasso: a triangle in the west replaces it
    app.locator(".map .bk-tool-icon-lasso-select").click()
    drag(app, [(0.1, 0.3), (0.55, 0.35), (0.3, 0.8), (0.1, 0.3)])
    app.wait_for_function(
        f"() => {{ const p = ({POINTS})(); return p.selected.length > 0 && "
        f"JSON.stringify(p.selected.map((i) => p.ids[i]).sort()) != "
        f"JSON.stringify({sorted(boxed)!r}); }}"
    )
    lassoed = wait_map_selection(app)
    assert lassoed and set(lassoed) != set(boxed)
    # the export of the selection, in the map tab, holds exactly those relations
    assert sorted(export_codes(app, tmp_path / "map.xlsx")) == sorted(lassoed)
    # the grid: those rows ticked (the first page shows 25), the same export there
    app.locator(".main-tabs .bk-tab", has_text="Overzicht").click()
    expect(app.locator(".export-selected .bk-btn")).to_have_text(
        f"Excel: selectie ({len(lassoed)})"
    )
    first_page = result["relation_id"].iloc[:25]
    ticked = sorted(set(first_page) & set(lassoed))
    expect(app.locator(".grid .tabulator-row.tabulator-selected")).to_have_count(len(ticked))
    shown = app.locator(
        '.grid .tabulator-row.tabulator-selected [tabulator-field="relation_id"]'
    ).all_inner_texts()
    assert sorted(shown) == ticked
    codes = export_codes(app, tmp_path / "grid.xlsx")
    order = result["relation_id"].tolist()
    assert codes == sorted(lassoed, key=order.index)  # in grid order


def test_privacy_mode_keeps_real_names_and_addresses_off_the_page(app: Page, result):
    app.locator(".privacy input[type=checkbox]").check()
    expect(app.locator('.grid [tabulator-field="relation_id"]').nth(1)).to_have_text(PSEUDONYM)
    on, off = to_geodataframe(result, use_coordinates=False)
    pts = open_map(app, len(on))
    assert all(PSEUDONYM.match(i) for i in pts["ids"])
    assert all(n.startswith("Relatie P-") for n in pts["names"])
    # positions: the postcode-area centroids, not the relations' own coordinates
    x, y = lon_lat_to_web_mercator(on.geometry.x, on.geometry.y)
    np.testing.assert_allclose(
        sorted(zip(pts["x"], pts["y"], strict=True)), sorted(zip(x, y, strict=True))
    )
    expect(app.locator(".map-info")).to_contain_text("midden van hun postcodegebied")
    expect(app.locator(".not-on-map .tabulator-row")).to_have_count(len(off))
    texts = set(app.evaluate(TEXTS))
    real = set(result["relation_id"]) | set(result["name"].dropna())
    real |= set(result["address"].dropna()) | set(result["postcode"].dropna())
    assert not texts & real


# every state of the later tabs' placeholders the page's document goes through: "loading" when
# one is marked as loading, "filled" when one holds a view
_PLACEHOLDER_STATES = """() => {
  window._placeholder_states = [];
  const doc = Bokeh.documents[0];
  const look = () => {
    for (const m of doc._all_models.values()) {
      const css = m.css_classes || [];
      if (!css.includes("later-tab")) continue;
      if (css.includes("pn-loading")) window._placeholder_states.push("loading");
      else if ((m.children || []).length > 0) window._placeholder_states.push("filled");
    }
  };
  doc.on_change(look, true);
}"""


def test_a_tab_made_when_first_opened_answers_at_once_with_a_spinner(app: Page):
    """The switch to the map is answered before the map is built: the tab shows a spinner, then
    the view (the headers were rebuilt after the build, and a click meanwhile was lost)."""
    app.wait_for_function("() => window.Bokeh && Bokeh.documents.length > 0")
    app.evaluate(_PLACEHOLDER_STATES)
    app.locator(".main-tabs .bk-tab", has_text="Kaart").click()
    expect(app.locator(".map-info")).to_be_visible()
    states = app.evaluate("() => window._placeholder_states")
    assert "loading" in states and "filled" in states, states
    assert states.index("loading") < states.index("filled"), states
    app.locator(".main-tabs .bk-tab", has_text="Inzicht").click()
    expect(app.locator(".main-tabs .bk-tab.bk-active")).to_have_text("Inzicht")
    expect(app.locator(".two-way-line")).to_be_visible()
    first = len(app.evaluate("() => window._placeholder_states"))  # the insights' made too
    app.locator(".main-tabs .bk-tab", has_text="Kaart").click()  # made once: shown again
    expect(app.locator(".map-info")).to_be_visible()
    again = app.evaluate("() => window._placeholder_states")[first:]
    assert "loading" not in again and again[-1] == "filled", again  # no second build, no spinner
