"""The canonical tables of the data-format contract (``docs/data-format.md``).

One place for the table names, their columns, types and allowed values. Loading, validation,
the engine and the generator all read these constants.
"""

from __future__ import annotations

TABLES: tuple[str, ...] = ("relations", "relation_groups", "users", "user_groups", "events")

SOURCES: tuple[str, ...] = ("history", "note", "correspondence", "sales", "helpdesk", "marketing")

#: Every action the contract knows, per source.
ACTIONS: dict[str, tuple[str, ...]] = {
    "history": ("added", "modified"),
    "note": ("added",),
    "correspondence": ("added",),
    "sales": (
        "suspect_added",
        "suspect_to_quote",
        "quote_added",
        "quote_to_order",
        "order_added",
        "quote_expired",
        "invoice_added",
    ),
    "helpdesk": ("call_added", "call_modified", "call_closed"),
    "marketing": ("mailing_sent",),
}

CHANNELS: tuple[str, ...] = (
    "phone",
    "meeting",
    "visit",
    "trade_show",
    "email",
    "letter",
    "web",
    "other",
)
DIRECTIONS: tuple[str, ...] = ("in", "out")
STATUSES: tuple[str, ...] = ("open", "closed")

#: The four groups contact moments are counted under (S8), in display order.
CATEGORIES: tuple[str, ...] = ("history", "correspondence", "sales", "helpdesk")

#: Column types per table: "text", "float", "bool", "datetime", "decimal".
COLUMNS: dict[str, dict[str, str]] = {
    "relations": {
        "relation_id": "text",
        "name": "text",
        "address": "text",
        "postcode": "text",
        "city": "text",
        "country": "text",
        "lat": "float",
        "lon": "float",
        "colour": "text",
    },
    "relation_groups": {"relation_id": "text", "group": "text"},
    "users": {"user_id": "text", "name": "text", "department": "text", "active": "bool"},
    "user_groups": {"user_id": "text", "group": "text"},
    "events": {
        "event_id": "text",
        "relation_id": "text",
        "user_id": "text",
        "timestamp": "datetime",
        "source": "text",
        "action": "text",
        "channel": "text",
        "direction": "text",
        "subject": "text",
        "body": "text",
        "amount": "decimal",
        "status": "text",
        "reference": "text",
    },
}

#: Columns that must be present and non-empty.
REQUIRED: dict[str, tuple[str, ...]] = {
    "relations": ("relation_id", "name"),
    "relation_groups": ("relation_id", "group"),
    "users": ("user_id",),
    "user_groups": ("user_id", "group"),
    "events": ("event_id", "relation_id", "user_id", "timestamp", "source", "action"),
}

#: Columns whose values must be unique.
UNIQUE: dict[str, str] = {"relations": "relation_id", "users": "user_id", "events": "event_id"}

#: Columns restricted to a set of values (empty is allowed unless the column is required).
ALLOWED: dict[tuple[str, str], tuple[str, ...]] = {
    ("events", "source"): SOURCES,
    ("events", "channel"): CHANNELS,
    ("events", "direction"): DIRECTIONS,
    ("events", "status"): STATUSES,
}

#: Tables that may be absent from a data set (they are then empty).
OPTIONAL_TABLES: tuple[str, ...] = ("relation_groups", "user_groups")
