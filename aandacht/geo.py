"""Locations of relations: coordinates, postcode geocoding and the offline basemap.

A relation gets on the map in this order (see ``docs/map.md``):

1. its own ``lat``/``lon``, when both are given and valid (``geo_source = "lat/lon"``);
2. else, for a Dutch relation, the centroid of its 4-digit postcode area from the GeoNames
   postcode file shipped in ``aandacht/data`` (``geo_source = "postcode"``);
3. else it is *not on the map*, with the reason in ``not_on_map``.

Everything is offline and vectorised: 10,000 relations take a few milliseconds
(``bench/geo_bench.py``). :mod:`geopandas` is only needed for :func:`to_geodataframe` and
:func:`basemap`.

Examples
--------
>>> import pandas as pd
>>> rel = pd.DataFrame({
...     "relation_id": ["R1", "R2", "R3", "R4"],
...     "postcode": ["9401 AB", "1000aa", "50667", ""],
...     "country": ["NL", "", "DE", "NL"],
...     "lat": [None, None, None, 52.1],
...     "lon": [None, None, None, 5.1],
... })
>>> out = geocode(rel)
>>> out[["relation_id", "geo_source", "not_on_map"]]
  relation_id geo_source        not_on_map
0          R1   postcode               NaN
1          R2        NaN  unknown postcode
2          R3        NaN            abroad
3          R4    lat/lon               NaN
>>> out.loc[0, ["lat", "lon"]].round(4).tolist()
[52.9939, 6.5625]
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "ABROAD",
    "BASEMAP_LEVELS",
    "CREDITS",
    "HIDDEN",
    "INVALID_COORDINATES",
    "INVALID_POSTCODE",
    "NL_COUNTRY_NAMES",
    "NO_POSTCODE",
    "REASONS",
    "UNKNOWN_POSTCODE",
    "basemap",
    "geocode",
    "is_dutch",
    "normalise_postcode",
    "postcode_centroids",
    "to_geodataframe",
]

DATA = Path(__file__).parent / "data"
GEONAMES_FILE = DATA / "geonames_NL_postcodes.tsv"
BASEMAP_FILES: dict[str, Path] = {
    "provinces": DATA / "nl_provinces_2023.geojson",
    "municipalities": DATA / "nl_municipalities_2023.geojson",
}
#: Valid ``level`` values of :func:`basemap`.
BASEMAP_LEVELS: tuple[str, ...] = tuple(BASEMAP_FILES)

#: Attribution lines the map must show (data licences).
CREDITS: dict[str, str] = {
    "postcodes": "Postcode centroids: GeoNames (geonames.org), CC BY 4.0",
    "basemap": "Provinces and municipalities 2023: CBS / PDOK open data (Bron: CBS), CC BY 4.0",
    #: the one line shown under the map
    "map": "Basemap: CBS/PDOK · Postcodes: GeoNames · CC BY 4.0",
}

# --- reasons for not being on the map --------------------------------------------------------
#: Coordinates were given but unusable (out of range, only one of the two, 0/0, or for a Dutch
#: relation outside the Netherlands), and the postcode could not replace them.
INVALID_COORDINATES = "invalid coordinates"
#: Not a Dutch relation and no valid coordinates: Dutch postcodes are never used abroad.
ABROAD = "abroad"
#: A Dutch relation without coordinates and without a postcode.
NO_POSTCODE = "no postcode"
#: The postcode was masked (privacy mode, :data:`aandacht.privacy.MASK`).
HIDDEN = "hidden"
#: The postcode does not look like a Dutch one (``1234``, ``1234 AB``; first digit not 0).
INVALID_POSTCODE = "invalid postcode"
#: A well-formed Dutch postcode that is not in the GeoNames file.
UNKNOWN_POSTCODE = "unknown postcode"
#: All reasons, in the order they are checked.
REASONS: tuple[str, ...] = (
    INVALID_COORDINATES,
    ABROAD,
    NO_POSTCODE,
    HIDDEN,
    INVALID_POSTCODE,
    UNKNOWN_POSTCODE,
)

#: Values of ``country`` (upper-cased, spaces collapsed) that mean the Netherlands. An empty
#: country counts as Dutch: most CRM exports leave it empty for domestic relations.
NL_COUNTRY_NAMES: frozenset[str] = frozenset(
    {
        "",
        "NL",
        "NLD",
        "NEDERLAND",
        "NETHERLANDS",
        "THE NETHERLANDS",
        "HOLLAND",
        "PAYS-BAS",
        "NIEDERLANDE",
    }
)

#: Generous bounding box of the European Netherlands (lat, lon); given coordinates of a Dutch
#: relation outside it (typically lat and lon swapped) are invalid.
NL_BOX = ((50.5, 54.0), (3.0, 7.5))

_POSTCODE_RE = r"^(?:NL-?)?([1-9][0-9]{3})-?(?:[A-Z]{2})?$"


def normalise_postcode(postcode: pd.Series) -> pd.Series:
    """The 4-digit part of Dutch postcodes, or missing when not a Dutch postcode.

    Spaces anywhere, lower case, an ``NL-`` prefix and a hyphen before the letters are
    accepted; the letters are optional.

    >>> normalise_postcode(pd.Series(["1234 AB", "1234AB", "1234ab", " 1234  ab ", "1234",
    ...                               "0123 AB", "12345", "", None])).tolist()
    ['1234', '1234', '1234', '1234', '1234', nan, nan, nan, nan]
    """
    text = _text(postcode).str.upper().str.replace(r"\s+", "", regex=True)
    return text.str.extract(_POSTCODE_RE, expand=False).astype("str")


def is_dutch(country: pd.Series) -> pd.Series:
    """Whether ``country`` means the Netherlands (or is empty); see :data:`NL_COUNTRY_NAMES`.

    >>> is_dutch(pd.Series(["NL", " nederland ", None, "BE", "Deutschland"])).tolist()
    [True, True, True, False, False]
    """
    text = _text(country).str.strip().str.upper().str.replace(r"\s+", " ", regex=True)
    return text.fillna("").isin(NL_COUNTRY_NAMES).to_numpy(dtype=bool)


@lru_cache(maxsize=1)
def _centroids() -> pd.DataFrame:
    geo = pd.read_csv(
        GEONAMES_FILE,
        sep="\t",
        header=None,
        dtype=str,
        keep_default_na=False,
        usecols=[1, 2, 3, 5, 9, 10],
        names=["postcode", "place", "province", "municipality", "lat", "lon"],
    )
    geo = geo[geo["postcode"].str.fullmatch(r"[1-9][0-9]{3}") & (geo["lat"] != "")]
    geo = geo.astype({"lat": float, "lon": float})
    # a postcode area with several places: the mean of their coordinates, the first place
    out = geo.groupby("postcode", sort=True).agg(
        lat=("lat", "mean"),
        lon=("lon", "mean"),
        place=("place", "first"),
        province=("province", "first"),
        municipality=("municipality", "first"),
        n_places=("place", "size"),
    )
    return out


def postcode_centroids() -> pd.DataFrame:
    """The postcode table: one row per 4-digit postcode (index), with ``lat, lon, place,
    province, municipality, n_places``.

    GeoNames lists some postcodes once per place in them; those get the mean of the places'
    coordinates and the first place's name.

    >>> pc = postcode_centroids()
    >>> pc.loc["9401", ["place", "province"]].tolist()
    ['Assen', 'Drenthe']
    """
    return _centroids().copy()


def geocode(relations: pd.DataFrame) -> pd.DataFrame:
    """Put relations on the map: coordinates from ``lat``/``lon`` or the postcode centroid.

    Parameters
    ----------
    relations : DataFrame
        One row per relation, e.g. the result of :func:`aandacht.engine.calculate`. Used columns
        (all optional): ``lat``, ``lon`` (numbers), ``postcode``, ``country`` (text).

    Returns
    -------
    DataFrame
        A copy, same index and row order, with

        * ``lat``, ``lon``: the position used (float; NaN when not on the map). Given
          coordinates that are invalid are replaced by the postcode centroid when there is one;
        * ``geo_source``: ``"lat/lon"`` or ``"postcode"``; missing when not on the map;
        * ``not_on_map``: missing when on the map, else the reason, one of :data:`REASONS`.

    Notes
    -----
    Valid coordinates are finite, within ±90/±180 and not exactly 0/0; for a Dutch relation
    they must also lie in :data:`NL_BOX` (a common error is lat and lon swapped). A foreign
    relation with valid coordinates is on the map; one without is ``abroad`` — its postcode is
    never looked up among the Dutch ones.
    """
    n = len(relations)
    out = relations.copy()
    lat_given, lat = _coordinate(relations, "lat")
    lon_given, lon = _coordinate(relations, "lon")
    dutch = is_dutch(relations["country"]) if "country" in relations else np.ones(n, dtype=bool)

    given = lat_given | lon_given
    valid = (
        np.isfinite(lat)
        & np.isfinite(lon)
        & (np.abs(lat) <= 90)
        & (np.abs(lon) <= 180)
        & ~((lat == 0) & (lon == 0))
    )
    (la0, la1), (lo0, lo1) = NL_BOX
    in_nl = (lat >= la0) & (lat <= la1) & (lon >= lo0) & (lon <= lo1)
    valid &= in_nl | ~dutch

    postcode = relations["postcode"] if "postcode" in relations else pd.Series([None] * n)
    raw = _text(postcode).str.strip()
    pc4 = normalise_postcode(raw)
    table = _centroids()
    pos = table.index.get_indexer(pc4.to_numpy(dtype=object, na_value=None))
    found = dutch & (pos >= 0)
    by_postcode = ~valid & found

    new_lat = np.where(valid, lat, np.nan)
    new_lon = np.where(valid, lon, np.nan)
    take = pos[by_postcode]
    new_lat[by_postcode] = table["lat"].to_numpy()[take]
    new_lon[by_postcode] = table["lon"].to_numpy()[take]

    source = np.full(n, None, dtype=object)
    source[valid] = "lat/lon"
    source[by_postcode] = "postcode"

    empty = (raw.isna() | (raw == "")).to_numpy(dtype=bool)
    masked = raw.str.fullmatch(r"[•*]+").to_numpy(dtype=bool, na_value=False)
    well_formed = pc4.notna().to_numpy()
    off = ~valid & ~by_postcode
    checks = [given, ~dutch, empty, masked, ~well_formed, np.ones(n, dtype=bool)]
    code = np.select([off & c for c in checks], list(range(len(REASONS))), default=-1)
    reason = np.array([*REASONS, None], dtype=object)[code]

    out["lat"] = new_lat
    out["lon"] = new_lon
    out["geo_source"] = pd.array(source, dtype="str")
    out["not_on_map"] = pd.array(reason, dtype="str")
    return out


def to_geodataframe(result: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split relations into those on the map (as points) and those not on it (with reasons).

    Parameters
    ----------
    result : DataFrame
        One row per relation. When it has no ``geo_source``/``not_on_map`` columns it is
        geocoded first with :func:`geocode`.

    Returns
    -------
    on_map : GeoDataFrame
        The relations on the map, in EPSG:4326 (lon/lat), point geometry, the original index
        and row order; all columns of ``result`` plus ``geo_source``.
    not_on_map : DataFrame
        The other relations (original index and order), with the reason in ``not_on_map``.

    Examples
    --------
    >>> rel = pd.DataFrame({"relation_id": ["R1", "R2"], "postcode": ["9401", "x"]})
    >>> on, off = to_geodataframe(rel)
    >>> on.crs.to_string(), len(on), off[["relation_id", "not_on_map"]].values.tolist()
    ('EPSG:4326', 1, [['R2', 'invalid postcode']])
    """
    import geopandas as gpd

    if not {"geo_source", "not_on_map", "lat", "lon"} <= set(result.columns):
        result = geocode(result)
    on = result["not_on_map"].isna().to_numpy()
    located = result[on]
    gdf = gpd.GeoDataFrame(
        located,
        geometry=gpd.points_from_xy(located["lon"], located["lat"]),
        crs="EPSG:4326",
    )
    return gdf, result[~on].copy()


