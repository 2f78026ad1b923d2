"""The counting engine: contact moments per relation, written once as Ibis expressions.

The expressions run where the events live (embedded DuckDB for files, or the CRM's database);
only the small results (one row per relation, one relation's timeline) come back as pandas.
The counting rules are a table (:mod:`aandacht.rules`); the expressions are built from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from .counting import category_conditions, day_start, rules_table, selected_events
from .dataset import Dataset, to_frame
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
    return finish(data, sel, count(data, sel, rules, details=details))


@dataclass
class Counts:
    """A calculation's partial aggregates per relation, before banding: what can be merged.

    :func:`count` makes them from events, :func:`merge` adds two (the counts and amounts are
    summed, the last-contact times are the maximum, the last contact's details those of the
    later event, on a tie the higher ``event_id``), :func:`finish` turns them into the result
    of :func:`calculate`. Counting a base and a delta of new events and merging gives the same
    result as counting everything at once (:mod:`aandacht.live` updates a result that way).

    Attributes
    ----------
    per_relation : one row per relation with events: ``relation_id``, ``total``,
        ``last_contact``, per category its count and ``{category}_last``; with revenue also
        ``orders`` and ``invoices``.
    last : the last counted contact moment of each relation (``relation_id``, ``last_contact``,
        ``event_id``, ``last_user``, …), or ``None`` when the details were not asked.
    revenue : the selection's revenue basis (``None``: no amounts).
    """

    per_relation: pd.DataFrame
    last: pd.DataFrame | None
    revenue: str | None = None
    #: indexes of the relation ids of ``per_relation`` and ``last`` (made when first merged into)
    _indexes: dict = field(default_factory=dict, repr=False, compare=False)

    def index(self, part: str) -> RelationIds:
        """The positions of the relation ids of ``per_relation`` or ``last`` (kept: made once,
        then grown by :func:`merge` as new relations come, not made again at every merge)."""
        if part not in self._indexes:
            self._indexes[part] = RelationIds(getattr(self, part)["relation_id"].tolist())
        return self._indexes[part]


class RelationIds:
    """Relation id -> row position, to find a few ids among many rows; grows by appending.

    A :class:`pandas.Index` would have to hash all its ids again after every append; this one
    shares its table with the one it grew from (positions past a view's length are not in that
    view), so taking a delta's new relations in costs as much as they are many.
    """

    __slots__ = ("_pos", "_n")

    def __init__(self, ids=(), *, _pos: dict | None = None, _n: int | None = None) -> None:
        if _pos is None:
            _pos = {key: i for i, key in enumerate(ids)}
            if len(_pos) != len(ids):
                raise ValueError("relation ids must be unique")
            _n = len(_pos)
        self._pos, self._n = _pos, _n

    def __len__(self) -> int:
        return self._n

    def get_indexer(self, ids) -> np.ndarray:
        """The row position of each of ``ids``, ``-1`` for an id not among them."""
        get, n = self._pos.get, self._n
        if isinstance(ids, pd.Series | pd.Index):
            ids = ids.tolist()  # not one Python object at a time out of Arrow
        out = np.fromiter((get(key, -1) for key in ids), dtype=np.int64, count=len(ids))
        out[out >= n] = -1
        return out

    def appended(self, ids) -> RelationIds:
        """These ids followed by ``ids`` (new, unique)."""
        pos = self._pos
        if len(pos) != self._n:  # another view grew the shared table: start a table of our own
            pos = {key: i for key, i in pos.items() if i < self._n}
        for i, key in enumerate(ids, self._n):
            if pos.setdefault(key, i) != i:
                raise ValueError(f"relation id {key!r} is already among the ids")
        return RelationIds(_pos=pos, _n=self._n + len(ids))


#: Columns of :attr:`Counts.per_relation` that add up, and those that take the maximum.
_SUMMED = ["total", *CATEGORIES]
_LATEST = ["last_contact", *[f"{cat}_last" for cat in CATEGORIES]]
_AMOUNTS = ["orders", "invoices"]


def count(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    details: bool = True,
) -> Counts:
    """The partial aggregates of :func:`calculate` over ``data``'s events (see :class:`Counts`).

    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> c = count(ds, Selection(as_of="2026-10-31"))
    >>> finish(ds, Selection(as_of="2026-10-31"), c).equals(calculate(ds, Selection(as_of="2026-10-31")))
    True
    """
    sel = selection or Selection()
    rules_df = rules_table(rules)
    users = resolve_users(data, sel)
    relations = resolve_relations(data, sel)
    p_from, p_to = sel.period()

    t = selected_events(data, sel, users, relations)
    in_period = (t.timestamp >= day_start(p_from)) & (
        t.timestamp < day_start(p_to + dt.timedelta(days=1))
    )
    # Two stages. First one row per (relation, source, action) with plain aggregates: the rules
    # are not evaluated per event, which is what costs time on millions of rows. Then the rules
    # are applied to those few rows (one per relation and pair), in the same query.
    stage1 = {"n": t.count(where=in_period), "last": t.timestamp.max()}
    if sel.revenue:
        stage1["amount"] = t.amount.sum(where=in_period)
    pairs = t.group_by(["relation_id", "source", "action"]).aggregate(**stage1)
    conds = category_conditions(pairs, rules_df)
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
    counts = _tidy(to_frame(pairs.group_by("relation_id").aggregate(**aggs)), sel.revenue)
    last = _last_contact_details(t, counts, rules_df) if details else None
    return Counts(counts, last, sel.revenue)


def count_frame(
    data: Dataset,
    events: pd.DataFrame,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    details: bool = True,
    users: list[str] | None | object = ...,
    relations: pd.DataFrame | None | object = ...,
) -> Counts:
    """:func:`count` of a few events held in memory (a live delta: :mod:`aandacht.feed`), in
    pandas, without a query: the same selection, period, rules and tie rule, so that
    ``count_frame(data, ev, sel)`` equals ``count(data_with_only(ev), sel)`` (the property test
    of ``tests/test_merge_property.py`` checks it). ``events`` has the canonical event columns
    of ``data`` (at least relation, user, time, source, action, amount and, for ``details``,
    event id, channel and direction). ``users``/``relations``: the resolved selection, when the
    caller keeps it (:class:`aandacht.service.DataService` does, per selection).

    Meant for deltas of thousands of events; a large event log is counted by :func:`count`.
    """
    sel = selection or Selection()
    rules_df = rules_table(rules)
    if users is ...:
        users = resolve_users(data, sel)
    if relations is ...:
        relations = resolve_relations(data, sel)
    p_from, p_to = sel.period()
    as_of = sel.resolved_as_of()

    def stamp(d: dt.date) -> np.datetime64:
        return np.datetime64(dt.datetime(d.year, d.month, d.day), "us")

    ts = events["timestamp"].to_numpy(dtype="datetime64[us]")
    keep = ts < stamp(as_of + dt.timedelta(days=1))
    if users is not None:
        keep &= events["user_id"].isin(list(users)).to_numpy()
    if relations is not None and (sel.b_group is not None or sel.relations is not None):
        keep &= events["relation_id"].isin(relations["relation_id"]).to_numpy()
    ev = events.loc[keep]
    ts = ts[keep]
    in_period = (ts >= stamp(p_from)) & (ts < stamp(p_to + dt.timedelta(days=1)))
    rel = ev["relation_id"].astype(object).to_numpy()
    source = ev["source"].astype(object).to_numpy()
    action = ev["action"].astype(object).to_numpy()

    # the category each event is counted under (None: not counted), from the rules' pairs
    counted = rules_df[rules_df["counted"]]
    under = dict(
        zip(
            zip(counted["source"], counted["action"], strict=True),
            counted["counted_under"],
            strict=True,
        )
    )
    cat = np.array([under.get(pair) for pair in zip(source, action, strict=True)], dtype=object)
    is_counted = np.array([c is not None for c in cat], dtype=bool)

    cols = {"relation_id": rel, "_ts": ts}
    cols["total"] = (is_counted & in_period).astype(np.int64)
    cols["last_contact"] = np.where(is_counted, ts, np.datetime64("NaT"))
    for c in CATEGORIES:
        hit = cat == c
        cols[c] = (hit & in_period).astype(np.int64)
        cols[f"{c}_last"] = np.where(hit, ts, np.datetime64("NaT"))
    if sel.revenue:
        amount = ev["amount"].astype("float64").to_numpy()
        amount = np.where(in_period & ~np.isnan(amount), amount, 0.0)
        for col, act in (("orders", "order_added"), ("invoices", "invoice_added")):
            cols[col] = np.where((source == "sales") & (action == act), amount, 0.0)
    frame = pd.DataFrame(cols)
    how = {col: "sum" for col in [*_SUMMED, *(_AMOUNTS if sel.revenue else [])]}
    how.update({col: "max" for col in _LATEST})
    per = frame.groupby("relation_id", sort=False).agg(how).reset_index()
    per = _tidy(per, sel.revenue)
    last = None
    if details:
        cols = ["relation_id", "last_contact", "event_id", *LAST_COLUMNS[1:]]
        at = pd.Series(per["last_contact"].to_numpy(), index=per["relation_id"].to_numpy())
        latest = at.reindex(rel).to_numpy(dtype="datetime64[us]")
        cand = ev.loc[is_counted & (ts == latest)]
        if cand.empty:
            last = _no_last(cols)
        else:
            last = pd.DataFrame(
                {
                    "relation_id": cand["relation_id"],
                    "last_contact": cand["timestamp"].to_numpy(dtype="datetime64[us]"),
                    "event_id": cand["event_id"],
                    "last_user": cand["user_id"],
                    "last_source": cand["source"],
                    "last_action": cand["action"],
                    "last_channel": cand["channel"],
                    "last_direction": cand["direction"],
                }
            ).reset_index(drop=True)
            # as _last_contact_details makes them
            last["relation_id"] = last["relation_id"].astype(object)
            last["event_id"] = last["event_id"].astype(object)
            last = last.sort_values(["relation_id", "event_id"]).drop_duplicates(
                "relation_id", keep="last"
            )[cols]
    return Counts(per, last, sel.revenue)


def _tidy(counts: pd.DataFrame, revenue: str | None) -> pd.DataFrame:
    """The engine's per-relation rows with fixed dtypes (counts ``int64``, times
    ``datetime64[us]``, amounts ``float64``), whatever the engine returned."""
    cols = {"relation_id": counts["relation_id"].astype(object).to_numpy()}
    for col in _SUMMED:
        cols[col] = counts[col].fillna(0).to_numpy(dtype=np.int64)
    for col in _LATEST:
        cols[col] = counts[col].to_numpy(dtype="datetime64[us]")
    if revenue:
        for col in _AMOUNTS:
            cols[col] = counts[col].astype("float64").fillna(0.0).to_numpy()
    return pd.DataFrame(cols)  # one frame at once: a column at a time costs more than counting


def merge(a: Counts, b: Counts) -> Counts:
    """The counts of two disjoint sets of events taken together (see :class:`Counts`).

    Only the relations of ``b`` are touched: merging a small delta into the counts of millions
    of events costs about as much as the delta has relations. ``a``'s rows keep their order
    (relations new in ``b`` come last), so the result can be merged into again cheaply.
    """
    if a.revenue != b.revenue or (a.last is None) != (b.last is None):
        raise ValueError("counts of different selections cannot be merged")
    out = Counts(None, None, a.revenue)
    out.per_relation = _merge_rows(a, b, "per_relation", _combine_counts, out)
    if a.last is not None:
        out.last = _merge_rows(a, b, "last", _latest_contact, out)
    return out


def relation_index(df: pd.DataFrame) -> pd.Index:
    """An index of ``df``'s relation ids (to find rows by position)."""
    return pd.Index(df["relation_id"].astype(object))


