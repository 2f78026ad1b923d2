"""Counting rules and boundaries on tiny literal data, with hand-worked expectations."""

import pandas as pd
import pytest
from tiny import dataset, tables

from aandacht import Selection, SelectionError, calculate, default_rules, from_frames, timeline

MARCH = dict(period_from="2026-03-01", period_to="2026-03-31", as_of="2026-03-31")


@pytest.fixture(scope="module")
def ds():
    return dataset()


def row(res, rid):
    return res.set_index("relation_id").loc[rid]


def test_counts_all_users_march(ds):
    res = calculate(ds, Selection(**MARCH))
    assert list(res.relation_id) == ["R1", "R2", "R3", "R4"]  # every measured relation
    r1 = row(res, "R1")
    # E01 (period start 00:00) history, E03 note -> history (23:59:59 end incl.),
    # E06/E07 correspondence in+out, E08 order. Not: E02 (before), E04 (after as_of),
    # E05 mailing, E09 invoice.
    assert (r1.total, r1.history, r1.correspondence, r1.sales, r1.helpdesk) == (5, 2, 2, 1, 0)
    assert r1.dgn == 0 and r1.history_dgn == 0  # note at 2026-03-31 23:59:59
    assert r1.correspondence_dgn == 19 and r1.sales_dgn == 16
    r2 = row(res, "R2")
    # call_added counts, call_modified/closed do not; history modified counts; suspect counts
    assert (r2.total, r2.history, r2.sales, r2.helpdesk) == (3, 1, 1, 1)
    assert r2.helpdesk_dgn == 26 and r2.dgn == 22
    r3 = row(res, "R3")
    # the quote is before the period: not counted, but dgn is not limited to the period
    assert r3.total == 0 and r3.dgn == 97 and r3.sales_dgn == 97
    assert r3.history_dgn is pd.NA
    r4 = row(res, "R4")
    assert r4.total == 0 and r4.dgn is pd.NA


def test_per_source_parts_add_up(ds):
    res = calculate(ds, Selection(**MARCH))
    parts = res[["history", "correspondence", "sales", "helpdesk"]].sum(axis=1)
    assert (parts == res.total).all()


def test_events_after_as_of_are_not_seen(ds):
    # period runs to April but "now" is March 31: E04 (April 1) does not exist yet
    res = calculate(
        ds, Selection(period_from="2026-03-01", period_to="2026-04-30", as_of="2026-03-31")
    )
    assert row(res, "R1").total == 5
    later = calculate(
        ds, Selection(period_from="2026-03-01", period_to="2026-04-30", as_of="2026-04-01")
    )
    assert row(later, "R1").total == 6 and row(later, "R1").dgn == 0


def test_period_boundaries_inclusive(ds):
    res = calculate(
        ds, Selection(period_from="2026-02-28", period_to="2026-02-28", as_of="2026-03-31")
    )
    assert row(res, "R1").total == 1  # E02 at 23:59:59 on the last day
    res = calculate(
        ds, Selection(period_from="2026-03-31", period_to="2026-03-31", as_of="2026-03-31")
    )
    assert row(res, "R1").total == 1  # E03 at 23:59:59


def test_default_period_is_365_days_up_to_as_of(ds):
    sel = Selection(as_of="2026-03-31")
    assert [d.isoformat() for d in sel.period()] == ["2025-04-01", "2026-03-31"]
    res = calculate(ds, sel)
    assert row(res, "R3").total == 1  # the quote of 2025-12-24 is inside


def test_one_user(ds):
    res = calculate(ds, Selection(users=("PB",), **MARCH))
    assert row(res, "R1").total == 1 and row(res, "R1").history == 1  # the note
    assert row(res, "R1").dgn == 0
    assert row(res, "R2").total == 1 and row(res, "R2").helpdesk == 1
    # dgn is by the selected users only: JdV's quote does not count for PB
    assert row(res, "R3").dgn is pd.NA


def test_department_is_a_group(ds):
    # Sales = JdV and AS (department); AS is inactive but still counts
    res = calculate(ds, Selection(user_group="Sales", **MARCH))
    assert row(res, "R1").total == 4  # E01, E06, E07, E08 (E03 is PB's)
    assert row(res, "R2").total == 2  # AS's history modified and suspect
    # inside sales = JdV + PB from user_groups
    res = calculate(ds, Selection(user_group="inside sales", **MARCH))
    assert row(res, "R1").total == 5 and row(res, "R2").total == 1


def test_b_group_and_selection(ds):
    res = calculate(ds, Selection(b_group="top customers", **MARCH))
    assert list(res.relation_id) == ["R1", "R2"]
    res = calculate(ds, Selection(relations=("R4", "R3"), **MARCH))
    assert list(res.relation_id) == ["R3", "R4"]
    assert res.total.tolist() == [0, 0]


