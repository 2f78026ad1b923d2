"""The dashboard's state classes, without a browser: every figure must be the library's."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import aandacht
from aandacht import bands
from aandacht import summary as summary_mod
from aandacht.monitors import MonitorStore
from aandacht.privacy import pseudonym
from aandacht.sales import sales_view

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.state import MonitorState  # noqa: E402

AS_OF = dt.date(2026, 10, 31)
HOSTILE = {
    "R90001": '=HYPERLINK("http://x","klik")',
    "R90002": "<img src=x onerror=alert(1)>",
    "R90003": "@SUM(A1:A2)",
    "R90004": "-2+3",
}


def write_data(folder: Path, n_relations: int = 120, n_events: int = 20_000) -> Path:
    """A generated data set plus relations whose names are formulas or HTML."""
    from aandacht.generate import generate, write

    tables = generate(n_relations, n_events, seed=7, end=AS_OF)
    extra = pd.DataFrame({"relation_id": list(HOSTILE), "name": list(HOSTILE.values())})
    tables["relations"] = pd.concat([tables["relations"], extra], ignore_index=True)
    write(tables, folder)
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> str:
    return str(write_data(tmp_path_factory.mktemp("crm")))


@pytest.fixture()
def state(data, tmp_path) -> MonitorState:
    return MonitorState(data, store_folder=str(tmp_path / "store"), as_of=AS_OF)


def library(data: str, **sel) -> pd.DataFrame:
    return aandacht.calculate(aandacht.load(data), aandacht.Selection(as_of=AS_OF, **sel))


# --- first open, calculate, store (S3) ---------------------------------------------------------


def test_first_open_calculates_once_and_stores(state, data, tmp_path):
    expected = library(data, period_from="2025-11-01", period_to="2026-10-31")
    pd.testing.assert_frame_equal(state.result, expected, check_dtype=False)
    assert state.calculated_at is not None and not state.dirty and not state.error
    stored = MonitorStore(tmp_path / "store").latest_calculation(data, owner="local")
    assert stored is not None and stored.calculated_at == state.calculated_at
    assert stored.owner == "local" and stored.settings["ui"]["user_mode"] == "all"
    assert state.calculated_text().startswith("berekend op ")
    assert state.calculated_text().endswith(state.calculated_at.strftime("%d-%m-%Y %H:%M"))


def test_next_visit_shows_the_stored_result_without_counting(state, data, monkeypatch):
    state.user_mode, state.user_group = "group", "Service"
    state.period_preset = "last_month"
    assert state.dirty
    assert state.calculate()
    assert not state.dirty

    def boom(*a, **k):
        raise AssertionError("the next visit must not recount")

    monkeypatch.setattr(aandacht, "calculate", boom)
    monkeypatch.setattr(aandacht.engine, "calculate", boom)  # behind the session's calculate
    again = MonitorState(data, store_folder=state.store_folder, as_of=AS_OF)
    pd.testing.assert_frame_equal(again.result, state.result)
    assert again.calculated_at == state.calculated_at
    assert (again.user_mode, again.user_group, again.period_preset) == (
        "group",
        "Service",
        "last_month",
    )
    assert not again.dirty


def test_selection_widgets_map_to_the_library_selection(state):
    state.user_mode, state.user = "user", state.param.user.objects[1]
    state.relation_mode, state.b_group = "b_group", "top customers"
    state.period_preset = "this_week"
    sel = state.selection()
    assert sel.users == (state.param.user.objects[1],) and sel.user_group is None
    assert sel.b_group == "top customers" and sel.relations is None
    assert sel.period() == (dt.date(2026, 10, 26), AS_OF)
    state.period_preset, state.since = "since", dt.date(2026, 9, 1)
    assert state.selection().period() == (dt.date(2026, 9, 1), AS_OF)
    state.period_preset = "custom"
    state.period_from, state.period_to = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    assert state.selection().period() == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert state.selection().revenue is None  # no sales-monitor permission


def test_calculate_matches_the_library_for_a_group_and_b_group(state, data):
    state.user_mode, state.user_group = "group", "Sales"
    state.relation_mode, state.b_group = "b_group", "top customers"
    state.period_preset = "last_month"
    assert state.calculate()
    expected = library(
        data,
        user_group="Sales",
        b_group="top customers",
        period_from="2026-10-01",
        period_to="2026-10-31",
    )
    pd.testing.assert_frame_equal(state.result, expected, check_dtype=False)
    assert len(state.table) == len(expected)


def test_a_selection_that_cannot_be_calculated_says_why_and_keeps_the_result(state):
    before = state.result
    state.period_preset, state.since = "since", dt.date(2027, 1, 1)
    assert not state.calculate()
    assert "Berekenen lukt niet" in state.error and "2027-01-01" in state.error
    assert state.result is before


def test_selection_file_good_and_bad(state, data):
    good = b"relation_id\nR00003\nR00001\n\nR00003\n"
    assert state.load_selection_file(good, "mijn.csv")
    assert state.selection_codes == ("R00003", "R00001") and state.relation_mode == "file"
    assert state.calculate()
    assert state.result.relation_id.tolist() == ["R00001", "R00003"]
    assert "selectiebestand mijn.csv (2 codes)" in state.result_line()

    assert not state.load_selection_file(b"R00001\nR99999\n", "fout.txt")
    assert state.selection_codes is None
    assert "fout.txt" in state.selection_error and "R99999" in state.selection_error
    assert "regel 2: relatie R99999 staat niet in de relaties" in state.selection_error
    assert not state.calculate()  # a file relation mode without codes cannot be calculated
    assert not state.load_selection_file(b"\x00\x01binary", "plaatje.png")
    assert "geen tekstbestand" in state.selection_error
    assert not state.load_selection_file(b"\n\n", "leeg.txt")
    assert "geen relatiecodes" in state.selection_error
    # in the chosen language only (#15): no English in the Dutch message, nor the other way
    assert "relation" not in state.selection_error and "line" not in state.selection_error
    state.lang = "en"
    assert not state.load_selection_file(b"R00001\nR99999\n", "fout.txt")
    assert state.selection_error == (
        "The selection file fout.txt cannot be used:\n"
        "• line 2: relation R99999 is not in relations. Correct the code or remove the line"
    )
    many = "\n".join(f"X{i}" for i in range(30)).encode()
    assert not state.load_selection_file(many, "veel.txt")
    assert state.selection_error.endswith(
        "• line 20: relation X19 is not in relations. "
        "Correct the code or remove the line\n• … and 1 more"
    )
    state.lang = "nl"
    assert not state.load_selection_file(many, "veel.txt")
    assert state.selection_error.endswith("de regel weg\n• … en nog 1")


# --- banding, distribution, summary (S4–S6) ----------------------------------------------------


def test_banding_bins_and_summary_are_the_library_s(state):
    expected = bands.classify(state.result.total, "relative", period_days=365)
    assert list(state.banding.yb) == list(expected.yb)
    assert state.table.band_key.tolist() == list(expected.yb)
    bt = bands.band_table(expected)
    assert state.bins["count"].tolist() == bt["count"].tolist()
    assert state.bins["colour"].tolist() == [b.colour for b in bands.BANDS.values()]
    assert state.summary_text == summary_mod.attention_summary(expected, "nl").text
    assert state.table.explanation.tolist() == (
        summary_mod.explanations(state.result, expected, "nl").tolist()
    )
    little = state.bins.set_index("band").loc["little"]
    assert little.hint == f"{little['min']} tot en met {little['max']} contactmomenten"


def test_rebanding_is_instant_without_recount(state, monkeypatch):
    monkeypatch.setattr(aandacht, "calculate", lambda *a, **k: pytest.fail("recounted"))
    state.thresholds = [0.5, 1.0, 2.0, 4.0]
    expected = bands.classify(state.result.total, "relative", (0.5, 1.0, 2.0, 4.0))
    assert list(state.banding.yb) == list(expected.yb)
    state.strategy = "fixed"
    assert state.thresholds == list(bands.Fixed.default_thresholds)
    assert list(state.banding.yb) == list(bands.classify(state.result.total, "fixed").yb)
    state.strategy = "natural_breaks"
    assert state.thresholds is None
    assert state.bins["count"].sum() == len(state.result)
    state.strategy = "relative"
    before = list(state.banding.yb)
    state.thresholds = [1.0, 0.5, 2.0, 4.0]  # not ascending
    assert "niet bruikbaar" in state.band_error and "ascending" in state.band_error
    assert list(state.banding.yb) == before


def test_bin_lists_name_and_address(state):
    state.selected_bin = "none"
    rows = state.bin_relations()
    assert list(rows.columns) == [
        "relation_id",
        "name",
        "address",
        "postcode",
        "city",
        "total",
        "dgn",
    ]
    assert set(rows.relation_id) == set(state.result.relation_id[state.result.total == 0])
    assert len(rows) == state.bins.set_index("band").loc["none", "count"]


def test_timeline_is_the_library_timeline(state, data):
    from app.timeline_view import TimelineState

    state.timeline_row = 0
    tl = TimelineState(state)
    rid = state.result.relation_id.iloc[0]
    expected = aandacht.timeline(aandacht.load(data), rid, as_of=AS_OF)
    assert len(tl.events) == len(expected) and rid in tl.title()
    assert tl.events.subject.tolist() == expected.subject.tolist()


# --- sales view (S9) ---------------------------------------------------------------------------


def test_sales_view_only_with_permission(state, data):
    assert state.sales is None and "revenue" not in state.table.columns
    state.view_mode = "sales"
    assert state.grid_columns()[:3] == ["colour", "relation_id", "name"]
    assert "revenue" not in state.grid_columns()

    state.sales_permission = True  # recounts the same selection with revenue
    assert state.settings["selection"]["revenue"] == "both"
    expected = library(data, period_from="2025-11-01", period_to="2026-10-31", revenue="both")
    pd.testing.assert_frame_equal(state.result, expected, check_dtype=False)
    sv = sales_view(expected, "relative", (0.25, 0.75, 1.5, 3.0), period_days=365)
    assert state.table.sales_band_key.tolist() == sv.table.sales_band.tolist()
    state.view_mode = "sales"
    assert state.bins["count"].tolist() == sv.bands["count"].tolist()
    assert state.bins["revenue"].tolist() == sv.bands["revenue"].tolist()
    assert state.summary_text == summary_mod.sales_summary(sv, "nl").text
    assert set(state.excluded_relations().relation_id) == set(sv.excluded.relation_id)
    assert "revenue" in state.grid_columns() and "sales_area" in state.grid_columns()

    state.revenue_basis = "orders"
    assert state.settings["selection"]["revenue"] == "orders"
    assert state.result.revenue.tolist() == state.result.orders.tolist()

    state.sales_permission = False
    assert state.sales is None and state.view_mode == "attention"
    assert "revenue" not in state.table.columns


def test_sales_view_shows_abc_expected_contacts_and_gap(state, data, tmp_path):
    """B5 in the dashboard: ABC class, expected contacts and the gap are columns of the sales
    view and of its Excel, with the library's values; without permission neither."""
    from aandacht.i18n import t

    b5 = ["abc_class", "expected_contacts", "contact_gap"]
    assert not set(b5) & set(state.table.columns)
    header = [
        c.value
        for c in next(
            openpyxl.load_workbook(state.export_xlsx(tmp_path / "n.xlsx")).worksheets[0].iter_rows()
        )
    ]
    assert not {t(f"col_{c}", "nl") for c in b5} & set(header)

    state.sales_permission = True
    state.view_mode = "sales"
    assert set(b5) <= set(state.grid_columns())
    cols = state.grid_columns()
    assert cols.index("revenue_per_contact") < cols.index("abc_class") < cols.index("sales_band")
    expected = library(data, period_from="2025-11-01", period_to="2026-10-31", revenue="both")
    sv = sales_view(expected, "relative", (0.25, 0.75, 1.5, 3.0), period_days=365).table
    table = state.table.set_index("relation_id")
    sv = sv.set_index("relation_id").loc[table.index]
    assert table["abc_class"].tolist() == sv["abc_class"].tolist()
    assert set(table["abc_class"]) <= {"A", "B", "C"}
    pd.testing.assert_series_equal(
        table["expected_contacts"], sv["expected_contacts"], check_names=False, check_index=False
    )
    pd.testing.assert_series_equal(
        table["contact_gap"], sv["contact_gap"], check_names=False, check_index=False
    )
    assert (table["contact_gap"] == table["expected_contacts"] - table["total"]).all()

    for lang, titles in (
        ("nl", ["ABC-klasse", "Verwachte contacten", "Contacttekort"]),
        ("en", ["ABC class", "Expected contacts", "Contact gap"]),
    ):
        state.lang = lang
        assert [t(f"col_{c}", lang) for c in b5] == titles
        path = state.export_xlsx(tmp_path / f"{lang}.xlsx")
        ws = openpyxl.load_workbook(path).worksheets[0]
        header = [c.value for c in ws[1]]
        assert set(titles) <= set(header)
        code = header.index(t("col_relation_id", lang))
        rows = {r[code]: r for r in ws.iter_rows(min_row=2, values_only=True)}
        for rid, row in list(rows.items())[:20]:
            assert row[header.index(titles[0])] == sv.loc[rid, "abc_class"]
            assert row[header.index(titles[1])] == pytest.approx(sv.loc[rid, "expected_contacts"])
            assert row[header.index(titles[2])] == pytest.approx(sv.loc[rid, "contact_gap"])


