"""Attention over time (B1): contact moments per month, a trend arrow, and attention drops.

Everything is back-filled from the existing event log: the months are counted from the whole
history up to ``as_of``, not from the day the feature was switched on. The counting runs in the
engine (Ibis); only one row per relation comes back.

Definitions (also in ``docs/insights.md``)

* **Month**: a calendar month. The month of ``as_of`` is counted up to the end of ``as_of``
  (so it may be partial).
* **Trend windows**: *recent* = the 3 months up to and including ``as_of`` (from the day after
  ``as_of`` minus 3 calendar months, e.g. 2026-08-01 through 2026-10-31); *base* = the 12 months
  before that (2025-08-01 through 2026-07-31). The selection's period is not used; its users and
  relations are.
* **Trend**: compare the rates per month, ``r = recent / 3`` and ``b = base / 12``.
  ``change = r / b - 1``. ``up`` (↑) when ``change >= threshold`` (default 0.25: at least 25 %
  more contact moments per month), ``down`` (↓) when ``change <= -threshold``, else ``flat`` (→).
  With no base (``b = 0``): ``up`` when there were recent contact moments (``change`` infinite),
  ``flat`` when there were none at all (``change`` empty). Exact arithmetic: a change equal to
  the threshold counts as a change.
* **Attention drop**: a *valuable* relation (revenue class ``A``, or one of the ``top``
  relations by revenue) whose trend is ``down``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import ibis
import numpy as np
import pandas as pd

from .counting import category_conditions, day_start, selected_events
from .dataset import Dataset
from .engine import calculate, count_frame
from .rules import load_rules
from .sales import abc_classes
from .selection import (
    REVENUE_BASES,
    Selection,
    _months_back,
    resolve_relations,
    resolve_users,
)

__all__ = [
    "ARROWS",
    "BASE_MONTHS",
    "RECENT_MONTHS",
    "TREND_THRESHOLD",
    "attention_drops",
    "monthly_counts",
    "trend_windows",
    "trends",
]

#: The trend arrows, by trend.
ARROWS: dict[str, str] = {"up": "↑", "down": "↓", "flat": "→"}
#: Months in the recent window and in the base window before it.
RECENT_MONTHS = 3
BASE_MONTHS = 12
#: Default relative change per month that counts as a trend (0.25 = 25 %).
TREND_THRESHOLD = 0.25


def _counted_events(data: Dataset, sel: Selection, rules) -> tuple[ibis.Table, pd.DataFrame]:
    """The selected users' contact moments up to the end of ``as_of``, and the relations."""
    rules_df = load_rules(rules)
    users = resolve_users(data, sel)
    relations = resolve_relations(data, sel)
    t = selected_events(data, sel, users, relations)
    t = t.filter(ibis.or_(*category_conditions(t, rules_df).values()))
    return t, relations


def monthly_counts(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    months: int | None = None,
) -> pd.DataFrame:
    """Contact moments per relation per calendar month, back-filled from the whole history.

    Parameters
    ----------
    data : a loaded data set.
    selection : whose contact moments (users, user group), which relations and ``as_of``; its
        period is not used.
    rules : counting rules; default the contract's.
    months : the number of months up to and including the month of ``as_of``; default
        ``None``: from the month of the first contact moment of the selection.

    Returns
    -------
    pandas.DataFrame
        One row per measured relation (index ``relation_id``, in the order of the relations
        table; relations without contact moments are rows of zeros) and one column per month
        (a ``DatetimeIndex`` of month starts named ``month``), with counts. The last month runs
        to the end of ``as_of``; ``attrs["as_of"]`` says so.

    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> m = monthly_counts(ds, Selection(as_of="2026-10-31"), months=3)
    >>> [c.strftime("%Y-%m") for c in m.columns]
    ['2026-08', '2026-09', '2026-10']
    >>> m.shape[0] == len(ds.relations)
    True
    """
    sel = selection or Selection()
    if months is not None and int(months) < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    as_of = sel.resolved_as_of()
    last_month = dt.date(as_of.year, as_of.month, 1)
    t, relations = _counted_events(data, sel, rules)
    if months is not None:
        first = _months_back(last_month, int(months) - 1)
        t = t.filter(t.timestamp >= day_start(first))
    agg = t.group_by(["relation_id", t.timestamp.truncate("M").name("month")]).aggregate(
        n=t.count()
    )
    df = agg.to_pandas()
    df["month"] = pd.to_datetime(df["month"]).dt.normalize()
    if months is None:
        first = df["month"].min().date() if len(df) else last_month
    cols = pd.date_range(pd.Timestamp(first), pd.Timestamp(last_month), freq="MS", name="month")
    ids = pd.Index(relations["relation_id"].astype(object), name="relation_id")
    df["relation_id"] = df["relation_id"].astype(object)
    wide = df.pivot_table(index="relation_id", columns="month", values="n", aggfunc="sum")
    wide = wide.reindex(index=ids, columns=cols).fillna(0).astype("int64")
    wide.attrs.update({"as_of": as_of.isoformat(), "months": len(cols)})
    return wide