def _merge_rows(a: Counts, b: Counts, part: str, combine, out: Counts) -> pd.DataFrame:
    old_rows, new_rows = getattr(a, part), getattr(b, part)
    if new_rows.empty:
        out._indexes[part] = a.index(part)
        return old_rows
    if old_rows.empty:
        return new_rows.copy()
    index = a.index(part)
    pos = index.get_indexer(new_rows["relation_id"])
    fast = _summed if part == "per_relation" else _later
    merged = fast(old_rows, new_rows, pos) if new_rows["relation_id"].is_unique else None
    if merged is not None:
        merged, at = merged
    else:
        both = pd.concat([old_rows.iloc[pos[pos >= 0]], new_rows], ignore_index=True)
        merged = combine(both).reset_index(drop=True)[old_rows.columns]
        at = index.get_indexer(merged["relation_id"])
    added = at < 0
    out._indexes[part] = (
        index.appended(merged["relation_id"][added].tolist()) if added.any() else index
    )
    return spliced(old_rows, at, merged, frozenset(["relation_id"]))


def _summed(
    old: pd.DataFrame, new: pd.DataFrame, pos: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray] | None:
    """:func:`_combine_counts` of ``old`` and ``new`` (each relation once; ``pos``: the row in
    ``old`` of each of ``new``'s, ``-1`` for none) column by column, without grouping: the
    merged rows in ``new``'s order and their positions in ``old``."""
    has = pos >= 0
    at = pos[has]
    cols = {}
    for col in old.columns:
        if col == "relation_id":
            cols[col] = new[col].array
            continue
        dtype = old[col].dtype
        if not isinstance(dtype, np.dtype):
            return None  # not the NumPy columns of _tidy: grouped instead
        values = new[col].to_numpy(dtype=dtype, copy=True)
        if col in _SUMMED or col in _AMOUNTS:
            values[has] += old[col].to_numpy(dtype=dtype)[at]
        elif col in _LATEST:
            values[has] = np.fmax(values[has], old[col].to_numpy(dtype=dtype)[at])
        else:
            return None  # a column this merge does not know: grouped instead
        cols[col] = values
    return pd.DataFrame(cols, copy=False), pos


