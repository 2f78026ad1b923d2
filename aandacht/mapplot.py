"""The map of relations (S11, B12): its own colour-blind-safe palettes and a HoloViews builder.

:func:`map_colours` gives every relation a map colour and a legend, by attention band, by sales
area or by how overdue its last contact is. :func:`relation_map` draws the relations as points
over the offline basemap of :mod:`aandacht.geo` (optionally over web tiles) and returns the
HoloViews objects; it never renders and never imports Panel — the app shows the overlay and
attaches ``hv.streams.Selection1D(source=rmap.points)`` for the link to the grid.

The palettes (``docs/map.md``) are variants of the band colours from the Okabe–Ito
colour-blind-safe set: every pair of colours within a palette stays at least 15 CIELAB units
apart when simulated for protanopia, deuteranopia and tritanopia (the app's band colours do not:
red ``none`` and green ``much`` are 7 apart for deuteranopia). Points have a dark outline so that
yellow and white stay visible on a light basemap.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"band": ["none", "much", "none"]})
>>> mc = map_colours(df, by="band", lang="en")
>>> mc.colour.tolist()
['#D55E00', '#009E73', '#D55E00']
>>> mc.legend.loc[mc.legend["count"] > 0, ["key", "label", "count"]].values.tolist()
[['much', 'much', 1], ['none', 'none', 2]]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .bands import AREA_NAMES, BAND_NAMES
from .bands import label as band_label
from .geo import CREDITS, basemap, to_geodataframe
from .i18n import check_lang
from .i18n import t as i18n_t

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "COLOUR_BY",
    "MAP_AREA_COLOURS",
    "MAP_BAND_COLOURS",
    "MAP_OVERDUE_COLOURS",
    "MAP_TEXT",
    "OVERDUE_BINS",
    "LinkedMap",
    "MUNICIPALITY_ZOOM_WIDTH",
    "MapColours",
    "RelationMap",
    "lon_lat_to_web_mercator",
    "map_colours",
    "relation_map",
]

#: Valid ``by`` values of :func:`map_colours`.
COLOUR_BY: tuple[str, ...] = ("band", "sales_area", "overdue")

#: Map colours of the attention bands (Okabe–Ito variants of :data:`aandacht.bands.BANDS`).
MAP_BAND_COLOURS: dict[str, str] = {
    "none": "#D55E00",  # vermillion (app: red)
    "very_little": "#4D4D4D",  # dark grey
    "little": "#BDBDBD",  # light grey
    "average": "#0072B2",  # blue
    "much": "#009E73",  # bluish green (app: green)
    "very_much": "#F0E442",  # yellow
    "unknown": "#FFFFFF",  # no band
}
#: Map colours of the sales areas (S9).
MAP_AREA_COLOURS: dict[str, str] = {
    "insufficient": "#D55E00",  # vermillion
    "average": "#0072B2",  # blue
    "too_much": "#E69F00",  # orange
    "excluded": "#BBBBBB",  # grey
    "unknown": "#FFFFFF",  # no sales area
}
#: Map colours of the overdue bins: green on time, then yellow, orange, vermillion; black for
#: never contacted.
MAP_OVERDUE_COLOURS: dict[str, str] = {
    "on_time": "#009E73",
    "overdue_0_50": "#F0E442",
    "overdue_50_100": "#E69F00",
    "overdue_over_100": "#D55E00",
    "never": "#000000",
    "unknown": "#FFFFFF",  # no target, so no ratio
}
#: Upper bounds (inclusive) of the overdue ratio ``(dgn - target) / target`` per bin; above the
#: last bound is ``overdue_over_100``.
OVERDUE_BINS: dict[str, float] = {"on_time": 0.0, "overdue_0_50": 0.5, "overdue_50_100": 1.0}

#: Map texts (nl/en) that are not band/area labels.
MAP_TEXT: dict[str, dict[str, str]] = {
    "on_time": {"nl": "op tijd", "en": "on time"},
    "overdue_0_50": {"nl": "tot 50% over termijn", "en": "up to 50% overdue"},
    "overdue_50_100": {"nl": "50–100% over termijn", "en": "50–100% overdue"},
    "overdue_over_100": {"nl": "meer dan 100% over termijn", "en": "more than 100% overdue"},
    "unknown_band": {"nl": "geen band", "en": "no band"},
    "unknown_sales_area": {"nl": "geen gebied", "en": "no area"},
    "unknown_overdue": {"nl": "geen termijn", "en": "no target"},
    "title_band": {"nl": "Aandacht", "en": "Attention"},
    "title_sales_area": {"nl": "Omzet en aandacht", "en": "Revenue and attention"},
    "title_overdue": {"nl": "Over termijn", "en": "Overdue"},
    "hover_name": {"nl": "Naam", "en": "Name"},
    "hover_code": {"nl": "Code", "en": "Code"},
    "hover_city": {"nl": "Plaats", "en": "City"},
    "hover_total": {"nl": "Contactmomenten", "en": "Contact moments"},
    "hover_dgn": {"nl": "Dagen geleden (dgn)", "en": "Days ago (dgn)"},
}

# legend / drawing order per colouring: least urgent first, so the most urgent is drawn on top
_ORDER: dict[str, tuple[str, ...]] = {
    "band": ("unknown", *reversed(BAND_NAMES)),
    "sales_area": ("unknown", "excluded", "too_much", "average", "insufficient"),
    "overdue": (
        "unknown",
        "on_time",
        "overdue_0_50",
        "overdue_50_100",
        "overdue_over_100",
        "never",
    ),
}
_PALETTE = {
    "band": MAP_BAND_COLOURS,
    "sales_area": MAP_AREA_COLOURS,
    "overdue": MAP_OVERDUE_COLOURS,
}

_WEB_MERCATOR_R = 6378137.0
#: Municipality outlines appear (``basemap_level="auto"``) when the map is narrower than this
#: (Web Mercator metres; the whole country is about 450 km).
MUNICIPALITY_ZOOM_WIDTH = 160_000.0


def _text(key: str, lang: str) -> str:
    return MAP_TEXT[key][check_lang(lang)]


def _label(by: str, key: str, lang: str) -> str:
    if key == "unknown":
        return _text(f"unknown_{by}", lang)
    if by == "overdue":
        return i18n_t("never_contact", lang) if key == "never" else _text(key, lang)
    return band_label(key, lang)


@dataclass(frozen=True)
class MapColours:
    """Map colour per relation and the legend.

    Attributes
    ----------
    by : ``"band"``, ``"sales_area"`` or ``"overdue"``.
    key : Series
        Category per relation (index of the input), e.g. ``"little"`` or ``"overdue_0_50"``.
    label : Series
        The category's label in the chosen language.
    colour : Series
        ``#RRGGBB`` per relation.
    legend : DataFrame
        ``key, label, colour, count`` for every category of the colouring (also those with
        count 0), in drawing order: least urgent first, the most urgent (drawn on top) last.
    title : str
        Legend title.
    """

    by: str
    key: pd.Series
    label: pd.Series
    colour: pd.Series
    legend: pd.DataFrame
    title: str

    @property
    def rank(self) -> pd.Series:
        """Position of each relation's category in the legend (drawing order)."""
        pos = {k: i for i, k in enumerate(self.legend["key"])}
        return self.key.map(pos).astype(int)


