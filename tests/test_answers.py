"""Direct answers (S14) on tiny literal data with hand-worked expectations."""

import math
from pathlib import Path

import pandas as pd
import pytest

from aandacht import SelectionError, from_frames
from aandacht.answers import (
    answer_texts,
    answers,
    colleague_contacts,
    helpdesk_calls,
    last_contact_by_group,
    last_group_email,
    mailing_responses,
    top_customer_attention,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-31"
HOSTILE = '=HYPERLINK("http://x","klik")'
COLS = [
    "event_id",
    "relation_id",
    "user_id",
    "timestamp",
    "source",
    "action",
    "channel",
    "direction",
    "subject",
    "body",
    "status",
    "reference",
]
# fmt: off
EVENTS = [
    # --- colleagues (me = JdV, since 2026-03-05)
    ("E01", "R1", "JdV", "2026-03-10 10:00:00", "history", "added", "phone", None, "mine", None, None, None),
    ("E02", "R1", "PB", "2026-03-05 00:00:00", "history", "added", "phone", None, "first second", None, None, None),
    ("E03", "R1", "PB", "2026-03-04 23:59:59", "note", "added", None, None, "day before", None, None, None),
    ("E04", "R1", "PB", "2026-04-01 00:00:00", "history", "added", "visit", None, "after as_of", None, None, None),
    # --- inside-sales e-mail (IS and AS are inside sales)
    ("E05", "R1", "IS", "2026-03-12 10:00:00", "correspondence", "added", "email", "out", HOSTILE, "<script>alert(1)</script>", None, None),
    ("E06", "R1", "AS", "2026-03-20 10:00:00", "correspondence", "added", "letter", "out", "brief", "per post", None, None),
    ("E07", "R1", "IS", "2026-03-25 10:00:00", "correspondence", "added", "email", "in", "vraag", "van klant", None, None),
    ("E08", "R1", "JdV", "2026-03-28 10:00:00", "correspondence", "added", "email", "out", "not IS", None, None, None),
    ("E09", "R1", "IS", "2026-02-01 10:00:00", "correspondence", "added", None, "out", "older", None, None, None),
    # --- helpdesk (Service = PB)
    ("E10", "R1", "PB", "2026-03-01 09:00:00", "helpdesk", "call_added", "phone", None, "storing", "melding", "open", "CALL-1"),
    ("E11", "R1", "PB", "2026-03-02 09:00:00", "helpdesk", "call_closed", None, None, "storing", "opgelost", None, "CALL-1"),
    ("E12", "R1", "PB", "2026-03-10 09:00:00", "helpdesk", "call_added", "email", None, "lek", "melding", "open", "CALL-2"),
    ("E13", "R1", "PB", "2026-03-11 09:00:00", "helpdesk", "call_closed", None, None, "lek", "dicht", "closed", "CALL-2"),
    ("E14", "R1", "PB", "2026-03-20 09:00:00", "helpdesk", "call_modified", None, None, "lek", "weer open", "open", "CALL-2"),
    ("E15", "R1", "PB", "2026-03-18 09:00:00", "helpdesk", "call_added", "web", None, "portaal", "geen ref", None, None),
    ("E16", "R2", "PB", "2026-03-03 09:00:00", "helpdesk", "call_added", "phone", None, "vraag", None, "open", "CALL-3"),
    ("E17", "R2", "PB", "2026-03-03 11:00:00", "helpdesk", "call_closed", None, None, "vraag", None, "closed", "CALL-3"),
    # --- mailings to R2 (14 days)
    ("M1", "R2", "MK", "2026-01-01 09:00:00", "marketing", "mailing_sent", "email", None, "m1", None, None, "MAIL-1"),
    ("I1", "R2", "JdV", "2026-01-15 09:00:00", "correspondence", "added", "email", "in", "Re: m1", None, None, "MAIL-1"),
    ("M2", "R2", "MK", "2026-02-01 09:00:00", "marketing", "mailing_sent", "email", None, "m2", None, None, "MAIL-2"),
    ("I2", "R2", "JdV", "2026-02-15 09:00:01", "correspondence", "added", "email", "in", "Re: m2", None, None, "MAIL-2"),
    ("M3", "R2", "MK", "2026-03-01 10:00:00", "marketing", "mailing_sent", "email", None, "m3", None, None, "MAIL-3"),
    ("I3", "R2", "PB", "2026-03-01 10:00:00", "history", "added", "phone", "in", "same second", None, None, None),
    ("O3", "R2", "JdV", "2026-03-02 10:00:00", "correspondence", "added", "email", "out", "outbound", None, None, None),
    ("M4", "R2", "MK", "2026-03-26 09:00:00", "marketing", "mailing_sent", "email", None, "m4", None, None, "MAIL-4"),
    ("I4", "R2", "JdV", "2026-04-02 09:00:00", "correspondence", "added", "email", "in", "after as_of", None, None, None),
]
# fmt: on


def build():
    rel = pd.DataFrame({"relation_id": ["R1", "R2", "R3"], "name": ["Een", "Twee", "Drie"]})
    users = pd.DataFrame(
        {
            "user_id": ["JdV", "PB", "MK", "IS", "AS"],
            "name": ["Jan de Vries", "Petra Bakker", "Mo Kaya", "Ilse Smit", "Anna Smit"],
            "department": ["Sales", "Service", "Marketing", "Sales", "Sales"],
        }
    )
    groups = pd.DataFrame({"user_id": ["IS", "AS"], "group": ["inside sales"] * 2})
    rg = pd.DataFrame({"relation_id": ["R2"], "group": ["top customers"]})
    ev = pd.DataFrame(EVENTS, columns=COLS)
    return from_frames(
        {
            "relations": rel,
            "users": users,
            "user_groups": groups,
            "relation_groups": rg,
            "events": ev,
        }
    )


@pytest.fixture(scope="module")
def ds():
    return build()


def test_colleague_contacts(ds):
    cc = colleague_contacts(ds, "R1", "JdV", "2026-03-05", as_of=AS_OF, lang="en")
    # newest first; not mine (E01, E08), not before 00:00 of since (E03), not after as_of (E04),
    # no mailings/call changes (not contact moments)
    assert cc.event_id.tolist() == ["E07", "E06", "E15", "E05", "E12", "E02"]
    assert cc.set_index("event_id").loc["E02", "how"] == "phone call"
    assert cc.set_index("event_id").loc["E05", "user_name"] == "Ilse Smit"
    assert cc.set_index("event_id").loc["E05", "how"] == "e-mail out"
    none = colleague_contacts(ds, "R3", "JdV", "2026-01-01", as_of=AS_OF)
    assert none.empty and list(none.columns) == list(cc.columns)
    with pytest.raises(SelectionError, match="unknown user"):
        colleague_contacts(ds, "R1", "XX", "2026-03-05", as_of=AS_OF)
    with pytest.raises(SelectionError, match="not in relations"):
        colleague_contacts(ds, "R9", "JdV", "2026-03-05", as_of=AS_OF)


def test_last_contact_by_department(ds):
    last = last_contact_by_group(ds, "R1", "Service", as_of=AS_OF)
    # PB's visit of April 1 is after as_of; call_modified/closed are not contact moments, so the
    # last is the call added on March 18
    assert last["event_id"] == "E15" and last["days_ago"] == 13
    assert last["timestamp"] == pd.Timestamp("2026-03-18 09:00:00")
    assert last["user_name"] == "Petra Bakker" and last["direction"] is None
    assert last_contact_by_group(ds, "R3", "Service", as_of=AS_OF) is None
    # a user group (not a department)
    assert last_contact_by_group(ds, "R1", "inside sales", as_of=AS_OF)["event_id"] == "E07"
    with pytest.raises(SelectionError, match="unknown user group"):
        last_contact_by_group(ds, "R1", "Finance", as_of=AS_OF)


def test_helpdesk_calls(ds):
    calls = helpdesk_calls(ds, "R1", as_of=AS_OF)
    # opened last first: the call without a reference (its event id), CALL-2, CALL-1
    assert calls.call.tolist() == ["E15", "CALL-2", "CALL-1"]
    c = calls.set_index("call")
    assert c.loc["CALL-1", "status"] == "closed"  # call_closed with an empty status
    assert c.loc["CALL-1", "closed_at"] == pd.Timestamp("2026-03-02 09:00:00")
    assert c.loc["CALL-1", "age_days"] == 1
    assert c.loc["CALL-2", "status"] == "open"  # closed, then modified with status open
    assert c.loc["CALL-2", "last_body"] == "weer open" and c.loc["CALL-2", "events"] == 3
    assert c.loc["E15", "status"] == "open" and c.loc["E15", "age_days"] == 13
    assert c.loc["CALL-2", "opened_by"] == "PB" and c.loc["CALL-2", "subject"] == "lek"
    assert calls.attrs == {"open_calls": 2, "last_solved": False}
    r2 = helpdesk_calls(ds, "R2", as_of=AS_OF)
    assert r2.attrs == {"open_calls": 0, "last_solved": True}
    # as_of before the close: still open
    early = helpdesk_calls(ds, "R1", as_of="2026-03-01").set_index("call")
    assert early.loc["CALL-1", "status"] == "open"
    r3 = helpdesk_calls(ds, "R3", as_of=AS_OF)
    assert r3.empty and r3.attrs == {"open_calls": 0, "last_solved": None}


def test_last_group_email(ds):
    mail = last_group_email(ds, "R1", "inside sales", as_of=AS_OF)
    # the letter (E06), the inbound e-mail (E07) and JdV's e-mail (not inside sales) do not count
    assert mail["event_id"] == "E05" and mail["user_id"] == "IS"
    assert mail["subject"] == HOSTILE and mail["body"] == "<script>alert(1)</script>"
    assert mail["days_ago"] == 19
    # any correspondence out: the letter
    assert (
        last_group_email(ds, "R1", "inside sales", as_of=AS_OF, channel=None)["event_id"] == "E06"
    )
    # before the e-mail of March 12: the one without a channel counts as e-mail
    assert last_group_email(ds, "R1", as_of="2026-03-11")["event_id"] == "E09"
    assert last_group_email(ds, "R3", as_of=AS_OF) is None


def test_mailing_responses_boundaries(ds):
    mr = mailing_responses(ds, "R2", days=14, as_of=AS_OF).set_index("event_id")
    assert list(mr.index) == ["M1", "M2", "M3", "M4"]
    # exactly 14 × 24 hours after: counts
    assert mr.loc["M1", "responded"] and mr.loc["M1", "response_event_id"] == "I1"
    assert mr.loc["M1", "hours_to_response"] == 336.0 and mr.loc["M1", "status"] == "responded"
    assert mr.loc["M1", "deadline"] == pd.Timestamp("2026-01-15 09:00:00")
    # 14 days and one second: does not
    assert not mr.loc["M2", "responded"] and mr.loc["M2", "status"] == "no_response"
    assert math.isnan(mr.loc["M2", "hours_to_response"])
    # an inbound event at the same second is not after the mailing; an outbound one is no answer
    assert mr.loc["M3", "status"] == "no_response"
    # the window runs past as_of and the answer of April 2 is not seen yet
    assert mr.loc["M4", "status"] == "pending"
    assert mr.attrs["mailings"] == 4 and mr.attrs["responded"] == 1
    assert mr.attrs["response_rate"] == pytest.approx(1 / 3)
    later = mailing_responses(ds, "R2", days=14, as_of="2026-04-30").set_index("event_id")
    assert later.loc["M4", "status"] == "responded"
    assert later.loc["M4", "hours_to_response"] == 7 * 24


def test_mailing_responses_window_is_a_parameter(ds):
    mr = mailing_responses(ds, "R2", days=15, as_of=AS_OF).set_index("event_id")
    assert mr.loc["M2", "responded"]  # 14 days and a second is within 15 days
    one = mailing_responses(ds, "R2", days=1, as_of=AS_OF).set_index("event_id")
    assert not one.loc["M1", "responded"]
    with pytest.raises(ValueError):
        mailing_responses(ds, "R2", days=0, as_of=AS_OF)
    empty = mailing_responses(ds, "R3", as_of=AS_OF)
    assert empty.empty and empty.attrs["response_rate"] is None


RESULT = pd.DataFrame(
    {"relation_id": ["R1", "R2", "R3"], "total": [1, 9, 0], "revenue": [9000.0, 1000.0, 0.0]}
)


def test_top_customer_attention(ds):
    # A = 10000 / 10 = 1000 per contact; R1: index 1 × 1000 / 9000 = 0.11 -> very little
    r1 = top_customer_attention(ds, "R1", result=RESULT)
    assert (r1["abc_class"], r1["is_top"], r1["sales_area"], r1["too_little"]) == (
        "A",
        True,
        "insufficient",
        True,
    )
    assert r1["expected_contacts"] == 9.0 and r1["contact_gap"] == 8.0
    # R2: class B, index 9 -> too much; in the top group, but not too little attention
    r2 = top_customer_attention(ds, "R2", result=RESULT, top_group="top customers")
    assert (r2["abc_class"], r2["in_top_group"], r2["is_top"]) == ("B", True, True)
    assert (r2["sales_area"], r2["too_little"]) == ("too_much", False)
    assert top_customer_attention(ds, "R2", result=RESULT)["is_top"] is False
    r3 = top_customer_attention(ds, "R3", result=RESULT)
    assert (r3["sales_area"], r3["too_little"]) == ("excluded", False)
    with pytest.raises(SelectionError):
        top_customer_attention(ds, "R3", result=RESULT.iloc[:2])
    with pytest.raises(ValueError, match="revenue"):
        top_customer_attention(ds, "R1", result=RESULT.drop(columns="revenue"))


def test_answers_bundle(ds):
    a = answers(ds, "R1", "JdV", "2026-03-05", as_of=AS_OF, days=14)
    assert a["colleague_contacted"] and len(a["colleague_contacts"]) == 6
    assert a["last_department_contact"]["event_id"] == "E15"
    assert (a["open_calls"], a["last_call_solved"]) == (2, False)
    assert a["last_group_email"]["event_id"] == "E05"
    assert a["mailing_responses"].empty
    assert a["top_customer"] is None  # no sales permission: no revenue
    b = answers(ds, "R1", "JdV", "2026-03-05", as_of=AS_OF, sales_permission=True, result=RESULT)
    assert b["top_customer"]["too_little"] is True
    quiet = answers(ds, "R3", "JdV", "2026-01-01", as_of=AS_OF)
    assert not quiet["colleague_contacted"] and quiet["last_department_contact"] is None
    assert quiet["last_call_solved"] is None and quiet["last_group_email"] is None


def test_answer_texts_in_both_languages_masked_and_without_revenue(ds):
    a = answers(ds, "R1", "JdV", "2026-03-05", as_of=AS_OF, sales_permission=True, result=RESULT)
    kw = {"me": "JdV", "department": "Verkoop", "group": "Binnendienst", "days": 14}
    nl = {x["key"]: x for x in answer_texts(a, "nl", **kw)}
    en = {x["key"]: x for x in answer_texts(a, "en", **kw)}
    assert list(nl) == ["colleague", "department", "calls", "email", "mailings", "top"]
    assert list(en) == list(nl)
    assert "JdV" in nl["colleague"]["question"] and "05-03-2026" in nl["colleague"]["question"]
    assert nl["colleague"]["answer"] != en["colleague"]["answer"]
    assert len(nl["colleague"]["details"]) == 6  # five contacts and "1 more"
    assert "Verkoop" in nl["department"]["question"]
    mail = a["last_group_email"]
    assert mail["subject"] in nl["email"]["answer"]
    hidden = {x["key"]: x for x in answer_texts(a, "nl", privacy=True, **kw)}
    assert mail["subject"] not in hidden["email"]["answer"]
    assert all(mail["subject"] not in d for d in hidden["email"]["details"])
    # without revenue (the principal may not see it) there is no top-customer answer
    assert "top" not in {x["key"] for x in answer_texts(a, "nl", revenue=False, **kw)}
    assert answer_texts(None, "nl", **kw) == []
