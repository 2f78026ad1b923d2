"""What the map of relations shows (S11, B12): colours, legend, points and basemap as data.

:func:`map_colours` gives every relation a map colour and a legend, by attention band, by sales
area or by how overdue its last contact is. :func:`map_data` turns relations into the points of
the map: one row per relation on it, in drawing order, with Web Mercator coordinates, hover texts
and colours; its :meth:`~MapData.ids` and :meth:`~MapData.positions` translate between point
positions (a selection on the map) and relation codes. :func:`basemap_mercator` gives the offline
outlines of :func:`aandacht.geo.basemap` in the same projection. Everything here returns numbers,
frames and colour strings; drawing them (HoloViews, bokeh) is the app's (``app/map_plot.py``).

The palettes (``docs/map.md``) are variants of the band colours from the Okabe–Ito
colour-blind-safe set: every pair of colours within a palette stays at least 15 CIELAB units
apart when simulated for protanopia, deuteranopia and tritanopia (the app's band colours do not:
red ``none`` and green ``much`` are 7 apart for deuteranopia).

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
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .bands import AREA_NAMES, BAND_NAMES
from .bands import label as band_label
from .geo import BASEMAP_LEVELS, basemap, to_geodataframe
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
    "MapColours",
    "MapData",
    "MercatorBasemap",
    "basemap_mercator",
    "lon_lat_to_web_mercator",
    "map_colours",
    "map_data",
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
# the points of the map


@dataclass(frozen=True)
class MapData:
    """What :func:`map_data` returns: the points of the map and their colours.

    Attributes
    ----------
    data : DataFrame
        One row per relation on the map, in drawing order (least urgent first, so the most
        urgent is drawn last, on top): ``relation_id``, ``name``, ``city``, ``total``, ``dgn``,
        ``total_text`` and ``dgn_text`` (for hover; ``–`` when missing), ``lon``, ``lat``, ``x``,
        ``y`` (Web Mercator metres), ``map_key``, ``map_label``, ``map_colour`` and ``legend``
        (``"label (count)"``); index = the input's index. Point position ``i`` of a map drawn
        from it is ``data.iloc[i]``.
    colours : MapColours
        Colours and legend of the relations on the map.
    hover : list of (label, column)
        What hovering over a point shows, in order: the label in the chosen language and the
        column of :attr:`data` with the value.
    """

    data: pd.DataFrame
    colours: MapColours
    hover: list[tuple[str, str]]

    def ids(self, indices: Iterable[int]) -> list[str]:
        """Relation codes of point positions (e.g. a selection on the map)."""
        idx = np.asarray(list(indices), dtype=np.int64)
        return self.data["relation_id"].iloc[idx].astype(str).tolist()

    def positions(self, relation_ids: Iterable[Any]) -> list[int]:
        """Point positions of relation codes (those not on the map are left out), ascending."""
        wanted = {str(r) for r in relation_ids}
        ids = self.data["relation_id"].astype(str).to_numpy()
        return np.flatnonzero(np.isin(ids, list(wanted))).tolist()

    @property
    def legend_colours(self) -> dict[str, str]:
        """Colour of every ``legend`` text (``"label (count)"``) present, in drawing order."""
        shown = self.colours.legend[self.colours.legend["count"] > 0]
        return {
            f"{lab} ({cnt})": col
            for lab, col, cnt in zip(shown["label"], shown["colour"], shown["count"], strict=True)
        }


def map_data(
    relations: pd.DataFrame | gpd.GeoDataFrame,
    colour_by: str = "band",
    lang: str = "nl",
    target_days: float | str | None = None,
) -> MapData:
    """The points of the relation map: position, hover texts and colour of each, in drawing order.

    Parameters
    ----------
    relations : GeoDataFrame or DataFrame
        The relations to show, e.g. the first result of :func:`aandacht.geo.to_geodataframe`.
        A plain DataFrame is put through :func:`~aandacht.geo.to_geodataframe` (those not on the
        map are left out). Needs ``relation_id`` and the column of ``colour_by``; ``name``,
        ``city``, ``total`` and ``dgn`` are shown on hover when present. To show a part (one
        band, the grid's rows), pass that part; colours do not depend on the rest.
    colour_by : ``"band"``, ``"sales_area"`` or ``"overdue"`` (see :func:`map_colours`).
    lang : ``"nl"`` or ``"en"``.
    target_days : for ``colour_by="overdue"`` (see :func:`map_colours`).

    Returns
    -------
    MapData

    Examples
    --------
    >>> rel = pd.DataFrame({"relation_id": ["R1", "R2", "R3"], "name": ["A", "B", "C"],
    ...                     "postcode": ["9401", "1011 AB", "x"], "band": ["none", "much", "none"]})
    >>> md = map_data(rel, lang="en")
    >>> md.data[["relation_id", "legend"]].values.tolist()  # R3 is not on the map
    [['R2', 'much (1)'], ['R1', 'none (1)']]
    >>> md.ids([1]), md.positions(["R1", "R3"])
    (['R1'], [1])
    >>> md.legend_colours
    {'much (1)': '#009E73', 'none (1)': '#D55E00'}
    """
    check_lang(lang)
    if _is_geodataframe(relations):
        gdf = relations
    else:
        gdf = to_geodataframe(relations)[0]
    if "relation_id" not in gdf:
        raise ValueError("the relation map needs a 'relation_id' column")
    colours = map_colours(gdf, colour_by, lang, target_days)
    hover = [
        (_text("hover_name", lang), "name"),
        (_text("hover_code", lang), "relation_id"),
        (_text("hover_city", lang), "city"),
        (_text("hover_total", lang), "total_text"),
        (_text("hover_dgn", lang), "dgn_text"),
        (colours.title, "map_label"),
    ]
    return MapData(_point_data(gdf, colours), colours, hover)


def _is_geodataframe(obj: Any) -> bool:
    try:
        import geopandas as gpd
    except ImportError:  # pragma: no cover - geopandas is an app dependency
        return False
    return isinstance(obj, gpd.GeoDataFrame)


def lon_lat_to_web_mercator(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (degrees) to Web Mercator (EPSG:3857) metres.

    >>> x, y = lon_lat_to_web_mercator([5.0], [52.0])
    >>> x.round().tolist(), y.round().tolist()
    ([556597.0], [6800125.0])
    """
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


# --------------------------------------------------------------------------------------------
# the basemap in Web Mercator


class MercatorBasemap(NamedTuple):
    """What :func:`basemap_mercator` returns (Web Mercator metres)."""

    #: all polygons as one multi-polygon: ``{"x": …, "y": …, "holes": [[ring, …], …]}``, NaN
    #: between the parts, one list of hole rings (n × 2) per part
    land: dict[str, Any]
    #: all rings (outer and holes) as one line, NaN rows between rings (n × 2)
    outlines: np.ndarray


@lru_cache(maxsize=len(BASEMAP_LEVELS))
def basemap_mercator(level: str = "provinces") -> MercatorBasemap:
    """The offline basemap (:func:`aandacht.geo.basemap`) in Web Mercator, as two geometries.

    One geometry for the land and one for the outlines instead of hundreds keeps a plot fast.
    Cached: do not change the arrays.

    >>> bm = basemap_mercator("provinces")
    >>> bm.outlines.shape[1], bool(np.isnan(bm.outlines).any()), sorted(bm.land)
    (2, True, ['holes', 'x', 'y'])
    """
    import shapely

    gdf = basemap(level)
    parts = shapely.get_parts(gdf.to_crs(3857).geometry.to_numpy())
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    holes: list[list[np.ndarray]] = []
    for part in parts:
        c = shapely.get_coordinates(part.exterior)
        xs += [np.array([np.nan]), c[:, 0]] if xs else [c[:, 0]]
        ys += [np.array([np.nan]), c[:, 1]] if ys else [c[:, 1]]
        holes.append([shapely.get_coordinates(r) for r in part.interiors])
    land = {"x": np.concatenate(xs), "y": np.concatenate(ys), "holes": holes}
    rings = shapely.get_rings(parts)
    coords, which = shapely.get_coordinates(rings, return_index=True)
    breaks = np.flatnonzero(np.diff(which)) + 1
    return MercatorBasemap(land, np.insert(coords, breaks, np.nan, axis=0))
