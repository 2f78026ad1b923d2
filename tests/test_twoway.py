"""Two-way attention (B4) on tiny literal data with hand-worked expectations.

March 2026: the 6th is a Friday, the 7th and 8th a weekend, the 9th a Monday.
"""

import math
from pathlib import Path

import pandas as pd
import pytest

from aandacht import Selection, from_frames
from aandacht.twoway import response_times, two_way

ROOT = Path(__file__).resolve().parents[1]
MARCH = dict(period_from="2026-03-01", period_to="2026-03-31", as_of="2026-03-31")
COLS = [
    "event_id",
    "relation_id",
    "user_id",
    "timestamp",
    "source",
    "action",
    "channel",
    "direction",
]

# fmt: off
EVENTS = [
    # R1: Friday 16:00 in -> Monday 09:00 out: 65 h, 17 working hours
    ("A1", "R1", "JdV", "2026-03-06 16:00:00", "correspondence", "added", "email", "in"),
    # Saturday 10:00 in -> the same Monday reply: 47 h, 9 working hours
    ("A2", "R1", "JdV", "2026-03-07 10:00:00", "correspondence", "added", "email", "in"),
    ("A3", "R1", "PB", "2026-03-09 09:00:00", "correspondence", "added", "email", "out"),
    # an outbound e-mail at the same second is no answer; the one two hours later is: 2 h
    ("A4", "R1", "JdV", "2026-03-10 10:00:00", "correspondence", "added", "email", "in"),
    ("A5", "R1", "PB", "2026-03-10 10:00:00", "correspondence", "added", "email", "out"),
    ("A6", "R1", "PB", "2026-03-10 12:00:00", "correspondence", "added", "email", "out"),
    # an inbound letter: inbound contact, no inbound e-mail; a received phone call; a note
    ("A7", "R1", "JdV", "2026-03-11 10:00:00", "correspondence", "added", "letter", "in"),
    ("A8", "R1", "JdV", "2026-03-12 10:00:00", "history", "added", "phone", "in"),
    ("A9", "R1", "JdV", "2026-03-13 10:00:00", "note", "added", None, None),
    # R2: sleeping: three out in March, the only inbound e-mail is from February
    ("B1", "R2", "JdV", "2026-02-20 10:00:00", "correspondence", "added", "email", "in"),
    ("B2", "R2", "JdV", "2026-03-02 10:00:00", "correspondence", "added", "email", "out"),
    ("B3", "R2", "JdV", "2026-03-03 10:00:00", "correspondence", "added", "email", "out"),
    ("B4", "R2", "JdV", "2026-03-04 10:00:00", "history", "added", "phone", "out"),
    # R4: an inbound e-mail never answered (the reply comes after as_of)
    ("D1", "R4", "JdV", "2026-03-02 10:00:00", "correspondence", "added", "email", "out"),
    ("D2", "R4", "JdV", "2026-03-30 10:00:00", "correspondence", "added", "email", "in"),
    ("D3", "R4", "JdV", "2026-04-01 10:00:00", "correspondence", "added", "email", "out"),
    # R5: only two outbound
    ("E1", "R5", "JdV", "2026-03-02 10:00:00", "correspondence", "added", "email", "out"),
    ("E2", "R5", "JdV", "2026-03-03 10:00:00", "correspondence", "added", "email", "out"),
    # R6: Sunday 20:00 -> Monday 08:00 (12 h, 8 working); Wednesday 09:00 -> 12:00 (3 h)
    ("F1", "R6", "JdV", "2026-03-15 20:00:00", "correspondence", "added", None, "in"),
    ("F2", "R6", "JdV", "2026-03-16 08:00:00", "correspondence", "added", "letter", "out"),
    ("F3", "R6", "JdV", "2026-03-18 09:00:00", "correspondence", "added", "email", "in"),
    ("F4", "R6", "JdV", "2026-03-18 12:00:00", "correspondence", "added", "email", "out"),
]
# fmt: on


def build():
    rel = pd.DataFrame(
        {"relation_id": [f"R{i}" for i in range(1, 7)], "name": [f"N{i}" for i in range(1, 7)]}
    )
    users = pd.DataFrame({"user_id": ["JdV", "PB"], "department": ["Sales", "Service"]})
    ev = pd.DataFrame(EVENTS, columns=COLS)
    return from_frames({"relations": rel, "users": users, "events": ev})


@pytest.fixture(scope="module")
def ds():
    return build()


@pytest.fixture(scope="module")
def tw(ds):
    return two_way(ds, Selection(**MARCH)).set_index("relation_id")


