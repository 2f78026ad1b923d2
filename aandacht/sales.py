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

import dataclasses
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
        The attention index as exact numbers (Fraction, 0 or ``inf``; ``None`` when excluded);
        made when first read.
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
    _exact: Any = dataclasses.field(default=None, repr=False)

    @property
    def exact_index(self) -> pd.Series:
        """The attention index as exact numbers (Fraction, 0 or ``inf``; ``None`` when
        excluded), made on first use (explanations need it; banding does not)."""
        if callable(self._exact):
            self._exact = self._exact()
        return self._exact


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
    if contacts_raw.dtype.kind in "iu":
        return _sales_view_int(
            df,
            contacts_raw,
            strategy,
            thresholds,
            abc,
            total_column,
            revenue_column,
            id_column,
            params,
        )
    return _sales_view_exact(
        df,
        contacts_raw,
        strategy,
        thresholds,
        abc,
        total_column,
        revenue_column,
        id_column,
        params,
    )


def _classify_index(values: np.ndarray, strategy, thresholds, params) -> BandResult:
    if strategy in _INDEX_THRESHOLD_STRATEGIES:
        params = {k: v for k, v in params.items() if k != "period_days"}
        return classify(values, "relative", thresholds, reference=1, **params)
    return classify(values, strategy, thresholds, **params)


def _sales_view_int(
    df, contacts_raw, strategy, thresholds, abc, total_column, revenue_column, id_column, params
) -> SalesView:
    """The sales view for whole contact counts, on whole columns (no Python per relation).

    Exact as the contract asks: the index is compared with the thresholds in floating point
    where that decides, and as exact integers for the few indices within a hair of a
    threshold; sums are integer cents.
    """
    n_rel = len(contacts_raw)
    k = contacts_raw.astype(np.int64)
    cents = _revenue_cents_array(df[revenue_column])
    excluded = (k == 0) & (cents == 0)
    sum_contacts = int(k.sum())  # excluded relations add nothing to either sum
    sum_revenue = int(cents.sum())

    # kinds of index: excluded (None), 0 (revenue, no contacts), inf (contacts, no revenue),
    # and finite non-zero: k * sum_revenue / (cents * sum_contacts)
    zero = ~excluded & (k == 0)
    inf = ~excluded & (k > 0) & (cents == 0)
    finite = (k > 0) & (cents != 0)
    num = _times(k[finite], sum_revenue)
    den = _times(cents[finite], sum_contacts)
    value = np.full(n_rel, np.nan)
    value[zero] = 0.0
    value[inf] = np.inf
    value[finite] = _divide(num, den)  # correctly rounded, as float(Fraction(num, den))
    negative = finite & (value < 0)
    finite_pos = np.flatnonzero(~excluded & ~inf & ~negative)

    result = _classify_index(value[finite_pos], strategy, thresholds, params)
    codes = np.full(n_rel, -1, dtype=np.int64)
    codes[finite_pos] = result.codes
    if strategy in _INDEX_THRESHOLD_STRATEGIES and len(finite_pos):
        # the floats decide except within a hair of a threshold: there, compare exactly
        exact_codes = _exact_codes(value, finite, num, den, result.exact_thresholds)
        fixed = exact_codes[finite_pos]
        if not np.array_equal(fixed, result.codes):
            _recode(result, fixed)
            codes[finite_pos] = fixed
    codes[inf] = BAND_NAMES.index("very_much")
    codes[negative] = BAND_NAMES.index("very_little")
    band_names = np.array([*BAND_NAMES, None], dtype=object)
    band = band_names[codes]  # -1 (excluded) picks None
    area = np.array([BAND_AREA[b] for b in BAND_NAMES] + ["excluded"], dtype=object)[codes]

    revenue = cents / 100
    contacts_f = k.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rpc = np.where(k > 0, revenue / np.where(k > 0, contacts_f, 1), np.nan)
    if sum_revenue > 0:
        expected = _divide(_times(np.maximum(cents, 0), sum_contacts), sum_revenue)
    else:
        expected = np.zeros(n_rel)
    a = sum_revenue / (100 * sum_contacts) if sum_contacts else float("nan")

    columns = {
        "attention_index": value,
        "sales_band": band,
        "sales_area": area,
        "abc_class": _abc_array(cents, abc),
    }
    keep = ~excluded
    view_cents = int(cents[keep].sum())

    def exact_index() -> pd.Series:
        out = np.full(n_rel, None, dtype=object)
        out[zero] = 0
        out[inf] = float("inf")
        out[finite] = [Fraction(int(x), int(y)) for x, y in zip(num, den, strict=True)]
        return pd.Series(out, index=df.index, name="attention_index", dtype=object)

    return _view(
        df,
        id_column,
        total_column,
        contacts_raw,
        revenue,
        rpc,
        expected,
        contacts_f,
        columns,
        codes,
        cents,
        excluded,
        view_cents,
        a,
        sum_contacts,
        strategy,
        result,
        exact_index,
    )


