"""The counting engine: contact moments per relation, written once as Ibis expressions.

The expressions run where the events live (embedded DuckDB for files, or the CRM's database);
only the small results (one row per relation, one relation's timeline) come back as pandas.
The counting rules are a table (:mod:`aandacht.rules`); the expressions are built from it.
"""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd

from .dataset import Dataset
from .rules import load_rules
from .schema import CATEGORIES
from .selection import Selection, resolve_relations, resolve_users

#: Columns of :func:`calculate`'s result, in order (``orders``/``invoices``/``revenue`` are added
#: when a revenue basis is chosen).
RESULT_COLUMNS = [
    "relation_id",
    "name",
    "total",
    "dgn",
    *[c for cat in CATEGORIES for c in (cat, f"{cat}_dgn")],
]
LAST_COLUMNS = [
    "last_contact",
    "last_user",
    "last_source",
    "last_action",
    "last_channel",
    "last_direction",
]
NAW_COLUMNS = ["colour", "address", "postcode", "city", "country", "lat", "lon"]


_DEFAULT_RULES: list[pd.DataFrame] = []


def _rules(rules: pd.DataFrame | str | None) -> pd.DataFrame:
    """:func:`~aandacht.rules.load_rules`, reading and checking the default table once."""
    if rules is not None:
        return load_rules(rules)
    if not _DEFAULT_RULES:
        _DEFAULT_RULES.append(load_rules(None))
    return _DEFAULT_RULES[0].copy()


def _category_conditions(t: ibis.Table, rules: pd.DataFrame) -> dict[str, ibis.Value]:
    """Per category, the boolean expression 'this event is a contact moment counted under it'."""
    conds = {}
    counted = rules[rules["counted"]]
    for cat in CATEGORIES:
        parts = []
        for source, grp in counted[counted["counted_under"] == cat].groupby("source", sort=True):
            actions = sorted(grp["action"])
            parts.append((t.source == source) & t.action.isin(actions))
        conds[cat] = ibis.or_(*parts) if parts else ibis.literal(False)
    return conds


def _day_start(d: dt.date) -> ibis.Value:
    return ibis.timestamp(dt.datetime(d.year, d.month, d.day))


def _selected_events(data: Dataset, sel: Selection, users, relations: pd.DataFrame | None):
    t = data.events
    as_of = sel.resolved_as_of()
    t = t.filter(t.timestamp < _day_start(as_of + dt.timedelta(days=1)))
    if users is not None:
        t = t.filter(t.user_id.isin(users))
    if relations is not None and (sel.b_group is not None or sel.relations is not None):
        ids = ibis.memtable(pd.DataFrame({"relation_id": relations["relation_id"].astype(object)}))
        t = t.semi_join(ids, "relation_id")
    return t