def map_colours(
    df: pd.DataFrame,
    by: str = "band",
    lang: str = "nl",
    target_days: float | str | None = None,
) -> MapColours:
    """The map colour of each relation and the legend.

    Parameters
    ----------
    df : DataFrame
        One row per relation. ``by="band"`` needs a ``band`` column (from
        :func:`aandacht.bands.classify`), ``by="sales_area"`` a ``sales_area`` column (from
        :func:`aandacht.sales.sales_view`). ``by="overdue"`` uses an ``overdue_ratio`` column
        when present (as made by :func:`aandacht.cadence.cadence_status`: ``inf`` = never
        contacted, missing = no target), else computes it from ``dgn`` and ``target_days``.
    by : ``"band"``, ``"sales_area"`` or ``"overdue"``.
    lang : ``"nl"`` or ``"en"``, for the labels.
    target_days : number or column name, optional
        The expected interval between contact moments (days), for ``by="overdue"`` without an
        ``overdue_ratio`` column: one number for all, or the name of a column of ``df``.

    Returns
    -------
    MapColours

    Notes
    -----
    Overdue bins on ``r = (dgn - target) / target``: ``on_time`` ``r <= 0``, ``overdue_0_50``
    ``0 < r <= 0.5``, ``overdue_50_100`` ``0.5 < r <= 1``, ``overdue_over_100`` ``r > 1``;
    ``never`` when there was no contact moment ever (ratio ``inf``, or ``dgn`` missing),
    ``unknown`` when there is no target. A missing or unrecognised band or area is no error: it
    gets ``unknown`` (white).

    >>> df = pd.DataFrame({"dgn": [10, 45, 61, None]})
    >>> map_colours(df, "overdue", "en", target_days=30).key.tolist()
    ['on_time', 'overdue_0_50', 'overdue_over_100', 'never']
    """
    check_lang(lang)
    if by not in COLOUR_BY:
        raise ValueError(
            f"unknown map colouring {by!r}; valid: {', '.join(repr(b) for b in COLOUR_BY)}"
        )
    if by == "overdue":
        key = _overdue_keys(df, target_days)
    else:
        col = by
        if col not in df:
            what = "aandacht.bands.classify" if by == "band" else "aandacht.sales.sales_view"
            raise ValueError(
                f"colouring by {by!r} needs a {col!r} column (from {what}); "
                f"columns are: {', '.join(map(str, df.columns))}"
            )
        valid = BAND_NAMES if by == "band" else AREA_NAMES
        raw = df[col].astype(object)
        key = raw.where(raw.isin(valid), "unknown")
    key = pd.Series(key.to_numpy(dtype=object), index=df.index, name="map_key", dtype="str")
    order = _ORDER[by]
    palette = _PALETTE[by]
    labels = {k: _label(by, k, lang) for k in order}
    counts = key.value_counts()
    legend = pd.DataFrame(
        {
            "key": list(order),
            "label": [labels[k] for k in order],
            "colour": [palette[k] for k in order],
            "count": [int(counts.get(k, 0)) for k in order],
        }
    )
    return MapColours(
        by=by,
        key=key,
        label=key.map(labels).astype("str").rename("map_label"),
        colour=key.map(palette).astype("str").rename("map_colour"),
        legend=legend,
        title=_text(f"title_{by}", lang),
    )


