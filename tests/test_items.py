"""Timeline items (S7), report privacy and amounts, the default cadence: tiny literal data."""

from pathlib import Path

import pandas as pd
import pytest

import aandacht
import aandacht.cadence
import aandacht.items
import aandacht.reports
from aandacht import from_frames
from aandacht.cadence import default_cadence
from aandacht.items import (
    chain_of,
    describe_events,
    filter_timeline,
    item_content,
    reference_chain,
)
from aandacht.reports import (
    catchup_report,
    handover_report,
    pseudonymise_report,
    without_amounts,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-31"
SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"
COLS = ["event_id", "relation_id", "user_id", "timestamp", "source", "action", "channel"]
COLS += ["direction", "subject", "body", "amount", "status", "reference"]
# fmt: off
EVENTS = [
    ("E1", "R1", "JdV", "2026-01-05 10:00:00", "sales", "quote_added", None, None, "Offerte", None, "100", None, "Q-2026-0007"),
    ("E2", "R1", "JdV", "2026-01-20 10:00:00", "sales", "quote_to_order", None, None, "Omgezet", None, None, None, "Q-2026-0007"),
    ("E3", "R1", "JdV", "2026-01-20 10:00:00", "sales", "order_added", None, None, "Order", None, "100", None, "O-2026-0007"),
    ("E4", "R1", "PB", "2026-02-10 09:00:00", "sales", "invoice_added", None, None, "Factuur", None, "100", None, "F-2026-0007"),
    ("E5", "R1", "PB", "2026-02-11 09:00:00", "correspondence", "added", "email", "in", SCRIPT, IMG, None, None, None),
    ("E6", "R1", "MK", "2026-03-01 00:00:00", "marketing", "mailing_sent", "email", None, "Nieuws", "Beste", None, None, "MAIL-2026-001"),
    ("E7", "R1", "PB", "2026-03-31 23:59:59", "helpdesk", "call_added", "phone", None, "Storing", None, None, "open", "CALL-000001"),
    ("E8", "R1", "PB", "2026-03-31 23:59:59", "helpdesk", "call_modified", None, None, "Storing", "monteur", None, "open", "CALL-000001"),
    ("E9", "R1", "JdV", "2026-01-25 10:00:00", "sales", "quote_added", None, None, "Andere offerte", None, "50", None, "Q-2026-0008"),
    ("E10", "R2", "JdV", "2026-01-06 10:00:00", "history", "added", "phone", None, "=HYPERLINK(\"http://x\")", None, None, None, None),
]
# fmt: on


def build():
    rel = pd.DataFrame(
        {"relation_id": ["R1", "R2"], "name": ["=cmd|' /C calc'!A0", "Twee"], "city": ["A", "B"]}
    )
    users = pd.DataFrame(
        {
            "user_id": ["JdV", "PB", "MK"],
            "name": ["Jan de Vries", "Petra Bakker", "Mo Kaya"],
            "department": ["Sales", "Service", "Marketing"],
            "active": [True, False, True],
        }
    )
    rg = pd.DataFrame({"relation_id": ["R1"], "group": ["top customers"]})
    ev = pd.DataFrame(EVENTS, columns=COLS)
    return from_frames({"relations": rel, "users": users, "relation_groups": rg, "events": ev})


@pytest.fixture(scope="module")
def ds():
    return build()


@pytest.fixture(scope="module")
def tl(ds):
    return aandacht.timeline(ds, "R1", as_of=AS_OF)


def test_describe_events_tells_contact_moments_from_others(tl):
    what = dict(zip(tl.event_id, describe_events(tl, "nl"), strict=True))
    assert what["E1"] == "offerte" and what["E4"] == "factuur" and what["E6"] == "mailing"
    assert what["E5"] == "e-mail in" and what["E8"] == "melding gewijzigd"
    counted = dict(zip(tl.event_id, tl.counted, strict=True))
    assert not counted["E4"] and not counted["E6"] and counted["E5"] and counted["E1"]
    assert describe_events(tl, "en")[tl.event_id.tolist().index("E4")] == "invoice"


def test_filter_by_source_user_and_period(tl):
    assert filter_timeline(tl, sources=["sales"]).event_id.tolist() == [
        "E1",
        "E2",
        "E3",
        "E9",
        "E4",
    ]
    assert filter_timeline(tl, users=["PB"]).event_id.tolist() == ["E4", "E5", "E7", "E8"]
    # both days inclusive: 2026-03-01 00:00:00 and 2026-03-31 23:59:59 are in
    assert filter_timeline(tl, start="2026-03-01", end="2026-03-31").event_id.tolist() == [
        "E6",
        "E7",
        "E8",
    ]
    assert filter_timeline(tl, end="2026-02-28").event_id.tolist()[-1] == "E5"
    assert len(filter_timeline(tl, sources=[], users=None)) == len(tl)
    both = filter_timeline(
        tl, sources=["sales"], users=["PB"], start="2026-02-10", end="2026-02-10"
    )
    assert both.event_id.tolist() == ["E4"]


def test_reference_chain_quote_order_invoice(tl):
    assert chain_of("Q-2026-0007") == chain_of("F-2026-0007") == "2026-0007"
    assert chain_of("CALL-000001") == "CALL-000001" and chain_of("  ") is None
    # the invoice leads back to its quote and order, not to the other quote
    assert reference_chain(tl, "E4").event_id.tolist() == ["E1", "E2", "E3", "E4"]
    assert reference_chain(tl, "E7").event_id.tolist() == ["E7", "E8"]
    assert reference_chain(tl, "E5").empty  # no reference
    assert reference_chain(tl, "E99").empty  # not in the timeline


def test_item_content_is_the_raw_text(tl):
    item = item_content(tl, "E5", "nl")
    assert item["subject"] == SCRIPT and item["body"] == IMG  # untrusted, returned as is
    assert item["what"] == "e-mail in" and item["counted"] and item["chain"] == []
    assert item["timestamp"] == pd.Timestamp("2026-02-11 09:00:00") and item["user_id"] == "PB"
    inv = item_content(tl, "E4", "en")
    assert (inv["amount"], inv["reference"], inv["counted"]) == (100.0, "F-2026-0007", False)
    assert [c["what"] for c in inv["chain"]] == ["quote", "quote → order", "order", "invoice"]
    assert [c["amount"] for c in inv["chain"]] == [100.0, None, 100.0, 100.0]
    hidden = item_content(tl, "E4", amounts=False)
    assert hidden["amount"] is None and all(c["amount"] is None for c in hidden["chain"])
    assert item_content(tl, "E99") is None


def test_pseudonymised_reports_keep_no_relation_text(ds):
    rep = catchup_report(ds, "JdV", "2026-01-01", as_of=AS_OF, lang="nl")
    private = pseudonymise_report(rep, key=b"k")
    assert rep.events.relation_id.isin(["R1", "R2"]).all()  # the original is untouched
    ev = private.events
    assert ev.relation_id.str.match(r"^P-[0-9A-F]{8}$").all()
    assert (ev.name == "Relatie " + ev.relation_id).all()
    assert set(ev.subject.dropna()) == {"•••"} and set(ev.body.dropna()) == {"•••"}
    assert private.summary.relation_id.isin(set(ev.relation_id)).all()
    assert private.settings["privacy"] is True and private.settings["user"] == "JdV"
    hand = pseudonymise_report(handover_report(ds, "PB", as_of=AS_OF), key=b"k", lang="en")
    assert set(hand.relations.last_subject.dropna()) == {"•••"}
    assert hand.relations.name.str.startswith("Relation P-").all()
    assert set(hand.open_calls.last_body.dropna()) <= {"•••"}


def test_reports_without_amounts(ds):
    hand = handover_report(ds, "JdV", as_of=AS_OF)
    assert "open_quote_amount" in hand.relations and "amount" in hand.open_quotes
    bare = without_amounts(hand)
    assert "open_quote_amount" not in bare.relations and "amount" not in bare.open_quotes
    assert bare.relations.open_quotes.tolist() == hand.relations.open_quotes.tolist()
    ev = without_amounts(catchup_report(ds, "JdV", "2026-01-01", as_of=AS_OF)).events
    assert "amount" not in ev.columns and len(ev) > 0


def test_default_cadence_only_for_existing_b_groups(ds):
    assert default_cadence(ds).to_dict("records") == [
        {"scope": "b_group", "key": "top customers", "ideal_days": 14, "max_days": 42}
    ]
    tables = {
        "relations": pd.DataFrame({"relation_id": ["R1"], "name": ["Een"]}),
        "users": pd.DataFrame({"user_id": ["JdV"], "name": ["Jan"]}),
        "events": pd.DataFrame(columns=COLS),
    }
    assert default_cadence(from_frames(tables)).empty
