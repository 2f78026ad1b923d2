"""The map: geocoding on hand-worked cases, the basemap, map colours and the HoloViews map."""

from __future__ import annotations

import asyncio
import doctest
import importlib
import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aandacht.bands import BANDS
from aandacht.geo import (
    ABROAD,
    BASEMAP_FILES,
    HIDDEN,
    INVALID_COORDINATES,
    INVALID_POSTCODE,
    NO_POSTCODE,
    REASONS,
    UNKNOWN_POSTCODE,
    basemap,
    geocode,
    is_dutch,
    normalise_postcode,
    postcode_centroids,
    to_geodataframe,
)
from aandacht.mapplot import (
    MAP_AREA_COLOURS,
    MAP_BAND_COLOURS,
    MAP_OVERDUE_COLOURS,
    MUNICIPALITY_ZOOM_WIDTH,
    map_colours,
    relation_map,
)

ROOT = Path(__file__).resolve().parents[1]

# Hand-worked from aandacht/data/geonames_NL_postcodes.tsv:
#   NL 9401 Assen      52.9939 6.5625
#   NL 7849 De Kiel    52.8625 6.7444   } one postcode, two places:
#   NL 7849 Schoonoord 52.8446 6.7598   } centroid = mean = (52.85355, 6.7521)
ASSEN = (52.9939, 6.5625)
P7849 = ((52.8625 + 52.8446) / 2, (6.7444 + 6.7598) / 2)


def rel(**cols):
    """A relations table with one row per value; missing columns are left out."""
    n = max(len(v) for v in cols.values())
    return pd.DataFrame({"relation_id": [f"R{i + 1}" for i in range(n)], **cols})


def one(**fields):
    """Geocode a single relation; return its row."""
    return geocode(pd.DataFrame({k: [v] for k, v in fields.items()})).iloc[0]


# ------------------------------------------------------------------------------ postcodes


@pytest.mark.parametrize(
    "text",
    ["9401 AB", "9401AB", "9401ab", " 9401  ab ", "9401", "9401 ab", "9401-AB", "NL-9401 AB"],
)
def test_postcode_spellings_all_reach_the_4_digit_centroid(text):
    assert normalise_postcode(pd.Series([text])).tolist() == ["9401"]
    row = one(postcode=text, country="NL")
    assert (row.lat, row.lon) == ASSEN
    assert row.geo_source == "postcode"
    assert pd.isna(row.not_on_map)


def test_postcode_given_as_a_number():
    row = one(postcode=9401, country="NL")
    assert (row.lat, row.lon) == ASSEN


@pytest.mark.parametrize("text", ["0123 AB", "123", "12345", "ABCD", "9401 A", "9401 ABC", "94O1"])
def test_malformed_postcodes_are_invalid(text):
    assert normalise_postcode(pd.Series([text])).isna().all()
    assert one(postcode=text).not_on_map == INVALID_POSTCODE


@pytest.mark.parametrize("text", ["", "   ", None, np.nan])
def test_missing_postcode(text):
    assert one(postcode=text, country="NL").not_on_map == NO_POSTCODE


def test_well_formed_but_unknown_postcode():
    assert "1000" not in postcode_centroids().index
    row = one(postcode="1000 AA", country="NL")
    assert row.not_on_map == UNKNOWN_POSTCODE
    assert np.isnan(row.lat) and np.isnan(row.lon) and pd.isna(row.geo_source)


def test_masked_postcode_privacy_mode():
    assert one(postcode="•••").not_on_map == HIDDEN


def test_postcode_with_several_places_gets_their_mean():
    pc = postcode_centroids()
    assert pc.loc["7849", "n_places"] == 2
    row = one(postcode="7849 AA")
    assert row.lat == pytest.approx(P7849[0], abs=1e-12)
    assert row.lon == pytest.approx(P7849[1], abs=1e-12)


def test_centroid_table_is_unique_and_in_the_netherlands():
    pc = postcode_centroids()
    assert pc.index.is_unique and pc.index.str.fullmatch(r"[1-9]\d{3}").all()
    assert pc["lat"].between(50.7, 53.6).all() and pc["lon"].between(3.3, 7.3).all()
    assert pc.loc["9401", ["place", "province"]].tolist() == ["Assen", "Drenthe"]


# ------------------------------------------------------------------------------ countries