def _overdue_keys(df: pd.DataFrame, target_days: float | str | None) -> pd.Series:
    n = len(df)
    if "overdue_ratio" in df:
        # as from aandacht.cadence.cadence_status: inf = never contacted, NaN = no target
        r = pd.to_numeric(df["overdue_ratio"], errors="coerce").astype(float).to_numpy()
        never = np.isposinf(r)
        over = [r <= b for b in OVERDUE_BINS.values()]
    elif target_days is not None:
        if isinstance(target_days, str):
            if target_days not in df:
                raise ValueError(f"target_days column {target_days!r} is not in the table")
            tv = pd.to_numeric(df[target_days], errors="coerce").astype(float).to_numpy()
        else:
            tv = np.full(n, float(target_days))
        tv = np.where(tv > 0, tv, np.nan)
        if "dgn" not in df:
            raise ValueError("colouring by 'overdue' with target_days needs a 'dgn' column")
        dgn = pd.to_numeric(df["dgn"], errors="coerce").astype(float).to_numpy()
        never = np.isnan(dgn) & ~np.isnan(tv)
        r = np.where(never, np.inf, (dgn - tv) / tv)
        # r <= b  <=>  dgn <= target * (1 + b): no rounding from the division
        over = [dgn <= tv * (1 + b) for b in OVERDUE_BINS.values()]
    else:
        raise ValueError(
            "colouring by 'overdue' needs an 'overdue_ratio' column (aandacht.cadence."
            "cadence_status) or target_days= (the expected days between contact moments, a "
            "number or a column name)"
        )
    keys = np.select(
        [never, np.isnan(r), *over],
        ["never", "unknown", *OVERDUE_BINS],
        default="overdue_over_100",
    )
    return pd.Series(keys, index=df.index)


