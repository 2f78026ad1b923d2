"""Two-way attention (B4): inbound against outbound contact, sleeping relations, response time.

Everything that touches the event log runs in the engine (Ibis): the pairing of each inbound
e-mail with the next outbound correspondence is a window function, and the working-time
arithmetic is plain integer arithmetic on epoch seconds, so it runs on DuckDB, PostgreSQL or a
distributed engine alike. One row per relation comes back.

Definitions (also in ``docs/insights.md``)

* **Inbound / outbound**: the contact moments (counting rules) in the period by the selected
  users whose ``direction`` is ``in`` / ``out``: correspondence, and history, notes or other
  sources where the CRM records a direction. Contact moments without a direction are
  ``undirected``. ``in_share`` = inbound / (inbound + outbound), empty when both are 0.
* **Sleeping**: at least ``sleeping_min_out`` (default 3) outbound and no inbound contact
  moments in the period: we talk, they do not answer.
* **Inbound e-mail**: a correspondence event with direction ``in`` and channel ``email`` (or no
  channel), received in the period by one of the selected users.
* **Response time**: from an inbound e-mail to the next outbound correspondence (any channel, by
  any user) to the same relation, strictly later, up to the end of ``as_of``. Each inbound
  e-mail is measured on its own, so two e-mails answered by one reply give two times. An inbound
  e-mail without a later reply is *unanswered* and has no time. An outbound event at the very
  same second does not answer it.
* **Working time**: the same interval with Saturdays and Sundays (00:00–24:00) left out;
  ``working_days`` = working hours / 24. Public holidays and office hours are not taken into
  account. A Friday 16:00 e-mail answered on Monday 09:00 took 65 hours, 17 working hours.
* **Median**: the middle value; for an even number the mean of the two middle values.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from .counting import category_conditions, day_start, selected_events
from .dataset import Dataset
from .rules import load_rules
from .selection import Selection, resolve_relations, resolve_users

__all__ = ["SLEEPING_MIN_OUT", "TWO_WAY_COLUMNS", "response_times", "two_way"]

#: Default minimum of outbound contact moments (with none inbound) for "sleeping".
SLEEPING_MIN_OUT = 3

TWO_WAY_COLUMNS = [
    "relation_id",
    "name",
    "inbound",
    "outbound",
    "undirected",
    "correspondence_in",
    "correspondence_out",
    "other_in",
    "other_out",
    "in_share",
    "sleeping",
    "last_inbound",
    "days_since_inbound",
    "inbound_emails",
    "answered",
    "unanswered",
    "median_response_hours",
    "median_response_working_hours",
    "median_response_working_days",
]
RESPONSE_COLUMNS = TWO_WAY_COLUMNS[TWO_WAY_COLUMNS.index("inbound_emails") :]

_DAY = 86_400
# A whole number of weeks added to epoch seconds so that day and week numbers stay positive
# (any timestamp after 1778 works); epoch day 0 (1970-01-01) is a Thursday, so + 3 days puts
# day 0 of the shifted count on a Monday.
_SHIFT = (7 * 10_000 + 3) * _DAY


def _working_seconds(ts: ibis.Value) -> ibis.Value:
    """Seconds of Monday–Friday time from a fixed Monday up to ``ts`` (an Ibis expression)."""
    s = ts.epoch_seconds().cast("int64") + _SHIFT
    day = s // _DAY
    weekday = day % 7  # 0 = Monday
    in_day = s - day * _DAY
    return (
        (day // 7) * (5 * _DAY)
        + ibis.least(weekday, 5) * _DAY
        + ibis.ifelse(weekday < 5, in_day, ibis.literal(0, "int64"))
    )


def _period(sel: Selection):
    p_from, p_to = sel.period()
    return day_start(p_from), day_start(p_to + dt.timedelta(days=1))


def _all_users_events(data: Dataset, sel: Selection, relations: pd.DataFrame) -> ibis.Table:
    """The selected relations' events up to the end of ``as_of``, by any user."""
    return selected_events(data, sel, None, relations)


