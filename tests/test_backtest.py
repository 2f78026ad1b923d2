"""Back-test (B8) and attention over time (B1): hand-worked results on tiny literal data."""

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aandacht import SelectionError, from_frames
from aandacht.backtest import (
    DEFAULT_STRATEGIES,
    LOW_BANDS,
    BacktestWarning,
    backtest,
    compare_strategies,
    evaluate,
    revenue_change,
)
from aandacht.bands import BAND_NAMES
from aandacht.history import activity_per_month, band_history, periods

ROOT = Path(__file__).resolve().parents[1]

# Split 2026-03-31, 31-day periods: before = 1–31 March, after = 1 April – 1 May.
# Contact moments in March (all users): R1 1, R2 4 (3 JdV + 1 PB), R3 0, R4 6 (PB), R5 3 (2
# history + 1 order), R6 0. Revenue ("both"): before R1 1000, R2 500, R3 300, R5 250 (order);
# after R1 400, R2 600, R4 200, R5 250 (invoice).
EVENTS = [
    # id, relation, user, timestamp, source, action, amount
    ("E01", "R1", "JdV", "2026-03-10 10:00:00", "history", "added", None),
    ("E02", "R1", "JdV", "2026-03-15 10:00:00", "sales", "invoice_added", "1000.00"),
    ("E03", "R1", "JdV", "2026-04-10 10:00:00", "sales", "invoice_added", "400.00"),
    ("E04", "R1", "JdV", "2026-05-02 10:00:00", "sales", "invoice_added", "999.00"),  # too late
    ("E05", "R1", "JdV", "2026-02-28 10:00:00", "sales", "invoice_added", "777.00"),  # too early
    ("E06", "R2", "JdV", "2026-03-02 09:00:00", "history", "added", None),
    ("E07", "R2", "JdV", "2026-03-03 09:00:00", "history", "added", None),
    ("E08", "R2", "JdV", "2026-03-04 09:00:00", "history", "modified", None),
    ("E09", "R2", "PB", "2026-03-05 09:00:00", "history", "added", None),
    ("E10", "R2", "JdV", "2026-03-12 09:00:00", "marketing", "mailing_sent", None),
    ("E11", "R2", "JdV", "2026-03-31 23:59:59", "sales", "invoice_added", "500.00"),
    ("E12", "R2", "JdV", "2026-04-01 00:00:00", "sales", "invoice_added", "600.00"),
    ("E13", "R3", "JdV", "2026-02-28 16:00:00", "history", "added", None),
    ("E14", "R3", "JdV", "2026-03-05 16:00:00", "sales", "invoice_added", "300.00"),
    *[
        (f"E2{i}", "R4", "PB", f"2026-03-1{i} 08:00:00", "helpdesk", "call_added", None)
        for i in range(6)
    ],
    ("E30", "R4", "JdV", "2026-04-20 08:00:00", "sales", "invoice_added", "200.00"),
    ("E31", "R5", "JdV", "2026-03-20 11:00:00", "history", "added", None),
    ("E32", "R5", "JdV", "2026-03-21 11:00:00", "history", "added", None),
    ("E33", "R5", "JdV", "2026-03-25 11:00:00", "sales", "order_added", "250.00"),
    ("E34", "R5", "JdV", "2026-04-05 11:00:00", "sales", "invoice_added", "250.00"),
]


def tiny_tables() -> dict[str, pd.DataFrame]:
    events = pd.DataFrame(
        EVENTS,
        columns=["event_id", "relation_id", "user_id", "timestamp", "source", "action", "amount"],
    )
    return {
        "relations": pd.DataFrame(
            {
                "relation_id": [f"R{i}" for i in range(1, 7)],
                "name": ["Jansen", "Van Dijk", "De Boer", "Smit", "Visser", "Bakker"],
            }
        ),  # fmt: skip
        "relation_groups": pd.DataFrame(
            {"relation_id": ["R1", "R2"], "group": ["top customers"] * 2}
        ),
        "users": pd.DataFrame({"user_id": ["JdV", "PB"], "department": ["Sales", "Service"]}),
        "events": events,
    }


@pytest.fixture(scope="module")
def ds():
    return from_frames(tiny_tables())