# --------------------------------------------------------------------------------------------
# the HoloViews map


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
    data : DataFrame
        The rows of :attr:`points` in drawing order (``relation_id``, ``x``, ``y`` in Web
        Mercator metres, ``lon``, ``lat``, hover columns, ``map_key``, ``map_label``,
        ``map_colour``, ``legend``), index = the input's index.
    colours : MapColours
        Colours and legend of the relations on the map.
    """

    overlay: Any
    points: Any
    data: pd.DataFrame
    colours: MapColours
    #: the options of :attr:`overlay` (bokeh backend), reused by :meth:`linked`
    overlay_opts: dict[str, Any]

    def ids(self, indices: Iterable[int]) -> list[str]:
        """Relation codes of point positions (e.g. ``Selection1D.index``)."""
        idx = np.asarray(list(indices), dtype=np.int64)
        return self.data["relation_id"].iloc[idx].astype(str).tolist()

    def positions(self, relation_ids: Iterable[Any]) -> list[int]:
        """Point positions of relation codes (those not on the map are left out), ascending."""
        wanted = {str(r) for r in relation_ids}
        ids = self.data["relation_id"].astype(str).to_numpy()
        return np.flatnonzero(np.isin(ids, list(wanted))).tolist()

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
    relations : GeoDataFrame or DataFrame
        The relations to show, e.g. the first result of :func:`aandacht.geo.to_geodataframe`.
        A plain DataFrame is put through :func:`~aandacht.geo.to_geodataframe` (those not on the
        map are left out). Needs ``relation_id`` and the column of ``colour_by``; ``name``,
        ``city``, ``total`` and ``dgn`` are shown on hover when present. To show a part (one
        band, the grid's rows), pass that part; colours do not depend on the rest.
    colour_by : ``"band"``, ``"sales_area"`` or ``"overdue"`` (see :func:`map_colours`).
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
    lang : ``"nl"`` or ``"en"``.
    target_days : for ``colour_by="overdue"`` (see :func:`map_colours`).
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
    >>> import pandas as pd
    >>> rel = pd.DataFrame({"relation_id": ["R1", "R2"], "name": ["A", "B"],
    ...                     "postcode": ["9401", "1011 AB"], "band": ["none", "much"]})
    >>> rmap = relation_map(rel, selected_ids=["R1"])
    >>> len(rmap.data), rmap.ids([0, 1])
    (2, ['R2', 'R1'])
    """
    import holoviews as hv
    import holoviews.plotting.bokeh  # noqa: F401  (registers the bokeh backend)

    check_lang(lang)
    if basemap_level not in ("auto", "provinces", "municipalities", None):
        raise ValueError(
            f"unknown basemap_level {basemap_level!r}; valid: 'auto', 'provinces', "
            "'municipalities', None"
        )
    if _is_geodataframe(relations):
        gdf = relations
    else:
        gdf = to_geodataframe(relations)[0]
    if "relation_id" not in gdf:
        raise ValueError("relation_map needs a 'relation_id' column")
    colours = map_colours(gdf, colour_by, lang, target_days)
    data = _point_data(gdf, colours)
    vdims = [
        "relation_id",
        "name",
        "city",
        "total_text",
        "dgn_text",
        "map_label",
        "legend",
    ]
    shown = colours.legend[colours.legend["count"] > 0]
    cmap = {
        f"{lab} ({cnt})": col
        for lab, col, cnt in zip(shown["label"], shown["colour"], shown["count"], strict=True)
    }
    hover = [
        (_text("hover_name", lang), "@{name}"),
        (_text("hover_code", lang), "@{relation_id}"),
        (_text("hover_city", lang), "@{city}"),
        (_text("hover_total", lang), "@{total_text}"),
        (_text("hover_dgn", lang), "@{dgn_text}"),
        (colours.title, "@{map_label}"),
    ]
    selected = None
    if selected_ids is not None:
        wanted = {str(r) for r in selected_ids}
        if wanted:
            mask = data["relation_id"].astype(str).isin(wanted).to_numpy()
            selected = np.flatnonzero(mask).tolist()
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
        hover_tooltips=hover,
        show_legend=True,
    )
    if selected is not None:
        opts["selected"] = selected
    # plain object columns: HoloViews iterates Arrow-backed strings slowly
    frame = pd.DataFrame(
        {
            c: pd.Series(data[c].to_numpy(), dtype=float if c in ("x", "y") else object)
            for c in ["x", "y", *vdims]
        }
    )
    # text columns only feed the hover and the legend: a fixed range spares HoloViews from
    # sorting them to find one (a third of the render time for 10,000 relations)
    text_dims = [hv.Dimension(c, range=("", "")) for c in vdims]
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
        legend_opts={"title": colours.title, "click_policy": "none"},
        active_tools=["wheel_zoom", "pan"],
        hooks=[_overlay_hook(webgl)],
        **({"responsive": True} if responsive else {"frame_height": height}),
    )
    overlay = hv.Overlay(layers).opts(backend="bokeh", **overlay_opts)
    return RelationMap(overlay, points, data, colours, overlay_opts)


def _is_geodataframe(obj: Any) -> bool:
    try:
        import geopandas as gpd
    except ImportError:  # pragma: no cover - geopandas is an app dependency
        return False
    return isinstance(obj, gpd.GeoDataFrame)


def lon_lat_to_web_mercator(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) to Web Mercator (EPSG:3857) metres."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85.051129, 85.051129)
    x = np.radians(lon) * _WEB_MERCATOR_R
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * _WEB_MERCATOR_R
    return x, y