def test_grid_formats_expected_contacts_and_gap_with_one_decimal():
    from app.views import formatters

    for lang in ("nl", "en"):
        f = formatters(["abc_class", "expected_contacts", "contact_gap"], lang)
        assert f["abc_class"] == {"type": "plaintext"}
        locale = "nl-NL" if lang == "nl" else "en-GB"
        for c in ("expected_contacts", "contact_gap"):
            assert f"{locale}" in f[c].template and "maximumFractionDigits: 1}" in f[c].template


def test_revenue_recount_keeps_the_pending_selection_pending(state):
    state.user_mode, state.user_group = "group", "Marketing"
    assert state.dirty
    state.sales_permission = True
    assert state.settings["selection"]["user_group"] is None  # the shown result's selection
    assert state.dirty and state.user_group == "Marketing"


# --- privacy (S16), language (B11) -------------------------------------------------------------


def test_privacy_mode_hides_codes_names_addresses(state):
    state.privacy = True
    real = state.result
    assert not set(state.table.relation_id) & set(real.relation_id)
    assert state.table.relation_id.iloc[0] == pseudonym(real.relation_id.iloc[0])
    assert state.table.name.iloc[0] == f"Relatie {state.table.relation_id.iloc[0]}"
    assert not set(state.table.name) & set(real.name)
    assert (state.table.address.dropna() == "•••").all()
    from app.timeline_view import TimelineState

    state.timeline_row = 0
    tl = TimelineState(state)
    assert real.relation_id.iloc[0] not in tl.title() and real.name.iloc[0] not in tl.title()
    assert len(tl.shown) and set(tl.shown.subject.dropna()) <= {"•••"}
    state.selected_bin = "none"
    assert not set(state.bin_relations().name) & set(real.name)


