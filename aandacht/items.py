"""The items of one relation's timeline (S7): what each event is, filters, one item's content.

These functions work on the small table :func:`aandacht.timeline` returns for one relation (a
few hundred rows, already in pandas), so the dashboard and notebooks can read a timeline without
computing anything themselves.

* :func:`describe_events` — what each event is, in a few words (``e-mail uit``, ``factuur``).
* :func:`filter_timeline` — only some sources, users or days.
* :func:`chain_of` / :func:`reference_chain` — the reference chain of an event: quote → order
  → invoice (``Q-2026-0013``, ``O-2026-0013``, ``F-2026-0013``), or the events of one helpdesk
  call.
* :func:`item_content` — everything about one item: time, who, what, subject, body, amount,
  status, reference and its chain.

Definitions (also in ``docs/insights.md``)

* **Contact moment or other**: the timeline's ``counted`` column (the counting rules). Other
  events are invoices, mailings, call changes and whatever else the rules do not count.
* **Reference chain**: the events of the relation whose reference has the same *chain key*: the
  reference without a one- or two-letter prefix and dash (as in :mod:`aandacht.reports`), so
  ``Q-2026-0013`` and ``F-2026-0013`` are one chain ``2026-0013``; ``CALL-000492`` (a longer
  prefix) is a chain of its own. Events without a reference have no chain.
* Subjects and bodies are untrusted text, returned as they are: show them as text.

Examples
--------
>>> from aandacht import load, timeline
>>> ds = load("data_samples")
>>> tl = timeline(ds, "R00001", as_of="2026-10-31")
>>> sales = filter_timeline(tl, sources=["sales"])
>>> set(sales.source)
{'sales'}
>>> quote = sales[sales.action == "quote_added"].event_id.iloc[0]
>>> reference_chain(tl, quote).action.tolist()
['quote_added', 'quote_expired']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .i18n import TEXT, t
from .reports import CHAIN_PREFIX
from .selection import to_date
from .summary import describe_contact

__all__ = [
    "ITEM_FIELDS",
    "chain_of",
    "describe_event",
    "describe_events",
    "filter_timeline",
    "item_content",
    "reference_chain",
]

#: The keys of :func:`item_content`'s result.
ITEM_FIELDS = (
    "event_id",
    "timestamp",
    "user_id",
    "source",
    "action",
    "what",
    "counted",
    "counted_under",
    "channel",
    "direction",
    "subject",
    "body",
    "amount",
    "status",
    "reference",
    "chain",
)
_PREFIX = re.compile(CHAIN_PREFIX)


def _text(v: Any) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    s = str(v)
    return s if s.strip() else None


def describe_event(
    source: Any, action: Any, channel: Any = None, direction: Any = None, lang: str = "nl"
) -> str:
    """What one event is, in a few words: ``e-mail uit``, ``offerte``, ``factuur``, ``mailing``.

    Contact moments as in :func:`aandacht.summary.describe_contact`; other events (invoices,
    mailings, call changes) by their action.

    >>> describe_event("sales", "invoice_added", lang="nl"), describe_event("marketing",
    ...     "mailing_sent", "email", None, "en")
    ('factuur', 'mailing')
    >>> describe_event("correspondence", "added", "email", "in", "nl")
    'e-mail in'
    """
    key = f"action_{_text(source)}_{_text(action)}"
    if _text(source) in ("marketing", "sales", "helpdesk") and key in TEXT:
        return t(key, lang)
    return describe_contact(source, action, channel, direction, lang) or (
        f"{_text(source) or ''} {_text(action) or ''}".strip()
    )


def describe_events(tl: pd.DataFrame, lang: str = "nl") -> list[str]:
    """:func:`describe_event` for every row of a timeline."""
    return [
        describe_event(s, a, c, d, lang)
        for s, a, c, d in zip(
            tl["source"], tl["action"], tl["channel"], tl["direction"], strict=True
        )
    ]


def filter_timeline(
    tl: pd.DataFrame,
    *,
    sources: Iterable[str] | None = None,
    users: Iterable[str] | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """The events of a timeline from some sources, by some users, between two days.

    Parameters
    ----------
    tl : a table of :func:`aandacht.timeline`.
    sources, users : keep only these (``None`` or empty: all).
    start, end : first and last day, both inclusive (from 00:00 of ``start`` through 23:59:59
        of ``end``); ``None``: no limit.

    Returns
    -------
    pandas.DataFrame
        The kept rows in their order, with a fresh index.

    >>> tl = pd.DataFrame({"timestamp": pd.to_datetime(["2026-01-01 00:00:00",
    ...     "2026-01-31 23:59:59", "2026-02-01 00:00:00"]), "source": ["sales", "history", "sales"], "user_id": ["A", "B", "A"]})
    >>> len(filter_timeline(tl, end="2026-01-31")), len(filter_timeline(tl, sources=["sales"],
    ...     start="2026-01-02"))
    (2, 1)
    """
    keep = pd.Series(True, index=tl.index)
    sources = list(sources or [])
    users = list(users or [])
    if sources:
        keep &= tl["source"].isin(sources)
    if users:
        keep &= tl["user_id"].isin(users)
    first, last = to_date(start, "start"), to_date(end, "end")
    if first is not None:
        keep &= tl["timestamp"] >= pd.Timestamp(first)
    if last is not None:
        keep &= tl["timestamp"] < pd.Timestamp(last + dt.timedelta(days=1))
    return tl[keep.to_numpy()].reset_index(drop=True)


def chain_of(reference: Any) -> str | None:
    """The chain key of a reference: the reference without a one- or two-letter prefix.

    >>> chain_of("Q-2026-0013"), chain_of("F-2026-0013"), chain_of("CALL-000492"), chain_of(None)
    ('2026-0013', '2026-0013', 'CALL-000492', None)
    """
    ref = _text(reference)
    return None if ref is None else _PREFIX.sub("", ref.strip())


def reference_chain(tl: pd.DataFrame, event_id: str) -> pd.DataFrame:
    """The events of the timeline in the same reference chain as ``event_id``, in time order.

    Empty when the event has no reference (or is not in the timeline). A quote, the order it
    became and the invoices of that order; or every event of one helpdesk call.

    >>> tl = pd.DataFrame({"event_id": ["E1", "E2", "E3", "E4"],
    ...     "timestamp": pd.to_datetime(["2026-01-01", "2026-01-05", "2026-02-01", "2026-01-02"]),
    ...     "reference": ["Q-7", "O-7", "F-7", "Q-8"]})
    >>> reference_chain(tl, "E3").event_id.tolist()
    ['E1', 'E2', 'E3']
    """
    cols = list(tl.columns)
    row = tl[tl["event_id"] == event_id]
    key = chain_of(row["reference"].iloc[0]) if len(row) else None
    if key is None:
        return pd.DataFrame({c: pd.Series(dtype=tl[c].dtype) for c in cols})
    same = tl[[chain_of(r) == key for r in tl["reference"]]]
    return same.sort_values(["timestamp", "event_id"], kind="stable").reset_index(drop=True)


def item_content(
    tl: pd.DataFrame, event_id: str, lang: str = "nl", *, amounts: bool = True
) -> dict[str, Any] | None:
    """Everything about one item of a timeline, for a detail pane.

    Parameters
    ----------
    tl : a table of :func:`aandacht.timeline`.
    event_id : the item.
    lang : language of ``what``.
    amounts : ``False`` leaves amounts out (``None``), for users without sales-monitor
        permission.

    Returns
    -------
    dict or None
        The keys of :data:`ITEM_FIELDS` (missing values ``None``); ``what`` in words;
        ``chain``: the reference chain as a list of dicts ``event_id, timestamp, what,
        reference, amount, status`` (only when the event has a reference). ``None`` when the
        event is not in the timeline.

    >>> tl = pd.DataFrame({"event_id": ["E1", "E2"], "timestamp": pd.to_datetime(["2026-01-01",
    ...     "2026-01-05"]), "user_id": ["JdV", "JdV"], "source": ["sales", "sales"],
    ...     "action": ["quote_added", "invoice_added"], "counted": [True, False],
    ...     "counted_under": ["sales", None], "channel": [None, None], "direction": [None, None],
    ...     "subject": ["Offerte", "Factuur"], "body": [None, None], "amount": [100.0, 100.0],
    ...     "status": [None, None], "reference": ["Q-1", "F-1"]})
    >>> item = item_content(tl, "E2", "nl")
    >>> item["what"], item["counted"], [c["what"] for c in item["chain"]]
    ('factuur', False, ['offerte', 'factuur'])
    >>> item_content(tl, "E2", amounts=False)["amount"] is None
    True
    """
    rows = tl[tl["event_id"] == event_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    out: dict[str, Any] = {}
    for f in ITEM_FIELDS:
        if f in ("what", "chain"):
            continue
        v = row.get(f)
        if f == "timestamp":
            out[f] = None if pd.isna(v) else pd.Timestamp(v)
        elif f == "counted":
            out[f] = bool(v)
        elif f == "amount":
            out[f] = None if (v is None or pd.isna(v) or not amounts) else float(v)
        else:
            out[f] = _text(v)
    out["what"] = describe_event(row["source"], row["action"], row.get("channel"),
                                 row.get("direction"), lang)  # fmt: skip
    chain = reference_chain(tl, event_id) if out["reference"] else tl.iloc[0:0]
    out["chain"] = [
        {
            "event_id": str(r["event_id"]),
            "timestamp": pd.Timestamp(r["timestamp"]),
            "what": describe_event(
                r["source"], r["action"], r.get("channel"), r.get("direction"), lang
            ),  # fmt: skip
            "reference": _text(r["reference"]),
            "amount": None
            if (not amounts or r.get("amount") is None or pd.isna(r.get("amount")))
            else float(r["amount"]),
            "status": _text(r.get("status")),
        }
        for _, r in chain.iterrows()
    ]
    return {k: out[k] for k in ITEM_FIELDS}