def _times(a: np.ndarray, factor: int) -> np.ndarray:
    """``a * factor`` exactly: int64 when it cannot overflow, else Python integers."""
    big = int(np.abs(a).max()) * abs(factor) if a.size else 0
    if big < 2**62:
        return a.astype(np.int64) * np.int64(factor)
    return a.astype(object) * factor


_EXACT_FLOAT = 2**53


def _divide(num: np.ndarray, den: np.ndarray | int) -> np.ndarray:
    """``num / den`` per element, correctly rounded, as ``float(Fraction(n, d))``.

    IEEE division of two exactly represented integers is correctly rounded, so numpy does it
    when every operand is below 2**53; else Python's integer division, correctly rounded for
    any size.
    """
    d = np.asarray(den)

    def exact_floats(x: np.ndarray) -> bool:
        return x.size == 0 or int(np.abs(x).max()) < _EXACT_FLOAT

    if num.dtype != object and d.dtype != object and exact_floats(num) and exact_floats(d):
        return num.astype(float) / d.astype(float)
    n_list = [int(x) for x in num]
    if d.ndim == 0:
        return np.array([x / int(d) for x in n_list], dtype=float)
    return np.array([x / int(y) for x, y in zip(n_list, d, strict=True)], dtype=float)


def _exact_codes(value, finite, num, den, cuts) -> np.ndarray:
    """Band codes 1..5 of the non-negative indices by exact comparison with ``cuts``."""
    codes = np.ones(len(value), dtype=np.int64)
    where_finite = np.flatnonzero(finite)
    for c in cuts:
        fc = float(c)
        ge = value >= fc
        near = np.flatnonzero(finite & (np.abs(value - fc) <= 1e-9 * max(abs(fc), 1e-300)))
        if near.size:
            slot = np.searchsorted(where_finite, near)
            for i, j in zip(near, slot, strict=True):
                ge[i] = Fraction(int(num[j]), int(den[j])) >= c
        codes += ge
    codes[value == 0] = 0
    return codes


def _recode(result: BandResult, codes: np.ndarray) -> None:
    """Give ``result`` the exact band codes (its floats put a value on the wrong side)."""
    result.codes = codes
    result.yb = np.array(BAND_NAMES, dtype=object)[codes]
    result.counts = {b: int(np.sum(codes == i)) for i, b in enumerate(BAND_NAMES)}
    y = np.asarray(result.y, dtype=float)
    result.ranges = {
        b: (float(y[codes == i].min()), float(y[codes == i].max())) if (codes == i).any() else None
        for i, b in enumerate(BAND_NAMES)
    }


def _used_thresholds(strategy: str, result: BandResult):
    if strategy == "natural_breaks" or result.thresholds is None:
        return None
    return tuple(result.thresholds)


def _sales_view_exact(
    df, contacts_raw, strategy, thresholds, abc, total_column, revenue_column, id_column, params
) -> SalesView:
    """The sales view for contacts that are not whole numbers (weighted totals): exact
    fractions throughout."""
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
    result = _classify_index(values, strategy, thresholds, params)

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

    columns = {
        "attention_index": [np.nan if x is None else float(x) for x in index],
        "sales_band": band,
        "sales_area": area,
        "abc_class": abc_classes(cents, abc),
    }
    view_cents = sum(c for c, k in zip(cents, ~excluded, strict=True) if k)
    return _view(
        df,
        id_column,
        total_column,
        contacts_raw,
        revenue,
        rpc,
        expected,
        contacts_f,
        columns,
        codes,
        np.array(cents, dtype=object),
        excluded,
        view_cents,
        a,
        sum_contacts,
        strategy,
        result,
        pd.Series(index, index=df.index, name="attention_index", dtype=object),
    )