def _point_data(gdf: Any, colours: MapColours) -> pd.DataFrame:
    """Rows for the points layer, sorted stably into drawing order."""
    geom = gdf.geometry
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        geom = geom.to_crs(4326)
    lon = geom.x.to_numpy(dtype=float) if len(gdf) else np.zeros(0)
    lat = geom.y.to_numpy(dtype=float) if len(gdf) else np.zeros(0)
    x, y = lon_lat_to_web_mercator(lon, lat)
    n = len(gdf)

    def col(name: str, default: Any) -> pd.Series:
        if name in gdf:
            return pd.Series(gdf[name].to_numpy(dtype=object), index=gdf.index)
        return pd.Series([default] * n, index=gdf.index, dtype=object)

    dgn = pd.to_numeric(col("dgn", None), errors="coerce")
    total = pd.to_numeric(col("total", None), errors="coerce")
    data = pd.DataFrame(
        {
            "relation_id": col("relation_id", "").astype(str),
            "name": col("name", "").fillna("").astype(str),
            "city": col("city", "").fillna("").astype(str),
            "total": total.astype(float),
            "dgn": dgn.astype(float),
            "total_text": _int_text(total),
            "dgn_text": _int_text(dgn),
            "lon": lon,
            "lat": lat,
            "x": x,
            "y": y,
            "map_key": colours.key,
            "map_label": colours.label,
            "map_colour": colours.colour,
        },
        index=gdf.index,
    )
    counts = dict(zip(colours.legend["key"], colours.legend["count"], strict=True))
    data["legend"] = [
        f"{lab} ({counts[k]})" for k, lab in zip(data.map_key, data.map_label, strict=True)
    ]
    order = np.argsort(colours.rank.to_numpy(), kind="stable")
    return data.iloc[order]


def _int_text(values: pd.Series) -> list[str]:
    return ["–" if pd.isna(v) else str(int(v)) for v in values]


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


def _land_polygon(gdf: Any) -> dict[str, Any]:
    """All polygons of ``gdf`` as one HoloViews multi-polygon (NaN between parts, with holes),
    in Web Mercator. One geometry instead of hundreds keeps HoloViews fast."""
    import shapely

    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    holes: list[list[np.ndarray]] = []
    for part in shapely.get_parts(gdf.to_crs(3857).geometry.to_numpy()):
        c = shapely.get_coordinates(part.exterior)
        xs += [np.array([np.nan]), c[:, 0]] if xs else [c[:, 0]]
        ys += [np.array([np.nan]), c[:, 1]] if ys else [c[:, 1]]
        holes.append([shapely.get_coordinates(r) for r in part.interiors])
    return {"x": np.concatenate(xs), "y": np.concatenate(ys), "holes": holes}


def _outlines(gdf: Any) -> np.ndarray:
    """All rings of ``gdf`` as one line, NaN between rings, in Web Mercator (n × 2)."""
    import shapely

    rings = shapely.get_rings(shapely.get_parts(gdf.to_crs(3857).geometry.to_numpy()))
    coords, which = shapely.get_coordinates(rings, return_index=True)
    breaks = np.flatnonzero(np.diff(which)) + 1
    return np.insert(coords, breaks, np.nan, axis=0)


_BASEMAP_CACHE: dict[str, Any] = {}


def _basemap_geometry(level: str) -> Any:
    if level not in _BASEMAP_CACHE:
        gdf = basemap(level)
        _BASEMAP_CACHE[level] = (_land_polygon(gdf), _outlines(gdf))
    return _BASEMAP_CACHE[level]


def _basemap_layers(level: str | None, filled: bool) -> list[Any]:
    import holoviews as hv

    if level is None:
        return []
    land, lines = _basemap_geometry("provinces")
    layers = []
    if filled:
        layers.append(
            hv.Polygons([land], label="land").opts(
                backend="bokeh", color="#F4F3EE", line_alpha=0, tools=[], show_legend=False
            )
        )
    if level in ("auto", "municipalities"):
        _, mun = _basemap_geometry("municipalities")
        layers.append(
            hv.Path([mun], label="municipalities").opts(
                backend="bokeh",
                color="#B0B0B0",
                line_width=0.5,
                tools=[],
                show_legend=False,
                hooks=[_zoom_hook] if level == "auto" else [],
            )
        )
    layers.append(
        hv.Path([lines], label="provinces").opts(
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
