"""Evidence for thresholds (B8): does low attention in one period predict lost revenue in the next?

A back-test bands the relations on the period that ends at a ``split`` date, exactly as the
monitor would have done on that day, and then looks at what each relation's revenue did in the
period after it. A banding that separates well puts the relations that go on to lose revenue in
the low bands (none, very little, little) and the ones that keep or grow their revenue in the
others. Analysts compare strategies and thresholds on that evidence instead of on taste.

Two steps, so that trying many bandings does not recount the events:

1. :func:`revenue_change` counts once: one row per measured relation with its contact moments in
   the period before the split and its revenue before and after.
2. :func:`evaluate` bands those totals with a strategy and measures, per band, how revenue
   changed. :func:`backtest` does both; :func:`compare_strategies` evaluates several bandings on
   one count and scores how well each separates.

Definitions

* **Before** is the ``period_days`` days up to and including ``split``; **after** is
  ``split + 1`` through ``split + period_days``, cut off at the last day with events in the data
  (a shorter after-period makes revenue look lost: a warning says so).
* Contact moments are counted for the selected users (``users`` / ``user_group``) over the
  selected relations (``b_group`` / ``relations``), as in :func:`aandacht.calculate`. Revenue is
  the relation's revenue from *all* users — what the customer brings, whoever booked it.
* Revenue is compared in whole cents. A relation **had revenue** when its revenue before is
  above 0; only those count for the shares below.
* **lost**: revenue after < revenue before. **churned** (lost all revenue): revenue after
  <= 0. **change %**: 100 × (after − before) / before.
* The **separation** of a banding is the share that lost revenue in the low bands minus that
  share in the other bands (the three bands of "little attention" in the attention summary,
  S6). Positive means low attention went with lost revenue; near 0 means the banding says
  nothing about revenue. ``churn_separation`` is the same for churn.

Examples
--------
>>> from aandacht import load
>>> ds = load("data_samples")
>>> bt = backtest(ds, split="2025-10-31")
>>> bt.bands[["band", "relations", "with_revenue"]]
          band  relations  with_revenue
0         none         28             0
1  very_little         94            46
2        little        125           107
3      average         82            78
4         much         43            42
5    very_much         28            28
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .bands import BAND_NAMES, BANDS, BandResult, classify
from .dataset import Dataset
from .engine import calculate
from .selection import Selection, to_date
from .summary import ATTENTION_GROUPS

__all__ = [
    "BacktestResult",
    "BacktestWarning",
    "DEFAULT_STRATEGIES",
    "LOW_BANDS",
    "backtest",
    "compare_strategies",
    "evaluate",
    "revenue_change",
]

#: The bands of "little attention" (S6): the back-test's low bands.
LOW_BANDS: tuple[str, ...] = ATTENTION_GROUPS["little"]

#: What :func:`compare_strategies` compares when not told: every strategy at its defaults.
DEFAULT_STRATEGIES: dict[str, tuple[str, Sequence[Any] | None]] = {
    "relative": ("relative", None),
    "quantile": ("quantile", None),
    "natural_breaks": ("natural_breaks", None),
    "fixed": ("fixed", None),
    "per_month": ("per_month", None),
}

#: Columns of :func:`revenue_change`'s result.
CHANGE_COLUMNS = ["relation_id", "name", "total", "revenue_before", "revenue_after"]


class BacktestWarning(UserWarning):
    """The periods of a back-test are not comparable (the data does not cover them)."""


@dataclass
class BacktestResult:
    """The result of :func:`evaluate` / :func:`backtest`.

    Attributes
    ----------
    relations : pandas.DataFrame
        One row per measured relation: ``relation_id, name, total, band, revenue_before,
        revenue_after, had_revenue, lost, churned, change_pct`` (``change_pct`` is empty
        without revenue before).
    bands : pandas.DataFrame
        One row per band, lowest first, empty bands included: ``band, colour, label_nl,
        label_en, relations, with_revenue, lost, lost_share, churned, churn_share,
        median_change_pct, revenue_before, revenue_after, revenue_change_pct``. Shares are
        fractions of ``with_revenue`` (NaN when it is 0).
    scores : dict[str, float]
        ``low_with_revenue``, ``other_with_revenue``, ``low_loss_share``,
        ``other_loss_share``, ``separation``, ``low_churn_share``, ``other_churn_share``,
        ``churn_separation``, ``low_median_change_pct``, ``other_median_change_pct``.
    strategy : str
    thresholds : tuple or None
        The thresholds actually used (the strategy's defaults when none were given).
    result : BandResult
        The banding itself (cut points, counts, ranges).
    settings : dict
        The split, both periods (ISO dates), their lengths, the revenue basis and the selection.
    """

    relations: pd.DataFrame
    bands: pd.DataFrame
    scores: dict[str, float]
    strategy: str
    thresholds: tuple[Any, ...] | None
    result: BandResult
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def separation(self) -> float:
        """Loss share in the low bands minus loss share in the others (see the module doc)."""
        return self.scores["separation"]

    def __repr__(self) -> str:
        s = self.settings
        head = (
            f"BacktestResult({self.result.describe()}; before {s.get('before_from')}"
            f"–{s.get('before_to')}, after {s.get('after_from')}–{s.get('after_to')}; "
            f"separation {self.scores['separation']:+.3f})"
        )
        cols = ["band", "relations", "with_revenue", "lost_share", "churn_share",
                "median_change_pct"]  # fmt: skip
        return head + "\n" + self.bands[cols].to_string(index=False)


def revenue_change(
    data: Dataset,
    split: dt.date | str,
    *,
    period_days: int = 365,
    users: Sequence[str] | None = None,
    user_group: str | None = None,
    b_group: str | None = None,
    relations: Sequence[str] | None = None,
    revenue: str = "both",
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """Count once for a back-test: contact moments before the split, revenue before and after.

    Parameters
    ----------
    data : Dataset
        A loaded data set.
    split : date or str
        The last day of the period that is banded (the back-test's "now").
    period_days : int
        Length of both periods in days; default 365.
    users, user_group : optional
        Whose contact moments count (default everyone). Revenue is always from all users.
    b_group, relations : optional
        Which relations are measured (default all).
    revenue : {"orders", "invoices", "both"}
        Revenue basis; default ``"both"``.
    rules : DataFrame or str, optional
        Counting rules; default the contract's.

    Returns
    -------
    pandas.DataFrame
        One row per measured relation, in the order of the relations table: ``relation_id,
        name, total, revenue_before, revenue_after`` (EUR, two decimals). ``attrs`` holds the
        split, ``before_from``/``before_to``, ``after_from``/``after_to`` (ISO dates),
        ``period_days``, ``after_days``, ``revenue`` and the selection.

    Raises
    ------
    ValueError
        For a period shorter than one day, or a split with no data after it.

    Warns
    -----
    BacktestWarning
        When the data ends before the after-period does, or starts after the before-period
        does: revenue in the shorter period is then too low.

    Examples
    --------
    >>> from aandacht import load
    >>> ch = revenue_change(load("data_samples"), "2025-10-31")
    >>> ch.attrs["after_from"], ch.attrs["after_to"], len(ch)
    ('2025-11-01', '2026-10-31', 400)
    """
    split_d = to_date(split, "split")
    if split_d is None:
        raise ValueError("choose the split date: the last day of the period that is banded")
    if int(period_days) != period_days or period_days < 1:
        raise ValueError(f"period_days must be a whole number of days >= 1, got {period_days!r}")
    period_days = int(period_days)
    first, last = _data_days(data)
    before_from = split_d - dt.timedelta(days=period_days - 1)
    after_from = split_d + dt.timedelta(days=1)
    after_to = min(split_d + dt.timedelta(days=period_days), last) if last else after_from
    if last is None or after_to < after_from:
        raise ValueError(
            f"no data after the split {split_d}: the events end on {last}; choose an earlier "
            "split so that there is a period after it to measure revenue in"
        )
    after_days = (after_to - after_from).days + 1
    if after_days < period_days:
        warnings.warn(
            f"the data ends on {last}: the period after the split has {after_days} of "
            f"{period_days} days, so revenue after looks lower than it is; choose a split at "
            f"least {period_days} days before the end of the data",
            BacktestWarning,
            stacklevel=2,
        )
    if first is not None and first > before_from:
        warnings.warn(
            f"the data starts on {first}: the period before the split ({before_from} – "
            f"{split_d}) is only partly covered, so revenue before looks lower than it is",
            BacktestWarning,
            stacklevel=2,
        )

    relation_sel = {
        "b_group": b_group,
        "relations": None if relations is None else tuple(relations),
    }
    who = {"users": None if users is None else tuple(users), "user_group": user_group}
    before = calculate(
        data,
        Selection(**who, **relation_sel, period_from=before_from, as_of=split_d, revenue=revenue),
        rules,
    )
    out = before[["relation_id", "name", "total"]].copy()
    if users is None and user_group is None:
        out["revenue_before"] = before["revenue"].to_numpy()
    else:  # revenue from every user, not only the selected ones
        all_before = calculate(
            data,
            Selection(**relation_sel, period_from=before_from, as_of=split_d, revenue=revenue),
            rules,
        )
        out["revenue_before"] = _aligned(out, all_before, "revenue")
    after = calculate(
        data,
        Selection(**relation_sel, period_from=after_from, as_of=after_to, revenue=revenue),
        rules,
    )
    out["revenue_after"] = _aligned(out, after, "revenue")
    out = out.reset_index(drop=True)
    out.attrs.update(
        {
            "split": split_d.isoformat(),
            "before_from": before_from.isoformat(),
            "before_to": split_d.isoformat(),
            "after_from": after_from.isoformat(),
            "after_to": after_to.isoformat(),
            "period_days": period_days,
            "after_days": after_days,
            "revenue": revenue,
            "users": before.attrs.get("users"),
            "user_group": user_group,
            "b_group": b_group,
            "relations_selected": relations is not None,
        }
    )
    return out


def evaluate(
    change: pd.DataFrame,
    strategy: str = "relative",
    thresholds: Sequence[Any] | None = None,
    **params: Any,
) -> BacktestResult:
    """Band the totals of a :func:`revenue_change` table and measure revenue change per band.

    Parameters
    ----------
    change : pandas.DataFrame
        From :func:`revenue_change` (``total``, ``revenue_before``, ``revenue_after``; the
        ``attrs`` give ``period_days`` to ``per_month``).
    strategy : str
        Banding strategy (see :func:`aandacht.bands.classify`).
    thresholds : 4 ascending numbers, optional
        The strategy's thresholds; ``None`` for its defaults.
    **params
        Further strategy parameters (e.g. ``reference``); ``period_days`` defaults to the
        before-period's length.

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> ch = pd.DataFrame({"relation_id": ["A", "B", "C", "D"], "total": [0, 1, 6, 7],
    ...                    "revenue_before": [100.0, 200.0, 100.0, 0.0],
    ...                    "revenue_after": [0.0, 150.0, 120.0, 50.0]})
    >>> r = evaluate(ch, "fixed", (2, 4, 6, 8))
    >>> r.relations[["band", "lost", "churned", "change_pct"]]
              band   lost  churned  change_pct
    0         none   True     True      -100.0
    1  very_little   True    False       -25.0
    2         much  False    False        20.0
    3         much  False    False         NaN
    >>> r.scores["low_loss_share"], r.scores["other_loss_share"], r.separation
    (1.0, 0.0, 1.0)
    """
    missing = [c for c in ("total", "revenue_before", "revenue_after") if c not in change]
    if missing:
        raise ValueError(
            f"the back-test needs column(s) {', '.join(missing)}: pass the table of "
            "revenue_change()"
        )
    params = dict(params)
    if "period_days" in change.attrs:
        params.setdefault("period_days", change.attrs["period_days"])
    res = classify(change["total"], strategy, thresholds, **params)

    before = _cents(change["revenue_before"])
    after = _cents(change["revenue_after"])
    had = before > 0
    lost = had & (after < before)
    churned = had & (after <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        change_pct = np.where(had, 100.0 * (after - before) / np.where(had, before, 1), np.nan)

    rel = pd.DataFrame(
        {
            "relation_id": change["relation_id"].to_numpy() if "relation_id" in change else None,
            "name": change["name"].to_numpy() if "name" in change else None,
            "total": change["total"].to_numpy(),
            "band": pd.array(res.yb.astype(str), dtype="str"),
            "revenue_before": before / 100,
            "revenue_after": after / 100,
            "had_revenue": had,
            "lost": lost,
            "churned": churned,
            "change_pct": change_pct,
        }
    )
    if "name" not in change:
        rel = rel.drop(columns="name")
    if "relation_id" not in change:
        rel = rel.drop(columns="relation_id")

    rows = []
    for b in BAND_NAMES:
        m = res.yb == b
        rows.append(_group_row(m, had, lost, churned, change_pct, before, after) | {"band": b})
    bands = pd.DataFrame(rows)
    bands.insert(1, "colour", [BANDS[b].colour for b in BAND_NAMES])
    bands.insert(2, "label_nl", [BANDS[b].label_nl for b in BAND_NAMES])
    bands.insert(3, "label_en", [BANDS[b].label_en for b in BAND_NAMES])
    bands = bands[
        ["band", "colour", "label_nl", "label_en", "relations", "with_revenue", "lost",
         "lost_share", "churned", "churn_share", "median_change_pct", "revenue_before",
         "revenue_after", "revenue_change_pct"]
    ]  # fmt: skip
    for col in ("band", "colour", "label_nl", "label_en"):
        bands[col] = bands[col].astype("str")

    low = np.isin(res.yb, LOW_BANDS)
    lo = _group_row(low, had, lost, churned, change_pct, before, after)
    hi = _group_row(~low, had, lost, churned, change_pct, before, after)
    scores = {
        "low_with_revenue": lo["with_revenue"],
        "other_with_revenue": hi["with_revenue"],
        "low_loss_share": lo["lost_share"],
        "other_loss_share": hi["lost_share"],
        "separation": lo["lost_share"] - hi["lost_share"],
        "low_churn_share": lo["churn_share"],
        "other_churn_share": hi["churn_share"],
        "churn_separation": lo["churn_share"] - hi["churn_share"],
        "low_median_change_pct": lo["median_change_pct"],
        "other_median_change_pct": hi["median_change_pct"],
    }
    return BacktestResult(
        relations=rel,
        bands=bands,
        scores=scores,
        strategy=strategy,
        thresholds=None if res.thresholds is None else tuple(res.thresholds),
        result=res,
        settings=dict(change.attrs),
    )


def backtest(
    data: Dataset,
    *,
    split: dt.date | str,
    strategy: str = "relative",
    thresholds: Sequence[Any] | None = None,
    period_days: int = 365,
    users: Sequence[str] | None = None,
    user_group: str | None = None,
    b_group: str | None = None,
    relations: Sequence[str] | None = None,
    revenue: str = "both",
    rules: pd.DataFrame | str | None = None,
    **params: Any,
) -> BacktestResult:
    """Band relations on the period ending at ``split``; measure their revenue in the next one.

    :func:`revenue_change` followed by :func:`evaluate`; see the module docstring for the
    definitions.

    Parameters
    ----------
    data : Dataset
    split : date or str
        The last day of the banded period.
    strategy, thresholds, **params
        The banding, as for :func:`aandacht.bands.classify`.
    period_days : int
        Length of both periods; default 365.
    users, user_group, b_group, relations
        The selection, as for :class:`aandacht.Selection`.
    revenue : {"orders", "invoices", "both"}
    rules : counting rules, optional

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> from aandacht import load
    >>> bt = backtest(load("data_samples"), split="2025-10-31", b_group="top customers")
    >>> int(bt.bands["relations"].sum())
    30
    """
    change = revenue_change(
        data,
        split,
        period_days=period_days,
        users=users,
        user_group=user_group,
        b_group=b_group,
        relations=relations,
        revenue=revenue,
        rules=rules,
    )
    return evaluate(change, strategy, thresholds, **params)


def compare_strategies(
    data: Dataset | pd.DataFrame,
    split: dt.date | str | None = None,
    strategies: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Back-test several bandings on one count and score how well each separates.

    Parameters
    ----------
    data : Dataset or pandas.DataFrame
        A data set (counted once with :func:`revenue_change`), or a table from
        :func:`revenue_change` itself (then ``split`` may be left out).
    split : date or str
        The last day of the banded period (needed with a Dataset).
    strategies : mapping, optional
        Name → ``(strategy, thresholds)``, ``(strategy, thresholds, params)`` or just the
        strategy name. Default :data:`DEFAULT_STRATEGIES` (each strategy at its defaults).
    **kwargs
        Passed to :func:`revenue_change` (``period_days``, the selection, ``revenue``,
        ``rules``).

    Returns
    -------
    pandas.DataFrame
        One row per strategy, indexed by name, in the order given: ``strategy, thresholds``
        (text), the relations per band (``none`` … ``very_much``), then the scores of
        :class:`BacktestResult` (``separation`` first). ``attrs`` holds the periods.

    Examples
    --------
    >>> from aandacht import load
    >>> cmp = compare_strategies(load("data_samples"), "2025-10-31", {
    ...     "default": ("relative", None), "strict": ("relative", (0.5, 1, 2, 4))})
    >>> list(cmp.index), list(cmp.columns[:4])
    (['default', 'strict'], ['strategy', 'thresholds', 'none', 'very_little'])
    """
    if isinstance(data, pd.DataFrame):
        if kwargs:
            raise ValueError(
                f"{', '.join(kwargs)} cannot be applied to a table that is already counted; "
                "pass the Dataset instead"
            )
        given = data.attrs.get("split")
        if split is not None and given is not None and to_date(split).isoformat() != given:
            raise ValueError(f"the table was counted with split {given}, not {split}")
        change = data
    else:
        if split is None:
            raise ValueError("choose the split date: the last day of the period that is banded")
        change = revenue_change(data, split, **kwargs)
    specs = DEFAULT_STRATEGIES if strategies is None else strategies
    if not specs:
        raise ValueError("no strategies to compare")
    rows = []
    for name, spec in specs.items():
        strategy, thresholds, params = _spec(name, spec)
        r = evaluate(change, strategy, thresholds, **params)
        row: dict[str, Any] = {
            "strategy": strategy,
            "thresholds": r.result.describe(),
        }
        row |= {b: r.result.counts[b] for b in BAND_NAMES}
        row |= {
            "separation": r.scores["separation"],
            "churn_separation": r.scores["churn_separation"],
            "low_loss_share": r.scores["low_loss_share"],
            "other_loss_share": r.scores["other_loss_share"],
            "low_churn_share": r.scores["low_churn_share"],
            "other_churn_share": r.scores["other_churn_share"],
            "low_median_change_pct": r.scores["low_median_change_pct"],
            "other_median_change_pct": r.scores["other_median_change_pct"],
            "low_with_revenue": r.scores["low_with_revenue"],
            "other_with_revenue": r.scores["other_with_revenue"],
        }
        rows.append(row)
    out = pd.DataFrame(rows, index=pd.Index([str(n) for n in specs], name="name"))
    out["strategy"] = out["strategy"].astype("str")
    out["thresholds"] = out["thresholds"].astype("str")
    out.attrs.update(change.attrs)
    return out


# --------------------------------------------------------------------------------------------
# helpers


def _data_days(data: Dataset) -> tuple[dt.date | None, dt.date | None]:
    """First and last day with events."""
    ev = data.events
    row = ev.aggregate(first=ev.timestamp.min(), last=ev.timestamp.max()).to_pandas().iloc[0]
    first = None if pd.isna(row["first"]) else pd.Timestamp(row["first"]).date()
    last = None if pd.isna(row["last"]) else pd.Timestamp(row["last"]).date()
    return first, last


def _aligned(base: pd.DataFrame, other: pd.DataFrame, column: str) -> np.ndarray:
    """``other[column]`` in the row order of ``base`` (by relation id; missing = 0)."""
    s = other.set_index("relation_id")[column]
    return s.reindex(base["relation_id"]).fillna(0.0).to_numpy(dtype=float)


def _cents(values: pd.Series) -> np.ndarray:
    """Revenue in whole cents as int64 (missing = 0)."""
    v = pd.to_numeric(values, errors="raise").astype("Float64").fillna(0.0).to_numpy(dtype=float)
    if not np.isfinite(v).all():
        raise ValueError("revenue must be finite numbers")
    return np.round(v * 100).astype(np.int64)


def _group_row(
    members: np.ndarray,
    had: np.ndarray,
    lost: np.ndarray,
    churned: np.ndarray,
    change_pct: np.ndarray,
    before: np.ndarray,
    after: np.ndarray,
) -> dict[str, Any]:
    """The back-test figures of one group of relations (a band, or low vs the others)."""
    m = np.asarray(members, dtype=bool)
    n_had = int((m & had).sum())
    b_cents = int(before[m].sum())
    a_cents = int(after[m].sum())
    return {
        "relations": int(m.sum()),
        "with_revenue": n_had,
        "lost": int((m & lost).sum()),
        "lost_share": float((m & lost).sum() / n_had) if n_had else np.nan,
        "churned": int((m & churned).sum()),
        "churn_share": float((m & churned).sum() / n_had) if n_had else np.nan,
        "median_change_pct": float(np.median(change_pct[m & had])) if n_had else np.nan,
        "revenue_before": b_cents / 100,
        "revenue_after": a_cents / 100,
        "revenue_change_pct": 100.0 * (a_cents - b_cents) / b_cents if b_cents > 0 else np.nan,
    }


def _spec(name: Any, spec: Any) -> tuple[str, Sequence[Any] | None, dict[str, Any]]:
    """Normalise one entry of ``strategies`` to (strategy, thresholds, params)."""
    if isinstance(spec, str):
        return spec, None, {}
    if isinstance(spec, Sequence) and len(spec) in (2, 3):
        params = dict(spec[2]) if len(spec) == 3 else {}
        return spec[0], spec[1], params
    raise ValueError(
        f"strategy {name!r}: give (strategy, thresholds), (strategy, thresholds, params) or a "
        f"strategy name, not {spec!r}"
    )
