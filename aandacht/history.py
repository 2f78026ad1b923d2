"""Attention over time: bands per period and activity per month, back-filled from the events (B1).

* :func:`band_history`: the band of each relation in each month, quarter or year, computed by
  counting and banding every period the same way the monitor does for one.
* :func:`activity_per_month`: one relation's contact moments per month and per group (history,
  correspondence, sales, helpdesk), plus the events that are not contact moments.

Both only call the counting engine (:func:`aandacht.calculate`, :func:`aandacht.timeline`) and
the banding (:func:`aandacht.bands.classify`); the end of the observation window is always an
explicit argument, never a silent "today".

Examples
--------
>>> from aandacht import load
>>> ds = load("data_samples")
>>> h = band_history(ds, ["R00001"], start="2025-01-01", end="2025-12-31", freq="Q")
>>> h[["period", "period_from", "period_to", "relation_id"]]
  period period_from  period_to relation_id
0 2025Q1  2025-01-01 2025-03-31      R00001
1 2025Q2  2025-04-01 2025-06-30      R00001
2 2025Q3  2025-07-01 2025-09-30      R00001
3 2025Q4  2025-10-01 2025-12-31      R00001
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .bands import classify
from .dataset import Dataset
from .engine import calculate, timeline
from .errors import SelectionError
from .schema import CATEGORIES
from .selection import Selection, to_date

__all__ = ["HISTORY_COLUMNS", "activity_per_month", "band_history", "periods"]

#: Columns of :func:`band_history`'s result.
HISTORY_COLUMNS = [
    "period",
    "period_from",
    "period_to",
    "relation_id",
    "name",
    "total",
    "group_mean",
    "ratio",
    "band",
]


def periods(
    start: dt.date | str,
    end: dt.date | str,
    freq: str = "Q",
    window_days: int | None = None,
) -> pd.DataFrame:
    """The periods of a history: calendar months (``"M"``), quarters (``"Q"``) or years (``"Y"``).

    Parameters
    ----------
    start, end : date or str
        First and last day of the history (inclusive); the first and last period are cut to
        them.
    freq : {"M", "Q", "Y"}
        Period length.
    window_days : int, optional
        Instead of the period itself, measure the ``window_days`` days up to the end of each
        period (a rolling window: "the band as the monitor showed it at the end of each
        quarter").

    Returns
    -------
    pandas.DataFrame
        ``period`` (text, e.g. ``"2025Q1"``), ``period_from``, ``period_to`` (dates).

    Examples
    --------
    >>> periods("2025-02-15", "2025-04-30", "M")
        period period_from  period_to
    0  2025-02  2025-02-15 2025-02-28
    1  2025-03  2025-03-01 2025-03-31
    2  2025-04  2025-04-01 2025-04-30
    """
    start_d, end_d = to_date(start, "start"), to_date(end, "end")
    if start_d is None or end_d is None:
        raise SelectionError("choose the first and the last day of the history (start, end)")
    if start_d > end_d:
        raise SelectionError(f"the history starts ({start_d}) after it ends ({end_d})")
    f = {"M": "M", "ME": "M", "Q": "Q", "QE": "Q", "Y": "Y", "YE": "Y"}.get(str(freq).upper())
    if f is None:
        raise SelectionError(f"unknown period length {freq!r}: use 'M', 'Q' or 'Y'")
    if window_days is not None and (int(window_days) != window_days or window_days < 1):
        raise SelectionError(f"window_days must be a whole number >= 1, got {window_days!r}")
    rows = []
    for p in pd.period_range(start_d, end_d, freq=f):
        p_to = min(p.end_time.date(), end_d)
        if window_days is None:
            p_from = max(p.start_time.date(), start_d)
        else:
            p_from = p_to - dt.timedelta(days=int(window_days) - 1)
        rows.append({"period": str(p), "period_from": p_from, "period_to": p_to})
    return pd.DataFrame(rows, columns=["period", "period_from", "period_to"])


def band_history(
    data: Dataset,
    relation_ids: Sequence[str] | None = None,
    *,
    start: dt.date | str,
    end: dt.date | str,
    freq: str = "Q",
    window_days: int | None = None,
    strategy: str = "relative",
    thresholds: Sequence[Any] | None = None,
    users: Sequence[str] | None = None,
    user_group: str | None = None,
    b_group: str | None = None,
    rules: pd.DataFrame | str | None = None,
    **params: Any,
) -> pd.DataFrame:
    """The band of relations in each period, each period counted and banded on its own.

    Every period is counted over the whole selection (the band is relative to the group), then
    the rows of ``relation_ids`` are kept.

    Parameters
    ----------
    data : Dataset
    relation_ids : sequence of str, optional
        The relations to report; default every measured relation.
    start, end : date or str
        First and last day of the history; see :func:`periods`.
    freq : {"M", "Q", "Y"}
        One band per month, quarter or year.
    window_days : int, optional
        Measure the ``window_days`` days up to each period's end instead of the period itself.
    strategy, thresholds, **params
        The banding, as for :func:`aandacht.bands.classify`; ``period_days`` is each period's
        own length.
    users, user_group, b_group
        The selection, as for :class:`aandacht.Selection`.
    rules : counting rules, optional

    Returns
    -------
    pandas.DataFrame
        One row per period and relation, periods in time order, relations in the order of the
        relations table: ``period, period_from, period_to, relation_id, name, total,
        group_mean, ratio, band`` (``ratio`` = total / group mean, empty when the mean is 0).

    Raises
    ------
    SelectionError
        For unknown relations (or ones outside the B-group) and bad periods.
    """
    plan = periods(start, end, freq, window_days)
    wanted = None if relation_ids is None else [str(r).strip() for r in relation_ids]
    frames = []
    for row in plan.itertuples(index=False):
        sel = Selection(
            users=None if users is None else tuple(users),
            user_group=user_group,
            b_group=b_group,
            period_from=row.period_from,
            period_to=row.period_to,
            as_of=row.period_to,
        )
        res = calculate(data, sel, rules)
        if wanted is not None:
            unknown = sorted(set(wanted) - set(res["relation_id"]))
            if unknown:
                where = f"in B-group '{b_group}'" if b_group else "in relations"
                raise SelectionError(f"relation(s) {', '.join(unknown)} are not {where}")
        days = (row.period_to - row.period_from).days + 1
        bands = classify(res["total"], strategy, thresholds, period_days=days, **params)
        mean = float(res["total"].mean()) if len(res) else float("nan")
        out = pd.DataFrame(
            {
                "period": row.period,
                "period_from": row.period_from,
                "period_to": row.period_to,
                "relation_id": res["relation_id"].to_numpy(),
                "name": res["name"].to_numpy(),
                "total": res["total"].to_numpy(),
                "group_mean": mean,
                "ratio": res["total"].to_numpy() / mean if mean else float("nan"),
                "band": bands.yb.astype(str),
            }
        )
        if wanted is not None:
            out = out[out["relation_id"].isin(wanted)]
        frames.append(out)
    hist = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=HISTORY_COLUMNS)
    for col in ("period", "relation_id", "name", "band"):
        hist[col] = hist[col].astype("str")
    hist["total"] = hist["total"].astype("int64")
    hist.attrs.update(
        {"strategy": strategy, "thresholds": thresholds, "freq": freq, "window_days": window_days}
    )
    return hist[HISTORY_COLUMNS]


def activity_per_month(
    data: Dataset,
    relation_id: str,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    users: Sequence[str] | None = None,
    user_group: str | None = None,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """One relation's activity per calendar month: contact moments per group, other events.

    Parameters
    ----------
    data : Dataset
    relation_id : str
    start, end : date or str, optional
        First and last day; default the relation's first and last event.
    users, user_group : optional
        Only events added by these users.
    rules : counting rules, optional

    Returns
    -------
    pandas.DataFrame
        One row per month from the first to the last (months without events included):
        ``month`` (timestamp of the month's first day), the contact moments per group
        (``history``, ``correspondence``, ``sales``, ``helpdesk``), ``total`` (their sum) and
        ``not_counted`` (events that are no contact moment, such as invoices and mailings).

    Examples
    --------
    >>> from aandacht import load
    >>> m = activity_per_month(load("data_samples"), "R00001", start="2026-01-01",
    ...                        end="2026-06-30")
    >>> list(m.columns)
    ['month', 'history', 'correspondence', 'sales', 'helpdesk', 'total', 'not_counted']
    >>> len(m), bool((m.total == m[["history", "correspondence", "sales", "helpdesk"]]
    ...                                .sum(axis=1)).all())
    (6, True)
    """
    tl = timeline(
        data,
        relation_id,
        period_from=start,
        period_to=end,
        users=list(users) if users is not None else None,
        user_group=user_group,
        rules=rules,
    )
    cols = ["month", *CATEGORIES, "total", "not_counted"]
    first = to_date(start, "start") or (tl["timestamp"].min().date() if len(tl) else None)
    last = to_date(end, "end") or (tl["timestamp"].max().date() if len(tl) else None)
    if first is None or last is None:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in cols}).astype(
            {"month": "datetime64[ns]"}
        )
    months = pd.period_range(first, last, freq="M")
    month = tl["timestamp"].dt.to_period("M")
    key = tl["counted_under"].where(tl["counted"], "not_counted")
    counts = pd.crosstab(month, key).reindex(
        index=months, columns=[*CATEGORIES, "not_counted"], fill_value=0
    )
    out = counts.reset_index(drop=True)
    out.insert(0, "month", months.to_timestamp())
    out["total"] = out[list(CATEGORIES)].sum(axis=1)
    out = out[cols].astype({c: "int64" for c in cols[1:]})
    out.columns.name = None
    return out
