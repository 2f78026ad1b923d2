"""Reports (S15, B7): the hand-over report and the catch-up report, as tables and as Excel.

* :func:`handover_report` — for an employee who leaves: every relation they had contact with,
  their last contact, open helpdesk calls and open quotes, and who else knows the relation.
* :func:`catchup_report` — everything that happened in my relations since a date (after a
  holiday), grouped by relation.
* :func:`write_handover_xlsx`, :func:`write_catchup_xlsx` — one workbook each, formula-safe
  (:func:`aandacht.export.write_xlsx`), with a first sheet that says what is in it.

The selection of events runs in the engine (Ibis); only the rows of the report come back.

Definitions (also in ``docs/insights.md``)

* **Contact moment**: as in the counting rules. Events after the end of ``as_of`` are not seen.
* **Relations of the employee (hand-over)**: every relation with at least one contact moment by
  the employee (since ``since`` when given, else in the whole history).
* **Who else knows the relation**: the other users with a contact moment with it in the whole
  history up to ``as_of``, each with their number of contact moments and their last one;
  ``single_point`` when there is none.
* **Open call**: a helpdesk call whose status is ``open`` (see :mod:`aandacht.answers`).
* **Open quote**: a ``quote_added`` without a later (or simultaneous) ``quote_to_order``,
  ``quote_expired`` or ``order_added`` in the same reference chain of the same relation. The
  chain is the reference without a one- or two-letter prefix and dash (``Q-2025-0100`` and
  ``O-2025-0100`` are one chain ``2025-0100``); a reference without such a prefix is its own
  chain; a quote without a reference cannot be followed and stays open.
* **My relations (catch-up)**: the relations of a B-group when one is given, else the relations
  where ``me`` had a contact moment in the ``my_days`` (365) days up to and including ``as_of``.
* **What happened**: every event of those relations (contact moments and others: invoices,
  mailings, call changes), by anyone, from 00:00 of ``since`` through the end of ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import ibis
import pandas as pd

from .answers import _as_of, _calls, _counted, _end, _user
from .counting import category_conditions, day_start
from .dataset import Dataset
from .errors import SelectionError
from .export import write_xlsx
from .i18n import TEXT, fmt_date, t
from .rules import load_rules
from .schema import CATEGORIES
from .summary import describe_contact

__all__ = [
    "CatchupReport",
    "HandoverReport",
    "catchup_report",
    "chain_key",
    "handover_report",
    "open_quotes",
    "pseudonymise_report",
    "without_amounts",
    "write_catchup_xlsx",
    "write_handover_xlsx",
]

#: Actions that close a quote of the same chain.
QUOTE_CLOSERS = ("quote_to_order", "quote_expired", "order_added")
#: A reference prefix that is left out of the chain key (``Q-``, ``O-``, ``F-``, ``S-``, …).
CHAIN_PREFIX = r"^[A-Za-z]{1,2}-"


def chain_key(reference: ibis.Value) -> ibis.Value:
    """The reference chain of a sales reference (an Ibis expression): the prefix removed.

    >>> import ibis, pandas as pd
    >>> t = ibis.memtable(pd.DataFrame({"r": ["Q-2025-0100", "O-2025-0100", "4711"]}))
    >>> t.select(k=chain_key(t.r)).to_pandas().k.tolist()
    ['2025-0100', '2025-0100', '4711']
    """
    return reference.re_replace(CHAIN_PREFIX, "")


def _relation_table(ids: ibis.Table | pd.Series) -> ibis.Table:
    if isinstance(ids, ibis.Table):
        return ids
    return ibis.memtable(pd.DataFrame({"relation_id": pd.Series(list(ids), dtype=object)}))


def _quotes(t: ibis.Table, as_of: dt.date) -> pd.DataFrame:
    """Open quotes among the sales events ``t`` (already limited to relations and ``as_of``)."""
    s = t.filter(t.source == "sales")
    s = s.mutate(chain=chain_key(s.reference))
    q = s.filter(s.action == "quote_added").select(
        "relation_id",
        "event_id",
        "reference",
        "chain",
        "subject",
        "amount",
        quoted_at="timestamp",
        user_id="user_id",
    )
    c = s.filter(s.action.isin(QUOTE_CLOSERS) & s.chain.notnull()).select(
        c_rel="relation_id", c_chain="chain", c_ts="timestamp"
    )
    j = q.left_join(c, [q.relation_id == c.c_rel, q.chain == c.c_chain, c.c_ts >= q.quoted_at])
    agg = j.group_by(
        ["relation_id", "event_id", "reference", "subject", "amount", "quoted_at", "user_id"]
    ).aggregate(closers=j.c_ts.count())
    df = agg.filter(agg.closers == 0).drop("closers").to_pandas()
    cols = ["relation_id", "reference", "quoted_at", "amount", "user_id", "subject", "event_id"]
    if df.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in [*cols, "age_days"]})
        return out
    df["quoted_at"] = pd.to_datetime(df["quoted_at"])
    df["amount"] = df["amount"].astype("float64")
    df["age_days"] = (pd.Timestamp(as_of) - df["quoted_at"].dt.normalize()).dt.days
    df = df.sort_values(["relation_id", "quoted_at", "event_id"], kind="stable")
    return df[[*cols, "age_days"]].reset_index(drop=True)


def open_quotes(
    data: Dataset,
    relation_ids: list[str] | pd.Series | None = None,
    *,
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """Quotes still open at the end of ``as_of`` (see the module docstring).

    Parameters
    ----------
    relation_ids : the relations; default all.

    Returns
    -------
    pandas.DataFrame
        ``relation_id, reference, quoted_at, amount, user_id, subject, event_id, age_days``, by
        relation and time.

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> oq = open_quotes(ds, as_of="2026-10-31")
    >>> bool(oq.reference.str.startswith("Q-").all())
    True
    """
    end = _as_of(as_of)
    ev = data.events
    ev = ev.filter(ev.timestamp < _end(end))
    if relation_ids is not None:
        ev = ev.semi_join(_relation_table(pd.Series(relation_ids)), "relation_id")
    return _quotes(ev, end)


# --------------------------------------------------------------------------------------------
# hand-over


@dataclass
class HandoverReport:
    """The hand-over report of one employee (see :func:`handover_report`).

    Attributes
    ----------
    relations : one row per relation the employee had contact with.
    open_calls : the open helpdesk calls of those relations.
    open_quotes : the open quotes of those relations.
    others : per relation, the other users who had contact with it.
    settings : what the report is about (user, dates, counts), as ``item → value``.
    """

    relations: pd.DataFrame
    open_calls: pd.DataFrame
    open_quotes: pd.DataFrame
    others: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)


HANDOVER_COLUMNS = [
    "relation_id",
    "name",
    "city",
    "contacts",
    "first_contact",
    "last_contact",
    "days_since",
    "last_how",
    "last_subject",
    "open_calls",
    "open_quotes",
    "open_quote_amount",
    "other_users",
    "others",
    "single_point",
]


def handover_report(
    data: Dataset,
    user: str,
    *,
    as_of: dt.date | str | None = None,
    since: dt.date | str | None = None,
    rules: pd.DataFrame | str | None = None,
    lang: str = "nl",
) -> HandoverReport:
    """Everything a successor needs about the relations of an employee who leaves.

    Parameters
    ----------
    user : the employee (user id).
    as_of : "now" (default today).
    since : only relations with a contact moment by ``user`` since this date (default: the
        whole history).
    rules : counting rules; default the contract's.
    Figures per employee (B6): :class:`aandacht.service.Session` gives this report only to a
    principal with the ``employees`` role.
    lang : language of the ``last_how`` descriptions and dates in ``others``.

    Returns
    -------
    HandoverReport
        ``relations``: ``relation_id, name, city, contacts, first_contact, last_contact,
        days_since, last_how, last_subject, open_calls, open_quotes, open_quote_amount,
        other_users, others, single_point`` — single points of contact first, then the most
        recent contact; ``others`` reads like ``NeA (03-05-2026), PB (12-01-2026)``.

    Raises
    ------
    SelectionError
        For an unknown user.

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> rep = handover_report(ds, "RJ", as_of="2026-10-31")
    >>> len(rep.relations) > 0, bool((rep.relations.contacts > 0).all())
    (True, True)
    """
    uid = _user(data, user)
    end = _as_of(as_of)
    start = pd.Timestamp(since).date() if since not in (None, "") else None
    rules_df = load_rules(rules)
    ev = data.events
    ev = ev.filter(ev.timestamp < _end(end))
    counted = ev.filter(_counted(ev, rules_df))
    mine = counted.filter(counted.user_id == uid)
    if start is not None:
        mine = mine.filter(mine.timestamp >= day_start(start))
    agg = mine.group_by("relation_id").aggregate(
        contacts=mine.count(), first_contact=mine.timestamp.min(), last_contact=mine.timestamp.max()
    )
    lt = agg.select(r="relation_id", ts="last_contact")
    last = mine.join(lt, [mine.relation_id == lt.r, mine.timestamp == lt.ts]).select(
        "relation_id", "event_id", "source", "action", "channel", "direction", "subject"
    )
    rels = agg.select("relation_id")
    mine_df = agg.to_pandas()
    last_df = last.to_pandas().sort_values(["relation_id", "event_id"])
    last_df = last_df.drop_duplicates("relation_id", keep="last").set_index("relation_id")

    rel_events = ev.semi_join(rels, "relation_id")
    calls = _calls(rel_events, end)
    calls = calls[calls["status"] == "open"].reset_index(drop=True)
    quotes = _quotes(rel_events, end)
    others_t = counted.filter(counted.user_id != uid).semi_join(rels, "relation_id")
    others = (
        others_t.group_by(["relation_id", "user_id"])
        .aggregate(contacts=others_t.count(), last_contact=others_t.timestamp.max())
        .to_pandas()
    )
    others = _user_columns(others, data)
    others["last_contact"] = pd.to_datetime(others["last_contact"])
    others["contacts"] = others["contacts"].astype("int64")
    others = others.sort_values(
        ["relation_id", "last_contact", "user_id"], ascending=[True, False, True]
    ).reset_index(drop=True)
    others = others[
        ["relation_id", "user_id", "user_name", "department", "active", "contacts", "last_contact"]
    ]

    out = mine_df.copy()
    out["relation_id"] = out["relation_id"].astype(object)
    info = data.relations.set_index(data.relations["relation_id"].astype(object))
    out["name"] = out["relation_id"].map(info["name"])
    out["city"] = out["relation_id"].map(info["city"])
    out["contacts"] = out["contacts"].astype("int64")
    for col in ("first_contact", "last_contact"):
        out[col] = pd.to_datetime(out[col])
    out["days_since"] = (pd.Timestamp(end) - out["last_contact"].dt.normalize()).dt.days
    lrow = last_df.reindex(out["relation_id"])
    out["last_how"] = [
        describe_contact(s, a, c, d, lang)
        for s, a, c, d in zip(
            lrow["source"], lrow["action"], lrow["channel"], lrow["direction"], strict=True
        )
    ]
    out["last_subject"] = lrow["subject"].to_numpy()
    out["open_calls"] = out["relation_id"].map(calls.groupby("relation_id").size())
    out["open_quotes"] = out["relation_id"].map(quotes.groupby("relation_id").size())
    out["open_quote_amount"] = out["relation_id"].map(quotes.groupby("relation_id")["amount"].sum())
    for col in ("open_calls", "open_quotes"):
        out[col] = out[col].fillna(0).astype("int64")
    out["open_quote_amount"] = out["open_quote_amount"].astype("float64").fillna(0.0).round(2)
    per = others.groupby("relation_id")
    out["other_users"] = out["relation_id"].map(per.size()).fillna(0).astype("int64")
    texts = {
        rid: ", ".join(
            f"{u} ({fmt_date(ts.date(), lang)})"
            for u, ts in zip(g["user_id"], g["last_contact"], strict=True)
        )
        for rid, g in per
    }
    out["others"] = out["relation_id"].map(texts).fillna("")
    out["single_point"] = out["other_users"] == 0
    out = out.sort_values(
        ["single_point", "last_contact", "relation_id"], ascending=[False, False, True]
    )
    out = out[HANDOVER_COLUMNS].reset_index(drop=True)
    urow = data.users.set_index("user_id").loc[uid]
    settings = {
        "report": "handover",
        "user": uid,
        "user_name": _none(urow.get("name")),
        "department": _none(urow.get("department")),
        "active": _none(urow.get("active")),
        "as_of": end,
        "since": start,
        "relations": len(out),
        "single_points": int(out["single_point"].sum()),
        "open_calls": len(calls),
        "open_quotes": len(quotes),
    }
    return HandoverReport(
        relations=out, open_calls=calls, open_quotes=quotes, others=others, settings=settings
    )


def _none(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _user_columns(df: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    users = data.users.set_index("user_id")
    df["relation_id"] = df["relation_id"].astype(object)
    df["user_id"] = df["user_id"].astype(object)
    df["user_name"] = df["user_id"].map(users["name"])
    df["department"] = df["user_id"].map(users["department"])
    df["active"] = df["user_id"].map(users["active"])
    return df


# --------------------------------------------------------------------------------------------
# catch-up


@dataclass
class CatchupReport:
    """The catch-up report (see :func:`catchup_report`).

    Attributes
    ----------
    summary : one row per relation where something happened.
    events : every event, grouped by relation (in the order of ``summary``), then in time.
    settings : what the report is about, as ``item → value``.
    """

    summary: pd.DataFrame
    events: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)


CATCHUP_EVENT_COLUMNS = [
    "relation_id",
    "name",
    "timestamp",
    "user_id",
    "user_name",
    "source",
    "action",
    "what",
    "counted",
    "channel",
    "direction",
    "subject",
    "body",
    "amount",
    "status",
    "reference",
    "event_id",
]


def catchup_report(
    data: Dataset,
    me: str,
    since: dt.date | str,
    *,
    as_of: dt.date | str | None = None,
    b_group: str | None = None,
    my_days: int = 365,
    rules: pd.DataFrame | str | None = None,
    lang: str = "nl",
) -> CatchupReport:
    """Everything that happened in my relations since a date, grouped by relation.

    Parameters
    ----------
    me : my user id.
    since : the first day (from 00:00), e.g. the first day of my holiday.
    as_of : "now" (default today).
    b_group : my relations are this B-group (default: the relations I had contact with).
    my_days : "my relations" = a contact moment by me in these days up to ``as_of``.
    rules : counting rules (which events are contact moments).
    lang : language of the ``what`` column.

    Returns
    -------
    CatchupReport
        ``summary``: ``relation_id, name, events, contact_moments, history, correspondence,
        sales, helpdesk, other, users, first_event, last_event, open_calls`` — the relations
        with the most events first; ``events``: ``relation_id, name, timestamp, user_id,
        user_name, source, action, what, counted, channel, direction, subject, body, amount,
        status, reference, event_id``. ``other`` counts events that are no contact moments
        (invoices, mailings, call changes).

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> rep = catchup_report(ds, "JdV", "2026-10-26", as_of="2026-10-31")
    >>> bool((rep.events.timestamp >= "2026-10-26").all()), rep.settings["relations"] > 0
    (True, True)
    """
    uid = _user(data, me)
    end = _as_of(as_of)
    start = pd.Timestamp(since).date()
    if start > end:
        raise SelectionError(f"'since' ({start}) is after as_of ({end})")
    rules_df = load_rules(rules)
    ev = data.events
    ev = ev.filter(ev.timestamp < _end(end))
    if b_group is not None:
        if b_group not in data.b_group_names():
            raise SelectionError(
                f"unknown B-group '{b_group}'. B-groups: {', '.join(data.b_group_names())}"
            )
        rg = data.relation_groups
        ids = rg.loc[rg["group"] == b_group, "relation_id"].astype(object)
        rels = _relation_table(ids)
        scope = t("scope_b_group", lang, group=b_group)
        n_mine = len(set(ids))
    else:
        if int(my_days) < 1:
            raise ValueError(f"my_days must be at least 1, got {my_days}")
        first = end - dt.timedelta(days=int(my_days) - 1)
        m = ev.filter((ev.user_id == uid) & (ev.timestamp >= day_start(first)))
        m = m.filter(_counted(m, rules_df))
        ids = m.select("relation_id").distinct().to_pandas()["relation_id"].astype(object)
        rels = _relation_table(ids)
        scope = t("scope_mine", lang, user=uid, days=int(my_days))
        n_mine = len(ids)
    happened = ev.semi_join(rels, "relation_id")
    open_calls = _calls(happened, end)
    open_calls = open_calls[open_calls["status"] == "open"]
    happened = happened.filter(happened.timestamp >= day_start(start))
    conds = category_conditions(happened, rules_df)
    under = ibis.cases(*[(c, cat) for cat, c in conds.items()], else_=ibis.null("string"))
    happened = happened.mutate(counted_under=under)
    cols = [c for c in CATCHUP_EVENT_COLUMNS if c not in ("name", "user_name", "what", "counted")]
    df = happened.select(*cols, "counted_under").to_pandas()
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    df["amount"] = df["amount"].astype("float64")
    df["relation_id"] = df["relation_id"].astype(object)
    df["counted"] = df["counted_under"].notna()
    info = data.relations.set_index(data.relations["relation_id"].astype(object))
    df["name"] = df["relation_id"].map(info["name"])
    df["user_name"] = df["user_id"].map(data.users.set_index("user_id")["name"])
    df["what"] = [
        _action_label(s, a, lang) if s == "marketing" else describe_contact(s, a, c, d, lang)
        for s, a, c, d in zip(
            df["source"], df["action"], df["channel"], df["direction"], strict=True
        )
    ]
    summary = _catchup_summary(df, open_calls, info)
    order = {rid: i for i, rid in enumerate(summary["relation_id"])}
    df["_order"] = df["relation_id"].map(order)
    df = df.sort_values(["_order", "timestamp", "event_id"], kind="stable")
    events = df[CATCHUP_EVENT_COLUMNS].reset_index(drop=True)
    settings = {
        "report": "catchup",
        "user": uid,
        "since": start,
        "as_of": end,
        "scope": scope,
        "my_relations": n_mine,
        "relations": len(summary),
        "quiet_relations": n_mine - len(summary),
        "events": len(events),
    }
    return CatchupReport(summary=summary, events=events, settings=settings)


def _action_label(source: Any, action: Any, lang: str) -> str:
    key = f"action_{source}_{action}"
    return t(key, lang) if key in TEXT else f"{source} {action}"


def _catchup_summary(df: pd.DataFrame, open_calls: pd.DataFrame, info) -> pd.DataFrame:
    cols = ["relation_id", "name", "events", "contact_moments", *CATEGORIES, "other", "users"]
    cols += ["first_event", "last_event", "open_calls"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    g = df.groupby("relation_id")
    s = pd.DataFrame(
        {
            "events": g.size(),
            "contact_moments": g["counted"].sum(),
            "first_event": g["timestamp"].min(),
            "last_event": g["timestamp"].max(),
            "users": g["user_id"].agg(lambda u: ", ".join(sorted(set(u.astype(str))))),
        }
    )
    for cat in CATEGORIES:
        s[cat] = df[df["counted_under"] == cat].groupby("relation_id").size()
    s = s.fillna({cat: 0 for cat in CATEGORIES})
    s["other"] = s["events"] - s["contact_moments"]
    s["open_calls"] = open_calls.groupby("relation_id").size() if len(open_calls) else 0
    s = s.fillna({"open_calls": 0})
    for col in ("events", "contact_moments", "other", "open_calls", *CATEGORIES):
        s[col] = s[col].astype("int64")
    s = s.reset_index()
    s["name"] = s["relation_id"].map(info["name"])
    s = s.sort_values(["events", "last_event", "relation_id"], ascending=[False, False, True])
    return s[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# what a viewer may see: privacy mode (S16) and amounts (S13)

#: Report columns of message text (masked in privacy mode) besides ``subject`` and ``body``.
REPORT_TEXT_COLUMNS = ("last_subject", "last_body")
#: Report columns of amounts (revenue: only for users with sales-monitor permission).
REPORT_AMOUNT_COLUMNS = ("amount", "open_quote_amount")


def pseudonymise_report(
    report: HandoverReport | CatchupReport, key: bytes | None = None, lang: str = "nl"
) -> HandoverReport | CatchupReport:
    """A copy of a report for privacy mode (S16): codes pseudonymised, names and texts masked.

    Every table gets :func:`aandacht.privacy.pseudonymise` (relation codes become pseudonyms,
    names ``Relatie P-…``, addresses, subjects, bodies and the last subject or note ``•••``);
    ``settings`` are kept (they name the employee and dates, no relation).

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> rep = catchup_report(ds, "JdV", "2026-10-26", as_of="2026-10-31")
    >>> private = pseudonymise_report(rep, key=b"k")
    >>> bool(private.events.relation_id.str.match(r"^P-[0-9A-F]{8}$").all())
    True
    >>> set(private.events.subject.dropna()) <= {"•••"}
    True
    """
    from .privacy import MASK_COLUMNS, pseudonymise

    masked = (*MASK_COLUMNS, *REPORT_TEXT_COLUMNS)
    changes = {
        f.name: pseudonymise(getattr(report, f.name), key, lang, mask_columns=masked)
        for f in fields(report)
        if isinstance(getattr(report, f.name), pd.DataFrame)
    }
    return replace(report, **changes, settings={**report.settings, "privacy": True})


def without_amounts(report: HandoverReport | CatchupReport) -> HandoverReport | CatchupReport:
    """A copy of a report without amounts (quotes, orders, invoices), for users without
    sales-monitor permission (S13).

    >>> from aandacht import load
    >>> rep = without_amounts(catchup_report(load("data_samples"), "JdV", "2026-10-26",
    ...                                      as_of="2026-10-31"))
    >>> "amount" in rep.events.columns
    False
    """
    changes = {}
    for f in fields(report):
        df = getattr(report, f.name)
        if isinstance(df, pd.DataFrame):
            changes[f.name] = df.drop(columns=[c for c in REPORT_AMOUNT_COLUMNS if c in df])
    return replace(report, **changes)


# --------------------------------------------------------------------------------------------
# Excel


def _localised(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column titles in ``lang`` where :mod:`aandacht.i18n` has them (``col_<name>``)."""
    return df.rename(columns={c: t(f"col_{c}", lang) for c in df.columns if f"col_{c}" in TEXT})


