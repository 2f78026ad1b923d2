"""Attention over time (B1) on tiny literal data with hand-worked expectations."""

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aandacht import Selection, from_frames
from aandacht.trend import attention_drops, monthly_counts, trend_windows, trends

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-10-31"  # recent: 2026-08-01 .. 2026-10-31; base: 2025-08-01 .. 2026-07-31
COLS = ["event_id", "relation_id", "user_id", "timestamp", "source", "action", "amount"]


def monthly(rel, user, first, n, day=15):
    """``n`` history entries on day ``day`` of consecutive months from ``first`` (YYYY-MM)."""
    start = pd.Period(first, "M")
    return [
        (rel, user, f"{(start + i).strftime('%Y-%m')}-{day:02d} 10:00:00", "history", "added", None)
        for i in range(n)
    ]


def build():
    rows = []
    # R1: 12 in the base (1/month), 6 recent (2/month): change +1 -> up
    rows += monthly("R1", "JdV", "2025-08", 12)
    rows += monthly("R1", "JdV", "2026-08", 3) + monthly("R1", "JdV", "2026-08", 3, day=16)
    # R2: 12 in the base, 3 recent: exactly the same rate -> flat, change 0
    rows += monthly("R2", "PB", "2025-08", 12) + monthly("R2", "PB", "2026-08", 3)
    # R3: 16 in the base, 3 recent: 4*3/16 - 1 = -0.25 exactly -> down (equal counts)
    rows += monthly("R3", "JdV", "2025-08", 12) + monthly("R3", "JdV", "2025-08", 4, day=16)
    rows += monthly("R3", "JdV", "2026-08", 3)
    # R4: 16 in the base, 5 recent: 4*5/16 - 1 = +0.25 exactly -> up
    rows += monthly("R4", "PB", "2025-08", 12) + monthly("R4", "PB", "2025-08", 4, day=16)
    rows += monthly("R4", "PB", "2026-08", 3) + monthly("R4", "PB", "2026-08", 2, day=16)
    # R5: window boundaries, all by PB
    rows += [
        ("R5", "PB", "2026-08-01 00:00:00", "note", "added", None),  # recent (first second)
        ("R5", "PB", "2026-07-31 23:59:59", "note", "added", None),  # base (last second)
        ("R5", "PB", "2025-08-01 00:00:00", "note", "added", None),  # base (first second)
        ("R5", "PB", "2025-07-31 23:59:59", "note", "added", None),  # before both windows
        ("R5", "PB", "2026-11-01 00:00:00", "note", "added", None),  # after as_of: unseen
        ("R5", "PB", "2026-09-01 09:00:00", "sales", "invoice_added", "100"),  # not counted
        ("R5", "PB", "2026-09-02 09:00:00", "marketing", "mailing_sent", None),  # not counted
    ]
    # R6: only recent contact -> up, change infinite.  R7: nothing at all -> flat, no change
    rows += [("R6", "JdV", "2026-10-31 23:59:59", "history", "added", None)]
    # revenue in the default period (the 365 days up to as_of) for attention_drops; invoices
    # are not contact moments, so the counts above stay as they are
    rows += [
        ("R3", "JdV", "2026-02-01 10:00:00", "sales", "invoice_added", "9000"),
        ("R2", "PB", "2026-02-01 11:00:00", "sales", "invoice_added", "500"),
        ("R1", "JdV", "2026-02-01 12:00:00", "sales", "invoice_added", "500"),
    ]
    ev = pd.DataFrame(
        [(f"E{i:03d}", *r) for i, r in enumerate(rows)],
        columns=COLS,
    )
    rel = pd.DataFrame(
        {"relation_id": [f"R{i}" for i in range(1, 8)], "name": [f"N{i}" for i in range(1, 8)]}
    )
    users = pd.DataFrame(
        {"user_id": ["JdV", "PB"], "department": ["Sales", "Service"], "active": [True, True]}
    )
    groups = pd.DataFrame({"relation_id": ["R1", "R3"], "group": ["top", "top"]})
    return from_frames({"relations": rel, "users": users, "events": ev, "relation_groups": groups})


@pytest.fixture(scope="module")
def ds():
    return build()


def by_id(df):
    return df.set_index("relation_id")


def test_windows():
    (r_from, r_to), (b_from, b_to) = trend_windows(pd.Timestamp(AS_OF).date())
    assert [d.isoformat() for d in (r_from, r_to, b_from, b_to)] == [
        "2026-08-01",
        "2026-10-31",
        "2025-08-01",
        "2026-07-31",
    ]