def calculate(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    details: bool = True,
) -> pd.DataFrame:
    """Count contact moments per measured relation.

    Parameters
    ----------
    data : a loaded :class:`~aandacht.load.Dataset`.
    selection : users, period, relations, ``as_of`` and revenue basis; default everything over the
        365 days up to today.
    rules : counting rules (DataFrame or CSV path); default the contract's rules.
    details : who and what each relation's last contact was (``last_user``, ``last_source``,
        …). ``False`` leaves those columns empty and saves a pass over the events (the command
        line does so unless ``--all-columns``); ``last_contact`` and ``dgn`` are always there.

    Returns
    -------
    pandas.DataFrame
        One row per measured relation (also those without any contact moment), in the order of
        the relations table: ``relation_id, name, total, dgn`` and per category (history,
        correspondence, sales, helpdesk) the count and its ``_dgn``; the relation's
        ``colour``/NAW data; ``last_contact`` and who/what it was (``last_user``, …); with a
        revenue basis also ``orders``, ``invoices`` and ``revenue``. ``dgn`` columns are
        nullable integers: empty when there is no contact moment at all up to ``as_of``.
        ``attrs`` holds the settings used.

    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> res = calculate(ds, Selection(as_of="2026-10-31"))
    >>> bool((res.total == res[["history", "correspondence", "sales", "helpdesk"]].sum(axis=1)).all())
    True
    """
    sel = selection or Selection()
    rules_df = _rules(rules)
    users = resolve_users(data, sel)
    relations = resolve_relations(data, sel)
    as_of = sel.resolved_as_of()
    p_from, p_to = sel.period()

    t = _selected_events(data, sel, users, relations)
    in_period = (t.timestamp >= _day_start(p_from)) & (
        t.timestamp < _day_start(p_to + dt.timedelta(days=1))
    )
    # Two stages. First one row per (relation, source, action) with plain aggregates: the rules
    # are not evaluated per event, which is what costs time on millions of rows. Then the rules
    # are applied to those few rows (one per relation and pair), in the same query.
    stage1 = {"n": t.count(where=in_period), "last": t.timestamp.max()}
    if sel.revenue:
        stage1["amount"] = t.amount.sum(where=in_period)
    pairs = t.group_by(["relation_id", "source", "action"]).aggregate(**stage1)
    conds = _category_conditions(pairs, rules_df)
    counted = ibis.or_(*conds.values())
    aggs = {
        "total": pairs.n.sum(where=counted),
        "last_contact": pairs["last"].max(where=counted),
    }
    for cat, cond in conds.items():
        aggs[cat] = pairs.n.sum(where=cond)
        aggs[f"{cat}_last"] = pairs["last"].max(where=cond)
    if sel.revenue:
        is_sales = pairs.source == "sales"
        for col, action in (("orders", "order_added"), ("invoices", "invoice_added")):
            aggs[col] = pairs.amount.sum(where=is_sales & (pairs.action == action))
    counts = pairs.group_by("relation_id").aggregate(**aggs).to_pandas()

    if details:
        last = _last_contact_details(t, counts, rules_df)
    else:
        last = pd.DataFrame(
            {c: pd.Series(dtype=object) for c in ["relation_id", *LAST_COLUMNS[1:]]}
        )

    base = relations[["relation_id", "name", *NAW_COLUMNS]].copy()
    base["relation_id"] = base["relation_id"].astype(object)
    counts["relation_id"] = counts["relation_id"].astype(object)
    out = base.merge(counts, on="relation_id", how="left", validate="one_to_one")
    out = out.merge(last, on="relation_id", how="left", validate="one_to_one")
    for col in ("total", *CATEGORIES):
        out[col] = out[col].fillna(0).astype("int64")
    out["dgn"] = _days_since(out["last_contact"], as_of)
    for cat in CATEGORIES:
        out[f"{cat}_dgn"] = _days_since(out[f"{cat}_last"], as_of)
    cols = [*RESULT_COLUMNS, *NAW_COLUMNS, *LAST_COLUMNS]
    if sel.revenue:
        for col in ("orders", "invoices"):
            out[col] = (out[col].astype("float64").fillna(0.0)).round(2)
        out["revenue"] = {
            "orders": out["orders"],
            "invoices": out["invoices"],
            "both": (out["orders"] + out["invoices"]).round(2),
        }[sel.revenue]
        cols += ["orders", "invoices", "revenue"]
    out = out[cols]
    out.attrs.update(
        {
            "as_of": as_of.isoformat(),
            "period_from": p_from.isoformat(),
            "period_to": p_to.isoformat(),
            "period_days": sel.period_days(),
            "users": users,
            "user_group": sel.user_group,
            "b_group": sel.b_group,
            "relations_selected": sel.relations is not None,
            "revenue": sel.revenue,
            "n_relations": len(out),
        }
    )
    return out


def _days_since(last: pd.Series, as_of: dt.date) -> pd.Series:
    last = pd.to_datetime(last)
    days = (pd.Timestamp(as_of) - last.dt.normalize()).dt.days
    return days.astype("Int64")