def _later(
    old: pd.DataFrame, new: pd.DataFrame, pos: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray] | None:
    """:func:`_latest_contact` of ``old`` and ``new`` (each relation once) without sorting: of
    each relation in both the later contact, on the same time the higher event id (as text), on
    both the same the new one. Only the rows of ``new`` that win: (rows, their positions)."""
    has = np.flatnonzero(pos >= 0)
    at = pos[has]
    old_ids = old["event_id"].to_numpy(dtype=object)[at]
    new_ids = new["event_id"].to_numpy(dtype=object)[has]
    if any(not isinstance(v, str) for v in old_ids) or any(not isinstance(v, str) for v in new_ids):
        return None  # an empty id: the sort's rule for it (grouped instead)
    old_ts = old["last_contact"].to_numpy(dtype="datetime64[us]")[at]
    new_ts = new["last_contact"].to_numpy(dtype="datetime64[us]")[has]
    if np.isnat(old_ts).any() or np.isnat(new_ts).any():
        return None
    old_wins = (new_ts < old_ts) | ((new_ts == old_ts) & (new_ids < old_ids))
    keep = np.ones(len(new), dtype=bool)
    keep[has[old_wins]] = False
    return new.iloc[np.flatnonzero(keep)].reset_index(drop=True)[list(old.columns)], pos[keep]


