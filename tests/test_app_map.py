"""The map tab's state without a browser: every figure must be the library's, and the link with
the grid must work both ways."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_app_state import AS_OF, HOSTILE, write_data

from aandacht.cadence import cadence_status, write_cadence
from aandacht.geo import to_geodataframe
from aandacht.mapdata import map_colours

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.map_view import DEFAULT_TARGET_DAYS, MapState, MapView, tiles_enabled  # noqa: E402
from app.state import MonitorState  # noqa: E402

CADENCE = [{"scope": "b_group", "key": "top customers", "ideal_days": 14, "max_days": 42}]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> str:
    return str(write_data(tmp_path_factory.mktemp("crm")))


@pytest.fixture()
def state(data, tmp_path) -> MonitorState:
    return MonitorState(data, store_folder=str(tmp_path / "store"), as_of=AS_OF)


@pytest.fixture()
def mapped(state, monkeypatch) -> MapState:
    monkeypatch.delenv("AANDACHT_TILES", raising=False)
    monkeypatch.delenv("AANDACHT_CADENCE", raising=False)
    return MapState(state)


def with_bands(state: MonitorState) -> pd.DataFrame:
    res = state.result.copy()
    res["band"] = state.banding.yb
    return res


def ids_of(state: MonitorState, rows) -> list[str]:
    return state.table["relation_id"].iloc[list(rows)].tolist()


# --- the map data is the library's ---------------------------------------------------------------


def test_map_data_is_to_geodataframe_of_the_result(mapped, state):
    on, off = to_geodataframe(with_bands(state))
    assert mapped.on_map.crs == on.crs
    pd.testing.assert_index_equal(mapped.on_map.index, on.index)
    assert mapped.on_map.geometry.geom_equals(on.geometry).all()
    cols = ["relation_id", "name", "city", "total", "dgn", "band", "geo_source"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(mapped.on_map[cols]), pd.DataFrame(on[cols]), check_dtype=False
    )
    # everyone is accounted for: on the map or listed with the reason (translated)
    assert len(mapped.on_map) + len(mapped.not_on_map) == len(state.result)
    assert mapped.not_on_map["relation_id"].tolist() == off["relation_id"].tolist()
    reasons = {"no postcode": "geen postcode", "abroad": "buitenland, geen coördinaten"}
    assert mapped.not_on_map["not_on_map"].tolist() == [reasons[r] for r in off["not_on_map"]]
    # the hostile relations have no address: listed, never on the map
    assert set(HOSTILE) <= set(mapped.not_on_map["relation_id"])
    # index = grid row, so the grid's rows and the map's relations line up
    assert (state.table.loc[on.index, "relation_id"] == on["relation_id"]).all()


def test_the_map_shows_the_part_with_the_library_colours(mapped, state):
    on, _ = to_geodataframe(with_bands(state))
    assert len(mapped.rmap.data) == len(on)
    expected = map_colours(on, "band", "nl")
    got = mapped.rmap.colours.legend.set_index("key")["count"]
    assert got.to_dict() == expected.legend.set_index("key")["count"].to_dict()
    # one band: only its relations, e.g. little attention
    mapped.band = "little"
    mapped.show = "band"
    little = on[on["band"] == "little"]
    assert sorted(mapped.rmap.data["relation_id"]) == sorted(little["relation_id"])
    # only the rows ticked in the grid
    mapped.show = "selected"
    assert len(mapped.rmap.data) == 0
    state.selected_rows = [0, 1, 2, 3]
    shown = set(on.index) & {0, 1, 2, 3}
    assert sorted(mapped.rmap.data.index) == sorted(shown)
    mapped.show = "all"
    assert len(mapped.rmap.data) == len(on)


def test_colour_by_sales_area_only_with_permission(mapped, state):
    assert not mapped.has_sales()
    mapped.colour_by = "sales_area"  # not allowed without permission: back to bands
    assert mapped.colour_by == "band"
    state.sales_permission = True
    assert mapped.has_sales() and "sales_area" in mapped.on_map.columns
    mapped.colour_by = "sales_area"
    on, _ = to_geodataframe(state.result.assign(sales_area=state.sales.table["sales_area"]))
    exp = map_colours(on, "sales_area", "nl").legend.set_index("key")["count"]
    assert mapped.rmap.colours.legend.set_index("key")["count"].to_dict() == exp.to_dict()
    mapped.area, mapped.show = "insufficient", "sales_area"
    assert set(mapped.rmap.data["map_key"]) <= {"insufficient"}
    state.sales_permission = False
    assert mapped.colour_by == "band" and mapped.show == "all"
    assert "sales_area" not in mapped.on_map.columns


def test_overdue_with_the_default_target_says_so(mapped, state):
    mapped.cadence = pd.DataFrame(columns=["scope", "key", "ideal_days", "max_days"])  # none set
    mapped.colour_by = "overdue"
    on, _ = to_geodataframe(with_bands(state))
    exp = map_colours(on, "overdue", "nl", target_days=DEFAULT_TARGET_DAYS)
    assert mapped.rmap.colours.key.to_dict() == exp.key.to_dict()
    assert "elke 30 dagen" in mapped.target_text()
    mapped.target_days = 7
    exp = map_colours(on, "overdue", "nl", target_days=7)
    assert mapped.rmap.colours.key.to_dict() == exp.key.to_dict()
    assert "elke 7 dagen" in mapped.target_text()


def test_overdue_with_cadence_settings(state, tmp_path, monkeypatch):
    path = write_cadence(pd.DataFrame(CADENCE), tmp_path / "cadence.csv")
    mapped = MapState(state, colour_by="overdue")
    assert mapped.load_cadence(str(path))  # as from $AANDACHT_CADENCE
    ratio = cadence_status(state.data, state.result, CADENCE)["overdue_ratio"]
    on = mapped.on_map
    np.testing.assert_array_equal(on["overdue_ratio"], ratio.to_numpy()[on.index])
    exp = map_colours(on, "overdue", "nl")
    assert mapped.rmap.colours.key.to_dict() == exp.key.to_dict()
    assert mapped.uses_cadence() and "cadence.csv" in mapped.target_text()
    assert "unknown" in set(exp.key)  # relations without a target are white
    assert not mapped.load_cadence(str(tmp_path / "missing.csv"))
    assert "missing.csv" in mapped.cadence_error
    # no settings (an empty table): one target for all again
    mapped.cadence = pd.DataFrame(columns=["scope", "key", "ideal_days", "max_days"])
    assert not mapped.uses_cadence() and "elke 30 dagen" in mapped.target_text()


# --- linked both ways -----------------------------------------------------------------------------


def test_grid_selection_highlights_those_on_the_map(mapped, state):
    state.selected_rows = [0, 2, 4, 5]
    assert mapped.highlight_rows == [0, 2, 4, 5]
    assert mapped.linked.highlight.ids == ids_of(state, [0, 2, 4, 5])
    on_map = [r for r in (0, 2, 4, 5) if r in mapped.on_map.index]
    assert mapped.rmap.ids(mapped._echo) == sorted(
        ids_of(state, on_map), key=mapped.rmap.data["relation_id"].tolist().index
    )
    assert "4 relaties geselecteerd" in mapped.highlight_text
    state.selected_rows = []
    assert mapped.linked.highlight.ids == [] and mapped.highlight_text == "Niets gemarkeerd."


def test_a_clicked_bin_highlights_its_relations(mapped, state):
    state.selected_bin = "little"
    little = state.table.index[state.table["band_key"] == "little"].tolist()
    assert mapped.highlight_rows == little
    assert sorted(mapped.linked.highlight.ids) == sorted(ids_of(state, little))
    on_map = mapped.on_map["band"].eq("little").sum()
    assert len(mapped._echo) == on_map
    assert f"band weinig, {len(little)} relaties ({on_map} relaties op de kaart)" in (
        mapped.highlight_text
    )
    # the bin's relations are not selected in the grid (nor exported)
    assert state.selected_rows == []
    state.selected_rows = [1]  # the last action wins
    assert mapped.highlight_rows == [1]
    state.selected_bin = None
    assert mapped.highlight_rows == [1]


def test_map_selection_selects_the_rows_in_the_grid(mapped, state, tmp_path):
    rmap = mapped.rmap
    positions = [0, 3, 7, 8]
    mapped.linked.selection.event(index=positions)  # a box/lasso selection in the browser
    rows = sorted(rmap.data.index[positions])
    assert state.selected_rows == rows
    assert ids_of(state, rows) == sorted(rmap.ids(positions), key=ids_of(state, rows).index)
    # ... and keeps them as the highlight, without the map's echo changing the selection
    assert mapped.highlight_rows == rows
    assert sorted(mapped.linked.highlight.ids) == sorted(rmap.ids(positions))
    mapped.linked.selection.event(index=mapped._echo)
    assert state.selected_rows == rows
    # the Excel export of the selection holds exactly those relations
    import openpyxl

    path = state.export_xlsx(tmp_path / "sel.xlsx", rows=state.selected_rows)
    ws = openpyxl.load_workbook(path)["Relaties"]
    codes = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert sorted(codes) == sorted(rmap.ids(positions))
    # an empty selection on the map clears the grid's
    mapped.linked.selection.event(index=[])
    assert state.selected_rows == []


def test_map_selection_in_the_selected_view_narrows_it(mapped, state):
    state.selected_rows = [0, 1, 3, 4]
    mapped.show = "selected"
    shown = mapped.rmap.data.index.tolist()
    mapped.linked.selection.event(index=[0])
    assert state.selected_rows == [shown[0]]
    assert mapped.rmap.data.index.tolist() == [shown[0]]


def test_clear_selection(mapped, state):
    state.selected_rows = [1, 2]
    state.selected_bin = "none"
    mapped.clear_selection()
    assert state.selected_rows == [] and state.selected_bin is None
    assert mapped.linked.highlight.ids == []


# --- privacy, language, rebanding, tiles ----------------------------------------------------------


def test_privacy_mode_positions_by_postcode_area_and_pseudonyms(mapped, state):
    real = set(state.result["relation_id"]) | set(state.result["name"].dropna())
    state.privacy = True
    on, off = to_geodataframe(with_bands(state), use_coordinates=False)
    # positions: only postcode-area centroids, never the relation's own coordinates
    assert set(mapped.on_map["geo_source"]) == {"postcode"}
    assert mapped.on_map.geometry.geom_equals(on.geometry).all()
    # nothing real on the map or in the list
    for frame in (mapped.rmap.data, mapped.not_on_map):
        shown = set(frame["relation_id"]) | set(frame["name"])
        assert not shown & real
        assert frame["relation_id"].str.fullmatch(r"P-[0-9A-F]{8}").all()
    # the grid's pseudonyms are the map's: the link still works
    state.selected_rows = [0, 1]
    assert mapped.linked.highlight.ids == ids_of(state, [0, 1])
    assert set(mapped.linked.highlight.ids) <= set(mapped.on_map["relation_id"])


def test_rebanding_and_language_rebuild_the_map(mapped, state):
    state.strategy = "fixed"
    assert mapped.on_map["band"].tolist() == list(state.banding.yb[mapped.on_map.index])
    state.lang = "en"
    assert mapped.not_on_map["not_on_map"].iloc[0] in ("no postcode", "abroad, no coordinates")
    assert mapped.rmap.colours.title == "Attention"


def test_tiles_only_when_asked(state, monkeypatch):
    monkeypatch.delenv("AANDACHT_TILES", raising=False)
    assert not tiles_enabled() and not MapState(state).tiles
    monkeypatch.setenv("AANDACHT_TILES", "1")
    mapped = MapState(state)
    assert mapped.tiles
    assert type(mapped.rmap.overlay.get(0)).__name__ == "Tiles"


def test_the_view_builds_the_map_only_when_shown(state):
    view = MapView(state)
    assert view.map.rmap is None  # not computed while the tab is hidden
    view.__panel__().get_root()  # rendering the tab builds it
    assert view.map.rmap is not None
    assert view.pane.object is view.map.linked.overlay
    assert "op de kaart" in view.info.object


def test_the_hidden_tabs_and_cards_are_made_when_first_opened(state):
    """create_app makes the map, insights and reports tabs and the collapsed cards when they
    are first opened (test_app_map_browser.py: a band clicked before the map is opened is
    highlighted on it)."""
    from app.app import TAB_KEYS, create_app

    page = create_app(state)
    tabs = page.main[0]
    later = ("tab_map", "tab_insights", "tab_reports")
    for key in later:
        assert len(tabs[TAB_KEYS.index(key)].objects) == 0  # an empty placeholder
    cards = {c.css_classes[0]: c for c in page.sidebar}
    for name in ("card-cadence", "card-monitors"):
        assert cards[name].collapsed and len(cards[name].objects[0].objects) == 0
    placeholders = {key: tabs[TAB_KEYS.index(key)] for key in later}
    for key in later:
        tabs.active = TAB_KEYS.index(key)
        shown = tabs[TAB_KEYS.index(key)]
        # the view went into the placeholder: the tab itself is not replaced, which re-rendered
        # every tab header in the browser and lost a click on another tab meanwhile
        assert shown is placeholders[key] and len(shown.objects) == 1
        shown.get_root()  # and it renders
    cards["card-cadence"].collapsed = False
    cards["card-monitors"].collapsed = False
    assert "cadence-table" in repr(cards["card-cadence"].objects[0])  # what Panel shows of them
    assert "monitor-save" in repr(cards["card-monitors"].objects[0])


def test_the_dashboards_cadence_settings_are_the_maps(state):
    mapped = MapState(state, colour_by="overdue")
    state.cadence = pd.DataFrame(CADENCE)
    assert mapped.cadence.equals(state.cadence) and mapped.uses_cadence()
    ratio = cadence_status(state.data, state.result, CADENCE)["overdue_ratio"]
    np.testing.assert_array_equal(mapped.on_map["overdue_ratio"], ratio[mapped.on_map.index])