def test_trend_arrows(ds):
    tr = by_id(trends(ds, Selection(as_of=AS_OF)))
    assert tr.loc["R1", ["recent", "base"]].tolist() == [6, 12]
    assert (tr.loc["R1", "trend"], tr.loc["R1", "arrow"], tr.loc["R1", "change"]) == ("up", "↑", 1)
    assert (tr.loc["R2", "trend"], tr.loc["R2", "change"]) == ("flat", 0)
    assert tr.loc["R3", ["recent", "base"]].tolist() == [3, 16]
    assert (tr.loc["R3", "trend"], tr.loc["R3", "arrow"]) == ("down", "↓")
    assert tr.loc["R3", "change"] == pytest.approx(-0.25)
    assert (tr.loc["R4", "trend"], tr.loc["R4", "change"]) == ("up", 0.25)
    assert tr.loc["R4", "recent_per_month"] == pytest.approx(5 / 3)
    # boundaries: one recent, two base; before the base and after as_of are not seen;
    # invoices and mailings are not contact moments
    assert tr.loc["R5", ["recent", "base"]].tolist() == [1, 2]
    assert tr.loc["R6", "trend"] == "up" and math.isinf(tr.loc["R6", "change"])
    assert tr.loc["R7", "trend"] == "flat" and math.isnan(tr.loc["R7", "change"])
    assert tr.loc["R7", "arrow"] == "→"


def test_threshold_is_a_parameter(ds):
    tr = by_id(trends(ds, Selection(as_of=AS_OF), threshold=0.3))
    assert tr.loc["R3", "trend"] == "flat" and tr.loc["R4", "trend"] == "flat"
    assert tr.loc["R1", "trend"] == "up"
    with pytest.raises(ValueError):
        trends(ds, Selection(as_of=AS_OF), threshold=-1)


def test_trend_follows_users_and_relations(ds):
    tr = by_id(trends(ds, Selection(as_of=AS_OF, users=("PB",))))
    assert tr.loc["R1", ["recent", "base"]].tolist() == [0, 0]
    assert tr.loc["R2", "recent"] == 3
    tr = trends(ds, Selection(as_of=AS_OF, b_group="top"))
    assert tr.relation_id.tolist() == ["R1", "R3"]


def test_monthly_counts_back_filled(ds):
    m = monthly_counts(ds, Selection(as_of=AS_OF))
    assert list(m.index) == [f"R{i}" for i in range(1, 8)]
    # whole history: from the first contact moment (R5's note of 2025-07-31)
    assert m.columns[0] == pd.Timestamp("2025-07-01") and m.columns[-1] == pd.Timestamp(
        "2026-10-01"
    )
    assert len(m.columns) == 16
    assert (
        m.loc["R1", pd.Timestamp("2026-08-01")] == 2
        and m.loc["R1", pd.Timestamp("2025-08-01")] == 1
    )
    assert m.loc["R5", pd.Timestamp("2025-07-01")] == 1
    assert m.loc["R5", pd.Timestamp("2026-09-01")] == 0  # invoice and mailing not counted
    assert m.loc["R5"].sum() == 4  # the note of 2026-11-01 is after as_of
    assert m.loc["R7"].sum() == 0
    assert m.loc["R3"].sum() == 12 + 4 + 3


def test_monthly_counts_last_months(ds):
    m = monthly_counts(ds, Selection(as_of="2026-10-15"), months=2)
    assert list(m.columns) == [pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-01")]
    assert m.loc["R1", pd.Timestamp("2026-10-01")] == 1  # the 15th; the 16th is after as_of
    m = monthly_counts(ds, Selection(as_of="2026-10-15"), months=1)
    assert m.loc["R6"].sum() == 0  # R6's contact is on the 31st, after as_of
    with pytest.raises(ValueError):
        monthly_counts(ds, Selection(as_of=AS_OF), months=0)


def test_attention_drops(ds):
    # revenue (invoices, 365 days): R3 9000, R1 500, R2 500, R5 100 -> only R3 is class A
    drops = attention_drops(ds, Selection(as_of=AS_OF, revenue="invoices"))
    assert drops.relation_id.tolist() == ["R3"]
    row = drops.iloc[0]
    assert (row.abc_class, row.revenue, row.trend, row.arrow) == ("A", 9000.0, "down", "↓")
    # top 3 by revenue: R3 (down), R1 (up), R2 (flat): still only R3
    top3 = attention_drops(ds, Selection(as_of=AS_OF), revenue="invoices", top=3)
    assert top3.relation_id.tolist() == ["R3"]
    # with a stricter threshold R3's drop of exactly 25 % is no longer a drop
    assert attention_drops(ds, Selection(as_of=AS_OF), revenue="invoices", threshold=0.3).empty
    # on orders nobody has revenue: nothing is class A
    assert attention_drops(ds, Selection(as_of=AS_OF)).empty
    with pytest.raises(ValueError):
        attention_drops(ds, Selection(as_of=AS_OF), revenue="profit")


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=50),
    threshold=st.sampled_from(["0", "0.25", "0.1", "1", "2.5"]),
    months=st.sampled_from([(3, 12), (1, 1), (2, 7)]),
)
def test_whole_column_trends_equal_the_exact_rule(pairs, threshold, months):
    import math
    from fractions import Fraction

    import numpy as np

    from aandacht.trend import _trend, _trends

    thr, (rm, bm) = Fraction(threshold), months
    recent = np.array([r for r, _ in pairs], dtype=np.int64)
    base = np.array([b for _, b in pairs], dtype=np.int64)
    change, kind = _trends(recent, base, thr, rm, bm)
    for i, (r, b) in enumerate(pairs):
        c, k = _trend(r, b, thr, rm, bm)
        assert kind[i] == k
        assert change[i] == c or (math.isnan(change[i]) and math.isnan(c))
