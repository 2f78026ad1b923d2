"""Banding strategies: hand-worked bands on tiny literal data, edge cases and invariants."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aandacht.bands import (
    AREA_BANDS,
    AREAS,
    BAND_AREA,
    BAND_NAMES,
    BANDS,
    STRATEGIES,
    BandStrategy,
    band_table,
    classify,
    label,
    period_days,
)

PARAMS = {"per_month": {"period_days": 365}}


def bands(totals, strategy="relative", thresholds=None, **params):
    return list(classify(totals, strategy, thresholds, **params).yb)


# ------------------------------------------------------------------------------ the one place


def test_bands_and_areas_in_order_with_colours_and_labels():
    assert BAND_NAMES == ("none", "very_little", "little", "average", "much", "very_much")
    assert [BANDS[b].colour for b in BAND_NAMES] == [
        "#d62728", "#595959", "#bfbfbf", "#1f77b4", "#2ca02c", "#ffd700",
    ]  # fmt: skip
    assert [BANDS[b].label_nl for b in BAND_NAMES] == [
        "geen", "zeer weinig", "weinig", "gemiddeld", "veel", "zeer veel",
    ]  # fmt: skip
    assert BANDS["very_much"].label("en") == "very much"
    assert list(AREAS) == ["insufficient", "average", "too_much", "excluded"]
    assert AREAS["insufficient"].label_nl == "mogelijk onvoldoende"
    assert AREAS["too_much"].label_en == "possibly too much"
    assert AREAS["excluded"].label("nl") == "uitgesloten"
    assert AREA_BANDS["insufficient"] == ("none", "very_little", "little")
    assert sorted(BAND_AREA) == sorted(BAND_NAMES)
    assert label("little", "en") == "little" and label("average", "nl") == "gemiddeld"
    with pytest.raises(ValueError, match="unknown band or area"):
        label("lots")
    with pytest.raises(ValueError, match="unknown language"):
        label("none", "de")


def test_period_days_inclusive():
    assert period_days("2024-01-01", "2024-12-31") == 366
    assert period_days("2026-03-01", "2026-03-01") == 1
    with pytest.raises(ValueError, match="before it starts"):
        period_days("2026-03-02", "2026-03-01")


# ------------------------------------------------------------------------------ relative


def test_relative_hand_worked():
    # mean 16/5 = 3.2; ratios 0, 0.3125, 0.625, 1.25, 2.8125
    r = classify([0, 1, 2, 4, 9])
    assert list(r.yb) == ["none", "little", "little", "average", "much"]
    assert r.reference == Fraction(16, 5)
    np.testing.assert_allclose(r.bins, [0.8, 2.4, 4.8, 9.6])
    assert r.counts == {
        "none": 1, "very_little": 0, "little": 2, "average": 1, "much": 1, "very_much": 0,
    }  # fmt: skip
    assert r.ranges["little"] == (1, 2) and r.ranges["very_little"] is None
    assert list(r.codes) == [0, 2, 2, 3, 4]


def test_relative_equal_to_threshold_goes_higher_exactly():
    # mean 10/3; 5 / (10/3) = 1.5 exactly (1.4999999999999998 in floats) -> much
    assert bands([5, 0, 5]) == ["much", "none", "much"]
    # [1, 7]: mean 4 -> ratios 0.25 (little, not very_little) and 1.75 (much)
    assert bands([1, 7]) == ["little", "much"]
    # [3, 5]: mean 4 -> 0.75 -> average
    assert bands([3, 5]) == ["average", "average"]
    # [3, 0, 0]: mean 1 -> 3.0 -> very_much
    assert bands([3, 0, 0]) == ["very_much", "none", "none"]
    # mean 10: 0.3 * 10 = 3.0000000000000004 in floats; exactly 3 -> much at threshold 0.3
    assert bands([3, 17], thresholds=(0.1, 0.2, 0.3, 3)) == ["much", "much"]
    assert bands([3, 17], thresholds=(0.1, 0.2, 0.3, 1.7)) == ["much", "very_much"]


def test_relative_custom_thresholds_and_reference():
    assert bands([0, 1, 2, 4, 9], thresholds=(0.5, 1, 2, 4)) == [
        "none", "very_little", "little", "average", "much",
    ]  # fmt: skip
    # the sales view passes reference=1: thresholds apply to the values themselves
    r = classify([Fraction(1, 4), Fraction(3, 4), 1, 3], reference=1)
    assert list(r.yb) == ["little", "average", "average", "very_much"]
    # thresholds given as strings (command line) or Fractions are exact too
    assert bands([5, 0, 5], thresholds=("0.25", "0.75", "1.5", "3")) == ["much", "none", "much"]
    assert bands([5, 0, 5], thresholds=[Fraction(1, 4), Fraction(3, 4), 1.5, 3]) == [
        "much", "none", "much",
    ]  # fmt: skip


def test_all_zeros_one_relation_empty_and_outlier():
    r = classify([0, 0, 0])
    assert list(r.yb) == ["none"] * 3 and r.counts["none"] == 3
    assert bands([5]) == ["average"]  # ratio 1
    assert bands([0]) == ["none"]
    r = classify([])
    assert len(r.yb) == 0 and sum(r.counts.values()) == 0 and r.reference is None
    t = band_table(r)
    assert list(t["count"]) == [0] * 6 and list(t["share"]) == [0.0] * 6
    # one huge outlier: mean (99 + 10000) / 100 = 100.99
    r = classify([1] * 99 + [10_000])
    assert r.counts["very_little"] == 99 and r.counts["very_much"] == 1


# ------------------------------------------------------------------------------ quantile


def test_quantile_hand_worked():
    # non-zero values 1..10, mid-rank shares 0.05, 0.15, …, 0.95
    assert bands(list(range(11)), "quantile") == [
        "none", "very_little", "very_little", "little", "little", "average", "average",
        "much", "much", "very_much", "very_much",
    ]  # fmt: skip
    # 1..5: shares 0.1, 0.3, 0.5, 0.7, 0.9 -> one per band
    assert bands([5, 4, 3, 2, 1], "quantile") == [
        "very_much", "much", "average", "little", "very_little",
    ]  # fmt: skip


def test_quantile_ties():
    # the four 1s share (0 + 4/2) / 5 = 0.4 -> a cut -> higher band (average), all of them
    assert bands([0, 1, 1, 1, 1, 5], "quantile") == [
        "none", "average", "average", "average", "average", "very_much",
    ]  # fmt: skip
    # two 1s: (0 + 2/2) / 5 = 0.2 exactly -> little; 2: 0.5; 3: 0.7; 4: 0.9
    assert bands([0, 1, 1, 2, 3, 4], "quantile") == [
        "none", "little", "little", "average", "much", "very_much",
    ]  # fmt: skip
    # all equal -> the middle band
    assert bands([3, 3, 3, 0], "quantile") == ["average"] * 3 + ["none"]
    r = classify([0, 1, 1, 2, 3, 4], "quantile")
    assert r.exact_bins == (1, 2, 3, 4)


def test_quantile_thresholds():
    # shares 0.125, 0.375, 0.625, 0.875
    assert bands([1, 2, 3, 4], "quantile", thresholds=(0.5, 0.6, 0.7, 0.8)) == [
        "very_little", "very_little", "average", "very_much",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="below 1"):
        classify([1], "quantile", thresholds=(0.2, 0.4, 0.6, 1))


# ------------------------------------------------------------------------------ natural breaks


def test_natural_breaks_hand_worked():
    # the same classes mapclassify.FisherJenks(k=5) finds: {1,1,2,2} {5} {9} {30,31} {100}
    r = classify([1, 1, 2, 2, 5, 9, 30, 31, 100, 0], "natural_breaks")
    assert list(r.yb) == [
        "very_little", "very_little", "very_little", "very_little", "little", "average",
        "much", "much", "very_much", "none",
    ]  # fmt: skip
    assert r.exact_bins == (5, 9, 30, 100)


def test_natural_breaks_fewer_distinct_values_than_classes():
    assert bands([0, 4, 4], "natural_breaks") == ["none", "average", "average"]
    assert bands([1, 10], "natural_breaks") == ["little", "much"]
    assert bands([1, 2, 3], "natural_breaks") == ["little", "average", "much"]
    assert bands([1, 2, 3, 4], "natural_breaks") == ["very_little", "little", "much", "very_much"]
    assert bands([0, 0], "natural_breaks") == ["none", "none"]
    assert bands([], "natural_breaks") == []
    with pytest.raises(ValueError, match="takes no thresholds"):
        classify([1, 2], "natural_breaks", thresholds=(1, 2, 3, 4))


def test_natural_breaks_many_distinct_values_is_bounded():
    values = [i * i for i in range(1, 61)]
    exact = classify(values, "natural_breaks")
    assert classify(values, "natural_breaks", max_distinct=60).exact_bins == exact.exact_bins
    rough = classify(values, "natural_breaks", max_distinct=10)
    assert all(c in values for c in rough.exact_bins)  # cuts are data values
    assert list(rough.codes) == sorted(rough.codes) and set(rough.codes) == {1, 2, 3, 4, 5}
    with pytest.raises(ValueError, match="at least 5"):
        classify(values, "natural_breaks", max_distinct=4)


def _ssd(values, codes):
    s = 0.0
    for c in set(codes):
        v = np.array([x for x, k in zip(values, codes, strict=True) if k == c], dtype=float)
        s += float(((v - v.mean()) ** 2).sum())
    return s


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=5, max_size=12, unique=True))
def test_natural_breaks_is_as_good_as_mapclassify(values):
    mc = pytest.importorskip("mapclassify")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fj = mc.FisherJenks(np.array(values, dtype=float), k=5)
    ours = classify(values, "natural_breaks")
    assert _ssd(values, list(ours.codes)) == pytest.approx(_ssd(values, list(fj.yb)), abs=1e-6)


# ------------------------------------------------------------------------------ fixed, per_month


def test_fixed_defaults_and_custom():
    totals = [0, 1, 2, 3, 5, 6, 11, 12, 23, 24, 100]
    assert bands(totals, "fixed") == [
        "none", "very_little", "very_little", "little", "little", "average", "average",
        "much", "much", "very_much", "very_much",
    ]  # fmt: skip
    assert bands([0, 2, 5, 3], "fixed", thresholds=(2, 3, 4, 5)) == [
        "none", "little", "very_much", "average",
    ]  # fmt: skip
    assert classify([1], "fixed").exact_bins == (3, 6, 12, 24)


def test_per_month():
    # 365 days: cuts 0.25 -> 3.04, 0.5 -> 6.08, 1 -> 12.17, 2 -> 24.33 contact moments
    totals = [0, 3, 4, 6, 7, 12, 13, 24, 25]
    assert bands(totals, "per_month", period_days=365) == [
        "none", "very_little", "little", "little", "average", "average", "much", "much",
        "very_much",
    ]  # fmt: skip
    # 120 days: 1 contact = exactly 0.25 per month -> little; 30 days: rate = total
    assert bands([1], "per_month", period_days=120) == ["little"]
    assert bands([1, 2, 0], "per_month", period_days=30) == ["much", "very_much", "none"]
    with pytest.raises(ValueError, match="period_days"):
        classify([1], "per_month")
    with pytest.raises(ValueError, match="positive"):
        classify([1], "per_month", period_days=0)


# ------------------------------------------------------------------------------ errors


def test_unknown_strategy_lists_valid_names():
    with pytest.raises(ValueError) as e:
        classify([1, 2], "quantiles")
    for name in STRATEGIES:
        assert name in str(e.value)
    assert set(STRATEGIES) == {"relative", "quantile", "natural_breaks", "fixed", "per_month"}


@pytest.mark.parametrize(
    "thresholds, message",
    [
        ((1, 2, 3), "exactly 4"),
        ((1, 2, 3, 4, 5), "exactly 4"),
        ((1, 3, 2, 4), "strictly ascending"),
        ((1, 1, 2, 4), "strictly ascending"),
        ((-1, 1, 2, 4), "positive"),
        ((0, 1, 2, 4), "positive"),
        (("a", 1, 2, 4), "number"),
        ((float("nan"), 1, 2, 4), "finite"),
        ((True, 2, 3, 4), "number"),
        ("1,2,3,4", "4 numbers"),
    ],
)
def test_bad_thresholds(thresholds, message):
    with pytest.raises(ValueError, match=message):
        classify([1, 2], "relative", thresholds=thresholds)


@pytest.mark.parametrize(
    "totals, message",
    [
        ([1, -1], "negative"),
        ([1.0, float("nan")], "finite"),
        ([1, float("inf")], "finite"),
        (pd.Series([1, None], dtype="Int64"), "missing"),
        (["a", 1], "numbers"),
        (np.array([[1, 2]]), "one-dimensional"),
    ],
)
def test_bad_totals(totals, message):
    with pytest.raises(ValueError, match=message):
        classify(totals)


def test_parameters():
    with pytest.raises(ValueError, match="no parameter"):
        classify([1], "fixed", reference=2)
    # period_days is context: every strategy accepts it
    for name in STRATEGIES:
        classify([1, 2], name, period_days=90)


def test_series_in_series_out_and_floats():
    s = pd.Series([0, 4, 1], index=["R1", "R2", "R3"], dtype="Int64")
    out = classify(s).to_series()
    assert out.to_dict() == {"R1": "none", "R2": "much", "R3": "little"}
    assert out.name == "band"
    # weighted (float) totals work the same way; 0.5 / mean 1.5 = 1/3 -> little
    assert bands([0.0, 0.5, 4.0]) == ["none", "little", "much"]


def test_band_table():
    t = band_table(classify([0, 1, 2, 4, 9]))
    assert list(t.columns) == [
        "band", "colour", "label_nl", "label_en", "count", "share", "min", "max",
    ]  # fmt: skip
    assert list(t["band"]) == list(BAND_NAMES)
    assert list(t["count"]) == [1, 0, 2, 1, 1, 0]
    assert t["share"].sum() == pytest.approx(1.0)
    assert t.loc[2, "min"] == 1 and t.loc[2, "max"] == 2
    assert pd.isna(t.loc[1, "min"]) and pd.isna(t.loc[5, "max"])
    assert t.loc[0, "colour"] == "#d62728" and t.loc[3, "label_en"] == "average"


def test_repr_and_subclass_contract():
    r = classify([0, 1, 2])
    assert "relative" in repr(r) and "very_much" in repr(r)
    assert isinstance(r, BandStrategy)

    class Broken(BandStrategy):
        name = "broken"

        def _cuts(self):
            return [1, 2]

    with pytest.raises(RuntimeError):
        Broken([1, 2])


# ------------------------------------------------------------------------------ properties

totals_lists = st.lists(st.integers(0, 200), max_size=40)
strategy_names = st.sampled_from(sorted(STRATEGIES))


@settings(max_examples=150, deadline=None)
@given(totals_lists, strategy_names)
def test_every_relation_exactly_one_band_and_none_iff_zero(totals, name):
    r = classify(totals, name, **PARAMS.get(name, {}))
    assert len(r.yb) == len(totals)
    assert all(b in BAND_NAMES for b in r.yb)
    assert [b == "none" for b in r.yb] == [t == 0 for t in totals]
    assert sum(r.counts.values()) == len(totals)
    t = band_table(r)
    if totals:
        assert t["share"].sum() == pytest.approx(1.0)
    assert int(t["count"].sum()) == len(totals)


@settings(max_examples=150, deadline=None)
@given(totals_lists, strategy_names)
def test_monotonic(totals, name):
    """More contact moments never means a lower band in the same group."""
    r = classify(totals, name, **PARAMS.get(name, {}))
    pairs = sorted(zip(totals, r.codes, strict=True))
    codes = [c for _, c in pairs]
    assert codes == sorted(codes)
    # ranges of the bands do not overlap and follow the band order
    spans = [r.ranges[b] for b in BAND_NAMES if r.ranges[b] is not None]
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=30))
def test_relative_matches_exact_definition(totals):
    n, s = len(totals), sum(totals)
    cuts = [Fraction(x) for x in ("0.25", "0.75", "1.5", "3.0")]
    expected = [
        "none" if t == 0 else BAND_NAMES[1 + sum(1 for c in cuts if t * n >= c * s)] for t in totals
    ]
    assert bands(totals) == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=30), strategy_names)
def test_order_does_not_matter(totals, name):
    params = PARAMS.get(name, {})
    a = dict(zip(range(len(totals)), classify(totals, name, **params).yb, strict=True))
    rev = list(reversed(totals))
    b = classify(rev, name, **params).yb
    assert [a[len(totals) - 1 - i] for i in range(len(totals))] == list(b)
