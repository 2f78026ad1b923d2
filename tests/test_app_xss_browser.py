"""Stored XSS: CRM content with hostile markup is text on every screen, in a real browser.

The module serves (``served``/``app`` from ``conftest.py``, behind the offline guard that also
fails on any dialog or page error) a small generated data set in which every piece of CRM text
that reaches a screen carries a payload: relation names, addresses and cities, B-group names,
user names, departments and user-group names, and the subjects, bodies and references of the
events. Each payload names its field (``alert("users.name")``), so a dialog says where it came
from. The tests open every table, list, select, choice and pane these reach, and after each step
look through the whole page, shadow roots included, for an element the data put there: an
``on…`` attribute, an ``<img src=x>``, a ``<script>`` with ``alert(``. The text itself must be
on the screen as it is in the data (not dropped, not shown as ``&lt;``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from test_app_state import AS_OF

import aandacht

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


def img(field: str) -> str:
    return f'<img src=x onerror=alert("{field}")>'


def script(field: str) -> str:
    return f'<script>alert("{field}")</script>'


def svg(field: str) -> str:
    return f'"><svg onload=alert("{field}")>'


PAYLOADS = (img, script, svg)


def hostile(text: object, field: str, i: int) -> str:
    """``text`` with the ``i``-th payload kind for ``field`` before it."""
    return f"{PAYLOADS[i % 3](field)} {text}"


def write_hostile_data(folder: Path) -> Path:
    """40 generated relations whose every CRM text carries a payload (events as CSV)."""
    from aandacht.generate import generate, write

    t = generate(40, 4000, seed=11, end=AS_OF)
    rel = t["relations"]
    rel["name"] = [hostile(n, "relations.name", i) for i, n in enumerate(rel["name"])]
    rel["address"] = [hostile(a, "relations.address", i) for i, a in enumerate(rel["address"])]
    rel["city"] = [hostile(c, "relations.city", i) for i, c in enumerate(rel["city"])]
    rel["colour"] = [hostile(c, "relations.colour", i) for i, c in enumerate(rel["colour"])]
    rel.loc[rel.index[-3:], ["lat", "lon", "postcode"]] = None  # not on the map: listed
    groups = {g: hostile(g, "relation_groups.group", i)
              for i, g in enumerate(sorted(t["relation_groups"]["group"].unique()))}  # fmt: skip
    t["relation_groups"]["group"] = t["relation_groups"]["group"].map(groups)
    users = t["users"]
    users["name"] = [hostile(n, "users.name", i) for i, n in enumerate(users["name"])]
    departments = {d: hostile(d, "users.department", i)
                   for i, d in enumerate(sorted(users["department"].unique()))}  # fmt: skip
    users["department"] = users["department"].map(departments)
    ugroups = {g: hostile(g, "user_groups.group", i)
               for i, g in enumerate(sorted(t["user_groups"]["group"].unique()))}  # fmt: skip
    t["user_groups"]["group"] = t["user_groups"]["group"].map(ugroups)
    ev = t["events"]
    ev["subject"] = [hostile(s, "events.subject", i) for i, s in enumerate(ev["subject"])]
    ev["body"] = [hostile(b, "events.body", i) for i, b in enumerate(ev["body"])]
    refs = {r: f"{r} {PAYLOADS[i % 3]('events.reference')}"
            for i, r in enumerate(sorted(ev["reference"].dropna().unique()))}  # fmt: skip
    ev["reference"] = ev["reference"].map(refs)  # the same chains, hostile codes
    write(t, folder, events_format="csv")
    return folder


SERVED_DATA = write_hostile_data  # conftest's ``served`` serves this data set

#: Every element the data could have put into the page, through shadow roots.
INJECTED = """() => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      for (const a of el.getAttributeNames())
        if (a.toLowerCase().startsWith("on")) found.push(`<${tag} ${a}="${el.getAttribute(a)}">`);
      if (tag === "img" && el.getAttribute("src") === "x") found.push("<img src=x>");
      if (tag === "script" && (el.textContent || "").includes("alert("))
        found.push(`<script>${el.textContent}`);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
}"""


def clean(page: Page, where: str) -> None:
    """Nothing from the data became an element of the page (the ``app`` fixture fails on any
    dialog or page error after the test)."""
    page.wait_for_timeout(300)  # let a rendered payload fire its handler first
    assert page.evaluate(INJECTED) == [], f"{where}: markup from the data is in the page"


#: The text of elements, their shadow roots included.
DEEP_TEXT = """(els) => {
  const text = (n) => {
    let s = n.shadowRoot ? text(n.shadowRoot) : "";
    for (const c of n.childNodes)
      s += c.nodeType === 3 ? c.textContent
         : c.nodeType === 1 && c.tagName !== "STYLE" ? text(c) : "";
    return s + " ";
  };
  return els.map(text).join(" ");
}"""


def deep_text(page: Page, css: str) -> str:
    return page.locator(css).evaluate_all(DEEP_TEXT)


def shows(page: Page, css: str, *fields: str) -> None:
    """The element(s) at ``css`` show a payload of each field as text."""
    text = deep_text(page, css)
    for field in fields:
        assert any(p(field) in text for p in PAYLOADS), f"{css}: no {field} as text in {text!r}"


def options(page: Page, css: str) -> list[str]:
    return page.locator(f"{css} select option").all_inner_texts()


@pytest.fixture(scope="module")
def ds(served):
    return aandacht.load(served[1])


# ----------------------------------------------------------------------------------------------


def test_overview_grid_bins_summary_and_sales_view(app: Page):
    shows(app, ".grid", "relations.name", "relations.colour")
    clean(app, "grid")
    for b in ("none", "very_little", "little", "average", "much", "very_much"):
        button = app.locator(f".bin-{b} .bk-btn")
        button.hover()
        if button.is_enabled() and not button.inner_text().strip().endswith(" 0"):
            button.click()
            expect(app.locator(".bin-list .tabulator-row").first).to_be_visible()
            shows(app, ".bin-list", "relations.name", "relations.address", "relations.city")
            clean(app, f"bin list {b}")
    app.locator(".view-switch .bk-btn", has_text="Per bron").click()
    shows(app, ".grid", "relations.name")
    clean(app, "per source")
    app.locator(".permission input[type=checkbox]").check()
    app.locator(".view-switch .bk-btn", has_text="Verkoop").click()
    expect(app.locator('.grid .tabulator-col[tabulator-field="revenue"]')).to_have_count(1)
    shows(app, ".grid", "relations.name")
    if app.locator(".excluded-list .tabulator-row").count():
        shows(app, ".excluded-list", "relations.name")
    clean(app, "sales view")


def test_selection_lists_and_a_group_calculation(app: Page, ds):
    app.locator(".user-mode .bk-btn", has_text="Eén").click()
    names = options(app, ".user")
    assert len(names) == len(ds.users)
    assert all(any(p("users.name") in n for p in PAYLOADS) for n in names), names
    app.locator(".user select").select_option(index=1)
    clean(app, "user list")
    app.locator(".user-mode .bk-btn", has_text="Groep").click()
    groups = " ".join(options(app, ".user-group"))
    for field in ("users.department", "user_groups.group"):
        assert any(p(field) in groups for p in PAYLOADS), groups
    app.locator(".user-group select").select_option(index=1)
    app.locator(".relation-mode .bk-btn", has_text="B-groep").click()
    b_groups = options(app, ".b-group")
    assert b_groups and all(any(p("relation_groups.group") in g for p in PAYLOADS)
                            for g in b_groups), b_groups  # fmt: skip
    app.locator(".b-group select").select_option(index=0)
    app.locator(".calculate .bk-btn").click()
    expect(app.locator(".status")).to_contain_text("B-groep", timeout=60_000)
    expect(app.locator(".calc-error")).to_be_hidden()
    # the status line names the user group and the B-group
    shows(app, ".status", "relation_groups.group")
    status = deep_text(app, ".status")
    assert any(p(f) in status for p in PAYLOADS for f in ("users.department", "user_groups.group"))
    shows(app, ".me", "users.name")
    clean(app, "selection, status and calculations")


def open_timeline(page: Page, row: int = 0) -> None:
    page.locator('.grid .tabulator-row [tabulator-field="total"]').nth(row).click()
    expect(page.locator(".timeline-keys-ready")).to_be_attached()
    expect(page.locator(".timeline .tabulator-row").first).to_be_visible()


def open_items(page: Page, rows, n: int) -> str:
    """Open the first ``n`` of the timeline's ``rows`` one by one; the details' texts."""
    detail, seen = page.locator(".item-detail"), ""
    for i in range(n):
        row = rows.nth(i)
        when = row.locator('[tabulator-field="timestamp"]').inner_text().strip()
        row.locator('[tabulator-field="timestamp"]').click()
        expect(detail).to_contain_text(when)
        seen += deep_text(page, ".item-detail")
    return seen


def test_timeline_items_filters_and_answers(app: Page):
    app.locator(".me select").select_option(index=1)
    open_timeline(app)
    shows(app, ".timeline-title", "relations.name")
    shows(app, ".timeline", "events.subject")
    clean(app, "timeline")
    # every item of the first page opened: subject, body, reference, user
    rows = app.locator(".timeline .tabulator-row")
    seen = open_items(app, rows, min(rows.count(), 15))
    for field in ("events.subject", "events.body", "users.name"):
        assert any(p(field) in seen for p in PAYLOADS), (field, seen[:500])
    clean(app, "item details")
    # the filters' choices (Choices.js renders labels as HTML): names as text
    for css in (".filter-users", ".filter-sources"):
        app.locator(f"{css} input").first.click()
        expect(app.locator(f"{css} .choices__item--choice").first).to_be_visible()
        clean(app, f"{css} open")
        if css == ".filter-users":
            shows(app, f"{css} .choices__list--dropdown", "users.name")
        app.locator(f"{css} .choices__item--choice").first.click()
        app.keyboard.press("Escape")
        expect(app.locator(f"{css} .choices__list--multiple .choices__item")).to_have_count(1)
        clean(app, f"{css} chosen")
    shows(app, ".filter-users .choices__list--multiple", "users.name")
    for css in (".answers-department", ".answers-group"):
        texts = " ".join(options(app, css))
        assert "users.department" in texts or "user_groups.group" in texts, texts
        app.locator(f"{css} select").select_option(index=len(options(app, css)) - 1)
    expect(app.locator(".answers")).to_be_visible()
    shows(app, ".answers", "users.name", "events.subject")
    said = deep_text(app, ".answers")
    assert any(p(f) in said for p in PAYLOADS for f in ("users.department", "user_groups.group"))
    clean(app, "answers")


def test_an_item_with_a_reference_shows_it_as_text(app: Page, ds):
    # a relation whose events carry references (a quote -> order -> invoice chain)
    res = aandacht.calculate(
        ds, aandacht.Selection(as_of=AS_OF, period_from="2025-11-01", period_to="2026-10-31")
    )
    ev = ds.events.to_pandas()
    with_refs = ev[ev.reference.notna() & ev.source.eq("sales")].relation_id
    row = int(res.index[res.relation_id.isin(with_refs)][0])
    box = app.locator('.grid .tabulator-col[tabulator-field="relation_id"] input')
    box.fill(res.relation_id[row])
    box.press("Enter")
    expect(app.locator(".grid .tabulator-row")).to_have_count(1)
    open_timeline(app)
    rows = app.locator(".timeline .tabulator-row", has_text="Verkoop")
    if not rows.count():
        rows = app.locator(".timeline .tabulator-row")
    seen = open_items(app, rows, min(rows.count(), 25))
    assert any(p("events.reference") in seen for p in PAYLOADS), seen[:800]
    clean(app, "item with a reference")


def point_on_screen(page: Page) -> tuple[float, float] | None:
    """Page coordinates of the first relation on the map."""
    return page.evaluate(
        """() => {
  const out = [];
  const walk = (v) => { out.push(v);
    for (const c of (typeof v.children === "function" ? v.children() : [])) walk(c); };
  for (const v of Object.values(Bokeh.index)) walk(v);
  const p = out.find((v) => v.model.constructor.__name__ === "GlyphRenderer" &&
    v.model.glyph.constructor.__name__ === "Scatter" && "relation_id" in v.model.data_source.data);
  if (!p) return null;
  const d = p.model.data_source.data;
  const f = out.find((v) => v.model.constructor.__name__ === "Figure" &&
    v.model.renderers.some((r) => r === p.model));
  const c = f.el.getBoundingClientRect();
  return [c.left + f.frame.x_scale.compute(d.x[0]), c.top + f.frame.y_scale.compute(d.y[0])];
}"""
    )


def test_map_insights_and_reports(app: Page):
    app.locator(".permission input[type=checkbox]").check()
    app.locator(".employee-permission input[type=checkbox]").check()
    app.locator(".main-tabs .bk-tab", has_text="Kaart").click()
    expect(app.locator(".not-on-map .tabulator-row").first).to_be_visible()
    shows(app, ".not-on-map", "relations.name")
    app.wait_for_function("() => window.Bokeh && Object.keys(Bokeh.index).length > 0")
    xy = None
    for _ in range(50):
        xy = point_on_screen(app)
        if xy:
            break
        app.wait_for_timeout(200)
    assert xy, "no points on the map"
    app.mouse.move(xy[0] - 3, xy[1] - 3)
    app.mouse.move(*xy, steps=3)
    expect(app.locator(".bk-tooltip-row-value").first).to_be_visible()
    shows(app, ".bk-tooltip-content", "relations.name", "relations.city")
    clean(app, "map, hover and list")
    app.locator(".main-tabs .bk-tab", has_text="Inzicht").click()
    expect(app.locator(".departments .tabulator-row").first).to_be_visible()
    shows(app, ".departments", "users.department")
    expect(app.locator(".employees .tabulator-row").first).to_be_visible()
    shows(app, ".employees", "relations.name")
    expect(app.locator(".two-way .tabulator-row").first).to_be_visible()
    shows(app, ".two-way", "relations.name")
    if app.locator(".drops .tabulator-row").count():
        shows(app, ".drops", "relations.name")
    clean(app, "insights")
    app.locator(".main-tabs .bk-tab", has_text="Rapporten").click()
    expect(app.locator(".leaving select option").first).to_be_attached()
    leaving = options(app, ".leaving")
    assert leaving and all(any(p("users.name") in n for p in PAYLOADS) for n in leaving), leaving
    app.locator(".leaving select").select_option(index=1)
    clean(app, "reports")
