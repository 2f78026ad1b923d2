"""Who gives attention (B6) on tiny literal data with hand-worked expectations."""

from pathlib import Path

import pandas as pd
import pytest

from aandacht import Selection, calculate, from_frames
from aandacht.who import (
    contacts_per_employee,
    department_band_matrix,
    employee_relation_matrix,
    single_point_of_contact,
)

ROOT = Path(__file__).resolve().parents[1]
MARCH = dict(period_from="2026-03-01", period_to="2026-03-31", as_of="2026-03-31")

# fmt: off
EVENTS = [
    ("E01", "R1", "JdV", "2026-03-02 10:00:00", "history", "added"),
    ("E02", "R1", "JdV", "2026-03-03 10:00:00", "note", "added"),
    ("E03", "R1", "JdV", "2026-03-04 10:00:00", "correspondence", "added"),
    ("E04", "R1", "PB", "2026-03-05 10:00:00", "helpdesk", "call_added"),
    ("E05", "R2", "JdV", "2026-03-10 10:00:00", "history", "added"),
    ("E06", "R2", "MK", "2026-03-10 10:00:00", "history", "added"),  # same time, higher id
    ("E07", "R3", "PB", "2026-03-11 10:00:00", "history", "added"),
    ("E08", "R3", "JdV", "2026-02-01 10:00:00", "history", "added"),  # before the period
    ("E09", "R3", "MK", "2026-03-12 10:00:00", "sales", "invoice_added"),  # not counted
    ("E10", "R4", "XX", "2026-03-13 10:00:00", "history", "added"),  # a user without department
]
# fmt: on
BANDS = pd.DataFrame(
    {
        "relation_id": ["R1", "R2", "R3", "R4", "R5"],
        "band": ["much", "average", "little", "little", "none"],
    }
)


def build():
    rel = pd.DataFrame(
        {"relation_id": [f"R{i}" for i in range(1, 6)], "name": [f"N{i}" for i in range(1, 6)]}
    )
    users = pd.DataFrame(
        {
            "user_id": ["JdV", "PB", "MK", "XX"],
            "name": ["Jan", "Petra", "Mo", "Xander"],
            "department": ["Sales", "Service", "Marketing", None],
        }
    )
    ev = pd.DataFrame(
        EVENTS, columns=["event_id", "relation_id", "user_id", "timestamp", "source", "action"]
    )
    ev["amount"] = [None] * 8 + ["100", None]
    return from_frames({"relations": rel, "users": users, "events": ev})


@pytest.fixture(scope="module")
def ds():
    return build()


def test_department_band_matrix_contacts(ds):
    m = department_band_matrix(ds, BANDS, Selection(**MARCH))
    assert list(m.index) == ["(none)", "Marketing", "Sales", "Service"]
    assert list(m.columns) == [
        "none",
        "very_little",
        "little",
        "average",
        "much",
        "very_much",
        "total",
    ]
    assert m.loc["Sales"].tolist() == [0, 0, 0, 1, 3, 0, 4]
    assert m.loc["Service"].tolist() == [0, 0, 1, 0, 1, 0, 2]
    assert m.loc["Marketing"].tolist() == [0, 0, 0, 1, 0, 0, 1]  # the invoice does not count
    assert m.loc["(none)", "little"] == 1
    assert m.attrs["relations_per_band"] == {
        "none": 1,
        "very_little": 0,
        "little": 2,
        "average": 1,
        "much": 1,
        "very_much": 0,
    }


def test_department_band_matrix_relations(ds):
    m = department_band_matrix(ds, BANDS, Selection(**MARCH), measure="relations")
    assert m.loc["Sales"].tolist() == [0, 0, 0, 1, 1, 0, 2]
    assert m.loc["Service"].tolist() == [0, 0, 1, 0, 1, 0, 2]
    with pytest.raises(ValueError, match="measure"):
        department_band_matrix(ds, BANDS, Selection(**MARCH), measure="hours")


def test_department_band_matrix_bands_from_totals(ds):
    # totals 4, 2, 1, 1, 0 (mean 1.6): ratios 2.5 much, 1.25 average, 0.625 little, none
    res = calculate(ds, Selection(**MARCH))
    assert "band" not in res.columns
    a = department_band_matrix(ds, res, Selection(**MARCH))
    b = department_band_matrix(ds, BANDS, Selection(**MARCH))
    pd.testing.assert_frame_equal(a, b)


def test_employee_relation_matrix(ds):
    m = employee_relation_matrix(ds, Selection(**MARCH))
    assert list(m.index) == ["R1", "R2", "R3", "R4", "R5"]
    assert list(m.columns) == ["JdV", "MK", "PB", "XX"]
    assert m.loc["R1"].tolist() == [3, 0, 1, 0]
    assert m.loc["R3"].tolist() == [0, 0, 1, 0]  # JdV's February contact is before the period
    assert m.loc["R5"].sum() == 0
    long = contacts_per_employee(ds, Selection(**MARCH))
    assert long.iloc[0].tolist()[:5] == ["R1", "JdV", "Jan", "Sales", 3]


def test_single_point_of_contact(ds):
    s = single_point_of_contact(ds, Selection(**MARCH))
    assert s.relation_id.tolist() == ["R3", "R4", "R1", "R2"]  # R5 has no contact
    r = s.set_index("relation_id")
    assert (r.loc["R3", "only_user"], r.loc["R3", "single_point"]) == ("PB", True)
    assert (r.loc["R1", "employees"], r.loc["R1", "last_user"]) == (2, "PB")
    assert pd.isna(r.loc["R1", "only_user"])
    assert r.loc["R2", "last_user"] == "MK"  # tie in time: the highest event id
    assert r.loc["R1", "last_contact"] == pd.Timestamp("2026-03-05 10:00:00")


def test_single_point_for_one_user(ds):
    pb = single_point_of_contact(ds, Selection(**MARCH), user="PB")
    assert pb[["relation_id", "reason"]].values.tolist() == [["R3", "only"], ["R1", "last"]]
    assert single_point_of_contact(ds, Selection(**MARCH), user="JdV").empty
    only_jdv = single_point_of_contact(ds, Selection(users=("JdV",), **MARCH))
    assert only_jdv.relation_id.tolist() == ["R1", "R2"] and only_jdv.single_point.all()
    with pytest.raises(ValueError):
        single_point_of_contact(ds, Selection(**MARCH), user="ZZ")
