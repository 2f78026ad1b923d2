"""The sales view (S9, B5): is the attention a relation gets in line with its revenue?

Works on the per-relation table of the counting engine (``total`` contact moments and
``revenue`` in EUR per relation). Definitions, from the data-format contract:

* **excluded**: no contact moments and no revenue;
* ``A`` = Σ revenue / Σ contact moments over the relations that are not excluded;
* **attention index** = contacts × A / revenue: 0 with revenue and no contacts, infinite with
  contacts and no revenue, 1 = attention in line with revenue;
* **sales band** by index: ``none`` for index 0; with the default ``relative`` strategy the
  thresholds apply to the index itself (< 0.25 ``very_little``, < 0.75 ``little``,
  < 1.5 ``average``, < 3.0 ``much``, else ``very_much``; equal goes higher);
* **areas**: ``insufficient`` (none, very_little, little), ``average``, ``too_much``
  (much, very_much); excluded relations get area ``excluded`` and no band.

Decisions beyond the contract (documented here and tested):

* Revenue is taken in whole cents (``round(revenue * 100)``) and every comparison is exact
  integer/fraction arithmetic, so an index equal to a threshold always goes to the higher band.
* Negative revenue (credit notes exceeding sales) is revenue, as the contract's sums read
  literally: it counts in ``Σ revenue`` (so in ``A``), a relation with negative revenue is not
  excluded (index 0, ``none``, without contacts), and with contacts its index
  ``contacts × A / revenue`` is negative, below every threshold: ``very_little``. Only a
  revenue of exactly 0 is "no revenue". A missing revenue is 0. The expected contacts
  (``revenue / A``) take negative revenue as 0 and are 0 when ``Σ revenue <= 0``.
* Strategies: ``relative`` applies its thresholds to the index. The index does not depend on
  the length of the period and is already relative to the group, so ``fixed`` and
  ``per_month`` are the same as ``relative`` here: their thresholds are *index* values (default
  ``(0.25, 0.75, 1.5, 3.0)``), never contact counts. ``quantile`` and ``natural_breaks``
  classify the finite positive indices; an infinite index is always ``very_much``.
* ABC classes: relations by revenue, highest first; ``A`` while the revenue of the relations
  above it is below 80 % of the total (so the relation that crosses 80 % is still ``A``), ``B``
  below 95 %, then ``C``; equal revenue gets the same class; revenue ``<= 0`` is ``C``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from aandacht.bands import (
    AREA_BANDS,
    AREAS,
    BAND_AREA,
    BAND_NAMES,
    BANDS,
    STRATEGIES,
    BandResult,
    _exact_value,
    _validate_values,
    classify,
    exact,
)

__all__ = ["SALES_AREAS", "SalesView", "abc_classes", "sales_view"]

#: The three areas of the sales view, in display order (``excluded`` is listed apart).
SALES_AREAS: tuple[str, ...] = tuple(AREA_BANDS)

#: Strategies that apply their thresholds to the index itself in the sales view.
_INDEX_THRESHOLD_STRATEGIES = ("relative", "fixed", "per_month")


@dataclass
class SalesView:
    """The result of :func:`sales_view`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per relation (same index as the input): ``relation_id, revenue,
        revenue_per_contact, attention_index, sales_band, sales_area, expected_contacts,
        contact_gap, abc_class``. ``sales_band`` is empty for excluded relations;
        ``contact_gap`` = expected − actual (positive = contacts short).
    bands : pandas.DataFrame
        Per band: ``band, colour, label_nl, label_en, area, count, share, revenue,
        revenue_share, revenue_per_contact_min, revenue_per_contact_max``.
    areas : pandas.DataFrame
        Per area (insufficient, average, too_much): ``area, colour, label_nl, label_en, count,
        share, revenue, revenue_share``.
    excluded : pandas.DataFrame
        The input rows of the excluded relations (all their columns).
    average_revenue_per_contact : float
        ``A``; NaN when there are no contact moments at all.
    total_revenue : float
        Σ revenue of the relations in the view (whole cents).
    total_contacts : float
        Σ contact moments.
    n : int
        Relations in the view (not excluded).
    strategy : str
        The strategy name as asked.
    thresholds : tuple or None
        The thresholds actually used (``None`` for natural breaks).
    result : BandResult
        The banding of the finite indices (for explanations).
    contacts : pandas.Series
        Contact moments per relation (the input ``total``).
    exact_index : pandas.Series
        The attention index as exact numbers (Fraction, 0 or ``inf``; ``None`` when excluded).
    """

    table: pd.DataFrame
    bands: pd.DataFrame
    areas: pd.DataFrame
    excluded: pd.DataFrame
    average_revenue_per_contact: float
    total_revenue: float
    total_contacts: float
    n: int
    strategy: str
    thresholds: tuple[Any, ...] | None
    result: BandResult
    contacts: pd.Series
    exact_index: pd.Series


def sales_view(
    df: pd.DataFrame,
    strategy: str = "relative",
    thresholds: Sequence[Any] | None = None,
    *,
    abc: Sequence[Any] = (0.8, 0.95),
    total_column: str = "total",
    revenue_column: str = "revenue",
    id_column: str = "relation_id",
    **params: Any,
) -> SalesView:
    """Weigh each relation's attention against its revenue.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per measured relation with ``relation_id``, ``total`` and ``revenue``.
    strategy : str
        Banding strategy for the index (see the module docstring for what each means here).
    thresholds : 4 ascending numbers, optional
        Index thresholds (``relative``/``fixed``/``per_month``) or quantile shares
        (``quantile``); ``None`` for the defaults.
    abc : (a, b)
        Cumulative revenue shares closing classes A and B; default ``(0.8, 0.95)``.
    total_column, revenue_column, id_column : str
        Column names.
    **params
        Passed to the strategy; ``period_days`` is accepted and not needed.

    Returns
    -------
    SalesView

    Examples
    --------
    >>> df = pd.DataFrame({"relation_id": ["R1", "R2", "R3", "R4"], "total": [2, 2, 0, 0],
    ...                    "revenue": [1000.0, 100.0, 500.0, 0.0]})
    >>> v = sales_view(df)
    >>> v.average_revenue_per_contact
    400.0
    >>> v.table[["attention_index", "sales_band", "sales_area"]]
       attention_index sales_band    sales_area
    0              0.8    average       average
    1              8.0  very_much      too_much
    2              0.0       none  insufficient
    3              NaN        NaN      excluded
    """
    if strategy not in STRATEGIES:
        raise ValueError(
            f"unknown banding strategy {strategy!r}; valid strategies: {', '.join(STRATEGIES)}"
        )
    for col in (id_column, total_column, revenue_column):
        if col not in df.columns:
            raise ValueError(
                f"sales view needs column {col!r}; the table has: {', '.join(map(str, df.columns))}"
            )
    contacts_raw = _validate_values(df[total_column])
    contacts = [_exact_value(v) for v in contacts_raw]
    cents = _revenue_cents(df[revenue_column])
    pos = [max(c, 0) for c in cents]
    excluded = np.array([n == 0 and c == 0 for n, c in zip(contacts, cents, strict=True)], bool)
    sum_contacts = sum(contacts)  # excluded relations add nothing to either sum
    sum_revenue = sum(cents)

    # exact index; None marks excluded, inf marks contacts without revenue
    index: list[Any] = []
    for n, c, ex in zip(contacts, cents, excluded, strict=True):
        if ex:
            index.append(None)
        elif n == 0:
            index.append(0)
        elif c == 0:
            index.append(float("inf"))
        else:
            index.append(Fraction(n * sum_revenue, c * sum_contacts))

    # a negative index (credit notes: negative revenue, or a negative A) is below every
    # threshold: very_little; the strategies classify the others
    negative = [i for i, x in enumerate(index) if x is not None and x < 0]
    finite_pos = [i for i, x in enumerate(index) if x is not None and x != float("inf") and x >= 0]
    values = np.array([index[i] for i in finite_pos], dtype=object)
    if strategy in _INDEX_THRESHOLD_STRATEGIES:
        params = {k: v for k, v in params.items() if k != "period_days"}
        result = classify(values, "relative", thresholds, reference=1, **params)
    else:
        result = classify(values, strategy, thresholds, **params)

    n = len(index)
    codes = np.full(n, -1, dtype=np.int64)
    codes[finite_pos] = result.codes
    for i, x in enumerate(index):
        if x == float("inf"):
            codes[i] = BAND_NAMES.index("very_much")
    codes[negative] = BAND_NAMES.index("very_little")
    band = [None if c < 0 else BAND_NAMES[c] for c in codes]
    area = ["excluded" if b is None else BAND_AREA[b] for b in band]

    revenue = np.array([c / 100 for c in cents], dtype=float)
    contacts_f = np.array([float(c) for c in contacts], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rpc = np.where(contacts_f > 0, revenue / np.where(contacts_f > 0, contacts_f, 1), np.nan)
    if sum_revenue > 0:
        expected = np.array([float(Fraction(p * sum_contacts, sum_revenue)) for p in pos])
    else:
        expected = np.zeros(n)
    a = float(Fraction(sum_revenue, 100) / sum_contacts) if sum_contacts else float("nan")

    table = pd.DataFrame(
        {
            "relation_id": df[id_column].to_numpy(),
            "revenue": revenue,
            "revenue_per_contact": rpc,
            "attention_index": [np.nan if x is None else float(x) for x in index],
            "sales_band": pd.array(band, dtype="str"),
            "sales_area": pd.array(area, dtype="str"),
            "expected_contacts": expected,
            "contact_gap": expected - contacts_f,
            "abc_class": pd.array(abc_classes(cents, abc), dtype="str"),
        },
        index=df.index,
    )

    keep = ~excluded
    n_view = int(keep.sum())
    view_cents = sum(c for c, k in zip(cents, keep, strict=True) if k)
    bands = _band_rows(codes, cents, rpc, n_view, view_cents)
    areas = _area_rows(bands, n_view, view_cents)
    used = (
        None
        if strategy == "natural_breaks"
        else tuple(result.thresholds)
        if result.thresholds is not None
        else None
    )
    return SalesView(
        table=table,
        bands=bands,
        areas=areas,
        excluded=df.loc[excluded].copy(),
        average_revenue_per_contact=a,
        total_revenue=view_cents / 100,
        total_contacts=float(sum_contacts),
        n=n_view,
        strategy=strategy,
        thresholds=used,
        result=result,
        contacts=pd.Series(contacts_raw, index=df.index, name=total_column),
        exact_index=pd.Series(index, index=df.index, name="attention_index", dtype=object),
    )


def abc_classes(revenue_cents: Sequence[int], abc: Sequence[Any] = (0.8, 0.95)) -> list[str]:
    """ABC revenue class per relation from integer revenue (cents).

    A relation is ``A`` while the revenue of all relations with *more* revenue is below
    ``abc[0]`` of the total positive revenue, ``B`` while below ``abc[1]``, else ``C``.
    Equal revenue gets the same class; revenue ``<= 0`` is ``C``.

    >>> abc_classes([5000, 3000, 1000, 500, 500, 0])
    ['A', 'A', 'B', 'B', 'B', 'C']
    """
    cut = [exact(x, "abc share") for x in abc]
    if len(cut) != 2 or not 0 < cut[0] < cut[1] <= 1:
        raise ValueError(f"abc must be two ascending shares in (0, 1], got {list(abc)}")
    how_many = Counter(c for c in revenue_cents if c > 0)
    total = sum(c * k for c, k in how_many.items())
    cls: dict[int, str] = {}
    above = 0  # revenue of the relations with more revenue
    for value in sorted(how_many, reverse=True):
        # above / total < cut, exactly
        if above * cut[0].denominator < cut[0].numerator * total:
            cls[value] = "A"
        elif above * cut[1].denominator < cut[1].numerator * total:
            cls[value] = "B"
        else:
            cls[value] = "C"
        above += value * how_many[value]
    out = [cls.get(c, "C") for c in revenue_cents]
    return out


# --------------------------------------------------------------------------------------------


def _revenue_cents(revenue: pd.Series) -> list[int]:
    """Revenue in whole cents; missing = 0; non-numeric or infinite → ValueError."""
    try:
        values = pd.to_numeric(revenue, errors="raise").astype("Float64")
    except (ValueError, TypeError) as e:
        raise ValueError(f"revenue must be numbers (EUR): {e}") from e
    values = values.fillna(0.0).to_numpy(dtype=float)
    if not np.isfinite(values).all():
        bad = list(revenue.index[~np.isfinite(values)][:5])
        raise ValueError(f"revenue must be finite (rows {bad})")
    return [round(v * 100) for v in values]


def _band_rows(
    codes: np.ndarray, cents: list[int], rpc: np.ndarray, n_view: int, view_cents: int
) -> pd.DataFrame:
    rows = []
    for i, b in enumerate(BAND_NAMES):
        members = codes == i
        count = int(members.sum())
        rev_cents = sum(c for c, m in zip(cents, members, strict=True) if m)
        r = rpc[members]
        r = r[~np.isnan(r)]
        rows.append(
            {
                "band": b,
                "colour": BANDS[b].colour,
                "label_nl": BANDS[b].label_nl,
                "label_en": BANDS[b].label_en,
                "area": BAND_AREA[b],
                "count": count,
                "share": count / n_view if n_view else 0.0,
                "revenue": rev_cents / 100,
                "revenue_share": rev_cents / view_cents if view_cents else np.nan,
                "revenue_per_contact_min": float(r.min()) if r.size else np.nan,
                "revenue_per_contact_max": float(r.max()) if r.size else np.nan,
            }
        )
    return _typed(pd.DataFrame(rows))


def _area_rows(bands: pd.DataFrame, n_view: int, view_cents: int) -> pd.DataFrame:
    rows = []
    for a in SALES_AREAS:
        sub = bands[bands["area"] == a]
        count = int(sub["count"].sum())
        rev_cents = round(sub["revenue"].sum() * 100)
        rows.append(
            {
                "area": a,
                "colour": AREAS[a].colour,
                "label_nl": AREAS[a].label_nl,
                "label_en": AREAS[a].label_en,
                "count": count,
                "share": count / n_view if n_view else 0.0,
                "revenue": rev_cents / 100,
                "revenue_share": rev_cents / view_cents if view_cents else np.nan,
            }
        )
    return _typed(pd.DataFrame(rows))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for col in ("band", "area", "colour", "label_nl", "label_en"):
        if col in frame:
            frame[col] = frame[col].astype("str")
    frame["count"] = frame["count"].astype(np.int64)
    return frame