def test_english(state):
    state.lang = "en"
    assert state.calculated_text().startswith("calculated on ")
    assert state.summary_text == summary_mod.attention_summary(state.banding, "en").text
    assert set(state.table.band) <= {b.label_en for b in bands.BANDS.values()}
    assert "relations" in state.result_line()


# --- Excel (S12) -------------------------------------------------------------------------------


def _sheet(path, name):
    wb = openpyxl.load_workbook(path)
    return wb, wb[name]


def test_export_all_with_fills_summary_and_settings(state, tmp_path):
    path = state.export_xlsx(tmp_path / "all.xlsx")
    wb, ws = _sheet(path, "Relaties")
    assert wb.sheetnames == ["Relaties", "Samenvatting", "Instellingen"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Kleur", "Code", "Naam"] and "Omzet" not in header
    assert ws.max_row == len(state.result) + 1
    col = header.index("Aandacht") + 1
    for r in range(2, ws.max_row + 1):
        band = state.table.band_key.iloc[r - 2]
        assert ws.cell(r, col).fill.fgColor.rgb.endswith(bands.BANDS[band].colour[1:].upper())
    names = {ws.cell(r, 3).value: ws.cell(r, 3) for r in range(2, ws.max_row + 1)}
    for text in HOSTILE.values():
        assert names[text].data_type == "s"  # text, never a formula
    settings = {r[0]: r[1] for r in wb["Instellingen"].iter_rows(min_row=2, values_only=True)}
    assert settings["Periode"] == "01-11-2025 t/m 31-10-2026"
    assert settings["Relaties in dit bestand"] == f"alle {len(state.result)}"
    summary = [r[0] for r in wb["Samenvatting"].iter_rows(min_row=2, values_only=True)]
    assert summary_mod.attention_summary(state.banding, "nl").text.splitlines()[0] in summary


def test_export_selected_private_with_sales(state, tmp_path):
    state.sales_permission = True
    state.privacy = True
    rows = [3, 0, 5]
    path = state.export_xlsx(tmp_path / "sel.xlsx", rows=rows)
    wb, ws = _sheet(path, "Relaties")
    assert "Uitgesloten" in wb.sheetnames
    header = [c.value for c in ws[1]]
    assert "Omzet (€)" in header and "Oordeel" in header
    codes = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert codes == [pseudonym(state.result.relation_id.iloc[i]) for i in sorted(rows)]
    real = set(state.result.name)
    assert not {ws.cell(r, 3).value for r in range(2, ws.max_row + 1)} & real
    settings = {r[0]: r[1] for r in wb["Instellingen"].iter_rows(min_row=2, values_only=True)}
    assert settings["Privacymodus"] == "ja" and settings["Relaties in dit bestand"] == (
        "3 geselecteerd"
    )


# --- the store ---------------------------------------------------------------------------------


def test_store_failure_keeps_the_result_and_warns(data, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    s = MonitorState(data, store_folder=str(blocked / "store"), as_of=AS_OF)
    assert s.result is not None and "niet worden bewaard" in s.warning


def test_sales_view_with_credit_notes(tmp_path):
    """Relations whose revenue is negative (credit notes) are shown, explained and summarised."""
    from aandacht.generate import generate, write

    tables = generate(60, 6_000, seed=11, end=AS_OF)
    ev = tables["events"]
    rels = list(tables["relations"]["relation_id"][:2])
    credit = pd.DataFrame(
        {
            "event_id": ["CN-1", "CN-2"],
            "relation_id": rels,
            "user_id": [ev["user_id"].iloc[0]] * 2,
            "timestamp": pd.to_datetime(["2026-10-01 10:00", "2026-10-02 10:00"]),
            "source": ["sales", "sales"],
            "action": ["invoice_added", "invoice_added"],
            "amount": [0.0, 0.0],
        }
    )
    # credit notes larger than everything these two relations were invoiced
    invoiced = ev[ev["action"] == "invoice_added"].groupby("relation_id")["amount"].sum()
    credit["amount"] = [-(float(invoiced.get(r, 0.0)) + 500.0) for r in rels]
    tables["events"] = pd.concat([ev, credit], ignore_index=True)
    folder = tmp_path / "crm"
    write(tables, folder)
    state = MonitorState(str(folder), store_folder=str(tmp_path / "store"), as_of=AS_OF)
    state.sales_permission = True
    state.revenue_basis = "invoices"
    state.view_mode = "sales"
    table = state.table.set_index("relation_id")
    assert (table.loc[rels, "total"] > 0).any()  # the sentence below is reached
    for rid in rels:
        assert table.loc[rid, "revenue"] < 0
        if table.loc[rid, "total"] > 0:
            assert table.loc[rid, "sales_band_key"] == "very_little"
            assert "negatieve omzet" in table.loc[rid, "sales_explanation"]
        else:
            assert table.loc[rid, "sales_band_key"] == "none"
    assert state.summary_text
    state.lang = "en"
    assert any("negative revenue" in x for x in state.table["sales_explanation"])


def test_sales_sentences_are_made_when_the_sales_view_is_shown_or_exported(state, tmp_path):
    state.sales_permission = True
    assert state.view_mode == "attention" and state.sales is not None
    assert "sales_explanation" not in state.table  # not made with every calculation
    path = state.export_xlsx(tmp_path / "x.xlsx")  # the export has them all the same
    header = [c.value for c in next(openpyxl.load_workbook(path).worksheets[0].iter_rows())]
    from aandacht.i18n import t

    assert t("col_sales_explanation", "nl") in header
    state.view_mode = "sales"
    expected = aandacht.summary.sales_explanations(state.sales, "nl")
    assert state.table["sales_explanation"].tolist() == expected.tolist()


def test_as_of_defaults_to_the_last_day_with_data_when_the_data_ends_earlier(data, tmp_path):
    ds = aandacht.load(data)
    last = ds.last_event_day()
    assert last is not None and last <= AS_OF
    assert ds.default_as_of(today=last + dt.timedelta(days=30)) == last  # a stale export
    assert ds.default_as_of(today=last - dt.timedelta(days=3)) == last - dt.timedelta(days=3)
    s = MonitorState(data, store_folder=str(tmp_path / "store"))  # no as_of given
    if last < dt.date.today():
        assert s.as_of == last and s.settings["selection"]["as_of"] == last.isoformat()
        assert (
            s.data_until_text()
            == f"Gegevens t/m {last:%d-%m-%Y}: de peildatum staat op de laatste dag met gegevens."
        )
        s.lang = "en"
        assert s.data_until_text().startswith(f"Data up to {last:%Y-%m-%d}")
    else:
        assert s.as_of == dt.date.today() and s.data_until_text() == ""


def test_own_colour_translated_with_a_swatch(state):
    from aandacht.i18n import relation_colour, relation_colour_hex

    raw = state.result["colour"]
    assert state.table["colour"].tolist() == [relation_colour(c, "nl") for c in raw]
    assert state.table["colour_hex"].tolist() == [relation_colour_hex(c) for c in raw]
    state.lang = "en"
    assert state.table["colour"].tolist() == [relation_colour(c, "en") for c in raw]
    assert "colour_hex" not in state.grid_columns()  # hidden: it only colours the swatch