@pytest.mark.parametrize(
    "country", ["NL", "nl", " NL ", "NLD", "Nederland", "netherlands", "The Netherlands", "", None]
)
def test_dutch_country_spellings(country):
    assert is_dutch(pd.Series([country])).tolist() == [True]
    assert one(postcode="9401", country=country).geo_source == "postcode"


@pytest.mark.parametrize("country", ["BE", "DE", "Belgium", "Deutschland", "FR"])
def test_foreign_relations_are_never_geocoded_by_dutch_postcodes(country):
    # 9401 is a Dutch postcode (Assen); abroad it means something else
    row = one(postcode="9401", country=country)
    assert row.not_on_map == ABROAD
    assert np.isnan(row.lat) and pd.isna(row.geo_source)


def test_foreign_relation_with_coordinates_is_on_the_map():
    row = one(postcode="50667", country="DE", lat=50.94, lon=6.96)
    assert (row.lat, row.lon, row.geo_source) == (50.94, 6.96, "lat/lon")
    assert pd.isna(row.not_on_map)


# ------------------------------------------------------------------------------ coordinates


def test_given_coordinates_win_over_the_postcode():
    row = one(postcode="9401 AB", country="NL", lat=52.1, lon=5.1)
    assert (row.lat, row.lon, row.geo_source) == (52.1, 5.1, "lat/lon")


@pytest.mark.parametrize(
    "lat, lon",
    [
        (200.0, 5.1),  # out of range
        (52.1, -999.0),
        (52.1, np.nan),  # only one of the two
        (np.nan, 5.1),
        (0.0, 0.0),  # "null island"
        (5.1, 52.1),  # swapped: outside the Netherlands for a Dutch relation
        (np.inf, 5.1),
    ],
)
def test_invalid_coordinates_fall_back_to_the_postcode_else_get_a_reason(lat, lon):
    row = one(postcode="9401", country="NL", lat=lat, lon=lon)
    assert (row.lat, row.lon, row.geo_source) == (*ASSEN, "postcode")
    row = one(postcode="", country="NL", lat=lat, lon=lon)
    assert row.not_on_map == INVALID_COORDINATES
    assert np.isnan(row.lat) and np.isnan(row.lon)


def test_coordinates_as_text_with_decimal_comma():
    row = one(lat="52,1", lon=" 5.1 ", postcode="")
    assert (row.lat, row.lon, row.geo_source) == (52.1, 5.1, "lat/lon")
    assert one(lat="abc", lon="5.1", postcode="").not_on_map == INVALID_COORDINATES
    assert one(lat="", lon="", postcode="9401").geo_source == "postcode"


def test_both_coordinates_missing_is_not_invalid():
    assert one(lat=np.nan, lon=np.nan, postcode="").not_on_map == NO_POSTCODE


def test_without_coordinates_only_postcode_areas_privacy_mode():
    df = rel(
        postcode=["9401 AB", "", "50667", "9401"],
        country=["NL", "NL", "DE", "NL"],
        lat=[52.1, 52.2, 50.94, None],
        lon=[5.1, 5.2, 6.96, None],
    )
    out = geocode(df, use_coordinates=False)
    # the own coordinates of R1 are ignored: the centroid of 9401 instead
    assert (out.lat[0], out.lon[0], out.geo_source[0]) == (*ASSEN, "postcode")
    assert out.not_on_map.tolist()[1:3] == [NO_POSTCODE, ABROAD]
    assert out.geo_source[3] == "postcode"
    # to_geodataframe geocodes again even if the table was geocoded with coordinates
    on, off = to_geodataframe(geocode(df), use_coordinates=False)
    assert on.relation_id.tolist() == ["R1", "R4"]
    assert on.geometry.y.tolist() == [ASSEN[0], ASSEN[0]]
    assert off.not_on_map.tolist() == [NO_POSTCODE, ABROAD]


# ------------------------------------------------------------------------------ the whole table


