"""A tiny literal CRM data set with hand-worked expectations (used by several test modules)."""

import pandas as pd

from aandacht import from_frames

RELATIONS = pd.DataFrame(
    {
        "relation_id": ["R1", "R2", "R3", "R4"],
        "name": ["Bakkerij Jansen", "Van Dijk B.V.", "De Boer Installatie", "Smit Logistiek"],
        "city": ["Assen", "Utrecht", "Zwolle", "Breda"],
    }
)
RELATION_GROUPS = pd.DataFrame({"relation_id": ["R1", "R2"], "group": ["top customers"] * 2})
USERS = pd.DataFrame(
    {
        "user_id": ["JdV", "PB", "MK", "AS"],
        "name": ["Jan de Vries", "Petra Bakker", "Mo Kaya", "Anna Smit"],
        "department": ["Sales", "Service", "Marketing", "Sales"],
        "active": [True, True, True, False],
    }
)
USER_GROUPS = pd.DataFrame({"user_id": ["JdV", "PB"], "group": ["inside sales", "inside sales"]})

# as_of 2026-03-31, period 2026-03-01 .. 2026-03-31
EVENTS = pd.DataFrame(
    [
        # id, relation, user, timestamp, source, action, direction, amount, status
        ("E01", "R1", "JdV", "2026-03-01 00:00:00", "history", "added", None, None, None),
        ("E02", "R1", "JdV", "2026-02-28 23:59:59", "history", "added", None, None, None),
        ("E03", "R1", "PB", "2026-03-31 23:59:59", "note", "added", None, None, None),
        ("E04", "R1", "JdV", "2026-04-01 00:00:00", "history", "added", None, None, None),
        ("E05", "R1", "MK", "2026-03-10 09:00:00", "marketing", "mailing_sent", None, None, None),
        ("E06", "R1", "JdV", "2026-03-11 10:00:00", "correspondence", "added", "in", None, None),
        ("E07", "R1", "JdV", "2026-03-12 10:00:00", "correspondence", "added", "out", None, None),
        ("E08", "R1", "JdV", "2026-03-15 10:00:00", "sales", "order_added", None, "1000.50", None),
        (
            "E09",
            "R1",
            "JdV",
            "2026-03-20 10:00:00",
            "sales",
            "invoice_added",
            None,
            "1000.50",
            None,
        ),
        ("E10", "R2", "PB", "2026-03-05 08:00:00", "helpdesk", "call_added", None, None, "open"),
        ("E11", "R2", "PB", "2026-03-06 08:00:00", "helpdesk", "call_modified", None, None, "open"),
        ("E12", "R2", "PB", "2026-03-07 08:00:00", "helpdesk", "call_closed", None, None, "closed"),
        ("E13", "R2", "AS", "2026-03-08 12:00:00", "history", "modified", None, None, None),
        ("E14", "R3", "JdV", "2025-12-24 16:00:00", "sales", "quote_added", None, "500", None),
        ("E15", "R3", "JdV", "2026-03-25 11:00:00", "sales", "invoice_added", None, "250", None),
        ("E16", "R2", "AS", "2026-03-09 12:00:00", "sales", "suspect_added", None, None, None),
    ],
    columns=[
        "event_id",
        "relation_id",
        "user_id",
        "timestamp",
        "source",
        "action",
        "direction",
        "amount",
        "status",
    ],
)


def tables() -> dict[str, pd.DataFrame]:
    return {
        "relations": RELATIONS.copy(),
        "relation_groups": RELATION_GROUPS.copy(),
        "users": USERS.copy(),
        "user_groups": USER_GROUPS.copy(),
        "events": EVENTS.copy(),
    }


def dataset():
    return from_frames(tables())


def write_csv_folder(folder, tables_=None):
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in (tables_ or tables()).items():
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder
