"""Hand-over and catch-up reports (S15, B7) on tiny literal data, and read back from Excel."""

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from aandacht import SelectionError, from_frames
from aandacht.i18n import t
from aandacht.reports import (
    catchup_report,
    handover_report,
    open_quotes,
    write_catchup_xlsx,
    write_handover_xlsx,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-31"
HOSTILE = '=HYPERLINK("http://x","klik")'
IMG = "<img src=x onerror=alert(1)>"
COLS = [
    "event_id", "relation_id", "user_id", "timestamp", "source", "action", "channel", "direction",
    "subject", "body", "amount", "status", "reference",
]  # fmt: skip

# fmt: off
EVENTS = [
    # R1: RJ (leaving) had 4 contact moments, the last an e-mail with a hostile subject
    ("A01", "R1", "RJ", "2026-01-10 10:00:00", "history", "added", "phone", None, "bellen", None, None, None, None),
    ("A02", "R1", "RJ", "2026-03-02 10:00:00", "sales", "quote_added", None, None, "q1", None, "1000", None, "Q-2026-0001"),
    ("A03", "R1", "RJ", "2026-03-05 10:00:00", "sales", "quote_added", None, None, "q2", None, "500", None, "Q-2026-0002"),
    ("A04", "R1", "RJ", "2026-03-06 10:00:00", "correspondence", "added", "email", "out", HOSTILE, "tekst", None, None, None),
    # quotes: Q1 ordered, Q3 closed by an order in its chain, no reference and Q4 stay open
    ("A05", "R1", "NeA", "2026-03-06 11:00:00", "sales", "quote_added", None, None, "q3", None, "50", None, "Q-2026-0003"),
    ("A06", "R1", "NeA", "2026-03-07 10:00:00", "sales", "order_added", None, None, "o3", None, "50", None, "O-2026-0003"),
    ("A07", "R1", "NeA", "2026-03-08 10:00:00", "sales", "quote_added", None, None, "q-", None, "200", None, None),
    ("A08", "R1", "NeA", "2026-03-09 10:00:00", "sales", "quote_added", None, None, "q4", None, "300", None, "Q-2026-0004"),
    ("A09", "R1", "NeA", "2026-03-10 10:00:00", "sales", "quote_to_order", None, None, "q1", None, None, None, "Q-2026-0001"),
    ("A10", "R1", "NeA", "2026-03-15 10:00:00", "history", "added", "visit", None, "bezoek", None, None, None, None),
    ("A11", "R1", "NeA", "2026-04-02 10:00:00", "sales", "quote_expired", None, None, "q4", None, None, None, "Q-2026-0004"),
    # R1: PB (Service) knows it too; one call closed, one open
    ("A12", "R1", "PB", "2025-06-01 10:00:00", "history", "added", "phone", None, "oud", None, None, None, None),
    ("A13", "R1", "PB", "2026-02-10 10:00:00", "helpdesk", "call_added", "phone", None, "c2", None, None, "open", "CALL-2"),
    ("A14", "R1", "PB", "2026-02-11 10:00:00", "helpdesk", "call_closed", None, None, "c2", None, None, "closed", "CALL-2"),
    ("A15", "R1", "PB", "2026-03-20 10:00:00", "helpdesk", "call_added", "web", None, "c1", "kapot", None, "open", "CALL-1"),
    # R1: not contact moments
    ("A16", "R1", "MK", "2026-03-17 09:00:00", "marketing", "mailing_sent", "email", None, "nieuws", None, None, None, "MAIL-1"),
    ("A17", "R1", "RJ", "2026-03-25 09:00:00", "sales", "invoice_added", None, None, "f", None, "1000", None, "F-2026-0001"),
    ("A18", "R1", "JdV", "2025-04-01 00:00:00", "note", "added", None, None, "first day of 365", None, None, None, None),
    # R2: only RJ; the quote expired
    ("B01", "R2", "RJ", "2026-02-01 10:00:00", "note", "added", None, None, "notitie", None, None, None, None),
    ("B02", "R2", "RJ", "2026-02-02 10:00:00", "sales", "quote_added", None, None, "q5", None, "800", None, "Q-2026-0005"),
    ("B03", "R2", "RJ", "2026-02-20 10:00:00", "sales", "quote_expired", None, None, "q5", None, None, None, "Q-2026-0005"),
    # R3: RJ sent only an invoice (no contact moment); JdV's relation
    ("C01", "R3", "RJ", "2026-03-01 10:00:00", "sales", "invoice_added", None, None, "f", None, "10", None, "F-2026-0002"),
    ("C02", "R3", "JdV", "2025-12-01 10:00:00", "history", "added", "phone", None, "bellen", None, None, None, None),
    ("C03", "R3", "NeA", "2026-03-16 00:00:00", "history", "added", "phone", None, "first second", None, None, None, None),
    ("C04", "R3", "JdV", "2026-03-18 10:00:00", "correspondence", "added", "email", "in", HOSTILE, IMG, None, None, None),
    ("C05", "R3", "NeA", "2026-03-15 23:59:59", "history", "added", "phone", None, "before since", None, None, None, None),
    # R4: JdV's contact is one second too old to make it "my relation"
    ("D01", "R4", "JdV", "2025-03-31 23:59:59", "history", "added", "phone", None, "te oud", None, None, None, None),
    ("D02", "R4", "PB", "2026-03-20 10:00:00", "history", "added", "phone", None, "service", None, None, None, None),
]
# fmt: on


def build():
    rel = pd.DataFrame(
        {
            "relation_id": ["R1", "R2", "R3", "R4"],
            "name": ["=cmd|' /C calc'!A0", "Twee", "Drie", "Vier"],
            "city": ["Assen", "Breda", "Delft", "Ede"],
        }
    )
    users = pd.DataFrame(
        {
            "user_id": ["RJ", "NeA", "PB", "MK", "JdV"],
            "name": ["Ruud Jacobs", "Nadia el Amrani", "Petra Bakker", "Mo Kaya", "Jan de Vries"],
            "department": ["Sales", "Sales", "Service", "Marketing", "Sales"],
            "active": [False, True, True, True, True],
        }
    )
    rg = pd.DataFrame({"relation_id": ["R4", "R2"], "group": ["north", "north"]})
    ev = pd.DataFrame(EVENTS, columns=COLS)
    return from_frames({"relations": rel, "users": users, "relation_groups": rg, "events": ev})


@pytest.fixture(scope="module")
def ds():
    return build()


@pytest.fixture(scope="module")
def handover(ds):
    return handover_report(ds, "RJ", as_of=AS_OF, lang="en")


def test_handover_relations(handover):
    rel = handover.relations
    # R2 first: RJ is its single point of contact; R3 (an invoice only) is not in the list
    assert rel.relation_id.tolist() == ["R2", "R1"]
    r1 = rel.set_index("relation_id").loc["R1"]
    assert (r1.contacts, r1.first_contact, r1.last_contact) == (
        4,
        pd.Timestamp("2026-01-10 10:00:00"),
        pd.Timestamp("2026-03-06 10:00:00"),
    )
    assert (r1.days_since, r1.last_how, r1.last_subject) == (25, "e-mail out", HOSTILE)
    assert (r1.open_calls, r1.open_quotes, r1.open_quote_amount) == (1, 3, 1000.0)
    assert (r1.other_users, r1.single_point) == (3, False)
    assert r1.others == "PB (2026-03-20), NeA (2026-03-15), JdV (2025-04-01)"
    r2 = rel.set_index("relation_id").loc["R2"]
    assert (r2.contacts, r2.single_point, r2.others, r2.open_quotes) == (3, True, "", 0)
    assert r2.last_how == "quote expired"


def test_handover_details(handover):
    assert handover.open_calls.call.tolist() == ["CALL-1"]
    q = handover.open_quotes
    assert q.subject.tolist() == ["q2", "q-", "q4"]  # q1 ordered, q3 has an order in its chain
    assert q.reference.isna().tolist() == [False, True, False]
    assert q.set_index("subject").loc["q2", "age_days"] == 26
    o = handover.others
    assert o[o.relation_id == "R1"].user_id.tolist() == ["PB", "NeA", "JdV"]
    pb = o.set_index("user_id").loc["PB"]
    assert (pb.contacts, pb.department, pb.active) == (3, "Service", True)
    s = handover.settings
    assert (s["user"], s["user_name"], s["active"]) == ("RJ", "Ruud Jacobs", False)
    assert (s["relations"], s["single_points"], s["open_calls"], s["open_quotes"]) == (2, 1, 1, 3)


def test_handover_since_and_as_of(ds):
    since = handover_report(ds, "RJ", as_of=AS_OF, since="2026-03-01")
    assert since.relations.relation_id.tolist() == ["R1"]
    assert since.relations.contacts.tolist() == [3]
    later = handover_report(ds, "RJ", as_of="2026-04-30")
    assert later.open_quotes.subject.tolist() == ["q2", "q-"]  # q4 expired on April 2
    assert open_quotes(ds, ["R1", "R2"], as_of=AS_OF).subject.tolist() == ["q2", "q-", "q4"]


def test_handover_needs_a_known_user(ds):
    with pytest.raises(SelectionError):
        handover_report(ds, "ZZ", as_of=AS_OF)
    nobody = handover_report(ds, "MK", as_of=AS_OF)  # mailings only
    assert nobody.relations.empty and nobody.settings["relations"] == 0


@pytest.fixture(scope="module")
def catchup(ds):
    return catchup_report(ds, "JdV", "2026-03-16", as_of=AS_OF, lang="en")


def test_catchup(catchup):
    # my relations: R1 (JdV's note on the first of the 365 days) and R3; not R4 (a second older)
    assert catchup.summary.relation_id.tolist() == ["R1", "R3"]
    s = catchup.summary.set_index("relation_id")
    # R1: mailing (other), call added (helpdesk), invoice (other); A10 of March 15 is before
    r1 = s.loc["R1"]
    assert (r1.events, r1.contact_moments, r1.helpdesk, r1.other, r1.open_calls) == (3, 1, 1, 2, 1)
    assert s.loc["R1", "users"] == "MK, PB, RJ"
    assert s.loc["R3", ["events", "history", "correspondence", "other"]].tolist() == [2, 1, 1, 0]
    ev = catchup.events
    assert ev.event_id.tolist() == ["A16", "A15", "A17", "C03", "C04"]  # by relation, in time
    assert ev.set_index("event_id").loc["A17", "what"] == "invoice"
    assert ev.set_index("event_id").loc["A16", "what"] == "mailing"
    assert not ev.set_index("event_id").loc["A17", "counted"]
    assert ev.set_index("event_id").loc["C04", "body"] == IMG
    st = catchup.settings
    assert (st["my_relations"], st["relations"], st["quiet_relations"], st["events"]) == (
        2,
        2,
        0,
        5,
    )


def test_catchup_b_group(ds):
    rep = catchup_report(ds, "JdV", "2026-03-16", as_of=AS_OF, b_group="north")
    assert rep.summary.relation_id.tolist() == ["R4"]  # R2 had nothing since
    assert rep.settings["quiet_relations"] == 1 and rep.settings["scope"] == "B-groep north"
    with pytest.raises(SelectionError):
        catchup_report(ds, "JdV", "2026-03-16", as_of=AS_OF, b_group="south")
    with pytest.raises(SelectionError):
        catchup_report(ds, "JdV", "2026-04-16", as_of=AS_OF)
    quiet = catchup_report(ds, "JdV", "2026-03-31", as_of=AS_OF)
    assert quiet.summary.empty and quiet.events.empty and quiet.settings["quiet_relations"] == 2


def _cells(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_handover_xlsx_read_back(tmp_path, handover):
    path = write_handover_xlsx(tmp_path / "overdracht.xlsx", handover, lang="nl")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Rapport",
        "Relaties",
        "Open meldingen",
        "Open offertes",
        "Wie kent de relatie",
    ]
    rel = pd.read_excel(path, sheet_name="Relaties")
    assert rel[t("col_relation_id", "nl")].tolist() == ["R2", "R1"]
    assert rel[t("col_contacts", "nl")].tolist() == [3, 4]
    cells = _cells(path, "Relaties")
    for text in (HOSTILE, "=cmd|' /C calc'!A0"):  # a subject and a relation name
        assert cells[text].data_type == "s"  # text, never a formula
    settings = pd.read_excel(path, sheet_name="Rapport")
    values = dict(
        zip(settings[t("col_setting", "nl")], settings[t("col_value", "nl")], strict=True)
    )
    assert values["Rapport"] == "Overdrachtsrapport" and values["Medewerker"] == "RJ"
    assert values["In dienst"] == "nee" and values[t("set_as_of", "nl")] == "31-03-2026"
    quotes = pd.read_excel(path, sheet_name="Open offertes")
    assert quotes[t("col_amount", "nl")].tolist() == [500, 200, 300]


def test_catchup_xlsx_read_back(tmp_path, catchup):
    path = write_catchup_xlsx(tmp_path / "catchup.xlsx", catchup, lang="en")
    assert openpyxl.load_workbook(path).sheetnames == ["Report", "Per relation", "Events"]
    cells = _cells(path, "Events")
    assert cells[HOSTILE].data_type == "s" and cells[IMG].value == IMG
    events = pd.read_excel(path, sheet_name="Events")
    assert events[t("col_event_id", "en")].tolist() == ["A16", "A15", "A17", "C03", "C04"]
    settings = pd.read_excel(path, sheet_name="Report")
    values = dict(
        zip(settings[t("col_setting", "en")], settings[t("col_value", "en")], strict=True)
    )
    assert values["Report"] == "Catch-up report" and values["Since"] == "2026-03-16"