def trend_windows(
    as_of: dt.date, recent_months: int = RECENT_MONTHS, base_months: int = BASE_MONTHS
) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The recent and the base window (first day, last day; both inclusive) ending at ``as_of``.

    >>> trend_windows(dt.date(2026, 10, 31))
    ((datetime.date(2026, 8, 1), datetime.date(2026, 10, 31)), (datetime.date(2025, 8, 1), \
datetime.date(2026, 7, 31)))
    >>> trend_windows(dt.date(2026, 5, 31))[0]
    (datetime.date(2026, 3, 1), datetime.date(2026, 5, 31))
    """
    if recent_months < 1 or base_months < 1:
        raise ValueError("recent_months and base_months must be at least 1")
    one = dt.timedelta(days=1)
    recent_start = _months_back(as_of, recent_months) + one
    base_start = _months_back(as_of, recent_months + base_months) + one
    return (recent_start, as_of), (base_start, recent_start - one)


def trends(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    threshold: float = TREND_THRESHOLD,
    recent_months: int = RECENT_MONTHS,
    base_months: int = BASE_MONTHS,
) -> pd.DataFrame:
    """A trend arrow per relation: contact moments per month, recently against before.

    Parameters
    ----------
    data, selection, rules : as for :func:`monthly_counts` (the period is not used).
    threshold : relative change per month that counts as up or down (0.25 = 25 %).
    recent_months, base_months : the lengths of the two windows (3 and 12).

    Returns
    -------
    pandas.DataFrame
        One row per measured relation: ``relation_id, recent, base, recent_per_month,
        base_per_month, change, trend, arrow``. ``change`` is ``inf`` for contact moments after
        none, empty without any; ``trend`` is ``up``, ``down`` or ``flat``.

    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> tr = trends(ds, Selection(as_of="2026-10-31"))
    >>> sorted(tr.arrow.unique())
    ['↑', '→', '↓']
    """
    sel = selection or Selection()
    thr = Fraction(str(threshold))
    if thr < 0:
        raise ValueError(f"threshold must not be negative, got {threshold}")
    as_of = sel.resolved_as_of()
    (r_from, _), (b_from, b_to) = trend_windows(as_of, recent_months, base_months)
    t, relations = _counted_events(data, sel, rules)
    t = t.filter(t.timestamp >= day_start(b_from))
    in_recent = t.timestamp >= day_start(r_from)
    agg = t.group_by("relation_id").aggregate(
        recent=t.count(where=in_recent), base=t.count(where=~in_recent)
    )
    counts = agg.to_pandas()
    counts["relation_id"] = counts["relation_id"].astype(object)
    out = pd.DataFrame({"relation_id": relations["relation_id"].astype(object)})
    out = out.merge(counts, on="relation_id", how="left", validate="one_to_one")
    out["recent"] = out["recent"].fillna(0).astype("int64")
    out["base"] = out["base"].fillna(0).astype("int64")
    out["recent_per_month"] = out["recent"] / recent_months
    out["base_per_month"] = out["base"] / base_months
    out["change"], out["trend"] = _trends(
        out["recent"].to_numpy(np.int64),
        out["base"].to_numpy(np.int64),
        thr,
        recent_months,
        base_months,
    )
    out["arrow"] = out["trend"].map(ARROWS)
    out.attrs.update(
        {
            "as_of": as_of.isoformat(),
            "recent_from": r_from.isoformat(),
            "base_from": b_from.isoformat(),
            "base_to": b_to.isoformat(),
            "threshold": float(thr),
        }
    )
    return out


def trends_with(
    data: Dataset,
    previous: pd.DataFrame,
    events: pd.DataFrame,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    threshold: float = TREND_THRESHOLD,
    recent_months: int = RECENT_MONTHS,
    base_months: int = BASE_MONTHS,
    users: Any = ...,
    relations: Any = ...,
) -> pd.DataFrame:
    """:func:`trends` brought up to date with a few new ``events`` held in memory (a live delta,
    see :func:`aandacht.engine.count_frame`), from ``previous``, the trends of the same
    selection, rules and parameters without them, on the same day. Equal to :func:`trends` of
    everything (``tests/test_merge_property.py``); only the relations of ``events`` change.
    """
    sel = selection or Selection()
    as_of = sel.resolved_as_of()
    (r_from, r_to), (b_from, b_to) = trend_windows(as_of, recent_months, base_months)
    out = previous.copy()
    out.attrs = dict(previous.attrs)
    index = pd.Index(out["relation_id"].astype(object))
    for col, (first, last) in (("recent", (r_from, r_to)), ("base", (b_from, b_to))):
        window = dataclasses.replace(sel, period_from=first, period_to=last, revenue=None)
        per = count_frame(
            data, events, window, rules, details=False, users=users, relations=relations
        ).per_relation
        pos = index.get_indexer(per["relation_id"].astype(object))
        if (pos < 0).any():
            raise RuntimeError("counted a relation that is not measured")
        values = out[col].to_numpy(dtype=np.int64).copy()
        np.add.at(values, pos, per["total"].to_numpy(dtype=np.int64))
        out[col] = values
    out["recent_per_month"] = out["recent"] / recent_months
    out["base_per_month"] = out["base"] / base_months
    out["change"], out["trend"] = _trends(
        out["recent"].to_numpy(np.int64),
        out["base"].to_numpy(np.int64),
        Fraction(str(threshold)),
        recent_months,
        base_months,
    )
    out["arrow"] = out["trend"].map(ARROWS)
    return out


def _trends(
    recent: np.ndarray, base: np.ndarray, thr: Fraction, rm: int, bm: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_trend` on whole columns, exactly: the change ``recent·bm / (base·rm) − 1`` is
    compared with the threshold ``p/q`` as ``|recent·bm − base·rm|·q >= p·base·rm`` in
    integers, and given as the correctly rounded float of the exact fraction."""
    num = recent * bm - base * rm  # change = num / den
    den = base * rm
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    big = bool(len(num)) and (
        np.abs(num).max() * thr.denominator >= 2**62 or den.max() * max(thr.numerator, 1) >= 2**62
    )
    if big:  # counts beyond any CRM: the exact scalar rule
        pairs = [_trend(int(r), int(b), thr, rm, bm) for r, b in zip(recent, base, strict=True)]
        return (
            np.array([c for c, _ in pairs], dtype="float64"),
            np.array([k for _, k in pairs], dtype=object),
        )
    beyond = (num != 0) & (np.abs(num) * thr.denominator >= thr.numerator * den)
    kind = np.where(beyond, np.where(num > 0, "up", "down"), "flat").astype(object)
    none_before = den == 0
    change[none_before & (recent > 0)] = np.inf
    kind[none_before] = np.where(recent[none_before] > 0, "up", "flat")
    return change.astype("float64"), kind


