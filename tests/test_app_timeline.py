"""The timeline (S7), direct answers (S14), grid trend and cadence (B1, B2), insight tab (B1, B4,
B6) and reports (S15, B7) of the dashboard, at the level of its param states (no browser).

Every figure must be the library's; the data set is the generated one of the other app tests
plus events with hostile subjects and bodies (``<script>``, ``<img onerror>``, formulas) and a
quote → order → invoice chain on relation R00003 (grid row 2).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_app_state import AS_OF, write_data

import aandacht
from aandacht import answers as answers_mod
from aandacht import cadence, reports, trend, twoway, who
from aandacht.i18n import fmt_money
from aandacht.items import filter_timeline
from aandacht.privacy import pseudonym

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.insights_state import InsightsState, ReportsState, save_cadence  # noqa: E402
from app.state import MonitorState  # noqa: E402
from app.timeline_view import TimelineState  # noqa: E402

REL = "R00003"  # grid row 2
ROW = 2
SCRIPT = "<script>alert('xss')</script>"
IMG = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x","klik")'
CMD = "=cmd|' /C calc'!A0"
HOSTILE_EVENTS = [
    # id, user, timestamp, source, action, channel, direction, subject, body, amount, reference
    ("E9001", "JdV", "2026-10-20 10:00:00", "correspondence", "added", "email", "in", SCRIPT,
     f"{IMG}\nTweede regel", None, None),
    ("E9002", "JdV", "2026-10-01 09:00:00", "sales", "quote_added", None, None,
     "Offerte tijdlijn", None, 500.0, "Q-2026-9999"),
    ("E9003", "JdV", "2026-10-10 09:00:00", "sales", "order_added", None, None,
     "Order tijdlijn", None, 480.0, "O-2026-9999"),
    ("E9004", "JdV", "2026-10-21 09:00:00", "sales", "invoice_added", None, None, FORMULA,
     None, 480.0, "F-2026-9999"),
    ("E9005", "JdV", "2026-10-30 15:00:00", "correspondence", "added", "email", "out", CMD,
     "@SUM(A1:A2)", None, None),
    ("E9006", "XSS", "2026-09-15 11:00:00", "note", "added", None, None, "Notitie",
     None, None, None),
]  # fmt: skip
#: A user whose name is markup (a CRM user can edit it): shown as text in every widget.
HOSTILE_USER = ("XSS", IMG, "Service", True)


def write_timeline_data(folder: Path) -> Path:
    """The app tests' generated data plus the hostile events above (relation R00003)."""
    from aandacht.generate import write

    write_data(folder)
    ds = aandacht.load(str(folder))
    users = pd.concat(
        [
            ds.users,
            pd.DataFrame([HOSTILE_USER], columns=["user_id", "name", "department", "active"]),
        ],
        ignore_index=True,
    )
    tables = {
        "relations": ds.relations,
        "relation_groups": ds.relation_groups,
        "users": users,
        "user_groups": ds.user_groups,
    }
    events = ds.events.to_pandas()
    cols = ["event_id", "user_id", "timestamp", "source", "action", "channel", "direction"]
    cols += ["subject", "body", "amount", "reference"]
    extra = pd.DataFrame(HOSTILE_EVENTS, columns=cols)
    extra["relation_id"] = REL
    extra["timestamp"] = pd.to_datetime(extra["timestamp"])
    extra["status"] = None
    keep = [c for c in events.columns if not c.startswith("_")]  # the loader's row numbers
    tables["events"] = pd.concat([events[keep], extra[keep]], ignore_index=True)
    write(tables, folder)
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> str:
    return str(write_timeline_data(tmp_path_factory.mktemp("crm")))


@pytest.fixture(scope="module")
def ds(data):
    return aandacht.load(data)


@pytest.fixture()
def state(data, tmp_path, monkeypatch) -> MonitorState:
    monkeypatch.delenv("AANDACHT_CADENCE", raising=False)
    return MonitorState(data, store_folder=str(tmp_path / "store"), as_of=AS_OF)


@pytest.fixture()
def tl(state) -> TimelineState:
    timeline = TimelineState(state)
    state.timeline_row = ROW
    return timeline


def sel(**kw) -> aandacht.Selection:
    return aandacht.Selection(as_of=AS_OF, period_from="2025-11-01", period_to="2026-10-31", **kw)