@pytest.fixture(scope="module")
def change(ds):
    return revenue_change(ds, "2026-03-31", period_days=31)


FIXED = ("fixed", (2, 4, 6, 8))  # 0 none, 1 very_little, 2-3 little, 4-5 average, 6-7 much


# ------------------------------------------------------------------------------ revenue_change


def test_revenue_change_counts_before_and_revenue_on_both_sides(change):
    assert list(change.columns) == ["relation_id", "name", "total", "revenue_before",
                                    "revenue_after"]  # fmt: skip
    assert list(change.relation_id) == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert list(change.total) == [1, 4, 0, 6, 3, 0]
    assert list(change.revenue_before) == [1000.0, 500.0, 300.0, 0.0, 250.0, 0.0]
    assert list(change.revenue_after) == [400.0, 600.0, 0.0, 200.0, 250.0, 0.0]
    assert change.attrs["split"] == "2026-03-31"
    assert (change.attrs["before_from"], change.attrs["before_to"]) == ("2026-03-01", "2026-03-31")
    assert (change.attrs["after_from"], change.attrs["after_to"]) == ("2026-04-01", "2026-05-01")
    assert change.attrs["period_days"] == change.attrs["after_days"] == 31
    assert change.attrs["revenue"] == "both"


def test_revenue_basis(ds):
    inv = revenue_change(ds, "2026-03-31", period_days=31, revenue="invoices")
    assert list(inv.revenue_before) == [1000.0, 500.0, 300.0, 0.0, 0.0, 0.0]
    assert list(inv.revenue_after) == [400.0, 600.0, 0.0, 200.0, 250.0, 0.0]
    orders = revenue_change(ds, "2026-03-31", period_days=31, revenue="orders")
    assert list(orders.revenue_before) == [0.0, 0.0, 0.0, 0.0, 250.0, 0.0]
    assert list(orders.revenue_after) == [0.0] * 6
    r = evaluate(orders, *FIXED)
    assert r.relations.set_index("relation_id").loc["R5", ["lost", "churned"]].tolist() == [
        True, True,
    ]  # fmt: skip
    assert r.scores["low_with_revenue"] == 1 and r.scores["other_with_revenue"] == 0
    assert math.isnan(r.separation)


def test_selected_users_count_attention_but_revenue_is_the_relations(ds):
    pb = revenue_change(ds, "2026-03-31", period_days=31, users=["PB"])
    assert list(pb.total) == [0, 1, 0, 6, 0, 0]
    assert list(pb.revenue_before) == [1000.0, 500.0, 300.0, 0.0, 250.0, 0.0]  # booked by JdV
    assert list(pb.revenue_after) == [400.0, 600.0, 0.0, 200.0, 250.0, 0.0]
    service = revenue_change(ds, "2026-03-31", period_days=31, user_group="Service")
    pd.testing.assert_frame_equal(service, pb, check_like=True)


def test_b_group_and_relations_selection(ds):
    top = revenue_change(ds, "2026-03-31", period_days=31, b_group="top customers")
    assert list(top.relation_id) == ["R1", "R2"]
    assert list(top.revenue_after) == [400.0, 600.0]
    some = revenue_change(ds, "2026-03-31", period_days=31, relations=["R5", "R3"])
    assert list(some.relation_id) == ["R3", "R5"]
    assert list(some.total) == [0, 3]
    with pytest.raises(SelectionError, match="unknown B-group"):
        revenue_change(ds, "2026-03-31", period_days=31, b_group="nope")


def test_after_period_cut_to_the_data_warns(ds):
    with pytest.warns(BacktestWarning, match="17 of 31 days"):
        ch = revenue_change(ds, "2026-04-15", period_days=31)
    assert (ch.attrs["after_from"], ch.attrs["after_to"]) == ("2026-04-16", "2026-05-02")
    assert ch.attrs["after_days"] == 17
    assert list(ch.revenue_after) == [999.0, 0.0, 0.0, 200.0, 0.0, 0.0]


def test_before_period_not_covered_warns(ds):
    with pytest.warns(BacktestWarning) as record:
        revenue_change(ds, "2026-03-31", period_days=60)
    messages = sorted(str(w.message) for w in record if w.category is BacktestWarning)
    assert messages[0].startswith("the data ends on 2026-05-02: the period after the split has 32")
    assert messages[1].startswith("the data starts on 2026-02-28: the period before the split")