def _settings_sheet(settings: dict[str, Any], lang: str) -> pd.DataFrame:
    rows = []
    for key, value in settings.items():
        label = t(f"set_{key}", lang) if f"set_{key}" in TEXT else key
        if isinstance(value, dt.date):
            value = fmt_date(value, lang)
        elif isinstance(value, bool):
            value = t("yes" if value else "no", lang)
        elif key == "report":
            value = t(f"report_{value}", lang)
        rows.append((label, "" if value is None else value))
    rows.append((t("set_exported_at", lang), dt.datetime.now().replace(microsecond=0)))
    return pd.DataFrame(rows, columns=[t("col_setting", lang), t("col_value", lang)])


def write_handover_xlsx(path: str | Path, report: HandoverReport, lang: str = "nl") -> Path:
    """Write a hand-over report as a workbook: settings, relations, open calls, open quotes,
    others. Text that a spreadsheet would read as a formula stays text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> rep = handover_report(ds, "WK", as_of="2026-10-31", since="2026-07-01")
    >>> out = write_handover_xlsx(pathlib.Path(tempfile.mkdtemp()) / "handover.xlsx", rep)
    >>> out.exists()
    True
    """
    sheets = {
        t("sheet_report", lang): _settings_sheet(report.settings, lang),
        t("sheet_handover_relations", lang): _localised(report.relations, lang),
        t("sheet_open_calls", lang): _localised(report.open_calls, lang),
        t("sheet_open_quotes", lang): _localised(report.open_quotes, lang),
        t("sheet_others", lang): _localised(report.others, lang),
    }
    return write_xlsx(path, sheets)


def write_catchup_xlsx(path: str | Path, report: CatchupReport, lang: str = "nl") -> Path:
    """Write a catch-up report as a workbook: settings, relations (summary), events.
    Text that a spreadsheet would read as a formula stays text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> rep = catchup_report(ds, "JdV", "2026-10-26", as_of="2026-10-31")
    >>> out = write_catchup_xlsx(pathlib.Path(tempfile.mkdtemp()) / "catchup.xlsx", rep, "en")
    >>> out.exists()
    True
    """
    sheets = {
        t("sheet_report", lang): _settings_sheet(report.settings, lang),
        t("sheet_catchup_relations", lang): _localised(report.summary, lang),
        t("sheet_events", lang): _localised(report.events, lang),
    }
    return write_xlsx(path, sheets)