def test_inbound_outbound(tw):
    r1 = tw.loc["R1"]
    assert (r1.inbound, r1.outbound, r1.undirected) == (5, 3, 1)
    assert (r1.correspondence_in, r1.correspondence_out, r1.other_in, r1.other_out) == (4, 3, 1, 0)
    assert r1.in_share == pytest.approx(5 / 8)
    assert r1.last_inbound == pd.Timestamp("2026-03-12 10:00:00") and r1.days_since_inbound == 19


def test_sleeping(ds, tw):
    r2 = tw.loc["R2"]
    assert (r2.inbound, r2.outbound, r2.other_out, r2.sleeping) == (0, 3, 1, True)
    # the February e-mail is before the period but is the last inbound contact
    assert r2.days_since_inbound == 39 and r2.inbound_emails == 0
    assert not tw.loc["R5"].sleeping and not tw.loc["R1"].sleeping
    assert tw.attrs["sleeping"] == 1
    loose = two_way(ds, Selection(**MARCH), sleeping_min_out=2).set_index("relation_id")
    assert loose.loc["R5"].sleeping and loose.attrs["sleeping"] == 2
    with pytest.raises(ValueError):
        two_way(ds, Selection(**MARCH), sleeping_min_out=0)


def test_relation_without_events(tw):
    r3 = tw.loc["R3"]
    assert (r3.inbound, r3.outbound, r3.inbound_emails, r3.answered, r3.sleeping) == (
        0,
        0,
        0,
        0,
        False,
    )
    assert math.isnan(r3.in_share) and math.isnan(r3.median_response_hours)
    assert r3.days_since_inbound is pd.NA and pd.isna(r3.last_inbound)


def test_response_time_across_the_weekend(tw):
    r1 = tw.loc["R1"]
    assert (r1.inbound_emails, r1.answered, r1.unanswered) == (3, 3, 0)
    assert r1.median_response_hours == 47  # of 65, 47, 2
    assert r1.median_response_working_hours == 9  # of 17, 9, 2
    assert r1.median_response_working_days == pytest.approx(9 / 24)
    r6 = tw.loc["R6"]  # even count: the mean of the two middle values
    assert r6.median_response_hours == 7.5 and r6.median_response_working_hours == 5.5


def test_unanswered(tw):
    r4 = tw.loc["R4"]
    assert (r4.inbound_emails, r4.answered, r4.unanswered) == (1, 0, 1)
    assert math.isnan(r4.median_response_hours) and not r4.sleeping


def test_response_detail(ds):
    d = response_times(ds, Selection(**MARCH), detail=True).set_index("event_id")
    assert d.loc["A1", "hours"] == 65 and d.loc["A1", "working_hours"] == 17
    assert d.loc["A1", "reply_at"] == pd.Timestamp("2026-03-09 09:00:00")
    assert d.loc["A2", "hours"] == 47 and d.loc["A2", "working_hours"] == 9
    assert d.loc["A4", "hours"] == 2 and d.loc["A4", "reply_at"] == pd.Timestamp("2026-03-10 12:00")
    assert d.loc["F1", "hours"] == 12 and d.loc["F1", "working_hours"] == 8
    assert pd.isna(d.loc["D2", "reply_at"]) and math.isnan(d.loc["D2", "hours"])
    assert "A7" not in d.index and "B1" not in d.index  # a letter; before the period
    # overall: 65, 47, 2, 12, 3 answered (D2 not): median 12 h; working 17, 9, 2, 8, 3: 8
    assert d.attrs["inbound_emails"] == 6 and d.attrs["answered"] == 5
    assert d.attrs["median_response_hours"] == 12
    assert d.attrs["median_response_working_hours"] == 8
    # the answer after as_of is seen when as_of moves on
    later = response_times(
        ds,
        Selection(period_from="2026-03-01", period_to="2026-03-31", as_of="2026-04-01"),
        detail=True,
    ).set_index("event_id")
    assert later.loc["D2", "hours"] == 48


def test_users_received_the_email_anyone_may_answer(ds):
    tw = two_way(ds, Selection(users=("JdV",), **MARCH)).set_index("relation_id")
    r1 = tw.loc["R1"]
    assert (r1.inbound, r1.outbound) == (5, 0)  # PB's replies are not JdV's contact moments
    assert r1.inbound_emails == 3 and r1.median_response_hours == 47  # but they answer
    pb = two_way(ds, Selection(users=("PB",), **MARCH)).set_index("relation_id")
    assert pb.loc["R1", "inbound_emails"] == 0 and pb.loc["R1", "outbound"] == 3
