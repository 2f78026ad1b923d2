"""The map's data: geocoding on hand-worked cases, the basemap, map colours and the points.

Drawing the map (HoloViews, bokeh) is the app's: ``test_app_map_plot.py``."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
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
from aandacht.mapdata import (
    MAP_AREA_COLOURS,
    MAP_BAND_COLOURS,
    MAP_OVERDUE_COLOURS,
    basemap_mercator,
    lon_lat_to_web_mercator,
    map_colours,
    map_data,
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


# ------------------------------------------------------------------------------ the map's points


@pytest.fixture()
def result(sample_banded_result):
    return sample_banded_result.copy()


def test_map_data_has_every_relation_on_the_map_with_hover_texts(result):
    on, off = to_geodataframe(result)
    md = map_data(on, colour_by="band", lang="en")
    assert len(md.data) == len(on) == 388
    assert sorted(md.data.index) == sorted(on.index)  # index = the input's rows
    assert md.hover == [
        ("Name", "name"),
        ("Code", "relation_id"),
        ("City", "city"),
        ("Contact moments", "total_text"),
        ("Days ago (dgn)", "dgn_text"),
        ("Attention", "map_label"),
    ]
    # hover values match the relations (looked up by code)
    merged = md.data.merge(result, on="relation_id")
    assert (merged["name_x"] == merged["name_y"].astype(str)).all()
    assert (merged["total_text"] == merged["total_y"].astype(str)).all()
    dgn = merged["dgn_y"].astype("Float64")
    assert (merged["dgn_text"] == dgn.map(lambda d: "–" if pd.isna(d) else str(int(d)))).all()
    # positions: the geocoded lon/lat in Web Mercator
    x, y = lon_lat_to_web_mercator(on.geometry.x, on.geometry.y)
    np.testing.assert_allclose(md.data["x"], pd.Series(x, index=on.index).loc[md.data.index])
    np.testing.assert_allclose(md.data["y"], pd.Series(y, index=on.index).loc[md.data.index])
    # legend: the present categories, in drawing order, with counts; one colour each
    counts = result.loc[result.relation_id.isin(on.relation_id), "band"].value_counts()
    shown = md.colours.legend[md.colours.legend["count"] > 0]
    assert dict(zip(shown["key"], shown["count"], strict=True)) == counts.to_dict()
    assert list(md.legend_colours) == list(pd.unique(md.data["legend"]))
    assert list(md.legend_colours) == [
        f"{lab} ({cnt})" for lab, cnt in zip(shown["label"], shown["count"], strict=True)
    ]
    for legend, colour in zip(md.data["legend"], md.data["map_colour"], strict=True):
        assert md.legend_colours[legend] == colour


def test_map_data_from_a_plain_table_leaves_out_those_not_on_the_map(result):
    md = map_data(result, colour_by="band")
    assert len(md.data) == 388
    assert not set(md.data.relation_id) & set(result.relation_id[result.country != "NL"])


def test_ids_and_positions_round_trip(result):
    md = map_data(result)
    ids = md.data.relation_id.tolist()
    assert md.ids(range(len(ids))) == ids
    assert md.positions(ids[::7]) == list(range(0, len(ids), 7))
    assert md.positions(["R00011", ids[3]]) == [3]  # R00011 is abroad, not on the map
    assert md.ids([]) == [] and md.positions([]) == []


def test_points_are_drawn_most_urgent_last(result):
    md = map_data(result, colour_by="band")
    assert md.data["map_key"].iloc[-1] == "none"
    ranks = md.colours.rank.loc[md.data.index].to_numpy()
    assert (np.diff(ranks) >= 0).all()


def test_empty_and_abroad_only_map_data():
    empty = map_data(rel(postcode=pd.Series([], dtype="str"), band=pd.Series([], dtype="str")))
    assert len(empty.data) == 0 and empty.legend_colours == {}
    abroad = rel(postcode=["2000"], country=["BE"], band=["none"], lat=[51.2], lon=[4.4])
    assert map_data(abroad).data["relation_id"].tolist() == ["R1"]
    with pytest.raises(ValueError, match="'relation_id' column"):
        map_data(pd.DataFrame({"postcode": ["9401"], "band": ["none"]}))


def test_web_mercator_hand_worked():
    r = 6378137.0  # the sphere of EPSG:3857
    x, y = lon_lat_to_web_mercator([0, 180, -90, 5], [0, 45, 90, 52])
    assert x[:3].tolist() == pytest.approx([0, np.pi * r, -np.pi / 2 * r])
    assert y[0] == pytest.approx(0, abs=1e-6)
    assert y[1] == pytest.approx(np.log(np.tan(np.pi / 4 + np.pi / 8)) * r)
    assert y[2] == pytest.approx(np.pi * r, rel=1e-6)  # clipped at 85.05°: the square world
    assert (x[3], y[3]) == pytest.approx((556_597.45, 6_800_125.45), abs=0.01)


@pytest.mark.parametrize("level", ["provinces", "municipalities"])
def test_basemap_in_web_mercator(level):
    import shapely

    bm = basemap_mercator(level)
    gdf = basemap(level)
    parts = shapely.get_parts(gdf.geometry.to_numpy())
    rings = shapely.get_rings(parts)
    # one line for all rings, NaN between them; one polygon for all parts, NaN between them
    assert np.isnan(bm.outlines[:, 0]).sum() == len(rings) - 1
    assert np.isnan(bm.land["x"]).sum() == len(parts) - 1 == len(bm.land["holes"]) - 1
    assert sum(len(h) for h in bm.land["holes"]) == len(rings) - len(parts)
    # the same projection as the points: the bounds agree
    x0, y0 = lon_lat_to_web_mercator(gdf.total_bounds[0], gdf.total_bounds[1])
    x1, y1 = lon_lat_to_web_mercator(gdf.total_bounds[2], gdf.total_bounds[3])
    assert np.nanmin(bm.outlines, axis=0) == pytest.approx([x0, y0], abs=0.01)
    assert np.nanmax(bm.outlines, axis=0) == pytest.approx([x1, y1], abs=0.01)
    assert basemap_mercator(level) is bm  # cached: built once


def test_the_library_never_imports_panel_holoviews_or_bokeh():
    """The library never renders: no module of aandacht imports Panel, HoloViews, GeoViews or
    bokeh, not when imported and not later (the app draws; ``app/map_plot.py``)."""
    drawing = re.compile(r"^\s*(?:import|from)\s+(panel|holoviews|geoviews|bokeh)\b", re.M)
    found = [
        f"{path.relative_to(ROOT)}: {m.group(0).strip()}"
        for path in sorted((ROOT / "aandacht").rglob("*.py"))
        for m in drawing.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    code = (
        "import importlib, pkgutil, sys\n"
        "import pandas as pd\n"
        "from aandacht.geo import geocode\n"
        "import aandacht.mapdata\n"
        "geocode(pd.DataFrame({'postcode': ['9401']}))\n"
        "assert 'geopandas' not in sys.modules  # only to_geodataframe and basemap need it\n"
        "import aandacht\n"
        "names = [m.name for m in pkgutil.walk_packages(aandacht.__path__, 'aandacht.')]\n"
        "assert {'aandacht.geo', 'aandacht.mapdata', 'aandacht.monitors'} <= set(names), names\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "rel = pd.DataFrame({'relation_id': ['R1'], 'postcode': ['9401'], 'band': ['none']})\n"
        "aandacht.mapdata.map_data(rel)\n"
        "aandacht.mapdata.basemap_mercator('municipalities')\n"
        "loaded = {'panel', 'holoviews', 'geoviews', 'bokeh'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)