def test_no_warning_when_both_periods_are_covered(ds):
    with warnings.catch_warnings():
        warnings.simplefilter("error", BacktestWarning)
        revenue_change(ds, "2026-03-31", period_days=31)


def test_bad_split_and_period(ds):
    with pytest.raises(ValueError, match="no data after the split 2026-05-02"):
        revenue_change(ds, "2026-05-02")
    with pytest.raises(ValueError, match="period_days"):
        revenue_change(ds, "2026-03-31", period_days=0)
    with pytest.raises(SelectionError, match="not a date"):
        revenue_change(ds, "31 maart")


# ------------------------------------------------------------------------------ evaluate


def test_evaluate_per_relation(change):
    r = evaluate(change, *FIXED)
    rel = r.relations.set_index("relation_id")
    assert list(rel.band) == ["very_little", "average", "none", "much", "little", "none"]
    assert list(rel.had_revenue) == [True, True, True, False, True, False]
    assert list(rel.lost) == [True, False, True, False, False, False]  # R5: equal is not lost
    assert list(rel.churned) == [False, False, True, False, False, False]
    np.testing.assert_allclose(rel.change_pct, [-60, 20, -100, np.nan, 0, np.nan])


def test_evaluate_per_band_hand_worked(change):
    b = evaluate(change, *FIXED).bands.set_index("band")
    assert list(b.index) == list(BAND_NAMES)
    assert list(b.relations) == [2, 1, 1, 1, 1, 0]
    assert list(b.with_revenue) == [1, 1, 1, 1, 0, 0]
    assert list(b.lost) == [1, 1, 0, 0, 0, 0]
    assert list(b.churned) == [1, 0, 0, 0, 0, 0]
    np.testing.assert_allclose(b.lost_share, [1, 1, 0, 0, np.nan, np.nan])
    np.testing.assert_allclose(b.churn_share, [1, 0, 0, 0, np.nan, np.nan])
    np.testing.assert_allclose(b.median_change_pct, [-100, -60, 0, 20, np.nan, np.nan])
    assert list(b.revenue_before) == [300.0, 1000.0, 250.0, 500.0, 0.0, 0.0]
    assert list(b.revenue_after) == [0.0, 400.0, 250.0, 600.0, 200.0, 0.0]
    np.testing.assert_allclose(b.revenue_change_pct, [-100, -60, 0, 20, np.nan, np.nan])
    assert b.loc["none", "colour"] == "#d62728" and b.loc["little", "label_en"] == "little"


def test_evaluate_scores_hand_worked(change):
    r = evaluate(change, *FIXED)
    # low: R1 (lost), R3 (lost, churned), R5 (equal), R6 (no revenue); other: R2 (grew), R4 (none)
    assert LOW_BANDS == ("none", "very_little", "little")
    s = r.scores
    assert (s["low_with_revenue"], s["other_with_revenue"]) == (3, 1)
    assert s["low_loss_share"] == pytest.approx(2 / 3)
    assert s["other_loss_share"] == 0.0
    assert r.separation == pytest.approx(2 / 3)
    assert s["low_churn_share"] == pytest.approx(1 / 3)
    assert s["churn_separation"] == pytest.approx(1 / 3)
    assert s["low_median_change_pct"] == -60.0
    assert s["other_median_change_pct"] == 20.0
    assert r.strategy == "fixed" and r.thresholds == (2, 4, 6, 8)
    assert r.settings["split"] == "2026-03-31"
    assert "separation +0.667" in repr(r)


def test_evaluate_relative_default(change):
    # mean 14/6: cuts 7/12, 7/4, 7/2, 7 -> 1 little, 4 much, 6 much, 3 average
    r = evaluate(change)
    assert list(r.relations.band) == ["little", "much", "none", "much", "average", "none"]
    assert r.thresholds == (0.25, 0.75, 1.5, 3.0)
    assert r.separation == 1.0  # low R1, R3 both lost; other R2, R5 neither


def test_evaluate_per_month_uses_the_period_length(change):
    r = evaluate(change, "per_month")
    assert r.result.period_days == 31
    # cuts 0.25, 0.5, 1, 2 per 30 days over 31 days: 31/120, 31/60, 31/30, 31/15
    assert list(r.relations.band) == ["average", "very_much", "none", "very_much", "very_much",
                                      "none"]  # fmt: skip


