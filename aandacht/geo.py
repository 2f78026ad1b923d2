"""Locations of relations: coordinates, postcode geocoding and the offline basemap.

A relation gets on the map in this order (see ``docs/map.md``):

1. its own ``lat``/``lon``, when both are given and valid (``geo_source = "lat/lon"``);
2. else, for a Dutch relation, the centroid of its 4-digit postcode area from the GeoNames
   postcode file shipped in ``aandacht/data`` (``geo_source = "postcode"``);
3. else it is *not on the map*, with the reason in ``not_on_map``.

Everything is offline and vectorised (Arrow string kernels): 10,000 relations take about 15 ms
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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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

_POSTCODE_RE = r"^(?:NL-?)?(?P<pc4>[1-9][0-9]{3})-?(?:[A-Z]{2})?$"


def normalise_postcode(postcode: pd.Series) -> pd.Series:
    """The 4-digit part of Dutch postcodes, or missing when not a Dutch postcode.

    Spaces anywhere, lower case, an ``NL-`` prefix and a hyphen before the letters are
    accepted; the letters are optional.

    >>> normalise_postcode(pd.Series(["1234 AB", "1234AB", "1234ab", " 1234  ab ", "1234",
    ...                               "0123 AB", "12345", "", None])).tolist()
    ['1234', '1234', '1234', '1234', '1234', nan, nan, nan, nan]
    """
    index = postcode.index if isinstance(postcode, pd.Series) else None
    return pd.Series(_pc4(_arrow_text(postcode)).to_pandas(), index=index, dtype="str")


def _pc4(text: pa.Array) -> pa.Array:
    """The 4-digit postcodes (null where none) of an Arrow string array."""
    compact = pc.replace_substring_regex(pc.utf8_upper(text), r"\s+", "")
    return pc.struct_field(pc.extract_regex(compact, _POSTCODE_RE), "pc4")


def is_dutch(country: pd.Series) -> np.ndarray:
    """Whether ``country`` means the Netherlands (or is empty); see :data:`NL_COUNTRY_NAMES`.

    >>> is_dutch(pd.Series(["NL", " nederland ", None, "BE", "Deutschland"])).tolist()
    [True, True, True, False, False]
    """
    text = pc.utf8_upper(pc.utf8_trim_whitespace(_arrow_text(country)))
    text = pc.fill_null(pc.replace_substring_regex(text, r"\s+", " "), "")
    return pc.is_in(text, value_set=pa.array(sorted(NL_COUNTRY_NAMES))).to_numpy(
        zero_copy_only=False
    )


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


@lru_cache(maxsize=1)
def _centroid_keys() -> pa.Array:
    return pa.array(_centroids().index.to_numpy(dtype=object), type=pa.large_string())


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


def geocode(relations: pd.DataFrame, use_coordinates: bool = True) -> pd.DataFrame:
    """Put relations on the map: coordinates from ``lat``/``lon`` or the postcode centroid.

    Parameters
    ----------
    relations : DataFrame
        One row per relation, e.g. the result of :func:`aandacht.engine.calculate`. Used columns
        (all optional): ``lat``, ``lon`` (numbers), ``postcode``, ``country`` (text).
    use_coordinates : bool
        ``False`` ignores the relations' own ``lat``/``lon`` and places every Dutch relation at
        its postcode-area centroid (privacy mode: no position more exact than the 4-digit
        postcode area; relations abroad are then ``abroad``, Dutch ones without a postcode
        ``no postcode``).

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
    if use_coordinates:
        lat_given, lat = _coordinate(relations, "lat")
        lon_given, lon = _coordinate(relations, "lon")
    else:
        lat_given = lon_given = np.zeros(n, dtype=bool)
        lat, lon = np.full(n, np.nan), np.full(n, np.nan)
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
    raw = pc.utf8_trim_whitespace(_arrow_text(postcode))
    pc4 = _pc4(raw)
    table = _centroids()
    pos = pc.fill_null(pc.index_in(pc4, value_set=_centroid_keys()), -1).to_numpy()
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

    empty = _bool(pc.or_kleene(pc.is_null(raw), pc.equal(raw, "")))
    masked = _bool(pc.match_substring_regex(raw, r"^[•*]+$"))
    well_formed = _bool(pc.is_valid(pc4))
    off = ~valid & ~by_postcode
    checks = [given, ~dutch, empty, masked, ~well_formed, np.ones(n, dtype=bool)]
    code = np.select([off & c for c in checks], list(range(len(REASONS))), default=-1)
    reason = np.array([*REASONS, None], dtype=object)[code]

    out["lat"] = new_lat
    out["lon"] = new_lon
    out["geo_source"] = pd.array(source, dtype="str")
    out["not_on_map"] = pd.array(reason, dtype="str")
    return out


def to_geodataframe(
    result: pd.DataFrame, use_coordinates: bool = True
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Split relations into those on the map (as points) and those not on it (with reasons).

    Parameters
    ----------
    result : DataFrame
        One row per relation. When it has no ``geo_source``/``not_on_map`` columns it is
        geocoded first with :func:`geocode`.
    use_coordinates : bool
        ``False``: postcode-area centroids only, see :func:`geocode` (always geocodes again).

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

    if not use_coordinates or not {"geo_source", "not_on_map", "lat", "lon"} <= set(result.columns):
        result = geocode(result, use_coordinates=use_coordinates)
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


def _arrow_text(s: Any) -> pa.Array:
    """``s`` as an Arrow string array (missing values null), whatever its dtype."""
    s = pd.Series(s)
    try:
        arr = pa.array(s, type=pa.large_string(), from_pandas=True)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers, mixed objects
        obj = s.astype(object)
        text = np.where(obj.isna().to_numpy(), None, obj.astype(str).to_numpy())
        return pa.array(text, type=pa.large_string(), from_pandas=True)


def _bool(a: pa.Array) -> np.ndarray:
    """An Arrow boolean array as numpy, null counting as False."""
    return pc.fill_null(a, False).to_numpy(zero_copy_only=False)


def _coordinate(relations: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """(given, value) for a coordinate column: given = not missing/blank; value NaN if unusable."""
    n = len(relations)
    if col not in relations:
        return np.zeros(n, dtype=bool), np.full(n, np.nan)
    s = relations[col]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return ~np.isnan(v), v
    text = pc.utf8_trim_whitespace(_arrow_text(s))
    given = ~_bool(pc.or_kleene(pc.is_null(text), pc.equal(text, "")))
    text = pc.replace_substring(text, ",", ".")
    v = pd.to_numeric(pd.Series(text.to_pandas(), dtype=object), errors="coerce")
    return given, v.to_numpy(dtype=float, na_value=np.nan)