# --- the timeline (S7) -------------------------------------------------------------------------


def test_every_event_in_time_order_contact_moments_told_apart(tl, ds):
    expected = aandacht.timeline(ds, REL, as_of=AS_OF)
    shown = tl.shown  # newest first by default (#15): the latest contact on top
    assert shown.event_id.tolist() == expected.event_id.tolist()[::-1]
    assert shown.timestamp.is_monotonic_decreasing
    tl.newest_first = False  # the switch: oldest first, the library's order
    assert tl.shown.event_id.tolist() == expected.event_id.tolist()
    tl.newest_first = True
    assert shown.counted.tolist() == expected.counted.tolist()[::-1]
    kinds = dict(zip(shown.event_id, shown.kind, strict=True))
    assert kinds["E9004"] == "○ overig" and kinds["E9001"] == "● contactmoment"
    what = dict(zip(shown.event_id, shown.what, strict=True))
    assert what["E9004"] == "factuur" and what["E9001"] == "e-mail in"
    assert tl.title() == "Tijdlijn van JTT Schoonmaak B.V. (R00003)" or REL in tl.title()
    assert shown.amount.isna().all()  # no revenue without sales-monitor permission
    assert len(tl.monthly) and tl.monthly.month.iloc[-1] == pd.Timestamp("2026-10-01")


def test_the_views_order_switch_and_chart_legend_outside_the_bars(state):
    from bokeh.models import Legend

    from app.timeline_view import TimelineView

    view = TimelineView(state)
    state.timeline_row = ROW
    assert view.order_switch.value is True and view.tl.newest_first
    view.order_switch.value = False
    assert not view.tl.newest_first and view.tl.shown.timestamp.is_monotonic_increasing
    fig = view._chart()
    legends = [r for r in fig.below if isinstance(r, Legend)]
    assert len(legends) == 1 and not [r for r in fig.center if isinstance(r, Legend)]
    assert len(legends[0].items) == 5  # four groups and the other events


def test_defaults_follow_the_as_of_date(state):
    """The sidebar's "since" and custom period, the answers' "since" and the catch-up
    report's "since" follow the as-of date, until the user changes them (#15)."""
    rep = ReportsState(state)
    assert rep.catchup_since == AS_OF - dt.timedelta(days=13)
    state.as_of = dt.date(2026, 10, 15)
    assert state.since == dt.date(2026, 10, 2)
    assert (state.period_from, state.period_to) == (dt.date(2026, 10, 2), dt.date(2026, 10, 15))
    assert state.calculate()
    assert rep.catchup_since == dt.date(2026, 10, 2)
    rep.catchup_since = dt.date(2026, 9, 1)  # the user's own choice stays
    state.since = dt.date(2026, 9, 1)
    state.as_of = dt.date(2026, 10, 20)
    assert state.calculate()
    assert rep.catchup_since == dt.date(2026, 9, 1) and state.since == dt.date(2026, 9, 1)
    assert state.period_to == dt.date(2026, 10, 20)


def test_filters_by_source_user_and_period(tl, ds):
    full = aandacht.timeline(ds, REL, as_of=AS_OF)
    tl.sources = ["sales"]
    sales = filter_timeline(full, sources=["sales"]).event_id.tolist()
    assert tl.shown.event_id.tolist() == sales[::-1]  # newest first
    tl.users = ["JdV"]
    tl.period_from, tl.period_to = dt.date(2026, 10, 1), dt.date(2026, 10, 21)
    assert tl.shown.event_id.tolist() == ["E9004", "E9003", "E9002"]
    tl.param.update(sources=[], users=[], period_from=None, period_to=None)
    assert len(tl.shown) == len(full)


def test_item_content_is_text_with_its_reference_chain(tl):
    tl.item = "E9001"
    lines = dict(tl.item_lines())
    assert lines["Onderwerp"] == SCRIPT  # the raw text; the view escapes it
    assert lines["Inhoud"] == f"{IMG}\nTweede regel"
    assert lines["Wat"] == "e-mail in — ● contactmoment" and lines["Kanaal"] == "e-mail"
    tl.item = "E9004"
    chain = dict(tl.item_lines())["Referentieketen"]
    assert chain == (
        "Q-2026-9999 offerte 01-10-2026 → O-2026-9999 order 10-10-2026 → "
        "F-2026-9999 factuur 21-10-2026"
    )  # no amounts without permission
    assert "Bedrag (€)" not in dict(tl.item_lines())