def _view(
    df,
    id_column,
    total_column,
    contacts_raw,
    revenue,
    rpc,
    expected,
    contacts_f,
    columns,
    codes,
    cents,
    excluded,
    view_cents,
    a,
    sum_contacts,
    strategy,
    result,
    exact,
) -> SalesView:
    """The :class:`SalesView` of either path: its table, band and area rows and totals."""
    table = pd.DataFrame(
        {
            "relation_id": df[id_column].to_numpy(),
            "revenue": revenue,
            "revenue_per_contact": rpc,
            "attention_index": columns["attention_index"],
            "sales_band": pd.array(columns["sales_band"], dtype="str"),
            "sales_area": pd.array(columns["sales_area"], dtype="str"),
            "expected_contacts": expected,
            "contact_gap": expected - contacts_f,
            "abc_class": pd.array(columns["abc_class"], dtype="str"),
        },
        index=df.index,
    )
    n_view = int((~excluded).sum())
    bands = _band_rows(codes, cents, rpc, n_view, view_cents)
    return SalesView(
        table=table,
        bands=bands,
        areas=_area_rows(bands, n_view, view_cents),
        excluded=df.loc[excluded].copy(),
        average_revenue_per_contact=a,
        total_revenue=view_cents / 100,
        total_contacts=float(sum_contacts),
        n=n_view,
        strategy=strategy,
        thresholds=_used_thresholds(strategy, result),
        result=result,
        contacts=pd.Series(contacts_raw, index=df.index, name=total_column),
        _exact=exact,
    )


def abc_classes(revenue_cents: Sequence[int], abc: Sequence[Any] = (0.8, 0.95)) -> list[str]:
    """ABC revenue class per relation from integer revenue (cents).

    A relation is ``A`` while the revenue of all relations with *more* revenue is below
    ``abc[0]`` of the total positive revenue, ``B`` while below ``abc[1]``, else ``C``.
    Equal revenue gets the same class; revenue ``<= 0`` is ``C``.

    >>> abc_classes([5000, 3000, 1000, 500, 500, 0])
    ['A', 'A', 'B', 'B', 'B', 'C']
    """
    values = [int(c) for c in revenue_cents]
    fits = all(-(2**62) < v < 2**62 for v in values)
    return list(_abc_array(np.array(values, dtype=np.int64 if fits else object), abc))


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


def _revenue_cents_array(revenue: pd.Series) -> np.ndarray:
    """:func:`_revenue_cents` as an int64 array (``round`` half to even, like Python's)."""
    try:
        values = pd.to_numeric(revenue, errors="raise").astype("Float64")
    except (ValueError, TypeError) as e:
        raise ValueError(f"revenue must be numbers (EUR): {e}") from e
    values = values.fillna(0.0).to_numpy(dtype=float)
    if not np.isfinite(values).all():
        bad = list(revenue.index[~np.isfinite(values)][:5])
        raise ValueError(f"revenue must be finite (rows {bad})")
    scaled = values * 100
    if scaled.size and np.abs(scaled).max() >= 2**62:
        return np.array([round(v) for v in scaled], dtype=object)
    return np.round(scaled).astype(np.int64)


def _abc_array(cents: np.ndarray, abc: Sequence[Any]) -> np.ndarray:
    """:func:`abc_classes` on whole columns: the same classes, without a loop per relation."""
    cut = [exact(x, "abc share") for x in abc]
    if len(cut) != 2 or not 0 < cut[0] < cut[1] <= 1:
        raise ValueError(f"abc must be two ascending shares in (0, 1], got {list(abc)}")
    out = np.full(len(cents), "C", dtype=object)
    positive = np.asarray(cents > 0, dtype=bool)
    if not positive.any():
        return out
    values, inverse, counts = np.unique(cents[positive], return_inverse=True, return_counts=True)
    values, counts = values.astype(object), counts.astype(object)  # exact, any size
    order = np.arange(len(values))[::-1]  # highest revenue first
    weights = values[order] * counts[order]
    above = np.concatenate([[0], np.cumsum(weights)[:-1]]).astype(object)
    total = int(np.sum(weights))
    # above / total < cut, exactly
    is_a = above * cut[0].denominator < cut[0].numerator * total
    is_b = above * cut[1].denominator < cut[1].numerator * total
    cls_desc = np.where(is_a, "A", np.where(is_b, "B", "C")).astype(object)
    cls = np.empty(len(values), dtype=object)
    cls[order] = cls_desc
    out[positive] = cls[inverse.ravel()]
    return out


def _band_rows(
    codes: np.ndarray, cents: np.ndarray, rpc: np.ndarray, n_view: int, view_cents: int
) -> pd.DataFrame:
    rows = []
    for i, b in enumerate(BAND_NAMES):
        members = codes == i
        count = int(members.sum())
        rev_cents = int(cents[members].sum()) if count else 0
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
