"""The relation map as the app draws it (``app/map_plot.py``): HoloViews objects rendered with
bokeh, the two-way selection link, and the map in a browser. What the map shows (colours, points,
legend) is the library's and tested in ``test_geo.py``."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aandacht.geo import to_geodataframe

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.map_plot import MUNICIPALITY_ZOOM_WIDTH, relation_map  # noqa: E402


@pytest.fixture()
def result(sample_banded_result):
    return sample_banded_result.copy()


def _render(obj):
    import holoviews as hv

    return hv.render(obj, backend="bokeh")


def _scatter(fig):
    (r,) = [r for r in fig.renderers if type(r.glyph).__name__ == "Scatter"]
    return r


def test_relation_map_renders_every_relation_on_the_map(result):
    on, off = to_geodataframe(result)
    rmap = relation_map(on, colour_by="band", lang="en")
    fig = _render(rmap.overlay)
    pts = _scatter(fig)
    assert len(pts.data_source.data["x"]) == len(on) == 388 == len(rmap.data)
    assert fig.output_backend == "webgl"
    # hover: name, city, total, dgn
    (hover,) = [t for t in fig.tools if type(t).__name__ == "HoverTool"]
    fields = dict(hover.tooltips)
    assert fields["Name"] == "@{name}" and fields["City"] == "@{city}"
    assert (
        fields["Contact moments"] == "@{total_text}" and fields["Days ago (dgn)"] == "@{dgn_text}"
    )
    for col in ("name", "city", "total_text", "dgn_text", "relation_id"):
        assert col in pts.data_source.data
    tools = {type(t).__name__ for t in fig.tools}
    assert {"BoxSelectTool", "LassoSelectTool", "TapTool"} <= tools
    # hover values match the relations (looked up by code)
    src = pd.DataFrame({k: list(v) for k, v in pts.data_source.data.items() if k != "color"})
    merged = src.merge(result, on="relation_id")
    assert (merged["name_x"] == merged["name_y"].astype(str)).all()
    assert (merged["total_text"] == merged["total"].astype(str)).all()
    dgn = merged["dgn"].astype("Float64")
    assert (merged["dgn_text"] == dgn.map(lambda d: "–" if pd.isna(d) else str(int(d)))).all()
    # legend: the present categories, in drawing order, with counts
    counts = result.loc[result.relation_id.isin(on.relation_id), "band"].value_counts()
    shown = rmap.colours.legend[rmap.colours.legend["count"] > 0]
    assert [f"{lab} ({cnt})" for lab, cnt in zip(shown.label, shown["count"], strict=True)] == list(
        pd.unique(pd.Series(pts.data_source.data["legend"]))
    )
    assert dict(zip(shown["key"], shown["count"], strict=True)) == counts.to_dict()
    assert fig.legend[0].title == "Attention"


def test_relation_map_from_a_plain_table_leaves_out_those_not_on_the_map(result):
    rmap = relation_map(result, colour_by="band")
    assert len(_scatter(_render(rmap.overlay)).data_source.data["x"]) == 388
    assert not set(rmap.data.relation_id) & set(result.relation_id[result.country != "NL"])


def test_selected_ids_are_highlighted(result):
    wanted = ["R00001", "R00002", "R00011"]  # R00011 is abroad, not on the map
    rmap = relation_map(result, selected_ids=wanted)
    pts = _scatter(_render(rmap.overlay))
    sel = pts.data_source.selected.indices
    assert sorted(rmap.ids(sel)) == ["R00001", "R00002"]
    assert rmap.positions(wanted) == sorted(sel)
    assert pts.nonselection_glyph.fill_alpha == pytest.approx(0.15)
    none = _scatter(_render(relation_map(result, selected_ids=[]).overlay))
    assert list(none.data_source.selected.indices) == []


@pytest.mark.parametrize("colour_by", ["band", "overdue"])
def test_relation_map_colourings(result, colour_by):
    rmap = relation_map(result, colour_by=colour_by, target_days=30)
    pts = _scatter(_render(rmap.overlay))
    mapper = pts.glyph.fill_color.transform
    palette = dict(zip(mapper.factors, mapper.palette, strict=True))
    for legend, colour in zip(rmap.data["legend"], rmap.data["map_colour"], strict=True):
        assert palette[legend] == colour


def test_basemap_layers_and_zoom_rule(result):
    def lines(level, **kw):
        fig = _render(relation_map(result, basemap_level=level, **kw).overlay)
        return [
            (type(r.glyph).__name__, r.visible)
            for r in fig.renderers
            if type(r.glyph).__name__ != "Scatter"
        ]

    assert lines(None) == []
    assert lines("provinces") == [("MultiPolygons", True), ("MultiLine", True)]
    assert lines("municipalities") == [
        ("MultiPolygons", True),
        ("MultiLine", True),
        ("MultiLine", True),
    ]
    # auto: municipalities hidden for the whole country, shown when zoomed in (CustomJS)
    assert lines("auto")[1] == ("MultiLine", False)
    rmap = relation_map(result, basemap_level="auto")
    w = MUNICIPALITY_ZOOM_WIDTH / 2
    zoomed = rmap.overlay.redim.range(x=(540_000, 540_000 + w), y=(6_850_000, 6_850_000 + w))
    fig = _render(zoomed)
    mun = [r for r in fig.renderers if type(r.glyph).__name__ == "MultiLine"][0]
    assert mun.visible
    assert fig.x_range.js_property_callbacks  # toggles on zoom in the browser
    with pytest.raises(ValueError, match="basemap_level"):
        relation_map(result, basemap_level="streets")


def test_tiles_are_optional(result):
    fig = _render(relation_map(result, tiles=True).overlay)
    tiles = [r for r in fig.renderers if type(r).__name__ == "TileRenderer"]
    assert len(tiles) == 1 and "openstreetmap" in tiles[0].tile_source.url
    fig = _render(relation_map(result, tiles="CartoLight").overlay)
    assert any(type(r).__name__ == "TileRenderer" for r in fig.renderers)
    # with tiles the land is not filled, so the tiles show
    glyphs = [type(r.glyph).__name__ for r in fig.renderers if hasattr(r, "glyph")]
    assert "MultiPolygons" not in glyphs
    with pytest.raises(ValueError, match="unknown tiles"):
        relation_map(result, tiles="Atlantis")


def test_credits_are_on_the_map(result):
    fig = _render(relation_map(result).overlay)
    texts = [getattr(b, "text", "") for b in fig.below]
    assert any("CBS/PDOK" in t and "GeoNames" in t for t in texts)


def test_empty_and_abroad_only_maps_build():
    empty = pd.DataFrame(
        {
            "relation_id": [],
            "postcode": pd.Series([], dtype="str"),
            "band": pd.Series([], dtype="str"),
        }
    )
    rmap = relation_map(empty)
    assert len(_scatter(_render(rmap.overlay)).data_source.data["x"]) == 0
    abroad = pd.DataFrame(
        {"relation_id": ["R1"], "postcode": ["2000"], "country": ["BE"], "band": ["none"],
         "lat": [51.2], "lon": [4.4]}
    )  # fmt: skip
    assert len(relation_map(abroad).data) == 1


def test_linked_map_both_ways(result):
    import holoviews as hv

    rmap = relation_map(result)

    async def scenario():
        linked = rmap.linked()
        plot = hv.renderer("bokeh").get_plot(linked.overlay)
        source = _scatter(plot.state).data_source
        assert len(source.data["x"]) == len(rmap.data)
        # grid -> map
        linked.highlight.event(ids=["R00001", "R00003"])
        await asyncio.sleep(0.05)
        assert sorted(rmap.ids(source.selected.indices)) == ["R00001", "R00003"]
        # map -> grid: a box/lasso selection in the browser sets the source's selection
        source.selected.indices = [0, 1, 2]
        for _ in range(50):
            await asyncio.sleep(0.02)
            if list(linked.selection.index) == [0, 1, 2]:
                break
        assert rmap.ids(linked.selection.index) == rmap.data.relation_id.iloc[:3].tolist()

    # In a thread of its own: after the Playwright tests, this thread may have a running loop.
    errors = []

    def run():
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "the linked-map scenario did not finish"
    if errors:
        raise errors[0]


def test_relation_map_keeps_the_library_s_data(result):
    from aandacht.mapdata import map_data

    rmap = relation_map(result, colour_by="band", lang="en")
    md = map_data(result, colour_by="band", lang="en")
    pd.testing.assert_frame_equal(rmap.data, md.data)
    assert rmap.colours.legend.equals(md.colours.legend)
    assert rmap.ids([0, 5]) == md.ids([0, 5])
    pts = _scatter(_render(rmap.overlay))
    assert list(pts.data_source.data["relation_id"]) == md.data["relation_id"].tolist()
    np.testing.assert_allclose(pts.data_source.data["x"], md.data["x"])
    np.testing.assert_allclose(pts.data_source.data["y"], md.data["y"])


# ------------------------------------------------------------------------------ in a browser


@pytest.mark.browser
def test_map_in_a_browser_offline_box_select_and_zoom(result, tmp_path, page):
    """The map renders from a file with inline resources (no network), a box selection
    selects exactly the points inside the box, and zooming in shows the municipalities."""
    from bokeh.io import save
    from bokeh.resources import INLINE

    rmap = relation_map(result, height=500)
    html = tmp_path / "map.html"
    save(_render(rmap.overlay), html, resources=INLINE, title="map")
    page.route("**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_())
    page.goto(html.as_uri())
    page.wait_for_function("() => window.Bokeh && Bokeh.index && Object.keys(Bokeh.index).length")
    geometry = page.evaluate(
        """() => {
        const view = Object.values(Bokeh.index)[0];
        const f = view.frame.bbox, c = view.el.getBoundingClientRect();
        return {left: c.left + f.left, top: c.top + f.top, width: f.width, height: f.height};
    }"""
    )
    # box select: activate the tool, drag over the middle of the map
    page.locator(".bk-tool-icon-box-select").click()
    x0 = geometry["left"] + geometry["width"] * 0.3
    y0 = geometry["top"] + geometry["height"] * 0.3
    x1 = geometry["left"] + geometry["width"] * 0.7
    y1 = geometry["top"] + geometry["height"] * 0.6
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    state = page.evaluate(
        """([x0, y0, x1, y1]) => {
        const view = Object.values(Bokeh.index)[0];
        const fr = view.frame, c = view.el.getBoundingClientRect();
        const sx = (px) => fr.x_scale.invert(px - c.left), sy = (py) => fr.y_scale.invert(py - c.top);
        const renderers = view.model.renderers;
        const pts = renderers.find((r) => r.glyph.constructor.__name__ == "Scatter");
        const mun = renderers.filter((r) => r.glyph.constructor.__name__ == "MultiLine");
        return {selected: pts.data_source.selected.indices,
                box: [sx(x0), sy(y1), sx(x1), sy(y0)],
                municipalities: mun.map((r) => r.visible)};
    }""",
        [x0, y0, x1, y1],
    )
    bx0, by0, bx1, by1 = state["box"]
    d = rmap.data
    inside = np.flatnonzero(d.x.between(bx0, bx1) & d.y.between(by0, by1))
    assert 0 < len(inside) < len(d)
    # a point right on the edge may go either way: compare with a pixel of tolerance
    assert abs(len(state["selected"]) - len(inside)) <= 2
    assert len(set(state["selected"]) ^ set(inside.tolist())) <= 2
    assert state["municipalities"] == [False, True]  # [municipalities, provinces]
    # zoom in with the wheel: municipalities appear
    page.mouse.move(geometry["left"] + geometry["width"] / 2, geometry["top"] + 200)
    for _ in range(10):
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(50)
    page.wait_for_function(
        """() => Object.values(Bokeh.index)[0].model.renderers
              .filter((r) => r.glyph.constructor.__name__ == "MultiLine")
              .every((r) => r.visible)"""
    )