def _response_pairs(data: Dataset, sel: Selection) -> ibis.Table:
    """Each inbound e-mail of the selection with the next outbound correspondence after it."""
    users = resolve_users(data, sel)
    relations = resolve_relations(data, sel)
    start, end = _period(sel)
    t = _all_users_events(data, sel, relations)
    c = t.filter(
        (t.source == "correspondence") & (t.action == "added") & t.direction.isin(["in", "out"])
    )
    # at equal timestamps the outbound rows come first, so they never follow (answer) the inbound
    rank = ibis.cases((c.direction == "out", 0), else_=1)
    following = ibis.window(
        group_by=c.relation_id, order_by=[c.timestamp, rank, c.event_id], rows=(1, None)
    )
    out_ts = ibis.cases((c.direction == "out", c.timestamp), else_=ibis.null("timestamp"))
    c = c.mutate(reply_at=out_ts.min().over(following))
    inb = c.filter(
        (c.direction == "in")
        & ((c.channel == "email") | c.channel.isnull())
        & (c.timestamp >= start)
        & (c.timestamp < end)
    )
    if users is not None:
        inb = inb.filter(inb.user_id.isin(users))
    seconds = inb.reply_at.epoch_seconds().cast("int64") - inb.timestamp.epoch_seconds().cast(
        "int64"
    )
    working = _working_seconds(inb.reply_at) - _working_seconds(inb.timestamp)
    return inb.select(
        "relation_id",
        "event_id",
        "user_id",
        received="timestamp",
        reply_at="reply_at",
        seconds=seconds,
        working_seconds=working,
    )


def _summarise(pairs: ibis.Table, by: list[str]) -> ibis.Table:
    aggs = {
        "inbound_emails": pairs.count(),
        "answered": pairs.reply_at.count(),
        "median_response_hours": pairs.seconds.median() / 3600,
        "median_response_working_hours": pairs.working_seconds.median() / 3600,
    }
    return pairs.group_by(by).aggregate(**aggs) if by else pairs.aggregate(**aggs)


def response_times(
    data: Dataset, selection: Selection | None = None, *, detail: bool = False
) -> pd.DataFrame:
    """Response time to inbound e-mail per relation (or per e-mail with ``detail=True``).

    Parameters
    ----------
    data : a loaded data set.
    selection : the period (inbound e-mails received in it), the users who received them, the
        relations and ``as_of`` (replies are seen up to its end).
    detail : one row per inbound e-mail instead of per relation.

    Returns
    -------
    pandas.DataFrame
        Per relation with at least one inbound e-mail: ``relation_id, inbound_emails, answered,
        unanswered, median_response_hours, median_response_working_hours,
        median_response_working_days`` (medians empty when nothing was answered). With
        ``detail``: ``relation_id, event_id, user_id, received, reply_at, hours,
        working_hours, working_days``. ``attrs`` holds the medians over all inbound e-mails.

    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> rt = response_times(ds, Selection(as_of="2026-10-31")).dropna()
    >>> bool((rt.median_response_working_hours <= rt.median_response_hours).all())
    True
    """
    sel = selection or Selection()
    pairs = _response_pairs(data, sel)
    attrs = _overall(pairs)
    if detail:
        df = pairs.to_pandas()
        df["hours"] = df["seconds"] / 3600
        df["working_hours"] = df["working_seconds"] / 3600
        df["working_days"] = df["working_hours"] / 24
        for col in ("received", "reply_at"):
            df[col] = pd.to_datetime(df[col])
        df = df.sort_values(["relation_id", "received", "event_id"], kind="stable")
        cols = ["relation_id", "event_id", "user_id", "received", "reply_at", "hours"]
        df = df[[*cols, "working_hours", "working_days"]].reset_index(drop=True)
    else:
        df = _summarise(pairs, ["relation_id"]).to_pandas()
        df = _finish_responses(df).sort_values("relation_id").reset_index(drop=True)
        df = df[["relation_id", *RESPONSE_COLUMNS]]
    df.attrs.update(attrs)
    return df


def _overall(pairs: ibis.Table) -> dict:
    """The counts and medians over all inbound e-mails of ``pairs``."""
    row = _summarise(pairs, []).to_pandas().iloc[0]
    hours = _float(row["median_response_working_hours"])
    return {
        "inbound_emails": int(row["inbound_emails"]),
        "answered": int(row["answered"]),
        "median_response_hours": _float(row["median_response_hours"]),
        "median_response_working_hours": hours,
        "median_response_working_days": None if hours is None else hours / 24,
    }