def test_amounts_only_with_sales_permission(tl, state):
    state.sales_permission = True
    tl.item = "E9004"
    lines = dict(tl.item_lines())
    assert lines["Bedrag (€)"] == fmt_money(480.0, "nl")
    assert f"Q-2026-9999 offerte 01-10-2026 {fmt_money(500.0, 'nl')}" in lines["Referentieketen"]
    assert tl.shown.set_index("event_id").loc["E9004", "amount"] == 480.0


def test_step_items_and_relations_in_the_grids_order(tl, state):
    assert tl.item is None
    assert tl.step_item(1) and tl.item == tl.shown.event_id.iloc[0]
    assert not tl.step_item(-1)  # the first item: no previous one
    tl.step_item(1)
    assert tl.item == tl.shown.event_id.iloc[1]
    tl.item = tl.shown.event_id.iloc[-1]
    assert not tl.step_item(1)
    order = [7, ROW, 0, 5]  # the grid sorted and filtered somehow
    assert tl.step_relation(1, order) and state.timeline_row == 0
    assert tl.relation_id() == state.result.relation_id.iloc[0] and tl.item is None
    assert tl.step_relation(-1, order) and state.timeline_row == ROW
    assert tl.step_relation(-1, order) and state.timeline_row == 7
    assert not tl.step_relation(-1, order) and state.timeline_row == 7
    state.timeline_row = 3  # filtered out of the grid: + goes to the first of the order
    assert tl.step_relation(1, order) and state.timeline_row == 7
    assert tl.step_relation(1) and state.timeline_row == 8  # default: the table's order


def test_grid_order_follows_sort_and_filter(state):
    from app.views import GridView

    grid = GridView(state)
    assert grid.row_order() == list(range(len(state.table)))
    grid.grid.sorters = [{"field": "total", "dir": "desc"}]
    totals = state.table.total.to_numpy()
    assert [totals[i] for i in grid.row_order()] == sorted(totals, reverse=True)
    grid.grid.filters = [{"field": "relation_id", "type": "like", "value": "R9000"}]
    assert sorted(state.table.relation_id.iloc[grid.row_order()]) == [
        "R90001",
        "R90002",
        "R90003",
        "R90004",
    ]


def test_privacy_mode_in_the_timeline(tl, state):
    state.privacy = True
    assert REL not in tl.title() and pseudonym(REL) in tl.title()
    assert "JTT" not in tl.title()
    assert set(tl.shown.subject.dropna()) == {"•••"}
    tl.item = "E9001"
    lines = dict(tl.item_lines())
    assert lines["Onderwerp"] == "•••" and lines["Inhoud"] == "•••"
    texts = [d for a in tl.answer_items() for d in [a["answer"], *a["details"]]]
    email = next(a for a in tl.answer_items() if a["key"] == "email")
    assert SCRIPT not in " ".join(texts) and (
        email["answer"] == "Geen." or "•••" in email["answer"]
    )


# --- direct answers (S14) ----------------------------------------------------------------------


def test_answers_are_the_librarys(tl, state, ds):
    state.me = "PB"
    tl.param.update(since=dt.date(2026, 10, 1), days=10)
    lib = answers_mod.answers(ds, REL, "PB", "2026-10-01", as_of=AS_OF, days=10)
    items = {a["key"]: a for a in tl.answer_items()}
    assert list(items) == ["colleague", "department", "calls", "email", "mailings"]  # no top
    n = len(lib["colleague_contacts"])
    assert items["colleague"]["answer"] == (f"Ja, {n} contactmomenten." if n else "Nee.")
    assert (
        "niet PB" in items["colleague"]["question"]
        and "01-10-2026" in items["colleague"]["question"]
    )
    assert items["colleague"]["details"][0].startswith("30-10-2026: e-mail uit door Jan de Vries")
    last = lib["last_department_contact"]
    assert last is None or last["timestamp"].strftime("%d-%m-%Y") in items["department"]["answer"]
    assert f"{lib['open_calls']} open" in items["calls"]["answer"] or lib["helpdesk_calls"].empty
    mr = lib["mailing_responses"]
    assert items["mailings"]["question"].endswith("binnen 10 dagen op de mailings?")
    if len(mr):
        assert f"Op {int(mr.responded.sum())} van " in items["mailings"]["answer"]
    state.me = "JdV"  # my own contacts are not a colleague's
    mine = answers_mod.answers(ds, REL, "JdV", "2026-10-01", as_of=AS_OF, days=10)
    colleague = {a["key"]: a for a in tl.answer_items()}["colleague"]
    n = len(mine["colleague_contacts"])
    assert colleague["answer"] == (f"Ja, {n} contactmomenten." if n else "Nee.")