def _last_contact_details(t: ibis.Table, counts: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Who and what the last counted contact moment of each relation was.

    Ties on the timestamp are broken by the highest ``event_id``. Only the events at one of the
    relations' last-contact timestamps are fetched (a cheap filter on the timestamp alone); the
    rules and the relation are matched on those few rows here.
    """
    cols = ["relation_id", *LAST_COLUMNS[1:]]
    keys = counts.loc[counts["last_contact"].notna(), ["relation_id", "last_contact"]]
    if keys.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    stamps = ibis.memtable(pd.DataFrame({"ts": keys["last_contact"].drop_duplicates()}))
    cand = (
        t.filter(t.timestamp.isin(stamps.ts))
        .select(
            "relation_id",
            "timestamp",
            "event_id",
            "source",
            "action",
            last_user="user_id",
            last_channel="channel",
            last_direction="direction",
        )
        .to_pandas()
    )
    counted = set(rules.loc[rules["counted"], ["source", "action"]].itertuples(False, None))
    pair = pd.MultiIndex.from_arrays([cand["source"].astype(object), cand["action"].astype(object)])
    cand = cand[pair.isin(counted)]
    last_ts = dict(zip(keys["relation_id"].astype(object), keys["last_contact"], strict=True))
    at_last = cand["relation_id"].astype(object).map(last_ts)
    df = cand[pd.to_datetime(cand["timestamp"]) == pd.to_datetime(at_last)]
    df = df.rename(columns={"source": "last_source", "action": "last_action"})
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = df.sort_values(["relation_id", "event_id"]).drop_duplicates("relation_id", keep="last")
    df["relation_id"] = df["relation_id"].astype(object)
    return df[cols]


TIMELINE_COLUMNS = [
    "timestamp",
    "event_id",
    "relation_id",
    "user_id",
    "source",
    "action",
    "counted",
    "counted_under",
    "channel",
    "direction",
    "subject",
    "body",
    "amount",
    "status",
    "reference",
]


def timeline(
    data: Dataset,
    relation_id: str,
    period_from: dt.date | str | None = None,
    period_to: dt.date | str | None = None,
    users: list[str] | None = None,
    rules: pd.DataFrame | str | None = None,
    user_group: str | None = None,
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """Every event of one relation in time order, with whether it counted as a contact moment.

    Parameters
    ----------
    relation_id : the relation's code.
    period_from, period_to : optional period (days inclusive); default the whole history.
    users, user_group : optional filter on who added the events.
    as_of : optional "now": events after the end of that day are left out.
    rules : counting rules; default the contract's.

    Returns
    -------
    pandas.DataFrame
        Columns ``timestamp, event_id, relation_id, user_id, source, action, counted,
        counted_under, channel, direction, subject, body, amount, status, reference``, sorted by
        timestamp then event id.

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> tl = timeline(ds, ds.relations.relation_id.iloc[0])
    >>> tl.timestamp.is_monotonic_increasing
    True
    """
    from .errors import SelectionError

    rel = str(relation_id).strip()
    if rel not in set(data.relations["relation_id"]):
        raise SelectionError(f"relation '{rel}' is not in relations")
    sel = Selection(
        users=tuple(users) if users else None,
        user_group=user_group,
        period_from=period_from or dt.date(1, 1, 1),
        period_to=period_to or dt.date(9999, 12, 30),
        as_of=as_of or dt.date(9999, 12, 30),
    )
    rules_df = _rules(rules)
    user_ids = resolve_users(data, sel)
    t = data.events.filter(data.events.relation_id == rel)
    if user_ids is not None:
        t = t.filter(t.user_id.isin(user_ids))
    p_from, p_to = sel.period()
    if period_from:
        t = t.filter(t.timestamp >= _day_start(p_from))
    if period_to:
        t = t.filter(t.timestamp < _day_start(p_to + dt.timedelta(days=1)))
    if as_of:
        t = t.filter(t.timestamp < _day_start(sel.resolved_as_of() + dt.timedelta(days=1)))
    conds = _category_conditions(t, rules_df)
    under = ibis.cases(*[(c, cat) for cat, c in conds.items()], else_=ibis.null("string"))
    t = t.mutate(counted=under.notnull(), counted_under=under)
    df = t.select(*TIMELINE_COLUMNS).to_pandas()
    df = df.sort_values(["timestamp", "event_id"], kind="stable").reset_index(drop=True)
    df["counted"] = df["counted"].astype(bool)
    df["amount"] = df["amount"].astype("float64")
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    return df


__all__ = ["calculate", "timeline", "RESULT_COLUMNS", "TIMELINE_COLUMNS", "np"]