def _float(v) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _finish_responses(df: pd.DataFrame) -> pd.DataFrame:
    df["inbound_emails"] = df["inbound_emails"].fillna(0).astype("int64")
    df["answered"] = df["answered"].fillna(0).astype("int64")
    df["unanswered"] = df["inbound_emails"] - df["answered"]
    for col in ("median_response_hours", "median_response_working_hours"):
        df[col] = df[col].astype("float64")
    df["median_response_working_days"] = df["median_response_working_hours"] / 24
    return df


def two_way(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    sleeping_min_out: int = SLEEPING_MIN_OUT,
) -> pd.DataFrame:
    """Inbound against outbound contact per relation, sleeping relations, response time.

    Parameters
    ----------
    data : a loaded data set.
    selection : users, period, relations and ``as_of`` (as for :func:`aandacht.calculate`).
    rules : counting rules; default the contract's.
    sleeping_min_out : outbound contact moments (with none inbound) that make a relation
        sleeping.

    Returns
    -------
    pandas.DataFrame
        One row per measured relation (in the order of the relations table; relations without
        any event have zeros, ``sleeping`` False and empty medians): ``relation_id, name,
        inbound, outbound, undirected, correspondence_in, correspondence_out, other_in,
        other_out, in_share, sleeping, last_inbound, days_since_inbound, inbound_emails,
        answered, unanswered, median_response_hours, median_response_working_hours,
        median_response_working_days``. ``last_inbound`` / ``days_since_inbound``: the last
        inbound contact moment by the selected users up to ``as_of`` (not limited to the
        period). ``attrs`` holds the overall medians (see :func:`response_times`).

    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> tw = two_way(ds, Selection(as_of="2026-10-31"))
    >>> bool((tw.inbound + tw.outbound + tw.undirected >= 0).all()), len(tw) == len(ds.relations)
    (True, True)
    """
    sel = selection or Selection()
    if int(sleeping_min_out) < 1:
        raise ValueError(f"sleeping_min_out must be at least 1, got {sleeping_min_out}")
    rules_df = load_rules(rules)
    users = resolve_users(data, sel)
    relations = resolve_relations(data, sel)
    as_of = sel.resolved_as_of()
    start, end = _period(sel)
    t = selected_events(data, sel, users, relations)
    t = t.filter(ibis.or_(*category_conditions(t, rules_df).values()))
    in_period = (t.timestamp >= start) & (t.timestamp < end)
    is_in, is_out = t.direction == "in", t.direction == "out"
    corr = t.source == "correspondence"
    agg = t.group_by("relation_id").aggregate(
        inbound=t.count(where=in_period & is_in),
        outbound=t.count(where=in_period & is_out),
        undirected=t.count(where=in_period & t.direction.isnull()),
        correspondence_in=t.count(where=in_period & is_in & corr),
        correspondence_out=t.count(where=in_period & is_out & corr),
        last_inbound=t.timestamp.max(where=is_in),
    )
    counts = agg.to_pandas()
    pairs = _response_pairs(data, sel)
    responses = _summarise(pairs, ["relation_id"]).to_pandas()

    out = relations[["relation_id", "name"]].copy()
    out["relation_id"] = out["relation_id"].astype(object)
    for df in (counts, responses):
        df["relation_id"] = df["relation_id"].astype(object)
        out = out.merge(df, on="relation_id", how="left", validate="one_to_one")
    for col in ("inbound", "outbound", "undirected", "correspondence_in", "correspondence_out"):
        out[col] = out[col].fillna(0).astype("int64")
    out["other_in"] = out["inbound"] - out["correspondence_in"]
    out["other_out"] = out["outbound"] - out["correspondence_out"]
    both = out["inbound"] + out["outbound"]
    out["in_share"] = np.where(both > 0, out["inbound"] / both.where(both > 0, 1), np.nan)
    out["sleeping"] = (out["outbound"] >= int(sleeping_min_out)) & (out["inbound"] == 0)
    out["last_inbound"] = pd.to_datetime(out["last_inbound"])
    out["days_since_inbound"] = (
        pd.Timestamp(as_of) - out["last_inbound"].dt.normalize()
    ).dt.days.astype("Int64")
    out = _finish_responses(out)
    out = out[TWO_WAY_COLUMNS]
    p_from, p_to = sel.period()
    out.attrs.update(
        {
            **_overall(pairs),
            "as_of": as_of.isoformat(),
            "period_from": p_from.isoformat(),
            "period_to": p_to.isoformat(),
            "sleeping_min_out": int(sleeping_min_out),
            "sleeping": int(out["sleeping"].sum()),
        }
    )
    return out