def test_top_customer_answer_only_with_sales_permission(tl, state, ds):
    assert "top" not in {a["key"] for a in tl.answer_items()}
    state.sales_permission = True
    top = {a["key"]: a for a in tl.answer_items()}["top"]
    lib = answers_mod.top_customer_attention(ds, REL, result=state.result)
    if not lib["is_top"]:
        assert top["answer"].startswith("Nee, geen topklant")
    else:
        assert top["answer"].startswith("Ja:" if lib["too_little"] else "Topklant")


# --- the grid: trend (B1) and cadence (B2) -----------------------------------------------------


def test_grid_trend_and_cadence_are_the_librarys(state, ds):
    tr = trend.trends(ds, sel()).set_index("relation_id")
    arrows = [s.split(" ")[0] for s in state.table.trend]
    assert arrows == tr.loc[state.result.relation_id, "arrow"].tolist()
    assert state.table.trend.iloc[0].endswith(("meer aandacht", "minder aandacht", "gelijk"))
    settings = cadence.default_cadence(ds)
    st = cadence.cadence_status(ds, state.result, settings)
    assert state.table.cadence_key.tolist() == st.status.tolist()
    pd.testing.assert_series_equal(
        state.table.overdue_ratio, st.overdue_ratio, check_names=False, check_index=False
    )
    first = cadence.overdue_first(st)
    by_rank = state.table.sort_values("overdue_rank").relation_id.tolist()
    assert by_rank == first.relation_id.tolist()
    assert state.table.overdue.tolist() == st.overdue.tolist()
    assert "trend" in state.grid_columns() and "cadence" in state.grid_columns()


def test_cadence_settings_are_stored_and_checked(state, data, tmp_path):
    new = pd.DataFrame(
        [
            {"scope": "relation", "key": REL, "ideal_days": 7, "max_days": 10},
            {"scope": "b_group", "key": "top customers", "ideal_days": 30, "max_days": 60},
        ]
    )
    assert save_cadence(state, new)
    path = Path(state.store_folder) / "cadence.csv"
    assert state.cadence_file == str(path) and path.is_file() and not state.cadence_error
    assert state.table.set_index("relation_id").loc[REL, "cadence_key"] in (
        "overdue",
        "beyond_max",
        "ok",
        "never",
    )
    st = cadence.cadence_status(aandacht.load(data), state.result, new)
    assert state.table.cadence_key.tolist() == st.status.tolist()
    again = MonitorState(data, store_folder=state.store_folder, as_of=AS_OF)
    assert again.cadence.to_dict("records") == cadence.validate_cadence(new).to_dict("records")
    bad = pd.DataFrame([{"scope": "relation", "key": "R77777", "ideal_days": 9, "max_days": 30}])
    assert not save_cadence(state, bad)
    assert "niet opgeslagen" in state.cadence_error and "R77777" in state.cadence_error
    bad = pd.DataFrame(
        [{"scope": "b_group", "key": "top customers", "ideal_days": 9, "max_days": 3}]
    )
    assert not save_cadence(state, bad)
    assert "row 2, column 'max_days'" in state.cadence_error
    assert len(state.cadence) == 2  # the old settings stay


# --- the insight tab: drops (B1), two-way (B4), who (B6) ---------------------------------------