def _trend(recent: int, base: int, thr: Fraction, rm: int, bm: int) -> tuple[float, str]:
    if base == 0:
        return (float("inf"), "up") if recent else (float("nan"), "flat")
    change = Fraction(recent * bm, base * rm) - 1
    if change != 0 and abs(change) >= thr:  # with threshold 0, any change is a trend
        return float(change), "up" if change > 0 else "down"
    return float(change), "flat"


def attention_drops(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    revenue: str | None = None,
    classes: Sequence[str] = ("A",),
    top: int | None = None,
    threshold: float = TREND_THRESHOLD,
) -> pd.DataFrame:
    """Valuable relations whose attention dropped: the last 3 months against the 12 before.

    Parameters
    ----------
    data, selection, rules : as for :func:`trends`; the selection's period (default the 365 days
        up to ``as_of``) and users give the revenue.
    revenue : revenue basis ``orders``, ``invoices`` or ``both``; default the selection's, else
        ``orders``.
    classes : the revenue (ABC) classes that count as valuable (see
        :func:`aandacht.sales.abc_classes`); ignored when ``top`` is given.
    top : instead of classes, the ``top`` relations with the highest (positive) revenue.
    threshold : as for :func:`trends`.

    Returns
    -------
    pandas.DataFrame
        The valuable relations with trend ``down``, the steepest drop first (then the highest
        revenue): ``relation_id, name, revenue, abc_class, recent, base, recent_per_month,
        base_per_month, change, trend, arrow, dgn, last_contact, last_user``.

    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> drops = attention_drops(ds, Selection(as_of="2026-10-31"))
    >>> bool((drops.trend == "down").all() and (drops.abc_class == "A").all())
    True
    """
    sel = selection or Selection()
    basis = revenue or sel.revenue or "orders"
    if basis not in REVENUE_BASES:
        raise ValueError(f"revenue basis {basis!r} is unknown: use {', '.join(REVENUE_BASES)}")
    res = calculate(data, dataclasses.replace(sel, revenue=basis), rules)
    cents = [round(float(v) * 100) for v in res["revenue"].fillna(0.0)]
    res["abc_class"] = abc_classes(cents)
    if top is not None:
        positive = res[res["revenue"] > 0]
        keep = set(positive.nlargest(int(top), "revenue", keep="all")["relation_id"])
        valuable = res["relation_id"].isin(keep)
    else:
        valuable = res["abc_class"].isin(list(classes))
    tr = trends(data, sel, rules, threshold=threshold)
    cols = ["relation_id", "name", "revenue", "abc_class", "dgn", "last_contact", "last_user"]
    out = res.loc[valuable, cols].merge(tr, on="relation_id", how="left", validate="one_to_one")
    out = out[out["trend"] == "down"]
    out = out.sort_values(["change", "revenue", "relation_id"], ascending=[True, False, True])
    order = [
        "relation_id",
        "name",
        "revenue",
        "abc_class",
        "recent",
        "base",
        "recent_per_month",
        "base_per_month",
        "change",
        "trend",
        "arrow",
        "dgn",
        "last_contact",
        "last_user",
    ]
    out = out[order].reset_index(drop=True)
    out.attrs.update({**tr.attrs, "revenue": basis, "top": top, "classes": list(classes)})
    return out
