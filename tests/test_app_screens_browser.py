"""Every tab in both languages, read as a user reads it (issue 15).

Served once for the module on a copy of the bundled sample data (``data_samples``: what
``make app`` shows), with sales-monitor permission and figures per employee switched on so that
every table is on screen. For Dutch and English the test walks the overview's three views and a
band's list, the timeline (an opened item), the map, the insights and the reports, collects the
text the user can see (through Panel's shadow roots) and fails on any ``NaN``, ``None``, ``nan``,
``undefined``, ``NaT`` or epoch-millisecond number; on a pager in the other language; and on
privacy codes that are cut off. Screenshots: ``test-artifacts/screen-<lang>-<screen>.png``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"  # a screenshot of every screen read


def copy_samples(folder: Path) -> Path:
    for f in (ROOT / "data_samples").iterdir():
        if f.is_file():
            shutil.copy(f, folder / f.name)
    return folder


SERVED_DATA = copy_samples  # conftest's ``served`` serves this data set

#: Text no reader should meet: missing values and raw timestamps leaking through.
BAD = re.compile(r"\b(NaN|nan|None|undefined|NaT|Invalid Date)\b|\b1[5-9]\d{11}\b")
#: Tabulator's own (English) pager words, and its Dutch ones.
PAGER = {
    "nl": {"First", "Prev", "Next", "Last", "Page Size"},
    "en": {"Eerste", "Vorige", "Volgende", "Laatste"},
}

# The text of every visible element, shadow roots included (Panel draws its widgets in them).
VISIBLE_TEXT = """() => {
  const out = [];
  const walk = (root) => {
    for (const node of root.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        const el = node.parentElement;
        const text = node.textContent.trim();
        if (text && el && el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) {
          const cell = el.closest('[tabulator-field]');
          out.push(cell ? `${text} (column ${cell.getAttribute('tabulator-field')})` : text);
        }
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (['SCRIPT', 'STYLE', 'TEMPLATE'].includes(node.tagName)) continue;
        if (node.shadowRoot) walk(node.shadowRoot);
        walk(node);
      }
    }
  };
  walk(document.body);
  return out;
}"""

# Tabulator's tickCross draws "no" as a red cross (fill #CE1515): an alarm where none is meant.
RED_CROSSES = """() => {
  let n = 0;
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.tagName === 'path' && (el.getAttribute('fill') || '').toUpperCase() === '#CE1515'
          && el.closest('svg').checkVisibility()) n += 1;
    }
  };
  walk(document);
  return n;
}"""

PAGER_TEXT = """() => {
  const out = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.classList.contains('tabulator-page') && el.checkVisibility()) out.push(el.textContent.trim());
      if (el.classList.contains('tabulator-page-size') && el.checkVisibility()) {
        const label = el.previousElementSibling;
        if (label) out.push(label.textContent.trim());
      }
    }
  };
  walk(document);
  return out;
}"""


class Reader:
    """Collects what is wrong on each screen; the test fails once with all of it."""

    def __init__(self, page: Page, lang: str):
        self.page, self.lang, self.problems = page, lang, []

    def read(self, screen: str) -> list[str]:
        self.page.wait_for_timeout(400)  # let the last update render
        name = re.sub(r"[^a-z]+", "-", screen.lower()).strip("-")
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"screen-{self.lang}-{name}.png"), full_page=True)
        texts = self.page.evaluate(VISIBLE_TEXT)
        for text in texts:
            for m in BAD.finditer(text):
                self.problems.append(f"[{self.lang}] {screen}: {m.group(0)!r} in {text[:120]!r}")
        crosses = self.page.evaluate(RED_CROSSES)
        if crosses:
            self.problems.append(f"[{self.lang}] {screen}: {crosses} red ✗ marks")
        pagers = set(self.page.evaluate(PAGER_TEXT)) & PAGER[self.lang]
        if pagers:
            self.problems.append(f"[{self.lang}] {screen}: pager in the other language {pagers}")
        return texts


def tab(page: Page, index: int) -> None:
    page.locator(".main-tabs .bk-tab").nth(index).click()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_tab_reads_clean(app: Page, lang: str):
    page = app
    if lang == "en":
        page.locator(".lang .bk-btn", has_text="English").click()
        expect(page.locator(".main-tabs .bk-tab").first).to_have_text("Overview")
    reader = Reader(page, lang)
    page.locator(".permission input[type=checkbox]").check()
    page.locator(".employee-permission input[type=checkbox]").check()
    expect(page.locator(".view-switch .bk-btn")).to_have_count(3)
    # the overview: its three views and a band's list
    views = {"attention": "overdue_ratio", "per source": "history_dgn", "sales": "revenue"}
    for i, (view, column) in enumerate(views.items()):
        page.locator(".view-switch .bk-btn").nth(i).click()
        expect(page.locator(f'.grid .tabulator-col[tabulator-field="{column}"]')).to_be_visible()
        for other in set(views.values()) - {column}:  # the previous view's columns are gone
            expect(page.locator(f'.grid .tabulator-col[tabulator-field="{other}"]')).to_have_count(
                0
            )
        reader.read(f"overview, {view}")
    page.locator(".view-switch .bk-btn").first.click()
    page.locator(".bin-little .bk-btn").click()
    expect(page.locator(".bin-list .tabulator-row").first).to_be_visible()
    reader.read("overview, a band's relations")
    # the timeline of the first relation, with an opened item
    page.locator('.grid .tabulator-row [tabulator-field="total"]').first.click()
    expect(page.locator(".timeline .tabulator-row").first).to_be_visible()
    page.locator(".timeline .tabulator-row").first.click()
    expect(page.locator(".item-detail")).to_contain_text(re.compile(r"\d\d:\d\d"))
    reader.read("timeline")
    # the map
    tab(page, 2)
    expect(page.locator(".map canvas").first).to_be_attached(timeout=60_000)
    reader.read("map")
    # the insights, figures per employee included
    tab(page, 3)
    expect(page.locator(".departments .tabulator-row").first).to_be_visible(timeout=60_000)
    expect(page.locator(".single-points .tabulator-row").first).to_be_visible()
    reader.read("insights")
    # the reports
    tab(page, 4)
    expect(page.locator(".report-catchup .bk-btn")).to_be_visible()
    reader.read("reports")
    assert reader.problems == [], "\n".join(reader.problems)


def test_privacy_codes_are_not_cut_off(app: Page):
    page = app
    page.locator(".privacy input[type=checkbox]").check()
    cells = page.locator('.grid .tabulator-row [tabulator-field="relation_id"]')
    expect(cells.first).to_contain_text("P-")
    cut = cells.evaluate_all(
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)"
    )
    assert cut == [], f"privacy codes cut off: {cut}"


DUTCH_COLOURS = {"rood", "blauw", "groen", "geel", "oranje", "paars"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_own_colour_is_a_swatch_with_its_name(app: Page, lang: str):
    from aandacht.i18n import relation_colour, relation_colour_hex

    page = app
    if lang == "en":
        page.locator(".lang .bk-btn", has_text="English").click()
        expect(page.locator(".main-tabs .bk-tab").first).to_have_text("Overview")
    cells = page.locator('.grid .tabulator-row [tabulator-field="colour"]')
    expect(cells.first).to_be_visible()
    swatches = page.locator('.grid .tabulator-row [tabulator-field="colour"] .colour-swatch')
    expect(swatches.first).to_be_attached()
    names = [t.strip() for t in cells.all_inner_texts()]
    for cell_name in filter(None, names):
        assert cell_name == relation_colour(cell_name, lang), cell_name  # translated
    if lang == "en":
        assert not DUTCH_COLOURS & set(names), names
    first = page.locator('.grid .tabulator-row [tabulator-field="colour"]:has(.colour-swatch)')
    name = first.first.inner_text().strip()
    background = first.first.locator(".colour-swatch").evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    h = relation_colour_hex(name)
    assert background == f"rgb({int(h[1:3], 16)}, {int(h[3:5], 16)}, {int(h[5:7], 16)})"


def test_timeline_newest_first_with_a_switch_and_readable_columns(app: Page):
    page = app
    page.locator(".permission input[type=checkbox]").check()  # the amount column too
    page.locator('.grid .tabulator-row [tabulator-field="total"]').first.click()
    rows = page.locator(".timeline .tabulator-row")
    expect(rows.first).to_be_visible()

    def stamps() -> list[str]:
        texts = page.locator('.timeline .tabulator-row [tabulator-field="timestamp"]')
        return [dt_key(x) for x in texts.all_inner_texts()]

    def dt_key(text: str) -> str:  # 31-10-2026 14:05 -> 2026-10-31 14:05
        d, time = text.split()
        return "-".join(reversed(d.split("-"))) + " " + time

    first = page.locator('.timeline .tabulator-row [tabulator-field="timestamp"]').first
    top = first.inner_text()
    expect(page.locator(".timeline-count")).to_contain_text("getoond, nieuwste eerst")
    newest = stamps()
    assert newest == sorted(newest, reverse=True) and len(newest) > 1
    page.locator(".timeline-order .bk-btn", has_text="Oudste eerst").click()
    expect(first).not_to_have_text(top)
    expect(page.locator(".timeline-count")).to_contain_text("getoond, oudste eerst")
    oldest = stamps()
    assert oldest == sorted(oldest) and oldest[0] < newest[0]
    # the What and user columns are not cut off
    cut = page.locator(
        '.timeline .tabulator-row [tabulator-field="what"], '
        '.timeline .tabulator-row [tabulator-field="user_id"], '
        '.timeline .tabulator-row [tabulator-field="timestamp"], '
        '.timeline .tabulator-col[tabulator-field="what"] .tabulator-col-title, '
        '.timeline .tabulator-col[tabulator-field="user_id"] .tabulator-col-title, '
        '.timeline .tabulator-col[tabulator-field="amount"] .tabulator-col-title, '
        '.timeline .tabulator-col[tabulator-field="timestamp"] .tabulator-col-title'
    ).evaluate_all(
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)"
    )
    widths = page.locator(".timeline .tabulator-col").evaluate_all(
        "cs => cs.map(c => [c.getAttribute('tabulator-field'), c.offsetWidth, c.querySelector('.tabulator-col-title')?.scrollWidth, c.querySelector('.tabulator-col-title')?.clientWidth])"
    )
    assert cut == [], f"cut off: {cut} {widths}"


@pytest.mark.parametrize(("lang", "typed", "bad"), [("nl", "15-10-2026", "2026-13-45"),
                                                    ("en", "2026-10-15", "15-10-2026")])  # fmt: skip
def test_as_of_is_typed_and_the_reports_follow(app: Page, lang: str, typed: str, bad: str):
    page = app
    if lang == "en":
        page.locator(".lang .bk-btn", has_text="English").click()
        expect(page.locator(".main-tabs .bk-tab").first).to_have_text("Overview")
    box = page.locator(".as-of-text input")
    expect(box).to_have_value("31-10-2026" if lang == "nl" else "2026-10-31")
    box.fill(bad)
    box.press("Enter")
    expect(page.locator(".as-of-error")).to_contain_text(
        "geen datum" if lang == "nl" else "not a date"
    )
    box.fill(typed)
    box.press("Enter")
    expect(page.locator(".as-of-error")).to_be_hidden()
    expect(page.locator(".as-of input").first).to_have_value("2026-10-15")  # the calendar too
    expect(page.locator(".pending")).to_be_visible()
    page.locator(".calculate .bk-btn").click()
    expect(page.locator(".pending")).to_be_hidden(timeout=60_000)
    tab(page, 4)
    # the catch-up report's default: the last two weeks up to the new as-of date
    expect(page.locator(".catchup-since input").first).to_have_value("2026-10-02")