def patched(
    df: pd.DataFrame, pos: np.ndarray, rows: pd.DataFrame, same: frozenset = frozenset()
) -> pd.DataFrame:
    """A copy of ``df`` with its rows at ``pos`` replaced by ``rows`` (same columns), column by
    column; the dtypes and ``attrs`` stay. Columns in ``same`` are known not to change: they are
    taken as they are (pandas copies on write)."""
    return spliced(df, pos, rows, same)


def spliced(
    df: pd.DataFrame, pos: np.ndarray, rows: pd.DataFrame, same: frozenset = frozenset()
) -> pd.DataFrame:
    """A copy of ``df`` with ``rows`` (same columns) put in: the row ``i`` in place of ``df``'s
    row at ``pos[i]``, or after ``df``'s rows (in their order) where ``pos[i]`` is ``-1``.

    Each column is made with one take from the old values followed by the new ones (for Arrow
    text a take of the joined chunks, without converting to Python objects); the dtypes and
    ``attrs`` stay. Columns in ``same`` do not change in the replaced rows: with nothing added
    they are taken as they are (pandas copies on write).
    """
    pos = np.asarray(pos, dtype=np.int64)
    n = len(df)
    put = pos >= 0
    new = n + np.arange(len(pos), dtype=np.int64)
    take = np.arange(n, dtype=np.int64)
    take[pos[put]] = new[put]
    grows = not put.all()
    if grows:
        take = np.concatenate([take, new[~put]])
    index = pd.RangeIndex(len(take)) if grows else df.index
    cols = {}
    attrs = df.attrs
    df = df.copy(deep=False)
    df.attrs = {}  # not copied deeply into every column taken out (pandas does); set at the end
    for col in df.columns:
        current = df[col]
        dtype = current.dtype
        if not len(pos) or (col in same and not grows):
            cols[col] = current
            continue
        if isinstance(dtype, np.dtype):
            # NumPy values: one copy, the replaced rows written in, the added ones appended
            values = current.to_numpy(dtype=dtype, copy=True)
            given = rows[col].to_numpy(dtype=dtype)
            if col not in same:
                values[pos[put]] = given[put]
            if grows:
                values = np.concatenate([values, given[~put]])
            cols[col] = pd.Series(values, index=index, dtype=dtype, copy=False)
            continue
        old = current.array
        given = pd.array(rows[col], dtype=dtype)
        if col in same:  # the rows in place keep their values: only the added ones follow
            both = type(old)._concat_same_type([old, given[~put]])
        else:
            both = type(old)._concat_same_type([old, given]).take(take)
        cols[col] = pd.Series(both, index=index, dtype=dtype, copy=False)
    out = pd.DataFrame(cols, index=index, copy=False)
    out.attrs = dict(attrs)
    return out