def test_mixed_table_hand_worked():
    df = rel(
        postcode=["9401 AB", "1000AA", "2000", "", "7849", "x1", "9401"],
        country=["NL", "", "BE", "NL", "Nederland", "NL", "NL"],
        lat=[None, None, None, None, None, None, 52.37],
        lon=[None, None, None, None, None, None, 4.89],
        name=list("ABCDEFG"),
    )
    df.index = [10, 11, 12, 13, 14, 15, 16]
    before = df.copy()
    out = geocode(df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert out.index.tolist() == df.index.tolist()
    assert out["name"].tolist() == list("ABCDEFG")
    assert out["not_on_map"].fillna("-").tolist() == [
        "-",
        UNKNOWN_POSTCODE,
        ABROAD,
        NO_POSTCODE,
        "-",
        INVALID_POSTCODE,
        "-",
    ]
    assert out["geo_source"].fillna("-").tolist() == [
        "postcode",
        "-",
        "-",
        "-",
        "postcode",
        "-",
        "lat/lon",
    ]
    assert out.loc[14, "lat"] == pytest.approx(P7849[0])
    assert (out.loc[16, "lat"], out.loc[16, "lon"]) == (52.37, 4.89)
    # every relation is either on the map (with coordinates) or has a reason
    on = out["not_on_map"].isna()
    assert (on == out["geo_source"].notna()).all()
    assert out.loc[on, ["lat", "lon"]].notna().all().all()
    assert out.loc[~on, ["lat", "lon"]].isna().all().all()
    assert set(out["not_on_map"].dropna()) <= set(REASONS)


def test_missing_columns_and_empty_table():
    out = geocode(pd.DataFrame({"relation_id": ["R1"]}))
    assert out.loc[0, "not_on_map"] == NO_POSTCODE
    empty = geocode(pd.DataFrame({"relation_id": pd.Series([], dtype="str")}))
    assert list(empty.columns) == ["relation_id", "lat", "lon", "geo_source", "not_on_map"]
    assert len(empty) == 0


def test_sample_data_everyone_accounted_for():
    from aandacht.load import load

    relations = load(ROOT / "data_samples").relations
    out = geocode(relations)
    assert len(out) == len(relations) == 400
    assert out["not_on_map"].value_counts().to_dict() == {ABROAD: 8, NO_POSTCODE: 4}
    assert (out["geo_source"] == "lat/lon").sum() == 388


def test_ten_thousand_relations_vectorised():
    # no timing here (see bench/geo_bench.py); checks that a large mixed table comes out right
    pc = postcode_centroids()
    rng = np.random.default_rng(7)
    n = 10_000
    codes = rng.choice(pc.index.to_numpy(), n)
    df = rel(postcode=[f"{c} {'AB' if i % 2 else ''}" for i, c in enumerate(codes)])
    out = geocode(df)
    assert out["not_on_map"].isna().all()
    np.testing.assert_array_equal(out["lat"].to_numpy(), pc.loc[codes, "lat"].to_numpy())


# ------------------------------------------------------------------------------ GeoDataFrame


def test_to_geodataframe_splits_on_and_off_the_map():
    df = rel(postcode=["9401", "", "2000"], country=["NL", "NL", "BE"], band=["none"] * 3)
    on, off = to_geodataframe(df)
    assert on.crs.to_epsg() == 4326
    assert on["relation_id"].tolist() == ["R1"]
    assert (on.geometry.x.iloc[0], on.geometry.y.iloc[0]) == (ASSEN[1], ASSEN[0])
    assert off[["relation_id", "not_on_map"]].values.tolist() == [
        ["R2", NO_POSTCODE],
        ["R3", ABROAD],
    ]
    assert len(on) + len(off) == len(df)


def test_to_geodataframe_keeps_an_earlier_geocoding():
    done = geocode(rel(postcode=["9401"]))
    on, _ = to_geodataframe(done)
    assert on["geo_source"].tolist() == ["postcode"]  # not re-read as given lat/lon


# ------------------------------------------------------------------------------ basemap


def test_basemap_levels():
    prov = basemap("provinces")
    mun = basemap("municipalities")
    assert len(prov) == 12 and len(mun) == 343
    assert prov.crs.to_epsg() == 4326 and mun.crs.to_epsg() == 4326
    assert list(prov.columns) == ["code", "name", "geometry"]
    assert {"Fryslân", "Noord-Brabant", "Limburg"} <= set(prov["name"])
    assert mun["code"].str.fullmatch(r"GM\d{4}").all() and mun["code"].is_unique
    assert prov.is_valid.all() and mun.is_valid.all()
    x0, y0, x1, y1 = prov.total_bounds
    assert 3.3 < x0 < x1 < 7.3 and 50.7 < y0 < y1 < 53.6  # lon/lat order, degrees
    with pytest.raises(ValueError, match="'provinces', 'municipalities'"):
        basemap("countries")


def test_basemap_and_postcode_centroids_line_up():
    import geopandas as gpd

    land = basemap("provinces").union_all()
    pc = postcode_centroids()
    pts = gpd.points_from_xy(pc["lon"], pc["lat"])
    inside = np.mean([land.contains(p) for p in pts])
    assert inside > 0.95  # coastal and island centroids may fall outside generalised outlines


def test_basemap_files_are_small():
    assert sum(p.stat().st_size for p in BASEMAP_FILES.values()) < 1_500_000


# ------------------------------------------------------------------------------ map colours


def test_colour_by_band_with_legend_in_drawing_order():
    df = pd.DataFrame({"band": ["none", "much", "none", None, "bogus", "very_much"]})
    mc = map_colours(df, "band", "en")
    assert mc.key.tolist() == ["none", "much", "none", "unknown", "unknown", "very_much"]
    assert mc.colour.tolist() == [
        "#D55E00",
        "#009E73",
        "#D55E00",
        "#FFFFFF",
        "#FFFFFF",
        "#F0E442",
    ]
    assert mc.legend["key"].tolist() == [
        "unknown",
        "very_much",
        "much",
        "average",
        "little",
        "very_little",
        "none",
    ]
    assert mc.legend.set_index("key")["count"].to_dict() == {
        "unknown": 2,
        "very_much": 1,
        "much": 1,
        "average": 0,
        "little": 0,
        "very_little": 0,
        "none": 2,
    }
    assert mc.title == "Attention"
    assert mc.label.tolist()[:2] == ["none", "much"]
    nl = map_colours(df, "band", "nl")
    assert nl.label.tolist()[:2] == ["geen", "veel"] and nl.title == "Aandacht"
    assert mc.rank.tolist() == [6, 2, 6, 0, 0, 1]


def test_colour_by_sales_area():
    df = pd.DataFrame({"sales_area": ["insufficient", "average", "too_much", "excluded"]})
    mc = map_colours(df, "sales_area", "nl")
    assert mc.colour.tolist() == ["#D55E00", "#0072B2", "#E69F00", "#BBBBBB"]
    assert mc.label.tolist() == [
        "mogelijk onvoldoende",
        "gemiddeld",
        "mogelijk te veel",
        "uitgesloten",
    ]
    assert mc.legend["key"].tolist()[-1] == "insufficient"  # most urgent drawn last (on top)


def test_colour_by_overdue_with_a_target_hand_worked():
    # target 30 days: r = (dgn - 30) / 30
    dgn = pd.array([0, 30, 31, 45, 46, 60, 61, 400, None], dtype="Int64")
    mc = map_colours(pd.DataFrame({"dgn": dgn}), "overdue", "en", target_days=30)
    assert mc.key.tolist() == [
        "on_time",  # r = -1
        "on_time",  # r = 0 (bound inclusive)
        "overdue_0_50",  # r = 1/30
        "overdue_0_50",  # r = 0.5
        "overdue_50_100",  # r = 16/30
        "overdue_50_100",  # r = 1
        "overdue_over_100",  # r = 31/30
        "overdue_over_100",
        "never",  # no contact moment ever
    ]
    assert mc.label.tolist()[-1] == "no contact ever"
    assert mc.title == "Overdue"


def test_overdue_target_per_relation_column():
    df = pd.DataFrame({"dgn": [11, 10, 10, None], "ideal_days": [5, 0, None, None]})
    keys = map_colours(df, "overdue", target_days="ideal_days").key.tolist()
    # 0 and missing targets mean "no target", even when never contacted
    assert keys == ["overdue_over_100", "unknown", "unknown", "unknown"]


def test_overdue_from_a_cadence_ratio_column():
    # as aandacht.cadence.cadence_status writes it: inf = never contacted, NaN = no target
    df = pd.DataFrame(
        {"overdue_ratio": [-0.5, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, np.inf, np.nan], "dgn": 1}
    )
    assert map_colours(df, "overdue").key.tolist() == [
        "on_time",
        "on_time",
        "overdue_0_50",
        "overdue_0_50",
        "overdue_50_100",
        "overdue_50_100",
        "overdue_over_100",
        "never",
        "unknown",
    ]


def test_overdue_with_cadence_status():
    from aandacht.cadence import cadence_status
    from aandacht.engine import calculate
    from aandacht.load import load
    from aandacht.selection import Selection

    ds = load(ROOT / "data_samples")
    res = calculate(ds, Selection(as_of="2026-10-31"))
    settings = [{"scope": "b_group", "key": "top customers", "ideal_days": 14, "max_days": 42}]
    st = cadence_status(ds, res, settings)
    mc = map_colours(st, "overdue")
    expect = np.select(
        [
            st["status"] == "never",
            st["status"] == "no_target",
            st["status"] == "ok",
            st["dgn"].astype(float) <= 21,
            st["dgn"].astype(float) <= 28,
        ],
        ["never", "unknown", "on_time", "overdue_0_50", "overdue_50_100"],
        "overdue_over_100",
    )
    assert mc.key.tolist() == expect.tolist()


def test_colouring_errors_say_what_is_needed():
    with pytest.raises(ValueError, match="'band', 'sales_area', 'overdue'"):
        map_colours(pd.DataFrame({"band": []}), "colour")
    with pytest.raises(ValueError, match="needs a 'band' column"):
        map_colours(pd.DataFrame({"total": [1]}), "band")
    with pytest.raises(ValueError, match="overdue_ratio.*target_days"):
        map_colours(pd.DataFrame({"dgn": [1]}), "overdue")
    with pytest.raises(ValueError, match="unknown language"):
        map_colours(pd.DataFrame({"band": ["none"]}), "band", "de")


# Colour-vision-deficiency simulation (Machado, Oliveira & Fernandes 2009, severity 1) in linear
# RGB, distances in CIELAB (ΔE*ab 1976).
_CVD = {
    "normal": np.eye(3),
    "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
               [-0.003882, -0.048116, 1.051998]],
    "deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
               [-0.011820, 0.042940, 0.968881]],
    "tritan": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
               [0.004733, 0.691367, 0.303900]],
}  # fmt: skip