def test_revenue(ds):
    for basis, r1, r3 in (
        ("orders", 1000.5, 0.0),
        ("invoices", 1000.5, 250.0),
        ("both", 2001.0, 250.0),
    ):
        res = calculate(ds, Selection(revenue=basis, **MARCH))
        assert row(res, "R1").revenue == pytest.approx(r1)
        assert row(res, "R3").revenue == pytest.approx(r3)
        assert row(res, "R4").revenue == 0.0
    # by the selected users only
    res = calculate(ds, Selection(revenue="both", users=("PB",), **MARCH))
    assert res.revenue.sum() == 0.0


def test_last_contact_details(ds):
    res = calculate(ds, Selection(**MARCH))
    r1 = row(res, "R1")
    assert (r1.last_user, r1.last_source, r1.last_action) == ("PB", "note", "added")


def test_without_details_the_counts_are_the_same(ds):
    full = calculate(ds, Selection(revenue="both", **MARCH))
    lean = calculate(ds, Selection(revenue="both", **MARCH), details=False)
    assert list(lean.columns) == list(full.columns)
    last = ["last_user", "last_source", "last_action", "last_channel", "last_direction"]
    pd.testing.assert_frame_equal(lean.drop(columns=last), full.drop(columns=last))
    assert lean[last].isna().all().all() and full["last_user"].notna().any()


def test_rules_are_a_table(ds):
    rules = default_rules()
    rules.loc[(rules.source == "history") & (rules.action == "modified"), "counted"] = False
    res = calculate(ds, Selection(**MARCH), rules=rules)
    assert row(res, "R2").total == 2 and row(res, "R2").history == 0
    # and invoices can be made to count, under sales
    rules.loc[rules.action == "invoice_added", ["counted", "counted_under"]] = [True, "sales"]
    res = calculate(ds, Selection(**MARCH), rules=rules)
    assert row(res, "R3").total == 1 and row(res, "R3").sales_dgn == 6


def test_bad_selections(ds):
    with pytest.raises(SelectionError, match="unknown user.*XX.*Known users"):
        calculate(ds, Selection(users=("XX",), **MARCH))
    with pytest.raises(SelectionError, match="unknown user group 'Finance'.*Sales"):
        calculate(ds, Selection(user_group="Finance", **MARCH))
    with pytest.raises(SelectionError, match="unknown B-group 'vip'.*top customers"):
        calculate(ds, Selection(b_group="vip", **MARCH))
    with pytest.raises(SelectionError, match="R9"):
        calculate(ds, Selection(relations=("R1", "R9"), **MARCH))
    with pytest.raises(SelectionError, match="starts"):
        Selection(period_from="2026-04-01", period_to="2026-03-01")
    with pytest.raises(SelectionError, match="not a date"):
        Selection(as_of="31st of March")


def test_timeline_every_event_in_order(ds):
    tl = timeline(ds, "R1")
    assert tl.event_id.tolist() == ["E02", "E01", "E05", "E06", "E07", "E08", "E09", "E03", "E04"]
    counted = dict(zip(tl.event_id, tl.counted, strict=True))
    assert counted["E05"] is False or not counted["E05"]
    assert not counted["E09"] and counted["E08"] and counted["E03"]
    under = dict(zip(tl.event_id, tl.counted_under, strict=True))
    assert under["E03"] == "history" and pd.isna(under["E09"])


def test_timeline_filters(ds):
    tl = timeline(ds, "R1", period_from="2026-03-01", period_to="2026-03-31")
    assert "E02" not in set(tl.event_id) and "E04" not in set(tl.event_id)
    assert {"E01", "E03"} <= set(tl.event_id)
    tl = timeline(ds, "R1", users=["PB"])
    assert tl.event_id.tolist() == ["E03"]
    tl = timeline(ds, "R2", user_group="Sales")
    assert tl.event_id.tolist() == ["E13", "E16"]
    with pytest.raises(SelectionError, match="R9"):
        timeline(ds, "R9")


def test_no_events_at_all():
    t = tables()
    t["events"] = t["events"].iloc[0:0]
    res = calculate(from_frames(t), Selection(**MARCH))
    assert res.total.tolist() == [0, 0, 0, 0] and res.dgn.isna().all()


def test_last_contact_tie_is_broken_by_the_highest_event_id():
    t = tables()
    same = "2026-03-20 10:00:00"
    extra = pd.DataFrame(
        [
            ("E20", "R4", "PB", same, "history", "added", None, None, None),
            ("E21", "R4", "MK", same, "correspondence", "added", "out", None, None),
            ("E19", "R4", "JdV", same, "note", "added", None, None, None),
            # a later event that is not a contact moment does not count as the last contact
            (
                "E22",
                "R4",
                "JdV",
                "2026-03-21 09:00:00",
                "marketing",
                "mailing_sent",
                None,
                None,
                None,
            ),
        ],
        columns=t["events"].columns,
    )
    t["events"] = pd.concat([t["events"], extra], ignore_index=True)
    res = calculate(from_frames(t), Selection(**MARCH)).set_index("relation_id")
    assert res.loc["R4", "last_user"] == "MK" and res.loc["R4", "last_source"] == "correspondence"
    assert res.loc["R4", "dgn"] == 11 and res.loc["R4", "total"] == 3