@lru_cache(maxsize=len(BASEMAP_FILES))
def _read_basemap(level: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    gdf = gpd.read_file(BASEMAP_FILES[level])
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    return gdf


def basemap(level: str = "provinces") -> gpd.GeoDataFrame:
    """The offline basemap: Dutch provinces or municipalities (2023) as polygons.

    Parameters
    ----------
    level : ``"provinces"`` (12) or ``"municipalities"`` (343).

    Returns
    -------
    GeoDataFrame
        Columns ``code`` (CBS code, ``PV20`` / ``GM0014``), ``name`` and ``geometry``, in
        EPSG:4326. Generalised outlines for a map of the whole country, not for measuring.
        Credit :data:`CREDITS` ``["basemap"]`` where it is shown.

    >>> bm = basemap("provinces")
    >>> len(bm), bm.crs.to_string(), "Utrecht" in set(bm["name"])
    (12, 'EPSG:4326', True)
    """
    if level not in BASEMAP_FILES:
        raise ValueError(
            f"unknown basemap level {level!r}; valid: {', '.join(repr(x) for x in BASEMAP_LEVELS)}"
        )
    return _read_basemap(level).copy()


# --------------------------------------------------------------------------------------------


def _text(s: pd.Series) -> pd.Series:
    """``s`` as strings (missing values kept missing), whatever its dtype."""
    s = pd.Series(s)
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return s.astype("str")
    obj = s.astype(object)
    missing = obj.isna().to_numpy()
    return pd.Series(
        np.where(missing, None, obj.astype(str)), index=s.index, dtype="str", name=s.name
    )


def _coordinate(relations: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """(given, value) for a coordinate column: given = not missing/blank; value NaN if unusable."""
    n = len(relations)
    if col not in relations:
        return np.zeros(n, dtype=bool), np.full(n, np.nan)
    s = relations[col]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return ~np.isnan(v), v
    text = _text(s).str.strip()
    given = ~(text.isna() | (text == "")).to_numpy(dtype=bool)
    v = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    return given, v.to_numpy(dtype=float, na_value=np.nan)