def test_evaluate_whole_cents_and_credit_notes():
    ch = pd.DataFrame(
        {"relation_id": ["A", "B", "C"], "total": [1, 1, 1],
         "revenue_before": [0.1 + 0.2, 100.0, -50.0], "revenue_after": [0.3, -20.0, 10.0]}
    )  # fmt: skip
    rel = evaluate(ch, "fixed", (2, 3, 4, 5)).relations
    assert list(rel.lost) == [False, True, False]  # 0.1 + 0.2 is 0.30 in cents
    assert list(rel.churned) == [False, True, False]  # a credit note is "no revenue"
    assert list(rel.had_revenue) == [True, True, False]
    assert rel.change_pct.iloc[1] == -120.0


def test_evaluate_needs_the_columns():
    with pytest.raises(ValueError, match="revenue_after"):
        evaluate(pd.DataFrame({"total": [1], "revenue_before": [1.0]}))


def test_evaluate_empty_group_and_bad_strategy(ds):
    ch = revenue_change(ds, "2026-03-31", period_days=31, relations=["R6"])
    r = evaluate(ch)
    assert r.bands.relations.tolist() == [1, 0, 0, 0, 0, 0]
    assert math.isnan(r.separation)
    with pytest.raises(ValueError, match="valid strategies"):
        evaluate(ch, "jenks")


def test_backtest_is_revenue_change_then_evaluate(ds, change):
    bt = backtest(ds, split="2026-03-31", period_days=31, strategy="fixed", thresholds=(2, 4, 6, 8))
    ref = evaluate(change, *FIXED)
    pd.testing.assert_frame_equal(bt.bands, ref.bands)
    pd.testing.assert_frame_equal(bt.relations, ref.relations)
    top = backtest(ds, split="2026-03-31", period_days=31, b_group="top customers")
    assert top.bands.relations.sum() == 2


money = st.integers(-10_000, 1_000_000).map(lambda c: c / 100)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), money, money), min_size=1, max_size=40),
    st.sampled_from(["relative", "quantile", "natural_breaks", "fixed"]),
)
def test_evaluate_parts_add_up(rows, strategy):
    ch = pd.DataFrame(rows, columns=["total", "revenue_before", "revenue_after"])
    r = evaluate(ch, strategy)
    b = r.bands
    had = ch.revenue_before > 0
    assert b.relations.sum() == len(ch)  # every relation in exactly one band
    assert b.with_revenue.sum() == had.sum()
    assert b.lost.sum() == (had & (ch.revenue_after < ch.revenue_before)).sum()
    assert (b.churned <= b.lost).all()  # losing everything is losing
    assert round(b.revenue_before.sum(), 2) == round(ch.revenue_before.sum(), 2)
    assert round(b.revenue_after.sum(), 2) == round(ch.revenue_after.sum(), 2)
    assert r.scores["low_with_revenue"] + r.scores["other_with_revenue"] == had.sum()
    assert (r.relations.band == "none").sum() == (ch.total == 0).sum()


# ------------------------------------------------------------------------------ compare


def test_compare_strategies_one_row_per_strategy(ds):
    cmp = compare_strategies(
        ds, "2026-03-31", {"fixed 2-8": FIXED, "relative": "relative"}, period_days=31
    )
    assert list(cmp.index) == ["fixed 2-8", "relative"]
    assert list(cmp.strategy) == ["fixed", "relative"]
    assert cmp.loc["fixed 2-8", "thresholds"] == "fixed (2, 4, 6, 8)"
    assert cmp.loc["fixed 2-8", list(BAND_NAMES)].tolist() == [2, 1, 1, 1, 1, 0]
    assert cmp.loc["relative", list(BAND_NAMES)].tolist() == [2, 0, 1, 1, 2, 0]
    assert cmp.loc["fixed 2-8", "separation"] == pytest.approx(2 / 3)
    assert cmp.loc["relative", "separation"] == 1.0
    assert cmp.loc["relative", "churn_separation"] == 0.5
    assert cmp.attrs["split"] == "2026-03-31"