def _combine_counts(both: pd.DataFrame) -> pd.DataFrame:
    how = {c: "sum" for c in both.columns if c in _SUMMED or c in _AMOUNTS}
    how.update({c: "max" for c in _LATEST})
    out = both.groupby("relation_id", sort=False).agg(how).reset_index()
    for col in _SUMMED:
        out[col] = out[col].astype(np.int64)
    return out[both.columns]


def _latest_contact(both: pd.DataFrame) -> pd.DataFrame:
    # the later contact; on the same timestamp the higher event id (as text), as in one count
    order = both.sort_values(["relation_id", "last_contact", "event_id"], kind="stable")
    return order.drop_duplicates("relation_id", keep="last")


def finish(data: Dataset, selection: Selection | None, counts: Counts) -> pd.DataFrame:
    """:func:`calculate`'s result from the :class:`Counts` of ``selection`` over ``data``."""
    sel = selection or Selection()
    users = resolve_users(data, sel)
    relations = resolve_relations(data, sel)
    as_of = sel.resolved_as_of()
    p_from, p_to = sel.period()
    out = _rows(relations, counts.per_relation, counts.last, as_of, sel.revenue)
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


def refresh(
    previous: pd.DataFrame,
    selection: Selection | None,
    counts: Counts,
    relation_ids,
    index: pd.Index | None = None,
) -> pd.DataFrame:
    """:func:`finish` for counts that changed only for ``relation_ids``, from ``previous``
    (the result of the counts before): only those relations' rows are made again.

    ``previous`` must be a result of the same data set (relations unchanged) and selection, on
    the same day; :class:`aandacht.service.DataService` keeps both and calls this after a
    :func:`merge` of new events. Equal to ``finish(data, selection, counts)``. ``index``:
    :func:`relation_index` of ``previous``, when kept (the result's rows keep their order).
    """
    sel = selection or Selection()
    ids = pd.unique(pd.Series(relation_ids, dtype=object))
    if not len(ids):
        return patched(previous, np.empty(0, dtype=np.int64), previous)
    pos = (index if index is not None else relation_index(previous)).get_indexer(ids)
    if (pos < 0).any():  # an event of a relation outside the selection: cannot happen
        raise RuntimeError("counted a relation that is not measured")
    per = counts.per_relation.iloc[_present(counts.index("per_relation"), ids)]
    last = counts.last
    if last is not None:
        last = last.iloc[_present(counts.index("last"), ids)]
    bare = previous.copy(deep=False)
    bare.attrs = {}  # pandas copies attrs deeply with every step below: they are set at the end
    rel = bare.iloc[pos][["relation_id", "name", *NAW_COLUMNS]]
    rows = _rows(rel, per, last, sel.resolved_as_of(), sel.revenue)
    out = patched(previous, pos, rows, _FROM_RELATIONS)
    for col in LAST_COLUMNS[1:]:
        # finish() makes these text columns once there are values (pandas infers the dtype)
        if out[col].dtype == object and rows[col].notna().any():
            out[col] = out[col].to_numpy(dtype=object)
    return out


