"""Sales view: hand-worked index, bands, areas, expected contacts and ABC on tiny literal data."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aandacht.bands import BAND_AREA, BAND_NAMES
from aandacht.sales import SALES_AREAS, abc_classes, sales_view


def frame(totals, revenue, ids=None):
    ids = ids or [f"R{i + 1}" for i in range(len(totals))]
    return pd.DataFrame(
        {"relation_id": ids, "name": [f"Firma {i}" for i in ids], "total": totals,
         "revenue": [float(r) for r in revenue]}
    )  # fmt: skip


@pytest.fixture
def view():
    # ΣC = 8, ΣR = 1600 -> A = 200
    # R1: 2 × 200 / 1000 = 0.4 -> little;   R2: 2 × 200 / 100 = 4 -> very_much
    # R3: revenue, no contacts -> 0 -> none; R4: nothing -> excluded
    # R5: contacts, no revenue -> inf -> very_much
    return sales_view(frame([2, 2, 0, 0, 4], [1000, 100, 500, 0, 0]))


def test_hand_worked_table(view):
    t = view.table.set_index("relation_id")
    assert view.average_revenue_per_contact == 200.0
    assert view.total_revenue == 1600.0 and view.total_contacts == 8 and view.n == 4
    assert t.loc["R1", "attention_index"] == pytest.approx(0.4)
    assert t.loc["R2", "attention_index"] == 4.0
    assert t.loc["R3", "attention_index"] == 0.0
    assert math.isnan(t.loc["R4", "attention_index"])
    assert math.isinf(t.loc["R5", "attention_index"])
    assert list(t["sales_band"].fillna("")) == ["little", "very_much", "none", "", "very_much"]
    assert list(t["sales_area"]) == [
        "insufficient", "too_much", "insufficient", "excluded", "too_much",
    ]  # fmt: skip
    np.testing.assert_allclose(t["revenue_per_contact"], [500, 50, np.nan, np.nan, 0])
    # expected = revenue / A; gap = expected - actual
    np.testing.assert_allclose(t["expected_contacts"], [5, 0.5, 2.5, 0, 0])
    np.testing.assert_allclose(t["contact_gap"], [3, -1.5, 2.5, 0, -4])
    # ABC: 1000 (0 above: A), 500 (1000 = 62.5 % above: A), 100 (1500 = 93.75 %: B)
    assert list(t["abc_class"]) == ["A", "B", "A", "C", "C"]
    assert list(view.table.columns) == [
        "relation_id", "revenue", "revenue_per_contact", "attention_index", "sales_band",
        "sales_area", "expected_contacts", "contact_gap", "abc_class",
    ]  # fmt: skip
    assert list(view.table.index) == [0, 1, 2, 3, 4]


def test_hand_worked_bands_areas_excluded(view):
    b = view.bands.set_index("band")
    assert list(view.bands["band"]) == list(BAND_NAMES)
    assert list(b["count"]) == [1, 0, 1, 0, 0, 2]
    np.testing.assert_allclose(b["share"], [0.25, 0, 0.25, 0, 0, 0.5])
    np.testing.assert_allclose(b["revenue"], [500, 0, 1000, 0, 0, 100])
    np.testing.assert_allclose(b["revenue_share"], [500 / 1600, 0, 1000 / 1600, 0, 0, 100 / 1600])
    assert (b.loc["very_much", "revenue_per_contact_min"], b.loc["very_much", "revenue_per_contact_max"]) == (0, 50)  # fmt: skip
    assert math.isnan(b.loc["none", "revenue_per_contact_min"])  # no contacts: no ratio
    assert b.loc["little", "area"] == "insufficient" and b.loc["none", "colour"] == "#d62728"
    a = view.areas.set_index("area")
    assert list(a.index) == ["insufficient", "average", "too_much"]
    assert list(a["count"]) == [2, 0, 2]
    np.testing.assert_allclose(a["revenue"], [1500, 0, 100])
    np.testing.assert_allclose(a["revenue_share"], [1500 / 1600, 0, 100 / 1600])
    assert a.loc["too_much", "label_nl"] == "mogelijk te veel"
    assert list(view.excluded["relation_id"]) == ["R4"]
    assert list(view.excluded["name"]) == ["Firma R4"]


def test_index_equal_to_threshold_goes_higher_exactly():
    # A = 6.60 / 4 = 1.65; R1 index 3 × 1.65 / 3.30 = 1.5 exactly (1.4999999999999998 in
    # floats) -> much; R2 1 × 1.65 / 3.30 = 0.5 -> little
    t = sales_view(frame([3, 1], [3.3, 3.3])).table
    assert list(t["sales_band"]) == ["much", "little"]
    # A = 0.90 / 3 = 0.30; R1 2 × 0.3 / 0.2 = 3.0 exactly -> very_much; R2 0.43 -> little
    t = sales_view(frame([2, 1], [0.2, 0.7])).table
    assert list(t["sales_band"]) == ["very_much", "little"]
    # A = 0.90 / 6; R1 1 × 0.15 / 0.2 = 0.75 exactly -> average
    t = sales_view(frame([1, 5], [0.2, 0.7])).table
    assert t["sales_band"].iloc[0] == "average"
    # A = 2; R1 1 × 2 / 8 = 0.25 exactly -> little (not very_little)
    t = sales_view(frame([1, 3], [8, 0])).table
    assert list(t["sales_band"]) == ["little", "very_much"]


def test_custom_thresholds_and_strategies():
    df = frame([2, 2, 0, 0, 4], [1000, 100, 500, 0, 0])
    # index 0.4 with thresholds (0.1, 0.2, 0.3, 0.4) -> very_much (equal goes higher)
    t = sales_view(df, thresholds=(0.1, 0.2, 0.3, 0.4)).table
    assert t["sales_band"].iloc[0] == "very_much"
    # fixed and per_month apply their thresholds to the index, like relative
    for name in ("fixed", "per_month"):
        v = sales_view(df, name, period_days=365)
        assert list(v.table["sales_band"].fillna("")) == [
            "little", "very_much", "none", "", "very_much",
        ]  # fmt: skip
        assert v.thresholds == (0.25, 0.75, 1.5, 3.0)
    # quantile / natural breaks on the finite positive indices {0.4, 4}; inf -> very_much
    for name in ("quantile", "natural_breaks"):
        v = sales_view(df, name)
        assert list(v.table["sales_band"].fillna("")) == [
            "little", "much", "none", "", "very_much",
        ]  # fmt: skip
    with pytest.raises(ValueError, match="valid strategies"):
        sales_view(df, "jenks")
    with pytest.raises(ValueError, match="strictly ascending"):
        sales_view(df, thresholds=(1, 1, 2, 3))


def test_negative_revenue_is_revenue():
    # credit notes exceeding sales: revenue -50 (no contacts), -50 (2 contacts), 300 (2 contacts)
    v = sales_view(frame([0, 2, 2], [-50, -50, 300]))
    t = v.table
    # -50 without contacts is revenue, not nothing: index 0 -> none, not excluded
    assert list(t["sales_band"]) == ["none", "very_little", "little"]
    assert list(t["sales_area"]) == ["insufficient", "insufficient", "insufficient"]
    # A = Σrevenue / Σcontacts = (-50 - 50 + 300) / 4 = 50
    assert v.average_revenue_per_contact == 50.0
    assert t["attention_index"].iloc[1] == 2 * 50 / -50  # negative: below every threshold
    assert t["attention_index"].iloc[2] == 2 * 50 / 300
    assert t["revenue_per_contact"].iloc[1] == -25.0
    assert v.total_revenue == 200.0
    # expected contacts take negative revenue as 0: 300 / 50 = 6
    assert list(t["expected_contacts"]) == [0.0, 0.0, 6.0]
    # the same bands with the other strategies: negative stays very_little
    for name in ("quantile", "natural_breaks", "fixed"):
        assert sales_view(frame([0, 2, 2], [-50, -50, 300]), name).table["sales_band"].iloc[1] == (
            "very_little"
        )
    # a negative A (more credit than sales overall) is literal too
    v = sales_view(frame([1, 1], [-300, 100]))
    assert v.average_revenue_per_contact == -100.0
    assert list(v.table["attention_index"]) == [1 / 3, -1.0]
    assert list(v.table["sales_band"]) == ["little", "very_little"]


def test_degenerate_groups():
    # nothing at all: everyone excluded
    v = sales_view(frame([0, 0], [0, 0]))
    assert list(v.table["sales_area"]) == ["excluded", "excluded"]
    assert v.table["sales_band"].isna().all()
    assert math.isnan(v.average_revenue_per_contact) and v.n == 0
    assert list(v.areas["count"]) == [0, 0, 0] and v.areas["revenue_share"].isna().all()
    # revenue but no contact moments anywhere: all none, nothing expected
    v = sales_view(frame([0, 0], [10, 20]))
    assert list(v.table["sales_band"]) == ["none", "none"]
    assert math.isnan(v.average_revenue_per_contact)
    assert list(v.table["expected_contacts"]) == [0, 0]
    # contacts but no revenue anywhere: all infinite -> very_much
    v = sales_view(frame([1, 3], [0, 0]))
    assert list(v.table["sales_band"]) == ["very_much", "very_much"]
    assert v.average_revenue_per_contact == 0.0
    # empty input
    v = sales_view(frame([], []))
    assert len(v.table) == 0 and list(v.bands["count"]) == [0] * 6


def test_input_checks_and_missing_revenue():
    with pytest.raises(ValueError, match="revenue"):
        sales_view(pd.DataFrame({"relation_id": ["R1"], "total": [1]}))
    with pytest.raises(ValueError, match="finite"):
        sales_view(frame([1], [float("inf")]))
    with pytest.raises(ValueError, match="negative"):
        sales_view(frame([-1], [1]))
    # a missing revenue is no revenue
    df = frame([1, 0], [0, 0])
    df["revenue"] = [None, None]
    assert list(sales_view(df).table["sales_area"]) == ["too_much", "excluded"]
    # other column names
    df = pd.DataFrame({"code": ["X"], "n": [2], "omzet": [100.0]})
    v = sales_view(df, id_column="code", total_column="n", revenue_column="omzet")
    assert v.table["sales_band"].iloc[0] == "average"


def test_index_of_the_input_is_kept():
    df = frame([2, 0], [100, 0]).set_index(pd.Index([10, 20]))
    v = sales_view(df)
    assert list(v.table.index) == [10, 20]
    assert list(v.excluded.index) == [20]


def test_abc_classes():
    # total 10000: 5000 (0 above) A, 3000 (5000 = 50 %) A, 1000 (8000 = 80 %, not below) B,
    # 500 (9000 = 90 %) B and the equal 500 too, 0 C
    assert abc_classes([5000, 3000, 1000, 500, 500, 0]) == ["A", "A", "B", "B", "B", "C"]
    assert abc_classes([100, 100, 100]) == ["A", "A", "A"]  # equal revenue, same class
    assert abc_classes([-5, 0]) == ["C", "C"]
    assert abc_classes([]) == []
    assert abc_classes([600, 300, 100], abc=(0.5, 0.9)) == ["A", "B", "C"]
    with pytest.raises(ValueError, match="ascending"):
        abc_classes([1], abc=(0.9, 0.8))
    t = sales_view(frame([1, 1, 1], [600, 300, 100]), abc=(0.5, 0.9)).table
    assert list(t["abc_class"]) == ["A", "B", "C"]


# ------------------------------------------------------------------------------ properties

rows = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 500_000)),  # contacts, revenue in cents
    max_size=30,
)
names = st.sampled_from(["relative", "quantile", "natural_breaks", "fixed"])


def _frame(data):
    return frame([c for c, _ in data], [r / 100 for _, r in data])


@settings(max_examples=150, deadline=None)
@given(rows, names)
def test_sales_invariants(data, name):
    v = sales_view(_frame(data), name)
    t = v.table
    excluded = [c == 0 and r == 0 for c, r in data]
    assert [a == "excluded" for a in t["sales_area"]] == excluded
    assert [pd.isna(b) for b in t["sales_band"]] == excluded
    # every relation in the view has exactly one band, in the area of that band
    for b, a in zip(t["sales_band"], t["sales_area"], strict=True):
        if not pd.isna(b):
            assert b in BAND_NAMES and BAND_AREA[b] == a
    # index 0 <=> band none
    assert [x == 0 for x in t["attention_index"]] == [b == "none" for b in t["sales_band"]]
    # counts and shares add up; revenue per band adds up to the total revenue (whole cents)
    assert int(v.bands["count"].sum()) == v.n == len(data) - sum(excluded)
    assert int(v.areas["count"].sum()) == v.n
    if v.n:
        assert v.bands["share"].sum() == pytest.approx(1.0)
        assert v.areas["share"].sum() == pytest.approx(1.0)
    total_cents = sum(r for _, r in data)
    assert round(v.bands["revenue"].sum() * 100) == total_cents
    assert round(v.areas["revenue"].sum() * 100) == total_cents
    if total_cents:
        assert v.bands["revenue_share"].sum() == pytest.approx(1.0)
        # expected contact moments add up to the actual total
        assert t["expected_contacts"].sum() == pytest.approx(sum(c for c, _ in data))
    assert set(t["abc_class"]) <= set("ABC")
    assert set(v.areas["area"]) == set(SALES_AREAS)


@settings(max_examples=100, deadline=None)
@given(rows, names, st.integers(1, 500_000))
def test_sales_monotonic(data, name, revenue):
    """Same revenue: more contact moments never gives a lower band (same group)."""
    base = [(c, r) for c, r in data if r > 0] + [(c, revenue) for c in range(0, 12)]
    v = sales_view(_frame(base), name)
    same = [
        (c, BAND_NAMES.index(b))
        for (c, r), b in zip(base, v.table["sales_band"], strict=True)
        if r == revenue and not pd.isna(b)
    ]
    codes = [code for _, code in sorted(same)]
    assert codes == sorted(codes)


# The whole-column path (whole contact counts) against the exact-fraction path it replaced for
# speed at 100,000 relations: the same table, bands, areas and summaries for any input,
# thresholds hit exactly included.
_revenue = st.one_of(
    st.just(0.0),
    st.integers(-500_000, 10**9).map(lambda c: c / 100),
    st.sampled_from([100.0, 250.0, 400.0, 1e12, -0.01]),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 60), _revenue), min_size=1, max_size=40),
    strategy=st.sampled_from(["relative", "fixed", "per_month", "quantile", "natural_breaks"]),
    thresholds=st.sampled_from([None, (0.5, 1, 2, 4), (1, 2, 3, 4)]),
)
def test_whole_column_path_equals_the_exact_path(rows, strategy, thresholds):
    from aandacht import sales

    df = pd.DataFrame(
        {
            "relation_id": [f"R{i}" for i in range(len(rows))],
            "total": np.array([n for n, _ in rows], dtype=np.int64),
            "revenue": [r for _, r in rows],
        }
    )
    if strategy in ("quantile", "natural_breaks"):
        thresholds = (
            None if strategy == "natural_breaks" or thresholds is None else (0.2, 0.4, 0.6, 0.8)
        )
    args = (strategy, thresholds, (0.8, 0.95), "total", "revenue", "relation_id", {})
    fast = sales._sales_view_int(df, df["total"].to_numpy(), *args)
    exact = sales._sales_view_exact(df, df["total"].to_numpy(), *args)
    pd.testing.assert_frame_equal(fast.table, exact.table)
    pd.testing.assert_frame_equal(fast.bands, exact.bands)
    pd.testing.assert_frame_equal(fast.areas, exact.areas)
    assert fast.exact_index.tolist() == exact.exact_index.tolist()
    assert (fast.n, fast.total_revenue, fast.total_contacts) == (
        exact.n,
        exact.total_revenue,
        exact.total_contacts,
    )
    a, b = fast.average_revenue_per_contact, exact.average_revenue_per_contact
    assert a == b or (math.isnan(a) and math.isnan(b))
    assert list(fast.result.codes) == list(exact.result.codes)


def test_whole_column_comparison_is_exact_where_floats_are_equal():
    from fractions import Fraction

    from aandacht import sales

    # indices just below, at and just above 1/10, all the same double
    num = np.array([10**18 - 1, 10**18, 10**18 + 1], dtype=object)
    den = np.array([10**19] * 3, dtype=object)
    value = sales._divide(num, den)
    assert len(set(value.tolist())) == 1
    cuts = (Fraction(1, 10), Fraction(1, 2), Fraction(1), Fraction(2))
    codes = sales._exact_codes(value, np.ones(3, bool), num, den, cuts)
    assert codes.tolist() == [1, 2, 2]  # equal goes higher, a hair below does not
