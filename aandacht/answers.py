"""Direct answers (S14) about one relation: one function per question, and :func:`answers`.

* :func:`colleague_contacts` — did a colleague (someone other than me) have contact since a
  date, and how?
* :func:`last_contact_by_group` — when did the Service department (any user group) last have
  contact?
* :func:`helpdesk_calls` — the helpdesk calls, their status; open calls; is the last problem
  solved?
* :func:`last_group_email` — the last e-mail from the inside-sales group (any user group) to
  the relation, with its subject and text.
* :func:`mailing_responses` — did the relation respond within N days of each mailing?
* :func:`top_customer_attention` — is this a top customer getting too little attention?

The filtering runs in the engine (Ibis): only the relation's few rows come back. Subjects and
bodies are untrusted text: they are returned as they are, for the caller to show as text.

Definitions (also in ``docs/insights.md``)

* **Contact moment**: as in the counting rules (default: history, notes, correspondence, sales
  except invoices, helpdesk calls added). Events after the end of ``as_of`` are not seen.
* **Since a date**: from 00:00 of that day through the end of ``as_of``.
* **Helpdesk call**: the events of one relation with the same ``reference`` (a helpdesk event
  without a reference is a call of its own). Its status is the ``status`` of its latest event
  (by time, then event id); when that is empty: ``closed`` after ``call_closed``, else ``open``.
  A call that is modified after being closed is open again when its latest status says so.
  *Opened* is the time of ``call_added`` (or of the first event when there is none). The
  *last problem* is the call opened last; it is *solved* when its status is ``closed``.
* **E-mail from a group**: a correspondence event with direction ``out`` added by a member of
  the user group (its ``user_groups`` members and the users of the department of that name),
  with channel ``email`` or no channel (letters are left out; ``channel=None`` takes all).
* **Response to a mailing**: an *inbound contact* of the relation — an event with direction
  ``in`` that is correspondence or a contact moment — by any user, strictly after the mailing
  was sent and at most ``days`` × 24 hours after it: exactly N days later counts, N days and one
  second later does not. One inbound contact may answer several mailings. When no response was
  seen and the window runs past the end of ``as_of``, the status is ``pending``.
* **Top customer getting too little attention**: a relation whose revenue class (ABC, see
  :func:`aandacht.sales.abc_classes`) is in ``classes`` (default ``A``), or that is in the
  B-group ``top_group``, and whose sales-view area is ``insufficient`` (little attention for its
  revenue, see :func:`aandacht.sales.sales_view`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import ibis
import numpy as np
import pandas as pd

from .counting import category_conditions, day_start
from .dataset import Dataset
from .engine import calculate
from .errors import SelectionError
from .i18n import fmt_date, fmt_days_ago, fmt_money, fmt_number, fmt_percent, t
from .privacy import MASK
from .rules import load_rules
from .sales import sales_view
from .selection import Selection, resolve_users, to_date
from .summary import describe_contact

__all__ = [
    "answer_texts",
    "CALL_COLUMNS",
    "MAILING_COLUMNS",
    "answers",
    "colleague_contacts",
    "helpdesk_calls",
    "last_contact_by_group",
    "last_group_email",
    "mailing_responses",
    "top_customer_attention",
]

CONTACT_COLUMNS = [
    "timestamp",
    "event_id",
    "user_id",
    "user_name",
    "department",
    "source",
    "action",
    "channel",
    "direction",
    "subject",
    "how",
]
CALL_COLUMNS = [
    "relation_id",
    "call",
    "opened",
    "opened_by",
    "channel",
    "subject",
    "events",
    "last_update",
    "last_action",
    "last_user",
    "last_body",
    "status",
    "closed_at",
    "age_days",
]
MAILING_COLUMNS = [
    "event_id",
    "sent",
    "reference",
    "subject",
    "sent_by",
    "deadline",
    "responded",
    "status",
    "response_at",
    "response_event_id",
    "response_user",
    "response_source",
    "response_channel",
    "response_subject",
    "hours_to_response",
]


# --------------------------------------------------------------------------------------------
# shared helpers (also used by aandacht.reports)


def _as_of(as_of: dt.date | str | None) -> dt.date:
    return to_date(as_of, "as_of") or dt.date.today()


def _end(as_of: dt.date) -> ibis.Value:
    """The first moment after ``as_of``: events before it are seen."""
    return day_start(as_of + dt.timedelta(days=1))


def _relation(data: Dataset, relation_id: str) -> str:
    rid = str(relation_id).strip()
    if not data.has_relation(rid):
        raise SelectionError(f"relation '{rid}' is not in relations")
    return rid


def _user(data: Dataset, user_id: str, what: str = "user") -> str:
    uid = str(user_id).strip()
    known = set(data.users["user_id"])
    if uid not in known:
        raise SelectionError(f"unknown {what} '{uid}'. Known users: {', '.join(sorted(known))}")
    return uid


def _group_members(data: Dataset, group: str) -> list[str]:
    return resolve_users(data, Selection(user_group=group)) or []


def _events_of(data: Dataset, relation_ids: Sequence[str] | ibis.Table, as_of: dt.date):
    """The events of some relations up to the end of ``as_of``."""
    t = data.events
    t = t.filter(t.timestamp < _end(as_of))
    if isinstance(relation_ids, ibis.Table):
        return t.semi_join(relation_ids, "relation_id")
    ids = list(relation_ids)
    if len(ids) == 1:
        return t.filter(t.relation_id == ids[0])
    mem = ibis.memtable(pd.DataFrame({"relation_id": pd.Series(ids, dtype=object)}))
    return t.semi_join(mem, "relation_id")


def _counted(t: ibis.Table, rules) -> ibis.Value:
    return ibis.or_(*category_conditions(t, load_rules(rules)).values())


def _user_info(data: Dataset) -> pd.DataFrame:
    users = data.users[["user_id", "name", "department"]].astype(object)
    return users.rename(columns={"name": "user_name"}).set_index("user_id")


def _with_users(df: pd.DataFrame, data: Dataset, column: str = "user_id") -> pd.DataFrame:
    info = _user_info(data)
    df["user_name"] = df[column].map(info["user_name"])
    df["department"] = df[column].map(info["department"])
    return df


def _how(df: pd.DataFrame, lang: str) -> list[str]:
    return [
        describe_contact(s, a, c, d, lang)
        for s, a, c, d in zip(
            df["source"], df["action"], df["channel"], df["direction"], strict=True
        )
    ]


def _record(row: pd.Series | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = {}
    for k, v in row.items():
        if v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            out[k] = None
        elif isinstance(v, np.generic):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def _days_ago(ts: pd.Timestamp, as_of: dt.date) -> int:
    return (as_of - pd.Timestamp(ts).date()).days


# --------------------------------------------------------------------------------------------
# the questions


def colleague_contacts(
    data: Dataset,
    relation_id: str,
    me: str,
    since: dt.date | str,
    *,
    as_of: dt.date | str | None = None,
    rules: pd.DataFrame | str | None = None,
    lang: str = "nl",
) -> pd.DataFrame:
    """Contact moments with the relation by anyone other than ``me``, since a date.

    Parameters
    ----------
    relation_id : the relation.
    me : my user id; my own contact moments are left out.
    since : the first day (from 00:00).
    as_of : "now" (default today): later events are not seen.
    rules : counting rules; default the contract's.
    lang : language of the ``how`` column.

    Returns
    -------
    pandas.DataFrame
        Newest first: ``timestamp, event_id, user_id, user_name, department, source, action,
        channel, direction, subject, how`` (``how`` e.g. ``telefoon``, ``e-mail uit``). Empty when
        no colleague had contact.

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> cc = colleague_contacts(ds, "R00001", "JdV", "2026-10-01", as_of="2026-10-31")
    >>> bool((cc.user_id != "JdV").all()), cc.timestamp.is_monotonic_decreasing
    (True, True)
    """
    rid = _relation(data, relation_id)
    me = _user(data, me)
    end = _as_of(as_of)
    start = to_date(since, "since")
    if start is None:
        raise SelectionError("choose the date since when ('since')")
    t = _events_of(data, [rid], end)
    t = t.filter((t.user_id != me) & (t.timestamp >= day_start(start)))
    t = t.filter(_counted(t, rules))
    cols = [
        "timestamp",
        "event_id",
        "user_id",
        "source",
        "action",
        "channel",
        "direction",
        "subject",
    ]
    df = t.select(*cols).to_pandas()
    df = df.sort_values(["timestamp", "event_id"], ascending=False, kind="stable")
    df = _with_users(df.reset_index(drop=True), data)
    df["how"] = _how(df, lang)
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    return df[CONTACT_COLUMNS]


def last_contact_by_group(
    data: Dataset,
    relation_id: str,
    group: str = "Service",
    *,
    as_of: dt.date | str | None = None,
    rules: pd.DataFrame | str | None = None,
    lang: str = "nl",
) -> dict[str, Any] | None:
    """The last contact moment with the relation by a user group or department.

    Returns
    -------
    dict or None
        ``timestamp, days_ago, event_id, user_id, user_name, department, source, action,
        channel, direction, subject, how``; ``None`` when the group never had contact.

    Raises
    ------
    SelectionError
        For an unknown relation or group.

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> last = last_contact_by_group(ds, "R00001", "Service", as_of="2026-10-31")
    >>> last is None or last["department"] == "Service"
    True
    """
    rid = _relation(data, relation_id)
    end = _as_of(as_of)
    members = _group_members(data, group)
    if not members:
        return None
    t = _events_of(data, [rid], end)
    t = t.filter(t.user_id.isin(members))
    t = t.filter(_counted(t, rules))
    cols = [
        "timestamp",
        "event_id",
        "user_id",
        "source",
        "action",
        "channel",
        "direction",
        "subject",
    ]
    df = t.order_by([ibis.desc("timestamp"), ibis.desc("event_id")]).limit(1).select(*cols)
    df = df.to_pandas()
    if df.empty:
        return None
    df = _with_users(df, data)
    df["how"] = _how(df, lang)
    row = df.iloc[0]
    rec = _record(row[CONTACT_COLUMNS])
    rec["timestamp"] = pd.Timestamp(row["timestamp"])
    rec["days_ago"] = _days_ago(row["timestamp"], end)
    return rec


def _calls(t: ibis.Table, as_of: dt.date) -> pd.DataFrame:
    """Status of every helpdesk call among the events ``t`` (see the module docstring)."""
    h = t.filter(t.source == "helpdesk")
    h = h.mutate(call=ibis.coalesce(h.reference, h.event_id))
    keys = [h.relation_id, h.call]
    added_first = ibis.cases((h.action == "call_added", 0), else_=1)
    w_last = ibis.window(group_by=keys, order_by=[h.timestamp.desc(), h.event_id.desc()])
    w_first = ibis.window(group_by=keys, order_by=[added_first, h.timestamp, h.event_id])
    h = h.mutate(rn_last=ibis.row_number().over(w_last), rn_first=ibis.row_number().over(w_first))
    agg = h.group_by(["relation_id", "call"]).aggregate(
        added=h.timestamp.min(where=h.action == "call_added"),
        first_ts=h.timestamp.min(),
        events=h.count(),
    )
    last = h.filter(h.rn_last == 0).select(
        "relation_id",
        "call",
        last_update="timestamp",
        last_action="action",
        last_status="status",
        last_user="user_id",
        last_body="body",
    )
    first = h.filter(h.rn_first == 0).select(
        "relation_id", "call", opened_by="user_id", channel="channel", subject="subject"
    )
    both = ["relation_id", "call"]
    df = agg.join(last, both).join(first, both).to_pandas()
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CALL_COLUMNS})
    for col in ("added", "first_ts", "last_update"):
        df[col] = pd.to_datetime(df[col])
    df["opened"] = df["added"].fillna(df["first_ts"])
    fallback = np.where(df["last_action"] == "call_closed", "closed", "open")
    df["status"] = df["last_status"].astype(object).where(df["last_status"].notna(), fallback)
    closed = df["status"] == "closed"
    df["closed_at"] = df["last_update"].where(closed)
    until = df["closed_at"].fillna(pd.Timestamp(as_of))
    df["age_days"] = (until.dt.normalize() - df["opened"].dt.normalize()).dt.days.astype("int64")
    df["events"] = df["events"].astype("int64")
    df = df.sort_values(["opened", "call"], ascending=False, kind="stable").reset_index(drop=True)
    return df[CALL_COLUMNS]


def helpdesk_calls(
    data: Dataset, relation_id: str, *, as_of: dt.date | str | None = None
) -> pd.DataFrame:
    """The relation's helpdesk calls with their status, the call opened last first.

    Returns
    -------
    pandas.DataFrame
        ``relation_id, call, opened, opened_by, channel, subject, events, last_update,
        last_action, last_user, last_body, status, closed_at, age_days``: ``call`` is the
        reference (or the event id of a call without one); ``status`` is ``open`` or
        ``closed``; ``age_days`` counts calendar days from opening to closing (or to
        ``as_of`` while open). ``attrs`` holds ``open_calls`` and ``last_solved`` (``None``
        without calls).

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> calls = helpdesk_calls(ds, "R00001", as_of="2026-10-31")
    >>> set(calls.status) <= {"open", "closed"}
    True
    """
    rid = _relation(data, relation_id)
    end = _as_of(as_of)
    t = _events_of(data, [rid], end)
    df = _calls(t, end)
    df.attrs["open_calls"] = int((df["status"] == "open").sum())
    df.attrs["last_solved"] = bool(df["status"].iloc[0] == "closed") if len(df) else None
    return df


def last_group_email(
    data: Dataset,
    relation_id: str,
    group: str = "inside sales",
    *,
    as_of: dt.date | str | None = None,
    channel: str | None = "email",
) -> dict[str, Any] | None:
    """The last outgoing e-mail to the relation from a member of a user group.

    Parameters
    ----------
    group : a user group or department (default ``inside sales``).
    channel : ``email`` (default; correspondence without a channel counts as e-mail too), another
        channel, or ``None`` for any outgoing correspondence.

    Returns
    -------
    dict or None
        ``timestamp, days_ago, event_id, user_id, user_name, department, channel, subject, body,
        reference``; ``None`` when there is none. ``subject`` and ``body`` are untrusted text.

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> mail = last_group_email(ds, "R00002", "inside sales", as_of="2026-10-31")
    >>> mail is None or mail["user_id"] in {"PB", "LS", "EdG", "KV"}
    True
    """
    rid = _relation(data, relation_id)
    end = _as_of(as_of)
    members = _group_members(data, group)
    if not members:
        return None
    t = _events_of(data, [rid], end)
    t = t.filter(
        (t.source == "correspondence")
        & (t.action == "added")
        & (t.direction == "out")
        & t.user_id.isin(members)
    )
    if channel is not None:
        t = t.filter((t.channel == channel) | t.channel.isnull())
    cols = ["timestamp", "event_id", "user_id", "channel", "subject", "body", "reference"]
    df = t.order_by([ibis.desc("timestamp"), ibis.desc("event_id")]).limit(1).select(*cols)
    df = df.to_pandas()
    if df.empty:
        return None
    df = _with_users(df, data)
    row = df.iloc[0]
    rec = _record(row)
    rec["timestamp"] = pd.Timestamp(row["timestamp"])
    rec["days_ago"] = _days_ago(row["timestamp"], end)
    order = ["timestamp", "days_ago", "event_id", "user_id", "user_name", "department"]
    return {k: rec[k] for k in [*order, "channel", "subject", "body", "reference"]}


def _inbound(t: ibis.Table, rules) -> ibis.Value:
    """An inbound contact: direction ``in`` and correspondence or a contact moment."""
    return (t.direction == "in") & ((t.source == "correspondence") | _counted(t, rules))


def _mailing_responses(t: ibis.Table, days: int, as_of: dt.date, rules) -> pd.DataFrame:
    m = t.filter((t.source == "marketing") & (t.action == "mailing_sent")).select(
        "event_id",
        "relation_id",
        "reference",
        "subject",
        sent="timestamp",
        sent_by="user_id",
    )
    i = t.filter(_inbound(t, rules)).select(
        r_rel="relation_id",
        response_at="timestamp",
        response_event_id="event_id",
        response_user="user_id",
        response_source="source",
        response_channel="channel",
        response_subject="subject",
    )
    window = ibis.interval(days=days)
    j = m.left_join(
        i,
        [
            m.relation_id == i.r_rel,
            i.response_at > m.sent,
            i.response_at <= m.sent + window,
        ],
    )
    w = ibis.window(group_by=j.event_id, order_by=[j.response_at, j.response_event_id])
    j = j.mutate(rn=ibis.row_number().over(w))
    df = j.filter(j.rn == 0).drop("rn", "r_rel").to_pandas()
    if df.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in MAILING_COLUMNS})
        out.insert(0, "relation_id", pd.Series(dtype=object))
        return out
    df["sent"] = pd.to_datetime(df["sent"])
    df["response_at"] = pd.to_datetime(df["response_at"])
    df["deadline"] = df["sent"] + pd.Timedelta(days=days)
    df["responded"] = df["response_at"].notna()
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    pending = ~df["responded"] & (df["deadline"] >= end)
    df["status"] = np.where(
        df["responded"], "responded", np.where(pending, "pending", "no_response")
    )
    df["hours_to_response"] = (df["response_at"] - df["sent"]).dt.total_seconds() / 3600
    df = df.sort_values(["relation_id", "sent", "event_id"], kind="stable").reset_index(drop=True)
    return df[["relation_id", *MAILING_COLUMNS]]


def mailing_responses(
    data: Dataset,
    relation_id: str,
    days: int = 14,
    *,
    as_of: dt.date | str | None = None,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """For each mailing sent to the relation: did it respond within ``days`` days?

    Parameters
    ----------
    days : the window in days (× 24 hours of calendar time) after each mailing.
    as_of : "now" (default today): later events are not seen.
    rules : counting rules (which inbound events are contact moments).

    Returns
    -------
    pandas.DataFrame
        One row per ``mailing_sent``, oldest first: ``relation_id, event_id, sent, reference,
        subject, sent_by, deadline, responded, status, response_at, response_event_id,
        response_user, response_source, response_channel, response_subject,
        hours_to_response``. ``status`` is ``responded``, ``no_response`` or ``pending`` (no
        response yet, and the window is not over at the end of ``as_of``); the response is the
        first inbound contact in the window. ``attrs`` has ``mailings``, ``responded`` and
        ``response_rate`` (over the mailings that are not pending; ``None`` without any).

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> mr = mailing_responses(ds, "R00002", days=14, as_of="2026-10-31")
    >>> bool((mr.hours_to_response.dropna() <= 14 * 24).all())
    True
    """
    if int(days) != days or days < 1:
        raise ValueError(f"days must be a whole number of at least 1, got {days}")
    rid = _relation(data, relation_id)
    end = _as_of(as_of)
    df = _mailing_responses(_events_of(data, [rid], end), int(days), end, rules)
    decided = df[df["status"] != "pending"]
    df.attrs.update(
        {
            "days": int(days),
            "mailings": len(df),
            "responded": int(df["responded"].sum()) if len(df) else 0,
            "response_rate": float(decided["responded"].mean()) if len(decided) else None,
        }
    )
    return df


def top_customer_attention(
    data: Dataset,
    relation_id: str,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    result: pd.DataFrame | None = None,
    classes: Sequence[str] = ("A",),
    top_group: str | None = None,
    strategy: str = "relative",
    thresholds: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """Is the relation a top customer getting too little attention (the sales view, S9)?

    Parameters
    ----------
    selection : users, period, relations and revenue basis the sales view is computed over
        (default: all users and relations, the 365 days up to today, revenue from orders).
    result : a :func:`aandacht.calculate` table with revenue, to reuse instead of
        recalculating (then ``selection`` and ``rules`` are not used).
    classes : revenue classes that make a top customer (default ``A``).
    top_group : a B-group whose members are top customers too (e.g. ``top customers``).
    strategy, thresholds : the banding of the sales view.

    Returns
    -------
    dict
        ``relation_id, is_top, abc_class, in_top_group, revenue, contacts, expected_contacts,
        contact_gap, attention_index, sales_band, sales_area, too_little``; ``too_little`` is
        True for a top customer in the ``insufficient`` area. Revenue: show only to users with
        sales-monitor permission.

    Raises
    ------
    SelectionError
        When the relation is not among the measured relations.

    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> ans = top_customer_attention(ds, "R00215", Selection(as_of="2026-10-31", revenue="orders"))
    >>> ans["is_top"], ans["sales_area"], ans["too_little"]
    (True, 'insufficient', True)
    """
    rid = _relation(data, relation_id)
    if result is None:
        sel = selection or Selection()
        if sel.revenue is None:
            sel = dataclasses.replace(sel, revenue="orders")
        result = calculate(data, sel, rules)
    if "revenue" not in result.columns:
        raise ValueError("the counting result has no revenue: calculate it with a revenue basis")
    if rid not in set(result["relation_id"]):
        raise SelectionError(f"relation '{rid}' is not among the measured relations")
    params = {}
    if result.attrs.get("period_days"):
        params["period_days"] = result.attrs["period_days"]
    view = sales_view(result.reset_index(drop=True), strategy, thresholds, **params)
    row = view.table.set_index("relation_id").loc[rid]
    total = int(result.set_index("relation_id").loc[rid, "total"])
    in_group = False
    if top_group is not None:
        rg = data.relation_groups
        in_group = bool(((rg["group"] == top_group) & (rg["relation_id"] == rid)).any())
    abc = None if pd.isna(row["abc_class"]) else str(row["abc_class"])
    is_top = bool(abc in set(classes) or in_group)
    area = str(row["sales_area"])
    band = None if pd.isna(row["sales_band"]) else str(row["sales_band"])
    return {
        "relation_id": rid,
        "is_top": is_top,
        "abc_class": abc,
        "in_top_group": in_group,
        "revenue": float(row["revenue"]),
        "contacts": total,
        "expected_contacts": float(row["expected_contacts"]),
        "contact_gap": float(row["contact_gap"]),
        "attention_index": float(row["attention_index"]),
        "sales_band": band,
        "sales_area": area,
        "too_little": bool(is_top and area == "insufficient"),
    }


def answers(
    data: Dataset,
    relation_id: str,
    me: str,
    since: dt.date | str,
    *,
    as_of: dt.date | str | None = None,
    days: int = 14,
    department: str = "Service",
    group: str = "inside sales",
    rules: pd.DataFrame | str | None = None,
    selection: Selection | None = None,
    result: pd.DataFrame | None = None,
    sales_permission: bool = False,
    top_group: str | None = None,
    lang: str = "nl",
) -> dict[str, Any]:
    """All direct answers (S14) about one relation, for one panel.

    Parameters
    ----------
    relation_id, me, since : the relation, my user id, and the date "since" for colleagues.
    as_of : "now" (default today).
    days : the mailing response window.
    department : the group for "when did … last have contact" (default ``Service``).
    group : the group for "the last e-mail from …" (default ``inside sales``).
    selection, result, top_group : for the top-customer answer (see
        :func:`top_customer_attention`); the selection's ``as_of`` defaults to ``as_of``.
    sales_permission : the top-customer answer involves revenue (S13): without permission it is
        ``None``.

    Returns
    -------
    dict
        ``relation_id, me, since, as_of``; ``colleague_contacts`` (DataFrame) and
        ``colleague_contacted`` (bool); ``last_department_contact`` (dict or None);
        ``helpdesk_calls`` (DataFrame), ``open_calls`` (int), ``last_call_solved`` (bool or
        None); ``last_group_email`` (dict or None); ``mailing_responses`` (DataFrame);
        ``top_customer`` (dict, or None without sales permission).

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> a = answers(ds, "R00002", "JdV", "2026-10-01", as_of="2026-10-31")
    >>> sorted(k for k in a if k not in ("relation_id", "me", "since", "as_of"))[:3]
    ['colleague_contacted', 'colleague_contacts', 'helpdesk_calls']
    """
    end = _as_of(as_of)
    start = to_date(since, "since")
    rid = _relation(data, relation_id)
    cc = colleague_contacts(data, rid, me, start, as_of=end, rules=rules, lang=lang)
    calls = helpdesk_calls(data, rid, as_of=end)
    top = None
    if sales_permission:
        sel = selection or Selection(as_of=end)
        if sel.as_of is None:
            sel = dataclasses.replace(sel, as_of=end)
        top = top_customer_attention(data, rid, sel, rules, result=result, top_group=top_group)
    return {
        "relation_id": rid,
        "me": me,
        "since": start,
        "as_of": end,
        "colleague_contacts": cc,
        "colleague_contacted": bool(len(cc)),
        "last_department_contact": last_contact_by_group(
            data, rid, department, as_of=end, rules=rules, lang=lang
        ),
        "helpdesk_calls": calls,
        "open_calls": calls.attrs["open_calls"],
        "last_call_solved": calls.attrs["last_solved"],
        "last_group_email": last_group_email(data, rid, group, as_of=end),
        "mailing_responses": mailing_responses(data, rid, days, as_of=end, rules=rules),
        "top_customer": top,
    }


def answer_texts(
    a: dict[str, Any] | None,
    lang: str = "nl",
    *,
    me: str,
    department: str,
    group: str,
    days: int,
    privacy: bool = False,
    revenue: bool = True,
) -> list[dict[str, Any]]:
    """:func:`answers`' answers as ``{"key", "question", "answer", "details"}`` texts in
    ``lang`` (``"nl"`` or ``"en"``), one per question, for a screen or a report.

    ``me``, ``department`` and ``group`` name who asks, their department and the group of
    the e-mail question; ``days`` is the mailings' response window. With ``privacy``
    subjects and bodies are masked. The top-customer answer (revenue) is given only with
    ``revenue`` and when the answers hold it. Subjects and bodies are CRM content: show the
    texts as text, never as HTML.
    """
    if a is None:
        return []
    private = privacy

    def field(r: Any, name: str) -> Any:  # subject/body are absent without contact details
        return r.get(name) if isinstance(r, dict) else getattr(r, name, None)

    def text(v: Any) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
            return ""
        return MASK if private else str(v)

    def when(ts: Any) -> str:
        return fmt_date(ts, lang)

    def who(name: Any, user_id: Any) -> str:
        return str(name) if isinstance(name, str) and name else str(user_id or "–")

    out = []
    # did a colleague have contact since a date, and how?
    cc = a["colleague_contacts"]
    details = [
        t(
            "answer_contact_line",
            lang,
            date=when(r.timestamp),
            how=r.how,
            user=who(r.user_name, r.user_id),
            department=r.department if isinstance(r.department, str) else "–",
        )  # fmt: skip
        for r in cc.head(5).itertuples()
    ]
    if len(cc) > 5:
        details.append(t("answer_more", lang, n=fmt_number(len(cc) - 5, lang)))
    out.append(
        {
            "key": "colleague",
            "question": t("q_colleague", lang, me=me, since=when(a["since"])),
            "answer": t("answer_yes_n", lang, n=fmt_number(len(cc), lang))
            if len(cc)
            else t("answer_no", lang),
            "details": details,
        }
    )
    # when did the department last have contact?
    last = a["last_department_contact"]
    out.append(
        {
            "key": "department",
            "question": t("q_department", lang, group=department),
            "answer": t("answer_never", lang)
            if last is None
            else t(
                "answer_last_contact",
                lang,
                date=when(last["timestamp"]),
                ago=fmt_days_ago(int(last["days_ago"]), lang),
                how=last["how"],
                user=who(last["user_name"], last["user_id"]),
            ),
            "details": [],
        }
    )
    # open helpdesk calls; is the last problem solved?
    calls = a["helpdesk_calls"]
    if calls.empty:
        answer = t("answer_no_calls", lang)
    else:
        solved = t("yes" if a["last_call_solved"] else "no", lang)
        answer = t("answer_calls", lang, open=fmt_number(a["open_calls"], lang), solved=solved)
    details = [
        t(
            "answer_call_line",
            lang,
            call=r.call,
            date=when(r.opened),
            subject=text(field(r, "subject")),
            status=t(f"call_{r.status}", lang),
            days=fmt_number(r.age_days, lang),
        )  # fmt: skip
        for r in calls[calls["status"] == "open"].head(5).itertuples()
    ]
    out.append({"key": "calls", "question": t("q_calls", lang), "answer": answer,
                "details": details})  # fmt: skip
    # the last e-mail from the group, with its text
    mail = a["last_group_email"]
    out.append(
        {
            "key": "email",
            "question": t("q_email", lang, group=group),
            "answer": t("answer_none", lang)
            if mail is None
            else t(
                "answer_email",
                lang,
                date=when(mail["timestamp"]),
                user=who(mail["user_name"], mail["user_id"]),
                subject=text(mail.get("subject")),
            ),
            "details": [] if mail is None or not mail.get("body") else [text(mail["body"])],
        }
    )
    # did the relation respond within N days of each mailing?
    mr = a["mailing_responses"]
    rate = mr.attrs.get("response_rate")
    if mr.empty:
        answer = t("answer_no_mailings", lang)
    else:
        decided = int((mr["status"] != "pending").sum())
        answer = t(
            "answer_mailings",
            lang,
            responded=fmt_number(int(mr["responded"].sum()), lang),
            mailings=fmt_number(decided, lang),
            rate="–" if rate is None else fmt_percent(rate, lang),
        )
    details = [
        t(
            "answer_mailing_line",
            lang,
            date=when(r.sent),
            subject=text(field(r, "subject")),
            status=t(f"mailing_{r.status}", lang),
        )  # fmt: skip
        for r in mr.sort_values("sent", ascending=False).head(5).itertuples()
    ]
    out.append(
        {
            "key": "mailings",
            "question": t("q_mailings", lang, days=fmt_number(days, lang)),
            "answer": answer,
            "details": details,
        }
    )
    # a top customer getting too little attention? (revenue: with permission only)
    top = a.get("top_customer")
    if top is not None and revenue:
        if not top["is_top"]:
            answer = t("answer_not_top", lang, abc=top.get("abc_class") or "–")
        else:
            answer = t(
                "answer_top_yes" if top["too_little"] else "answer_top_no",
                lang,
                abc=top["abc_class"] or "–",
                revenue=fmt_money(top["revenue"], lang),
                contacts=fmt_number(top["contacts"], lang),
                expected=fmt_number(top["expected_contacts"], lang, 1),
            )
        out.append({"key": "top", "question": t("q_top", lang), "answer": answer, "details": []})
    return out