#: The result's columns that come from the relations table (the same for the same relations).
_FROM_RELATIONS = frozenset(["relation_id", "name", *NAW_COLUMNS])


def _present(index: RelationIds, ids: np.ndarray) -> np.ndarray:
    pos = index.get_indexer(ids)
    return pos[pos >= 0]


def _rows(
    relations: pd.DataFrame,
    per: pd.DataFrame,
    last: pd.DataFrame | None,
    as_of: dt.date,
    revenue: str | None,
) -> pd.DataFrame:
    """The result's rows for ``relations`` (in their order) from their counts ``per`` and last
    contacts ``last`` (rows of relations with events only)."""
    out = _per_relation(relations, per, as_of, revenue)
    n = len(out)
    if last is not None and not last.empty:
        pos = _positions(out["relation_id"], last["relation_id"])
        for col in LAST_COLUMNS[1:]:
            values = np.full(n, None, dtype=object)
            values[pos] = last[col].to_numpy(dtype=object)
            out[col] = values
    else:
        for col in LAST_COLUMNS[1:]:
            out[col] = np.full(n, None, dtype=object)
    cols = [*RESULT_COLUMNS, *NAW_COLUMNS, *LAST_COLUMNS]
    if revenue:
        cols += ["orders", "invoices", "revenue"]
    return out[cols]


def _positions(ids: pd.Series, found: pd.Series) -> np.ndarray:
    """The position in ``ids`` (the measured relations) of each id in ``found``."""
    pos = pd.Index(ids.astype(object)).get_indexer(found.astype(object))
    if (pos < 0).any():  # an event of a relation outside the selection: cannot happen
        raise RuntimeError("counted a relation that is not measured")
    return pos


def _per_relation(
    relations: pd.DataFrame, counts: pd.DataFrame, as_of: dt.date, revenue: str | None
) -> pd.DataFrame:
    """One row per measured relation (relations' order): its counts, dgn and revenue.

    The engine's rows (``counts``, only relations with events) are put in place by position;
    the others get zeros and empty dgn.
    """
    out = relations[["relation_id", "name", *NAW_COLUMNS]].reset_index(drop=True)
    out["relation_id"] = out["relation_id"].astype(object)
    n = len(out)
    pos = _positions(out["relation_id"], counts["relation_id"])
    day = np.datetime64(as_of, "D")

    def ints(col: str) -> np.ndarray:
        values = np.zeros(n, dtype=np.int64)
        values[pos] = counts[col].fillna(0).to_numpy(dtype=np.int64)
        return values

    def last(col: str) -> np.ndarray:
        values = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
        values[pos] = counts[col].to_numpy(dtype="datetime64[us]")
        return values

    def days_since(stamps: np.ndarray) -> pd.Series:
        # calendar days from the day of the last contact to as_of; empty when there is none
        days = (day - stamps.astype("datetime64[D]")).astype(np.int64)
        return pd.Series(pd.arrays.IntegerArray(days, np.isnat(stamps)))

    last_contact = last("last_contact")
    out["total"] = ints("total")
    out["dgn"] = days_since(last_contact)
    for cat in CATEGORIES:
        out[cat] = ints(cat)
        out[f"{cat}_dgn"] = days_since(last(f"{cat}_last"))
    out["last_contact"] = last_contact
    if revenue:
        for col in ("orders", "invoices"):
            values = np.zeros(n, dtype=np.float64)
            values[pos] = counts[col].astype("float64").fillna(0.0).to_numpy()
            out[col] = values.round(2)
        out["revenue"] = {
            "orders": out["orders"],
            "invoices": out["invoices"],
            "both": (out["orders"] + out["invoices"]).round(2),
        }[revenue]
    return out


