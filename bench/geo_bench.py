"""Geocoding and map benchmark: 10,000 relations, ``aandacht.geo`` against a per-row loop.

Run with ``.venv/bin/python bench/geo_bench.py`` (not part of the tests). It

1. makes 10,000 relations from the shipped GeoNames postcodes, with the mix a CRM export has:
   postcodes spelled ``1234 AB`` / ``1234ab`` / `` 1234  ab `` / ``1234``, 10 % with their own
   coordinates, 3 % abroad, 2 % without postcode, 1 % with an unknown postcode and 1 % with
   invalid coordinates;
2. times, median of ``--repeat`` runs in this process (tables already loaded):

   - ``aandacht.geo.geocode`` (vectorised);
   - the baseline: the obvious per-row loop (regular expression and dictionary lookup per
     relation, the same rules), checked to give exactly the same result;
   - ``to_geodataframe`` (geocode + points), the app's ``relation_map`` (``app/map_plot.py``:
     the library's map data as HoloViews objects) and ``hv.render`` (the bokeh figure the app
     sends to the browser), and the size of that figure as JSON;
   - with Chromium (``/usr/bin/chromium`` or ``CHROMIUM_PATH``; ``--no-browser`` to skip): the
     figure saved as HTML with inline resources, opened headless (software WebGL, so a
     pessimistic figure): time until bokeh reports the document idle, and the time from the
     end of a box selection over the middle of the country to the selection being set;

3. prints a table with the ratio baseline / aandacht (above 1: aandacht is faster) and writes it
   into ``docs/performance.md`` under "Geocoding", between ``<!-- geo-bench:begin -->`` and
   ``<!-- geo-bench:end -->`` (``--no-docs`` to leave the file alone).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "performance.md"
sys.path.insert(0, str(ROOT))  # this checkout's aandacht

from aandacht import geo  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_block import write_block  # noqa: E402

BEGIN, END = "<!-- geo-bench:begin -->", "<!-- geo-bench:end -->"


def relations(n: int = 10_000, seed: int = 42) -> pd.DataFrame:
    """``n`` relations with a realistic mix of postcodes, coordinates and countries."""
    rng = np.random.default_rng(seed)
    pc = geo.postcode_centroids()
    codes = rng.choice(pc.index.to_numpy(), n)
    letters = rng.choice(list("ABCDEGHJKLMNPRSTVWXZ"), (n, 2))
    style = rng.integers(0, 4, n)
    postcode = [
        [f"{c} {a}{b}", f"{c}{a}{b}".lower(), f" {c}  {a}{b}".lower(), c][s]
        for c, (a, b), s in zip(codes, letters, style, strict=True)
    ]
    country = np.full(n, "NL", dtype=object)
    country[rng.random(n) < 0.3] = ""
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    u = rng.random(n)
    own = u < 0.10
    lat[own] = pc.loc[codes[own], "lat"].to_numpy() + rng.normal(0, 0.01, own.sum())
    lon[own] = pc.loc[codes[own], "lon"].to_numpy() + rng.normal(0, 0.01, own.sum())
    abroad = (u >= 0.10) & (u < 0.13)
    country[abroad] = rng.choice(["BE", "DE", "Belgium"], abroad.sum())
    postcode = np.array(postcode, dtype=object)
    postcode[(u >= 0.13) & (u < 0.15)] = ""
    postcode[(u >= 0.15) & (u < 0.16)] = "1000 AA"
    bad = (u >= 0.16) & (u < 0.17)
    lat[bad], lon[bad] = 5.2, 52.1  # swapped
    return pd.DataFrame(
        {
            "relation_id": [f"R{i:05d}" for i in range(n)],
            "name": [f"Relatie {i}" for i in range(n)],
            "postcode": postcode,
            "city": pc.loc[codes, "place"].to_numpy(),
            "country": country,
            "lat": lat,
            "lon": lon,
            "total": rng.integers(0, 60, n),
            "dgn": rng.integers(0, 400, n),
            "band": rng.choice(
                ["none", "very_little", "little", "average", "much", "very_much"], n
            ),
        }
    )


def baseline(df: pd.DataFrame) -> pd.DataFrame:
    """The per-row loop: the same rules as :func:`aandacht.geo.geocode`, one relation at a time."""
    pc = geo.postcode_centroids()
    table = {k: (la, lo) for k, la, lo in zip(pc.index, pc["lat"], pc["lon"], strict=True)}
    pattern = re.compile(r"^(?:NL-?)?([1-9][0-9]{3})-?(?:[A-Z]{2})?$")
    (la0, la1), (lo0, lo1) = geo.NL_BOX
    rows = []
    for rec in df.itertuples(index=False):
        country = "" if pd.isna(rec.country) else " ".join(str(rec.country).upper().split())
        dutch = country in geo.NL_COUNTRY_NAMES
        lat, lon = rec.lat, rec.lon
        given = not (pd.isna(lat) and pd.isna(lon))
        valid = (
            not pd.isna(lat)
            and not pd.isna(lon)
            and abs(lat) <= 90
            and abs(lon) <= 180
            and not (lat == 0 and lon == 0)
            and (not dutch or (la0 <= lat <= la1 and lo0 <= lon <= lo1))
        )
        raw = "" if pd.isna(rec.postcode) else str(rec.postcode).strip()
        m = pattern.match(re.sub(r"\s+", "", raw.upper()))
        hit = table.get(m.group(1)) if m else None
        if valid:
            rows.append((lat, lon, "lat/lon", None))
        elif dutch and hit:
            rows.append((hit[0], hit[1], "postcode", None))
        elif given:
            rows.append((np.nan, np.nan, None, geo.INVALID_COORDINATES))
        elif not dutch:
            rows.append((np.nan, np.nan, None, geo.ABROAD))
        elif raw == "":
            rows.append((np.nan, np.nan, None, geo.NO_POSTCODE))
        elif not m:
            rows.append((np.nan, np.nan, None, geo.INVALID_POSTCODE))
        else:
            rows.append((np.nan, np.nan, None, geo.UNKNOWN_POSTCODE))
    out = df.copy()
    res = pd.DataFrame(rows, columns=["lat", "lon", "geo_source", "not_on_map"], index=df.index)
    for col in res:
        out[col] = res[col]
    return out


def median_time(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up (caches, imports)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def check_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    for col in ("lat", "lon"):
        np.testing.assert_array_equal(a[col].to_numpy(float), b[col].to_numpy(float))
    for col in ("geo_source", "not_on_map"):
        x = a[col].astype(object).where(a[col].notna(), None).tolist()
        y = b[col].astype(object).where(b[col].notna(), None).tolist()
        if x != y:
            raise SystemExit(f"baseline and aandacht differ in {col}")


def browser_times(fig: object) -> tuple[float, float, int] | None:
    """(seconds until document idle, seconds for a box selection, points selected) in headless
    Chromium, or None without Chromium/Playwright."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        return None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    from bokeh.io import save
    from bokeh.resources import INLINE

    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "map.html"
        save(fig, html, resources=INLINE, title="map")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            idle: list[float] = []
            page.on(
                "console",
                lambda m: (
                    idle.append(float(m.text.split(" at ")[1].split()[0]))
                    if "document idle at" in m.text
                    else None
                ),
            )
            page.goto(html.as_uri())
            page.wait_for_function("() => window.Bokeh && Object.keys(Bokeh.index).length")
            page.wait_for_timeout(500)
            box = page.evaluate(
                """() => { const v = Object.values(Bokeh.index)[0];
                const f = v.frame.bbox, c = v.el.getBoundingClientRect();
                return [c.left + f.left, c.top + f.top, f.width, f.height]; }"""
            )
            page.locator(".bk-tool-icon-box-select").click()
            x0, y0 = box[0] + box[2] * 0.3, box[1] + box[3] * 0.3
            x1, y1 = box[0] + box[2] * 0.7, box[1] + box[3] * 0.6
            page.mouse.move(x0, y0)
            page.mouse.down()
            page.mouse.move(x1, y1, steps=5)
            t = time.perf_counter()
            page.mouse.up()
            page.wait_for_function(
                """() => Object.values(Bokeh.index)[0].model.renderers.some(
                    (r) => r.glyph.constructor.__name__ == "Scatter" &&
                           r.data_source.selected.indices.length > 0)"""
            )
            select = time.perf_counter() - t
            n = page.evaluate(
                """() => Object.values(Bokeh.index)[0].model.renderers.find(
                    (r) => r.glyph.constructor.__name__ == "Scatter"
                ).data_source.selected.indices.length"""
            )
            browser.close()
    return (idle[0] / 1000 if idle else float("nan")), select, n


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="geocoding and map benchmark")
    p.add_argument("-n", type=int, default=10_000, help="number of relations (default 10000)")
    p.add_argument("--repeat", type=int, default=7, help="timed runs per measurement")
    p.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    p.add_argument("--no-browser", action="store_true", help="skip the headless Chromium part")
    args = p.parse_args(argv)
    logging.getLogger("bokeh").setLevel(logging.ERROR)

    import holoviews as hv
    from bokeh.embed import json_item

    from app.map_plot import relation_map

    df = relations(args.n)
    ours = geo.geocode(df)
    check_same(ours, baseline(df))
    t_geo = median_time(lambda: geo.geocode(df), args.repeat)
    t_loop = median_time(lambda: baseline(df), max(3, args.repeat // 2))
    t_gdf = median_time(lambda: geo.to_geodataframe(df), args.repeat)
    on, off = geo.to_geodataframe(df)
    t_build = median_time(lambda: relation_map(on), args.repeat)
    rmap = relation_map(on)
    t_render = median_time(lambda: hv.render(rmap.overlay, backend="bokeh"), 3)
    size = len(json.dumps(json_item(hv.render(rmap.overlay, backend="bokeh"))))
    in_browser = None if args.no_browser else browser_times(hv.render(rmap.overlay))
    reasons = ", ".join(f"{k} {v}" for k, v in off["not_on_map"].value_counts().items())

    rows = [
        ("geocode (vectorised)", fmt(t_geo), f"{t_loop / t_geo:.0f}×", "< 1 s"),
        ("baseline: per-row loop", fmt(t_loop), "1×", ""),
        ("to_geodataframe", fmt(t_gdf), "", ""),
        ("relation_map (build)", fmt(t_build), "", ""),
        ("hv.render (bokeh figure)", fmt(t_render), "", ""),
    ]
    if in_browser:
        idle, select, n_sel = in_browser
        rows += [
            ("headless Chromium: map drawn (document idle)", fmt(idle), "", ""),
            (f"headless Chromium: box selection ({n_sel:,} points)", fmt(select), "", ""),
        ]
    table = "\n".join(
        [
            "| step | median | baseline / aandacht | target |",
            "|---|---:|---:|---|",
            *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        ]
    )
    block = (
        f"{args.n:,} relations ({len(on):,} on the map; not on it: {reasons}); "
        f"median of {args.repeat} runs; Python {platform.python_version()}, "
        f"{platform.machine()}, `bench/geo_bench.py`.\n\n{table}\n\n"
        f"The map of {len(on):,} points is {size / 1e6:.1f} MB of bokeh JSON (WebGL points, "
        "no rasterizing needed)."
    )
    print(block)
    if not args.no_docs:
        write_docs(block)
    return 0


def write_docs(block: str) -> None:
    """Put ``block`` between the geo-bench markers under a "Geocoding" heading."""
    write_block(
        "geo-bench",
        block,
        heading="## Geocoding\n\n"
        "Putting relations on the map (`aandacht.geo`, `aandacht.mapdata`, drawn by "
        "`app/map_plot.py`; see `docs/map.md`). "
        "Measured by `.venv/bin/python bench/geo_bench.py`; the table between the markers is "
        "rewritten by it.",
    )


if __name__ == "__main__":
    raise SystemExit(main())