def _lab(hex_colour: str, matrix) -> np.ndarray:
    srgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    lin = np.clip(np.asarray(matrix) @ lin, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = (xyz @ lin) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _min_distance(palette: dict[str, str]) -> float:
    return min(
        float(np.linalg.norm(_lab(a, m) - _lab(b, m)))
        for m in _CVD.values()
        for a, b in itertools.combinations(palette.values(), 2)
    )


@pytest.mark.parametrize("palette", [MAP_BAND_COLOURS, MAP_AREA_COLOURS, MAP_OVERDUE_COLOURS])
def test_map_palettes_are_colour_blind_safe(palette):
    assert _min_distance(palette) >= 15


def test_app_band_colours_are_not_which_is_why_the_map_has_its_own():
    app = {b: BANDS[b].colour for b in BANDS}
    assert _min_distance(app) < 10  # red 'none' vs green 'much' for deuteranopia


# ------------------------------------------------------------------------------ the map


@pytest.fixture(scope="module")
def result():
    """The sample result with bands, as the app has it."""
    from aandacht.bands import classify
    from aandacht.engine import calculate
    from aandacht.load import load
    from aandacht.selection import Selection

    ds = load(ROOT / "data_samples")
    res = calculate(ds, Selection(as_of="2026-10-31"))
    res["band"] = classify(res["total"]).to_series().to_numpy()
    return res


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


def test_ids_and_positions_round_trip(result):
    rmap = relation_map(result)
    ids = rmap.data.relation_id.tolist()
    assert rmap.ids(range(len(ids))) == ids
    assert rmap.positions(ids[::7]) == list(range(0, len(ids), 7))


def test_points_are_drawn_most_urgent_last(result):
    rmap = relation_map(result, colour_by="band")
    assert rmap.data["map_key"].iloc[-1] == "none"
    ranks = rmap.colours.rank.loc[rmap.data.index].to_numpy()
    assert (np.diff(ranks) >= 0).all()


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
    empty = rel(postcode=pd.Series([], dtype="str"), band=pd.Series([], dtype="str"))
    rmap = relation_map(empty)
    assert len(_scatter(_render(rmap.overlay)).data_source.data["x"]) == 0
    abroad = rel(postcode=["2000"], country=["BE"], band=["none"], lat=[51.2], lon=[4.4])
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


def test_the_library_never_imports_panel_and_loads_holoviews_lazily():
    # (holoviews' bokeh backend itself imports panel when a map is built; the library does not)
    for module in ("geo", "mapplot"):
        source = (ROOT / "aandacht" / f"{module}.py").read_text(encoding="utf-8")
        assert "import panel" not in source and "from panel" not in source
    code = (
        "import sys, pandas as pd\n"
        "from aandacht.geo import geocode\n"
        "import aandacht.mapplot\n"
        "geocode(pd.DataFrame({'postcode': ['9401']}))\n"
        "loaded = {'panel', 'holoviews', 'geopandas', 'bokeh'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


@pytest.mark.parametrize("name", ["aandacht.geo", "aandacht.mapplot"])
def test_doctests(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0


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