def test_compare_strategies_defaults_and_counted_table(change):
    cmp = compare_strategies(change)
    assert list(cmp.index) == list(DEFAULT_STRATEGIES)
    assert (cmp[list(BAND_NAMES)].sum(axis=1) == 6).all()
    with_params = compare_strategies(
        change, "2026-03-31", {"vs 2": ("relative", (0.25, 0.75, 1.5, 3.0), {"reference": 2})}
    )
    assert with_params.loc["vs 2", list(BAND_NAMES)].tolist() == [2, 0, 1, 0, 2, 1]


def test_compare_strategies_errors(ds, change):
    with pytest.raises(ValueError, match="counted with split 2026-03-31"):
        compare_strategies(change, "2026-04-30")
    with pytest.raises(ValueError, match="period_days cannot be applied"):
        compare_strategies(change, period_days=10)
    with pytest.raises(ValueError, match="choose the split"):
        compare_strategies(ds)
    with pytest.raises(ValueError, match="no strategies"):
        compare_strategies(change, strategies={})
    with pytest.raises(ValueError, match="give \\(strategy, thresholds\\)"):
        compare_strategies(change, strategies={"x": ("fixed",)})


# ------------------------------------------------------------------------------ history


def test_periods_calendar_and_rolling():
    p = periods("2025-11-15", "2026-04-10", "Q")
    assert list(p.period) == ["2025Q4", "2026Q1", "2026Q2"]
    assert [str(d) for d in p.period_from] == ["2025-11-15", "2026-01-01", "2026-04-01"]
    assert [str(d) for d in p.period_to] == ["2025-12-31", "2026-03-31", "2026-04-10"]
    r = periods("2026-01-01", "2026-03-31", "ME", window_days=31)
    assert [str(d) for d in r.period_from] == ["2026-01-01", "2026-01-29", "2026-03-01"]
    assert list(periods("2025-06-01", "2026-01-31", "Y").period) == ["2025", "2026"]
    with pytest.raises(SelectionError, match="unknown period length"):
        periods("2026-01-01", "2026-03-31", "W")
    with pytest.raises(SelectionError, match="after it ends"):
        periods("2026-03-31", "2026-01-01")


def test_band_history_per_month(ds):
    h = band_history(ds, ["R1", "R3"], start="2026-02-01", end="2026-04-30", freq="M",
                     strategy="fixed", thresholds=(2, 4, 6, 8))  # fmt: skip
    assert list(h.period) == ["2026-02", "2026-02", "2026-03", "2026-03", "2026-04", "2026-04"]
    assert list(h.relation_id) == ["R1", "R3"] * 3
    assert list(h.total) == [0, 1, 1, 0, 0, 0]
    assert list(h.band) == ["none", "very_little", "very_little", "none", "none", "none"]
    np.testing.assert_allclose(h.group_mean, [1 / 6] * 2 + [14 / 6] * 2 + [0, 0])
    np.testing.assert_allclose(h.ratio[:4], [0, 6, 3 / 7, 0])
    assert h.ratio[4:].isna().all()  # April: no contact moments at all


def test_band_history_relative_to_the_selected_group(ds):
    # only R1 and R2 in the group: March totals 1 and 4, mean 5/2 -> 0.4x little, 1.6x much
    h = band_history(ds, start="2026-03-01", end="2026-03-31", freq="M", b_group="top customers")
    assert list(h.band) == ["little", "much"]
    with pytest.raises(SelectionError, match="R4 are not in B-group"):
        band_history(ds, ["R4"], start="2026-03-01", end="2026-03-31", b_group="top customers")


def test_activity_per_month(ds):
    m = activity_per_month(ds, "R2")
    assert [str(d.date()) for d in m.month] == ["2026-03-01", "2026-04-01"]
    assert m.history.tolist() == [4, 0]
    assert m.total.tolist() == [4, 0]
    assert m.not_counted.tolist() == [2, 1]  # mailing + invoice; invoice
    r1 = activity_per_month(ds, "R1", start="2026-01-15", end="2026-05-31")
    assert len(r1) == 5 and r1.not_counted.tolist() == [0, 1, 1, 1, 1]
    assert activity_per_month(ds, "R6").empty
    with pytest.raises(SelectionError, match="R9"):
        activity_per_month(ds, "R9")
