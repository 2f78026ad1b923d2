"""The dashboard's data store in the library: result → banding → sales view → grid table, bins
and summary (:class:`aandacht.monitor_view.MonitorView`), without widgets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import aandacht
from aandacht import bands, cadence, summary
from aandacht.access import Principal
from aandacht.monitor_view import EXTRA_COLUMNS, GRID_COLUMNS, MonitorView, grid_extras
from aandacht.sales import sales_view
from aandacht.service import DataService
from aandacht.trend import trends

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples"
AS_OF = "2026-10-31"
SEL = aandacht.Selection(as_of=AS_OF, revenue="both")


@pytest.fixture(scope="module")
def service() -> DataService:
    return DataService(aandacht.load(SAMPLE), SAMPLE)


@pytest.fixture(scope="module")
def local(service):
    session = service.session()
    return session, session.calculate(SEL)


def test_build_is_the_library_figures(local, service):
    session, res = local
    view = MonitorView.build(session, res, selection=SEL, lang="en")
    expected = bands.classify(res["total"], "relative", period_days=365)
    assert view.banding.yb.tolist() == expected.yb.tolist()
    assert view.table["band_key"].tolist() == [str(b) for b in expected.yb]
    assert len(view.table) == len(res) and set(EXTRA_COLUMNS) <= set(view.table.columns)
    assert view.bins["count"].tolist() == summary.band_bins(expected, "en")["count"].tolist()
    assert view.summary_text == summary.attention_summary(expected, "en").text
    tr = trends(service.data, SEL).set_index("relation_id")["trend"]
    assert view.table["trend_key"].tolist() == res["relation_id"].map(tr).fillna("flat").tolist()
    # the sales view is made (revenue in the result, a principal who may), its sentences not yet
    sv = sales_view(res, "relative", (0.25, 0.75, 1.5, 3.0), period_days=365)
    assert view.sales is not None
    assert view.table["sales_band_key"].tolist() == sv.table["sales_band"].tolist()
    assert "sales_explanation" not in view.table
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.view_mode = "sales"  # type: ignore[misc]


def test_for_view_re_bins_without_banding_again(local):
    session, res = local
    view = MonitorView.build(session, res, selection=SEL)
    sales = view.for_view("sales")
    assert sales.view_mode == "sales" and sales.banding is view.banding
    assert sales.band_column() == "sales_band_key"
    assert sales.grid_columns() == GRID_COLUMNS["sales"]
    assert sales.bins["count"].tolist() == summary.sales_bins(view.sales, "nl")["count"].tolist()
    assert sales.table["sales_explanation"].tolist() == (
        summary.sales_explanations(view.sales, "nl").tolist()
    )
    assert view.table is not sales.table and "sales_explanation" not in view.table  # immutable
    band = sales.bins["band"].iloc[0]
    rows = sales.bin_relations(band)
    assert list(rows.columns) == summary.LISTED_COLUMNS
    assert len(rows) == int((sales.table["sales_band_key"] == band).sum())
    excluded = sales.excluded_relations()
    assert set(excluded.relation_id) == set(view.sales.excluded.relation_id)
    back = sales.for_view("sources")
    assert back.view_mode == "sources" and back.band_column() == "band_key"
    assert back.grid_columns() == GRID_COLUMNS["sources"]


def test_no_sales_view_without_revenue_or_permission(service, local):
    session, res = local
    assert MonitorView.build(session, res, selection=SEL, revenue=False).sales is None
    viewer = service.session(Principal("anna", all_relations=True))
    mine = viewer.calculate(dataclasses.replace(SEL, revenue=None))
    view = MonitorView.build(viewer, mine, selection=SEL, view_mode="sales")
    assert view.sales is None and view.view_mode == "attention"
    assert view.for_view("sales").view_mode == "attention"
    assert view.excluded_relations().empty
    sales_columns = {"revenue", "revenue_per_contact", "abc_class", "sales_band_key", "sales_area"}
    assert not sales_columns & set(view.table.columns)


def test_thresholds_the_strategy_refuses(local):
    session, res = local
    good = MonitorView.build(session, res, selection=SEL, thresholds=(0.5, 1, 2, 4))
    bad = MonitorView.build(
        session, res, selection=SEL, thresholds=(3, 2, 1, 0), previous=good, lang="nl"
    )
    assert bad.band_error and bad.banding is good.banding and bad.table is good.table
    # no earlier view of this result: the default bands, and still the reason
    fresh = MonitorView.build(session, res, selection=SEL, thresholds=(3, 2, 1, 0))
    assert fresh.band_error
    default = bands.classify(res["total"], "relative")
    assert fresh.banding.yb.tolist() == default.yb.tolist()


def test_privacy_and_language(local):
    session, res = local
    plain = MonitorView.build(session, res, selection=SEL, lang="nl")
    hidden = MonitorView.build(session, res, selection=SEL, lang="en", privacy=True)
    assert not set(hidden.table["name"]) & set(res["name"])
    assert not set(hidden.table["relation_id"]) & set(res["relation_id"])
    assert hidden.table["band_key"].tolist() == plain.table["band_key"].tolist()
    assert plain.table["band"].tolist() != hidden.table["band"].tolist()  # Dutch vs English


def test_cadence_settings_that_cannot_be_used(local):
    session, res = local
    broken = pd.DataFrame(
        {"scope": ["nonsense"], "key": ["x"], "ideal_days": [-3], "max_days": [1]}
    )
    extras, problem = grid_extras(session, res, SEL, broken, "en")
    assert problem and len(extras) == len(res)
    assert set(extras["cadence_key"]) == {"no_target"}
    view = MonitorView.build(session, res, selection=SEL, cadence=broken)
    assert view.cadence_error and set(view.table["cadence_key"]) == {"no_target"}
    ok, none = grid_extras(session, res, SEL, cadence.default_cadence(session.data), "en")
    assert none == "" and ok["overdue_rank"].sort_values().tolist() == list(range(len(res)))


def test_a_stored_result_with_relations_the_session_does_not_show(service, local):
    """A result with more rows than the principal may see (an old stored one): every row gets
    a column value, the hidden ones no cadence target."""
    _, res = local
    carla = service.session(Principal("carla", b_groups=("top customers",)))
    visible = carla.visible_relations(AS_OF)
    assert visible and len(visible) < len(res)
    extras, _ = grid_extras(carla, res, SEL, cadence.default_cadence(service.data), "nl")
    assert len(extras) == len(res)
    hidden = ~res["relation_id"].isin(visible).to_numpy()
    assert set(extras.loc[hidden, "cadence_key"]) == {"no_target"}