def test_insights_are_the_librarys_with_permissions(state, ds):
    ins = InsightsState(state)
    ins.refresh()
    assert not ins.stale and ins.drops is None  # revenue: not without permission
    tw = twoway.two_way(ds, sel())
    pd.testing.assert_frame_equal(ins.two_way, tw, check_dtype=False)
    assert ins.two_way_line().startswith("Slapend (wel contact uit, niets terug): ")
    banded = state.result[["relation_id", "total"]].assign(band=list(state.banding.yb))
    pd.testing.assert_frame_equal(ins.departments, who.department_band_matrix(ds, banded, sel()))
    assert ins.employees is None and ins.single_points is None  # figures per employee: off

    state.employee_permission = True
    assert ins.stale
    ins.refresh()
    m = who.employee_relation_matrix(ds, sel())
    assert ins.employees.relation_id.tolist() == m.index.tolist()
    assert ins.employees["JdV"].tolist() == m["JdV"].tolist()
    spoc = who.single_point_of_contact(ds, sel())
    assert ins.single_points.relation_id.tolist() == spoc.relation_id.tolist()

    state.sales_permission = True  # recounts with revenue
    ins.refresh()
    drops = trend.attention_drops(ds, sel(revenue="both"))
    assert ins.drops.relation_id.tolist() == drops.relation_id.tolist()

    state.privacy = True
    ins.refresh()
    assert ins.two_way.relation_id.str.match(r"^P-[0-9A-F]{8}$").all()
    assert ins.employees.relation_id.str.match(r"^P-[0-9A-F]{8}$").all()
    assert not set(ins.two_way.name) & set(state.result.name)


# --- reports (S15, B7) -------------------------------------------------------------------------


def read(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def cells(path: Path) -> list[openpyxl.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_catchup_report_of_me_since(state, ds, tmp_path):
    rep = ReportsState(state)
    state.me, rep.catchup_since = "JdV", dt.date(2026, 10, 15)
    out = rep.write_catchup(tmp_path / "c.xlsx")
    lib = reports.catchup_report(ds, "JdV", "2026-10-15", as_of=AS_OF)
    sheets = read(out)
    assert list(sheets) == ["Rapport", "Per relatie", "Gebeurtenissen"]
    events = sheets["Gebeurtenissen"]
    assert len(events) - 1 == len(lib.events)
    assert "Bedrag (€)" not in events[0]  # no amounts without sales-monitor permission
    hostile = [c for c in cells(out) if c.value in (SCRIPT, FORMULA, CMD, "@SUM(A1:A2)")]
    assert {c.value for c in hostile} >= {FORMULA, CMD, SCRIPT}
    assert all(c.data_type == "s" for c in hostile)  # formula-like text stays text
    assert rep.filename("catchup") == "bijpraatrapport_JdV_2026-10-31.xlsx"


def test_handover_report_needs_the_employee_setting(state, ds, tmp_path):
    rep = ReportsState(state)
    rep.leaving = "JdV"
    with pytest.raises(PermissionError):
        rep.write_handover(tmp_path / "h.xlsx")
    state.employee_permission = True
    out = rep.write_handover(tmp_path / "h.xlsx")
    lib = reports.handover_report(ds, "JdV", as_of=AS_OF)
    sheets = read(out)
    assert len(sheets["Relaties"]) - 1 == len(lib.relations)
    row = next(r for r in sheets["Relaties"] if r[0] == REL)
    assert CMD in row  # the last subject of JdV's last contact, as text
    assert all(c.data_type == "s" for c in cells(out) if c.value == CMD)


def test_reports_in_privacy_mode(state, tmp_path):
    rep = ReportsState(state)
    state.me, rep.catchup_since = "JdV", dt.date(2026, 10, 15)
    state.privacy = True
    sheets = read(rep.write_catchup(tmp_path / "p.xlsx"))
    values = {v for rows in sheets.values() for r in rows for v in r if isinstance(v, str)}
    assert REL not in values and pseudonym(REL) in values
    assert not values & {SCRIPT, FORMULA, CMD} and "•••" in values
    assert not values & set(state.result.name)


def test_cadence_editor_adds_and_saves(state):
    from app.insights_view import CadenceEditor

    editor = CadenceEditor(state)
    assert editor.table.value.to_dict("records") == state.cadence.to_dict("records")
    editor._add()  # the next B-group without a cadence
    added = editor.table.value.iloc[-1]
    assert added.scope == "b_group" and added.key != "top customers"
    editor.save.clicks += 1
    assert not state.cadence_error and len(state.cadence) == 2
    assert (Path(state.store_folder) / "cadence.csv").is_file()
    editor._remove()
    editor.table.value = editor.table.value.assign(max_days=[1])  # below the ideal
    editor.save.clicks += 1
    assert "niet opgeslagen" in state.cadence_error and editor.error.visible
    assert len(state.cadence) == 2