def _no_last(cols: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out["last_contact"] = out["last_contact"].astype("datetime64[us]")
    return out


def _last_contact_details(t: ibis.Table, counts: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Who and what the last counted contact moment of each relation was.

    Ties on the timestamp are broken by the highest ``event_id`` (compared as text, here, so
    that every engine breaks them alike). The engine returns only the counted events at their
    relation's last-contact timestamp (a join on relation and timestamp): about one row per
    relation.
    """
    cols = ["relation_id", "last_contact", "event_id", *LAST_COLUMNS[1:]]
    keys = counts.loc[counts["last_contact"].notna(), ["relation_id", "last_contact"]]
    if keys.empty:
        return _no_last(cols)
    k = ibis.memtable(
        pd.DataFrame(
            {
                "k_rel": keys["relation_id"].astype(object).to_numpy(),
                "k_ts": keys["last_contact"].to_numpy(dtype="datetime64[us]"),
            }
        )
    )
    # the rules are matched here, on those few rows: as a filter in the query the engine would
    # evaluate them on every event before the join
    cand = t.join(k, [t.relation_id == k.k_rel, t.timestamp == k.k_ts]).select(
        "relation_id",
        "event_id",
        "source",
        "action",
        last_contact="timestamp",
        last_user="user_id",
        last_channel="channel",
        last_direction="direction",
    )
    df = to_frame(cand)
    counted = rules.loc[rules["counted"], ["source", "action"]]
    pair = pd.MultiIndex.from_arrays([df["source"].astype(object), df["action"].astype(object)])
    df = df[pair.isin(pd.MultiIndex.from_frame(counted.astype(object)))]
    df = df.rename(columns={"source": "last_source", "action": "last_action"})
    if df.empty:
        return _no_last(cols)
    df["relation_id"] = df["relation_id"].astype(object)
    df["event_id"] = df["event_id"].astype(object)
    df["last_contact"] = df["last_contact"].to_numpy(dtype="datetime64[us]")
    df = df.sort_values(["relation_id", "event_id"]).drop_duplicates("relation_id", keep="last")
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
    if not data.has_relation(rel):
        raise SelectionError(f"relation '{rel}' is not in relations")
    sel = Selection(
        users=tuple(users) if users else None,
        user_group=user_group,
        period_from=period_from or dt.date(1, 1, 1),
        period_to=period_to or dt.date(9999, 12, 30),
        as_of=as_of or dt.date(9999, 12, 30),
    )
    rules_df = rules_table(rules)
    user_ids = resolve_users(data, sel)
    t = data.events.filter(data.events.relation_id == rel)
    if user_ids is not None:
        t = t.filter(t.user_id.isin(user_ids))
    p_from, p_to = sel.period()
    if period_from:
        t = t.filter(t.timestamp >= day_start(p_from))
    if period_to:
        t = t.filter(t.timestamp < day_start(p_to + dt.timedelta(days=1)))
    if as_of:
        t = t.filter(t.timestamp < day_start(sel.resolved_as_of() + dt.timedelta(days=1)))
    conds = category_conditions(t, rules_df)
    under = ibis.cases(*[(c, cat) for cat, c in conds.items()], else_=ibis.null("string"))
    t = t.mutate(counted=under.notnull(), counted_under=under)
    df = to_frame(t.select(*TIMELINE_COLUMNS))
    df = df.sort_values(["timestamp", "event_id"], kind="stable").reset_index(drop=True)
    df["counted"] = df["counted"].astype(bool)
    df["amount"] = df["amount"].astype("float64")
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    return df


__all__ = [
    "calculate",
    "count",
    "merge",
    "finish",
    "refresh",
    "relation_index",
    "RelationIds",
    "Counts",
    "timeline",
    "RESULT_COLUMNS",
    "TIMELINE_COLUMNS",
]
