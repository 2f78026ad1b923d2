"""The relation map drawn with HoloViews (bokeh backend), from the library's map data.

:func:`relation_map` draws what :func:`aandacht.mapdata.map_data` computes — the relations as
points in their map colours, over the offline basemap of :func:`aandacht.mapdata.
basemap_mercator` (optionally over web tiles) — and returns the HoloViews objects; it never
renders. :meth:`RelationMap.linked` adds the two-way selection link the map tab
(:mod:`app.map_view`) uses. Points have a dark outline so that yellow and white stay visible on a
light basemap.

HoloViews is imported when a map is built, not when the dashboard starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from aandacht.geo import CREDITS
from aandacht.mapdata import MapColours, MapData, basemap_mercator, map_data

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["MUNICIPALITY_ZOOM_WIDTH", "LinkedMap", "RelationMap", "relation_map"]

#: Municipality outlines appear (``basemap_level="auto"``) when the map is narrower than this
#: (Web Mercator metres; the whole country is about 450 km).
MUNICIPALITY_ZOOM_WIDTH = 160_000.0
#: Columns of :attr:`aandacht.mapdata.MapData.data` the points carry (hover and legend).
POINT_COLUMNS = ["relation_id", "name", "city", "total_text", "dgn_text", "map_label", "legend"]


@dataclass(frozen=True)
class RelationMap:
    """What :func:`relation_map` returns.

    Attributes
    ----------
    overlay : hv.Overlay
        The map to show: basemap (and tiles), the points, legend and credits.
    points : hv.Points
        The relations layer; attach ``hv.streams.Selection1D(source=points)`` to it. Its
        selection indices are positions in :attr:`data`.
    mapdata : aandacht.mapdata.MapData
        What is drawn: :attr:`data` and :attr:`colours` come from it.
    """

    overlay: Any
    points: Any
    mapdata: MapData
    #: the options of :attr:`overlay` (bokeh backend), reused by :meth:`linked`
    overlay_opts: dict[str, Any]

    @property
    def data(self) -> pd.DataFrame:
        """The rows of :attr:`points` in drawing order (:attr:`aandacht.mapdata.MapData.data`)."""
        return self.mapdata.data

    @property
    def colours(self) -> MapColours:
        """Colours and legend of the relations on the map."""
        return self.mapdata.colours

    def ids(self, indices: Iterable[int]) -> list[str]:
        """Relation codes of point positions (e.g. ``Selection1D.index``)."""
        return self.mapdata.ids(indices)

    def positions(self, relation_ids: Iterable[Any]) -> list[int]:
        """Point positions of relation codes (those not on the map are left out), ascending."""
        return self.mapdata.positions(relation_ids)

    def linked(self) -> LinkedMap:
        """The map with a two-way selection link, for an app.

        The points become a ``DynamicMap`` driven by a stream with one parameter ``ids``:
        ``highlight.event(ids=[...])`` selects those relations on the map (grid → map) without
        rebuilding the plot, so zoom and pan stay. ``selection`` is a ``Selection1D`` on the
        points: its ``index`` changes on box, lasso or tap selection on the map (and also after
        ``highlight``); :meth:`ids` turns it into relation codes (map → grid).

        Returns
        -------
        LinkedMap
            ``(overlay, highlight, selection)``.
        """
        import holoviews as hv

        highlight = hv.streams.Stream.define("Highlight", ids=[])()
        points = self.points

        def _points(ids: list[Any]) -> Any:
            return points.opts(selected=self.positions(ids or []), backend="bokeh")

        dmap = hv.DynamicMap(_points, streams=[highlight])
        selection = hv.streams.Selection1D(source=dmap)
        layers = [el for el in self.overlay.values() if el is not points]
        overlay = (hv.Overlay(layers) * dmap).opts(backend="bokeh", **self.overlay_opts)
        return LinkedMap(overlay=overlay, highlight=highlight, selection=selection)


class LinkedMap(NamedTuple):
    """What :meth:`RelationMap.linked` returns."""

    #: the map to show (``pn.pane.HoloViews(overlay)``)
    overlay: Any
    #: ``highlight.event(ids=[relation codes])`` selects them on the map
    highlight: Any
    #: ``selection.index``: positions selected on the map (:meth:`RelationMap.ids`)
    selection: Any


def relation_map(
    relations: pd.DataFrame | gpd.GeoDataFrame,
    colour_by: str = "band",
    selected_ids: Iterable[Any] | None = None,
    basemap_level: str | None = "auto",
    tiles: bool | str = False,
    lang: str = "nl",
    target_days: float | str | None = None,
    height: int = 600,
    responsive: bool = False,
    point_size: float | None = None,
    webgl: bool = True,
) -> RelationMap:
    """Build the relation map as HoloViews objects (bokeh backend); nothing is rendered.

    Parameters
    ----------
    relations, colour_by, lang, target_days
        As for :func:`aandacht.mapdata.map_data`: the relations to show (a GeoDataFrame from
        :func:`aandacht.geo.to_geodataframe`, or a plain table, whose relations not on the map
        are left out) and how to colour them.
    selected_ids : relation codes, optional
        Highlighted as the initial selection (the others are dimmed), as if selected on the
        map. ``None`` or empty: no selection.
    basemap_level : ``"auto"``, ``"provinces"``, ``"municipalities"`` or ``None``
        Offline outlines: ``auto`` draws provinces and adds municipalities when zoomed in to
        less than :data:`MUNICIPALITY_ZOOM_WIDTH`; ``municipalities`` always shows both;
        ``None`` none.
    tiles : bool or str
        Web tiles under the outlines: ``True`` for OpenStreetMap, a name from
        ``hv.element.tiles.tile_sources`` (``"CartoLight"``) or a ``{X}/{Y}/{Z}`` URL. Needs the
        internet in the browser; the app decides. Without tiles the provinces are filled.
    height : height of the map area in pixels; the width follows from the shape of the map.
    responsive : scale the map to its container instead (keeping its shape); ``height`` is
        then ignored.
    point_size : marker size in pixels; default 7, smaller for many relations (5 from 2,000,
        4 from 5,000).
    webgl : draw with WebGL (keeps 10,000 points smooth).

    Returns
    -------
    RelationMap
        ``overlay`` to show, ``points`` for ``Selection1D``, ``data`` to map selection indices
        to relation codes (:meth:`RelationMap.ids`).

    Examples
    --------
    >>> rel = pd.DataFrame({"relation_id": ["R1", "R2"], "name": ["A", "B"],
    ...                     "postcode": ["9401", "1011 AB"], "band": ["none", "much"]})
    >>> rmap = relation_map(rel, selected_ids=["R1"])
    >>> len(rmap.data), rmap.ids([0, 1])
    (2, ['R2', 'R1'])
    """
    import holoviews as hv
    import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh backend)

    if basemap_level not in ("auto", "provinces", "municipalities", None):
        raise ValueError(
            f"unknown basemap_level {basemap_level!r}; valid: 'auto', 'provinces', "
            "'municipalities', None"
        )
    md = map_data(relations, colour_by, lang, target_days)
    data = md.data
    cmap = md.legend_colours
    if point_size is None:
        point_size = 7 if len(data) < 2000 else 5 if len(data) < 5000 else 4
    opts: dict[str, Any] = dict(
        color="legend",
        cmap=cmap if cmap else ["#FFFFFF"],
        size=point_size,
        line_color="#333333",
        line_width=0.5,
        fill_alpha=0.95,
        nonselection_alpha=0.15,
        selection_line_color="#000000",
        selection_line_width=1.5,
        tools=["hover", "box_select", "lasso_select", "tap"],
        hover_tooltips=[(label, f"@{{{column}}}") for label, column in md.hover],
        show_legend=True,
    )
    wanted = [] if selected_ids is None else list(selected_ids)
    if wanted:
        opts["selected"] = md.positions(wanted)
    # plain object columns: HoloViews iterates Arrow-backed strings slowly
    frame = pd.DataFrame(
        {
            c: pd.Series(data[c].to_numpy(), dtype=float if c in ("x", "y") else object)
            for c in ["x", "y", *POINT_COLUMNS]
        }
    )
    # text columns only feed the hover and the legend: a fixed range spares HoloViews from
    # sorting them to find one (a third of the render time for 10,000 relations)
    text_dims = [hv.Dimension(c, range=("", "")) for c in POINT_COLUMNS]
    points = hv.Points(frame, kdims=["x", "y"], vdims=text_dims, label="relations").opts(
        backend="bokeh", **opts
    )
    layers: list[Any] = []
    if tiles:
        layers.append(_tiles(tiles))
    layers.extend(_basemap_layers(basemap_level, filled=not tiles))
    layers.append(points)
    overlay_opts = dict(
        xaxis=None,
        yaxis=None,
        data_aspect=1,
        legend_position="right",
        legend_opts={"title": md.colours.title, "click_policy": "none"},
        active_tools=["wheel_zoom", "pan"],
        hooks=[_overlay_hook(webgl)],
        **({"responsive": True} if responsive else {"frame_height": height}),
    )
    overlay = hv.Overlay(layers).opts(backend="bokeh", **overlay_opts)
    return RelationMap(overlay, points, md, overlay_opts)


def _tiles(tiles: bool | str) -> Any:
    import holoviews as hv

    if tiles is True:
        return hv.element.tiles.OSM()
    sources = hv.element.tiles.tile_sources
    if tiles in sources:
        return sources[tiles]()
    if isinstance(tiles, str) and "{X}" in tiles.upper() and "{Z}" in tiles.upper():
        return hv.Tiles(tiles)
    raise ValueError(
        f"unknown tiles {tiles!r}; valid: True, a URL with {{X}}/{{Y}}/{{Z}}, or one of "
        f"{', '.join(sources)}"
    )


def _basemap_layers(level: str | None, filled: bool) -> list[Any]:
    import holoviews as hv

    if level is None:
        return []
    provinces = basemap_mercator("provinces")
    layers = []
    if filled:
        layers.append(
            hv.Polygons([provinces.land], label="land").opts(
                backend="bokeh", color="#F4F3EE", line_alpha=0, tools=[], show_legend=False
            )
        )
    if level in ("auto", "municipalities"):
        layers.append(
            hv.Path([basemap_mercator("municipalities").outlines], label="municipalities").opts(
                backend="bokeh",
                color="#B0B0B0",
                line_width=0.5,
                tools=[],
                show_legend=False,
                hooks=[_zoom_hook] if level == "auto" else [],
            )
        )
    layers.append(
        hv.Path([provinces.outlines], label="provinces").opts(
            backend="bokeh", color="#7F7F7F", line_width=1.2, tools=[], show_legend=False
        )
    )
    return layers


def _zoom_hook(plot: Any, element: Any) -> None:
    """Show the municipality outlines only when zoomed in (bokeh CustomJS, no server)."""
    from bokeh.models import CustomJS

    renderer = plot.handles["glyph_renderer"]
    x_range = plot.state.x_range
    start, end = x_range.start, x_range.end
    renderer.visible = (
        start is not None and end is not None and abs(end - start) < (MUNICIPALITY_ZOOM_WIDTH)
    )
    callback = CustomJS(
        args={"r": renderer, "xr": x_range, "w": MUNICIPALITY_ZOOM_WIDTH},
        code="r.visible = Math.abs(xr.end - xr.start) < w;",
    )
    x_range.js_on_change("start", callback)
    x_range.js_on_change("end", callback)


def _overlay_hook(webgl: bool) -> Any:
    def hook(plot: Any, element: Any) -> None:
        from bokeh.models import Title

        fig = plot.state
        if webgl:
            fig.output_backend = "webgl"
        credits = CREDITS["map"]
        if not any(isinstance(t, Title) and t.text == credits for t in fig.below):
            fig.add_layout(
                Title(text=credits, text_font_size="8pt", text_color="#666666", align="right"),
                "below",
            )

    return hook
