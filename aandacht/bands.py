"""Attention bands: the six coloured bands, the sales areas and the banding strategies.

This module is the one place for band and area names, colours and labels (nl/en).

The strategies are shaped like :mod:`mapclassify`'s classifiers: one base class,
:class:`BandStrategy`, does the validation and the assignment; each subclass only computes the
cut points. Results are plain attributes of the instance (``yb``, ``bins``, ``counts``,
``ranges``). :func:`classify` is the entry point.

Rules common to every strategy

* band ``none`` is exactly the values equal to 0; every value gets exactly one band;
* the other five bands are separated by four cut points; a value *equal* to a cut point goes to
  the higher band (``value >= cut``);
* all comparisons are exact (integers and :class:`fractions.Fraction`, never floats), so a ratio
  that is mathematically equal to a threshold always lands in the higher band. Float thresholds
  are read by their shortest decimal representation (``0.1`` means 1/10).

Examples
--------
>>> r = classify([0, 1, 2, 4, 9])
>>> list(r.yb)
['none', 'little', 'little', 'average', 'much']
>>> r.counts["little"]
2
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Integral, Rational
from typing import Any, ClassVar

import numpy as np
import pandas as pd

__all__ = [
    "AREAS",
    "AREA_BANDS",
    "AREA_NAMES",
    "BANDS",
    "BAND_AREA",
    "BAND_NAMES",
    "STRATEGIES",
    "Band",
    "BandResult",
    "BandStrategy",
    "Fixed",
    "NaturalBreaks",
    "PerMonth",
    "Quantile",
    "Relative",
    "band_table",
    "classify",
    "label",
    "period_days",
]


@dataclass(frozen=True)
class Band:
    """A band or area: its key, display colour and labels."""

    name: str
    colour: str
    label_nl: str
    label_en: str

    def label(self, lang: str = "nl") -> str:
        """The label in ``lang`` (``"nl"`` or ``"en"``)."""
        if lang not in ("nl", "en"):
            raise ValueError(f"unknown language {lang!r}; valid: 'nl', 'en'")
        return self.label_nl if lang == "nl" else self.label_en


#: The six attention bands, lowest first.
BANDS: dict[str, Band] = {
    b.name: b
    for b in (
        Band("none", "#d62728", "geen", "none"),
        Band("very_little", "#595959", "zeer weinig", "very little"),
        Band("little", "#bfbfbf", "weinig", "little"),
        Band("average", "#1f77b4", "gemiddeld", "average"),
        Band("much", "#2ca02c", "veel", "much"),
        Band("very_much", "#ffd700", "zeer veel", "very much"),
    )
}
BAND_NAMES: tuple[str, ...] = tuple(BANDS)

#: The sales-view areas (S9), plus ``excluded`` (no contact moments and no revenue).
AREAS: dict[str, Band] = {
    a.name: a
    for a in (
        Band("insufficient", "#d62728", "mogelijk onvoldoende", "possibly insufficient"),
        Band("average", "#1f77b4", "gemiddeld", "average"),
        Band("too_much", "#ff7f0e", "mogelijk te veel", "possibly too much"),
        Band("excluded", "#9e9e9e", "uitgesloten", "excluded"),
    )
}
AREA_NAMES: tuple[str, ...] = tuple(AREAS)

#: Which bands make up each sales area.
AREA_BANDS: dict[str, tuple[str, ...]] = {
    "insufficient": ("none", "very_little", "little"),
    "average": ("average",),
    "too_much": ("much", "very_much"),
}
BAND_AREA: dict[str, str] = {b: a for a, bands in AREA_BANDS.items() for b in bands}


def label(name: str, lang: str = "nl") -> str:
    """The label of a band or area by its key.

    >>> label("very_little", "en")
    'very little'
    >>> label("too_much")
    'mogelijk te veel'
    """
    if name in BANDS:
        return BANDS[name].label(lang)
    if name in AREAS:
        return AREAS[name].label(lang)
    raise ValueError(f"unknown band or area {name!r}; valid: {', '.join(BAND_NAMES + AREA_NAMES)}")


def period_days(start: Any, end: Any) -> int:
    """Days in the period ``start`` 00:00 through ``end`` 23:59:59, inclusive.

    >>> period_days("2024-01-01", "2024-12-31")
    366
    """
    days = (pd.Timestamp(end).normalize() - pd.Timestamp(start).normalize()).days + 1
    if days < 1:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    return days


# --------------------------------------------------------------------------------------------
# exact numbers


def exact(x: Any, what: str = "value") -> Fraction:
    """``x`` as an exact :class:`~fractions.Fraction`.

    Floats are read by their shortest decimal representation (``0.1`` → 1/10), so that a
    threshold typed as ``1.5`` means exactly 3/2. Strings such as ``"0.25"`` are accepted.
    """
    if isinstance(x, bool | np.bool_):
        raise ValueError(f"{what} must be a number, not {x!r}")
    if isinstance(x, np.generic):
        x = x.item()
    try:
        if isinstance(x, Rational | Decimal):
            return Fraction(x)
        if isinstance(x, float):
            if not math.isfinite(x):
                raise ValueError(f"{what} must be finite, got {x!r}")
            return Fraction(repr(x))
        if isinstance(x, str):
            return Fraction(x.strip())
    except (ValueError, ZeroDivisionError) as e:
        raise ValueError(f"{what} must be a finite number, got {x!r}") from e
    raise ValueError(f"{what} must be a number, got {x!r}")


def _exact_value(x: Any) -> int | Fraction:
    """A data value as an exact int or Fraction (floats exactly as stored, not rounded)."""
    if type(x) is Fraction or type(x) is int:
        return x
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, Integral):
        return int(x)
    if isinstance(x, float):
        return int(x) if x.is_integer() else Fraction(x)
    return Fraction(x)


# --------------------------------------------------------------------------------------------
# strategies


class BandStrategy:
    """Base class: validate values, let the subclass set cut points, assign bands.

    Parameters
    ----------
    y : sequence of non-negative numbers
        One value per measured relation (normally its total of contact moments). Exact numbers
        (``int``, :class:`~fractions.Fraction`) are compared exactly; floats as stored.
    thresholds : sequence of 4 ascending numbers, optional
        The strategy's parameters; ``None`` uses :attr:`default_thresholds`.

    Attributes
    ----------
    y : numpy.ndarray
        The values as given.
    yb : numpy.ndarray of str
        The band name per value, in input order.
    codes : numpy.ndarray of int
        The band index per value (0 = ``none`` … 5 = ``very_much``).
    bins : numpy.ndarray of float
        The four cut points on the scale of ``y``: ``bins[i]`` is the smallest value (inclusive)
        of band ``BAND_NAMES[i + 2]``; ``inf`` when no value can reach that band.
    exact_bins : tuple
        The same cut points as exact numbers (``None`` for ``inf``).
    counts : dict[str, int]
        Number of values per band, in band order.
    ranges : dict[str, tuple | None]
        ``(min, max)`` of the values actually in each band, ``None`` for an empty band.
    index : pandas.Index or None
        The index of ``y`` when it was a Series (for :meth:`to_series`).
    """

    name: ClassVar[str] = ""
    default_thresholds: ClassVar[tuple[Any, ...] | None] = None

    def __init__(self, y: Iterable[Any], thresholds: Sequence[Any] | None = None) -> None:
        self.index = y.index if isinstance(y, pd.Series) else None
        self.y = _validate_values(y)
        self.n = len(self.y)
        if thresholds is None:
            thresholds = self.default_thresholds
        self.thresholds: tuple[Any, ...] | None = None if thresholds is None else tuple(thresholds)
        self._t: tuple[Fraction, ...] = (
            () if thresholds is None else self._validate_thresholds(thresholds)
        )
        # distinct values, exact, ascending, with counts and the inverse mapping
        self._distinct, self._inverse, self._weights = _distinct(self.y)
        cuts = self._cuts()
        if len(cuts) != 4:
            raise RuntimeError(f"{type(self).__name__}._cuts must return 4 cut points")
        self.exact_bins: tuple[int | Fraction | None, ...] = tuple(cuts)
        self.bins = np.array([np.inf if c is None else float(c) for c in cuts], dtype=float)
        dcodes = _codes(self._distinct, cuts)
        self.codes = dcodes[self._inverse] if self.n else np.zeros(0, dtype=np.int64)
        self.yb = np.array(BAND_NAMES, dtype=object)[self.codes]
        self.counts = {b: int(np.sum(self.codes == i)) for i, b in enumerate(BAND_NAMES)}
        # codes of the ascending distinct values never decrease: first/last of each band
        self.ranges: dict[str, tuple[Any, Any] | None] = {}
        for i, b in enumerate(BAND_NAMES):
            lo, hi = np.searchsorted(dcodes, i, "left"), np.searchsorted(dcodes, i, "right")
            d = self._distinct
            self.ranges[b] = (_plain(d[lo]), _plain(d[hi - 1])) if hi > lo else None

    # subclasses -----------------------------------------------------------------------------
    def _cuts(self) -> list[int | Fraction | None]:
        """The four cut points (exact; ``None`` = unreachable). Subclasses implement this."""
        raise NotImplementedError

    def _validate_thresholds(self, thresholds: Sequence[Any]) -> tuple[Fraction, ...]:
        """Check 4 ascending positive numbers; return them exact."""
        return _check_thresholds(self.name, thresholds)

    # results --------------------------------------------------------------------------------
    @property
    def exact_thresholds(self) -> tuple[Fraction, ...]:
        """The thresholds as exact fractions (empty for strategies without thresholds)."""
        return self._t

    def to_series(self) -> pd.Series:
        """The bands as a Series (index of the input Series, if any), named ``band``."""
        return pd.Series(self.yb.astype(str), index=self.index, name="band", dtype="str")

    def describe(self) -> str:
        """One line saying how the cut points were computed (English, for reprs/logs)."""
        t = ", ".join(_fmt(x) for x in self._t)
        return f"{self.name} ({t})" if t else self.name

    def __repr__(self) -> str:
        rows = [self.describe(), "", f"{'band':<12} {'range':>17} {'count':>6}", "-" * 37]
        for b in BAND_NAMES:
            r = self.ranges[b]
            rng = "" if r is None else f"{_fmt(r[0])}–{_fmt(r[1])}" if r[0] != r[1] else _fmt(r[0])
            rows.append(f"{b:<12} {rng:>17} {self.counts[b]:>6}")
        return "\n".join(rows)


#: The result of :func:`classify`: a strategy instance holding its results as attributes.
BandResult = BandStrategy


class Relative(BandStrategy):
    """Ratio of each value to the mean of all values (zeros included); the default.

    ``value / mean >= t`` is tested as ``value * n >= t * sum`` exactly.

    Parameters
    ----------
    thresholds : 4 ascending positive ratios, default ``(0.25, 0.75, 1.5, 3.0)``.
    reference : number, optional
        What the ratio is taken against; default the mean of ``y``. The sales view passes
        ``1`` because its attention index is already relative to the group.

    Attributes
    ----------
    reference : Fraction or None
        The mean (or the given reference); ``None`` for empty input.
    """

    name = "relative"
    default_thresholds = (0.25, 0.75, 1.5, 3.0)

    def __init__(
        self,
        y: Iterable[Any],
        thresholds: Sequence[Any] | None = None,
        reference: Any | None = None,
    ) -> None:
        self._given_reference = None if reference is None else exact(reference, "reference")
        if self._given_reference is not None and self._given_reference < 0:
            raise ValueError(f"reference must not be negative, got {reference!r}")
        super().__init__(y, thresholds)

    def _cuts(self) -> list[int | Fraction | None]:
        if self._given_reference is not None:
            self.reference: Fraction | None = self._given_reference
        elif self.n == 0:
            self.reference = None
        else:
            total = sum(Fraction(v) * w for v, w in zip(self._distinct, self._weights, strict=True))
            self.reference = total / self.n
        if self.reference is None:
            return [None] * 4
        return [t * self.reference for t in self._t]

    def describe(self) -> str:
        ref = "" if self.reference is None else f" × {_fmt(self.reference)}"
        return f"relative ({', '.join(_fmt(x) for x in self._t)}){ref}"


class Fixed(BandStrategy):
    """Absolute thresholds on the value itself (number of contact moments).

    Default ``(3, 6, 12, 24)`` — meant for a year: 1–2 contact moments is ``very_little``
    (less than once a quarter), 3–5 ``little``, 6–11 ``average``, 12–23 ``much`` (monthly or
    more), 24 or more ``very_much`` (every two weeks or more).
    """

    name = "fixed"
    default_thresholds = (3, 6, 12, 24)

    def _cuts(self) -> list[int | Fraction | None]:
        return list(self._t)


class PerMonth(BandStrategy):
    """Fixed thresholds on contact moments per 30 days of the period.

    ``value * 30 / period_days >= t`` is tested exactly. Default ``(0.25, 0.5, 1, 2)``:
    under once per four months is ``very_little``; twice a month or more is ``very_much``.

    Parameters
    ----------
    period_days : positive number, required
        Days in the period (:func:`period_days` computes it from ``from``/``to``).
    """

    name = "per_month"
    default_thresholds = (0.25, 0.5, 1, 2)

    def __init__(
        self,
        y: Iterable[Any],
        thresholds: Sequence[Any] | None = None,
        period_days: Any | None = None,
    ) -> None:
        if period_days is None:
            raise ValueError(
                "strategy 'per_month' needs period_days= (the number of days in the period)"
            )
        self.period_days = exact(period_days, "period_days")
        if self.period_days <= 0:
            raise ValueError(f"period_days must be positive, got {period_days!r}")
        super().__init__(y, thresholds)

    def _cuts(self) -> list[int | Fraction | None]:
        return [t * self.period_days / 30 for t in self._t]

    def describe(self) -> str:
        return (
            f"per_month ({', '.join(_fmt(x) for x in self._t)}) over {_fmt(self.period_days)} days"
        )


class Quantile(BandStrategy):
    """Quantiles of the non-zero values into the five non-red bands.

    A value's position is its mid-rank share among the ``m`` non-zero values,
    ``p = (number below + half the number equal) / m``; it goes to ``very_little`` for
    ``p < 0.2``, ``little`` for ``p < 0.4``, … , ``very_much`` for ``p >= 0.8`` (a share equal
    to a cut goes higher). Equal values therefore always share a band, and a group where every
    non-zero value is the same lands in ``average``.

    Parameters
    ----------
    thresholds : 4 ascending shares in (0, 1), default ``(0.2, 0.4, 0.6, 0.8)``.
    """

    name = "quantile"
    default_thresholds = (0.2, 0.4, 0.6, 0.8)

    def _validate_thresholds(self, thresholds: Sequence[Any]) -> tuple[Fraction, ...]:
        t = _check_thresholds(self.name, thresholds)
        if t[-1] >= 1:
            raise ValueError(
                f"strategy 'quantile': thresholds are shares and must be below 1, got "
                f"{list(thresholds)}"
            )
        return t

    def _cuts(self) -> list[int | Fraction | None]:
        nz = [(v, w) for v, w in zip(self._distinct, self._weights, strict=True) if v != 0]
        m = sum(w for _, w in nz)
        self.position: dict[Any, Fraction] = {}
        codes = []
        below = 0
        for v, w in nz:
            p = Fraction(2 * below + w, 2 * m)
            self.position[v] = p
            codes.append(1 + sum(1 for t in self._t if p >= t))
            below += w
        return _cuts_from_codes([v for v, _ in nz], codes)

    def share_below(self, value: Any) -> Fraction:
        """Share of the non-zero values strictly below ``value`` (for explanations)."""
        v = _exact_value(value)
        nz = [(d, w) for d, w in zip(self._distinct, self._weights, strict=True) if d != 0]
        m = sum(w for _, w in nz)
        return Fraction(sum(w for d, w in nz if d < v), m) if m else Fraction(0)


class NaturalBreaks(BandStrategy):
    """Fisher–Jenks natural breaks of the non-zero values into the five non-red bands.

    The optimal partition (least total squared deviation from the class means) of the distinct
    non-zero values weighted by how often they occur; equal values never split. With fewer than
    five distinct non-zero values each value is its own class, placed symmetrically: 1 →
    ``average``; 2 → ``little``, ``much``; 3 → ``little``, ``average``, ``much``; 4 →
    ``very_little``, ``little``, ``much``, ``very_much``. Takes no thresholds.

    Parameters
    ----------
    max_distinct : int, default 2000
        The cost grows with the square of the number of distinct values. Contact-moment counts
        have few; above ``max_distinct`` distinct values (weighted totals, sales indices) the
        breaks are searched among ``max_distinct`` evenly spaced positions of the sorted
        distinct values instead of all of them — an approximation, still exact in its
        comparisons and monotonic.
    """

    name = "natural_breaks"
    default_thresholds = None

    def __init__(
        self,
        y: Iterable[Any],
        thresholds: Sequence[Any] | None = None,
        max_distinct: int = 2000,
    ) -> None:
        if thresholds is not None:
            raise ValueError("strategy 'natural_breaks' takes no thresholds")
        if isinstance(max_distinct, bool) or not isinstance(max_distinct, Integral):
            raise ValueError(f"max_distinct must be a whole number, got {max_distinct!r}")
        if max_distinct < 5:
            raise ValueError(f"max_distinct must be at least 5, got {max_distinct}")
        self.max_distinct = int(max_distinct)
        super().__init__(y, None)

    def _cuts(self) -> list[int | Fraction | None]:
        nz = [(v, w) for v, w in zip(self._distinct, self._weights, strict=True) if v != 0]
        values = [v for v, _ in nz]
        d = len(values)
        if d < 5:
            spread = {0: [], 1: [3], 2: [2, 4], 3: [2, 3, 4], 4: [1, 2, 4, 5]}[d]
            return _cuts_from_codes(values, spread)
        x = np.array([float(v) for v in values])
        w = np.array([float(w) for _, w in nz])
        starts = _fisher_jenks(x, w, 5, self.max_distinct)
        codes = np.searchsorted(starts, np.arange(d), side="right")  # 1..5
        return _cuts_from_codes(values, [int(c) for c in codes])


#: Strategy name → class.
STRATEGIES: dict[str, type[BandStrategy]] = {
    s.name: s for s in (Relative, Quantile, NaturalBreaks, Fixed, PerMonth)
}

#: Context parameters any strategy accepts through :func:`classify` (used by some only).
_CONTEXT = ("period_days",)


def classify(
    totals: Iterable[Any],
    strategy: str = "relative",
    thresholds: Sequence[Any] | None = None,
    **params: Any,
) -> BandResult:
    """Band each value (normally a relation's total of contact moments).

    Parameters
    ----------
    totals : sequence of non-negative numbers
        One per measured relation, zeros included.
    strategy : str
        One of :data:`STRATEGIES`: ``relative`` (default), ``quantile``, ``natural_breaks``,
        ``fixed``, ``per_month``.
    thresholds : 4 ascending numbers, optional
        The strategy's thresholds; ``None`` for its defaults.
    **params
        Strategy parameters (``reference`` for ``relative``; ``period_days`` for ``per_month``).
        ``period_days`` may always be passed; strategies that do not use it ignore it.

    Returns
    -------
    BandResult
        With ``yb``, ``codes``, ``bins``, ``counts``, ``ranges``.

    Examples
    --------
    >>> list(classify([0, 2, 5, 3], "fixed", thresholds=(2, 3, 4, 5)).yb)
    ['none', 'little', 'very_much', 'average']
    """
    if strategy not in STRATEGIES:
        raise ValueError(
            f"unknown banding strategy {strategy!r}; valid strategies: {', '.join(STRATEGIES)}"
        )
    cls = STRATEGIES[strategy]
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "y", "thresholds"}
    unknown = set(params) - accepted - set(_CONTEXT)
    if unknown:
        valid = ", ".join(sorted(accepted | {"thresholds"}))
        raise ValueError(
            f"strategy {strategy!r} has no parameter {', '.join(sorted(unknown))}; valid: {valid}"
        )
    kwargs = {k: v for k, v in params.items() if k in accepted}
    return cls(totals, thresholds=thresholds, **kwargs)


def band_table(result: BandResult) -> pd.DataFrame:
    """One row per band: key, colour, labels, count, share and the range of values in it.

    Parameters
    ----------
    result : BandResult
        From :func:`classify`.

    Returns
    -------
    pandas.DataFrame
        Columns ``band, colour, label_nl, label_en, count, share, min, max``; ``share`` is a
        fraction of all values (0 for empty input); ``min``/``max`` are empty for an empty band.

    Examples
    --------
    >>> band_table(classify([0, 1, 2, 4, 9]))[["band", "count", "min", "max"]].iloc[:3]
              band  count   min   max
    0         none      1     0     0
    1  very_little      0  <NA>  <NA>
    2       little      2     1     2
    """
    counts = [result.counts[b] for b in BAND_NAMES]
    mins = [None if result.ranges[b] is None else result.ranges[b][0] for b in BAND_NAMES]
    maxs = [None if result.ranges[b] is None else result.ranges[b][1] for b in BAND_NAMES]
    integral = all(isinstance(v, int) for v in mins + maxs if v is not None)
    dtype = "Int64" if integral else "Float64"
    return pd.DataFrame(
        {
            "band": pd.array(BAND_NAMES, dtype="str"),
            "colour": pd.array([BANDS[b].colour for b in BAND_NAMES], dtype="str"),
            "label_nl": pd.array([BANDS[b].label_nl for b in BAND_NAMES], dtype="str"),
            "label_en": pd.array([BANDS[b].label_en for b in BAND_NAMES], dtype="str"),
            "count": np.array(counts, dtype=np.int64),
            "share": np.array(counts, dtype=float) / result.n if result.n else np.zeros(6),
            "min": pd.array([None if v is None else v for v in mins], dtype=dtype),
            "max": pd.array([None if v is None else v for v in maxs], dtype=dtype),
        }
    )


# --------------------------------------------------------------------------------------------
# helpers


def _validate_values(y: Iterable[Any]) -> np.ndarray:
    """The values as a 1-d array; reject missing, negative, non-finite or non-numeric ones."""
    if isinstance(y, pd.Series | pd.Index):
        if y.isna().any():
            bad = list(y.index[y.isna()][:5]) if isinstance(y, pd.Series) else []
            raise ValueError(f"totals contain missing values (at {bad})")
        if y.dtype == object:
            arr = y.to_numpy(dtype=object)
        elif pd.api.types.is_integer_dtype(y.dtype):
            arr = y.to_numpy(dtype=np.int64)
        elif pd.api.types.is_float_dtype(y.dtype):
            arr = y.to_numpy(dtype=float)
        else:
            raise ValueError(f"totals must be numbers, got dtype {y.dtype}")
    elif isinstance(y, np.ndarray):
        arr = y
    else:
        arr = np.asarray(list(y), dtype=object)
        if arr.size and all(isinstance(v, Integral) and not isinstance(v, bool) for v in arr):
            arr = arr.astype(np.int64) if all(abs(v) < 2**62 for v in arr) else arr
        elif arr.size and all(isinstance(v, float | Integral) for v in arr):
            arr = arr.astype(float)
    if arr.ndim != 1:
        raise ValueError(f"totals must be one-dimensional, got shape {arr.shape}")
    if arr.dtype == bool:
        raise ValueError("totals must be numbers, not booleans")
    if arr.dtype.kind in "iu":
        if arr.size and arr.min() < 0:
            raise ValueError(f"totals must not be negative (got {arr.min()})")
        return arr
    if arr.dtype.kind == "f":
        if arr.size and not np.isfinite(arr).all():
            raise ValueError("totals must be finite numbers (got NaN or infinity)")
        if arr.size and arr.min() < 0:
            raise ValueError(f"totals must not be negative (got {arr.min()})")
        return arr
    if arr.dtype == object:
        for v in arr:
            if isinstance(v, bool) or not isinstance(v, Rational | float | Decimal | np.number):
                raise ValueError(f"totals must be numbers, got {v!r}")
            if isinstance(v, float | np.floating) and not math.isfinite(v):
                raise ValueError("totals must be finite numbers (got NaN or infinity)")
            if v < 0:
                raise ValueError(f"totals must not be negative (got {v!r})")
        return arr
    raise ValueError(f"totals must be numbers, got dtype {arr.dtype}")


def _distinct(y: np.ndarray) -> tuple[list[int | Fraction], np.ndarray, list[int]]:
    """Distinct values (exact, ascending), the inverse index per value and the counts."""
    if y.size == 0:
        return [], np.zeros(0, dtype=np.int64), []
    if y.dtype.kind == "f":
        # Python floats are exact numbers: they compare exactly with ints and Fractions, so
        # there is no need to make a Fraction of each of (maybe) 100,000 distinct values
        uniq, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
        return uniq.tolist(), inverse.ravel(), counts.tolist()
    if y.dtype != object:
        uniq, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
        return [_exact_value(v) for v in uniq], inverse.ravel(), [int(c) for c in counts]
    exact_vals = [_exact_value(v) for v in y]
    # group by the correctly rounded float first (fast); exact values that share a float are
    # rare, and only then do we fall back to sorting the exact values themselves
    floats = np.array([float(v) for v in exact_vals])
    _, first, inverse, counts = np.unique(
        floats, return_index=True, return_inverse=True, return_counts=True
    )
    inverse = inverse.ravel()
    uniq = [exact_vals[i] for i in first]
    shared = np.flatnonzero(counts[inverse] > 1)
    if all(exact_vals[j] == uniq[inverse[j]] for j in shared):
        return uniq, inverse, [int(c) for c in counts]
    uniq = sorted(set(exact_vals))
    pos = {v: i for i, v in enumerate(uniq)}
    inverse = np.array([pos[v] for v in exact_vals], dtype=np.int64)
    counts = np.bincount(inverse, minlength=len(uniq))
    return uniq, inverse, [int(c) for c in counts]


def _codes(distinct: list[Any], cuts: Sequence[Any]) -> np.ndarray:
    """Band code per ascending distinct value: 0 for 0, else 1 + number of cuts <= value.

    Compares floats where they decide (float rounding is monotonic, so a strict float
    difference means the same exact order) and exact numbers where the floats are equal.
    """
    fv = np.fromiter((float(v) for v in distinct), dtype=float, count=len(distinct))
    codes = np.ones(len(distinct), dtype=np.int64)
    for c in cuts:
        if c is None:
            continue
        fc = float(c)
        ge = fv > fc
        for i in np.flatnonzero(fv == fc):
            ge[i] = distinct[i] >= c
        codes += ge
    if distinct and distinct[0] == 0:
        codes[0] = 0
    return codes


def _check_thresholds(name: str, thresholds: Sequence[Any]) -> tuple[Fraction, ...]:
    if isinstance(thresholds, str | bytes) or not isinstance(thresholds, Iterable):
        raise ValueError(f"strategy {name!r}: thresholds must be 4 numbers, got {thresholds!r}")
    raw = list(thresholds)
    if len(raw) != 4:
        raise ValueError(
            f"strategy {name!r}: thresholds must be exactly 4 numbers (between the 5 non-red "
            f"bands), got {len(raw)}: {raw}"
        )
    t = tuple(exact(x, f"strategy {name!r}: threshold") for x in raw)
    if t[0] <= 0:
        raise ValueError(f"strategy {name!r}: thresholds must be positive, got {raw}")
    if any(a >= b for a, b in zip(t, t[1:], strict=False)):
        raise ValueError(f"strategy {name!r}: thresholds must be strictly ascending, got {raw}")
    return t


def _cuts_from_codes(values: Sequence[Any], codes: Sequence[int]) -> list[int | Fraction | None]:
    """Cut points that reproduce a non-decreasing band code (1..5) per ascending value."""
    cuts: list[int | Fraction | None] = []
    for band in range(2, 6):
        higher = [v for v, c in zip(values, codes, strict=True) if c >= band]
        cuts.append(higher[0] if higher else None)
    return cuts


def _fisher_jenks(x: np.ndarray, w: np.ndarray, k: int, max_groups: int) -> np.ndarray:
    """Start positions of the ``k`` optimal classes of sorted distinct ``x`` with weights ``w``.

    Dynamic programme over prefix sums; O(k·g²) time for g = min(len(x), max_groups) candidate
    positions (all positions when there are at most ``max_groups`` values).
    """
    d = len(x)
    prefix = [np.concatenate([[0.0], np.cumsum(a)]) for a in (w, w * x, w * x * x)]
    if d > max_groups:
        bounds = np.unique(np.linspace(0, d, max_groups + 1).round().astype(np.int64))
    else:
        bounds = np.arange(d + 1)
    cw, c1, c2 = (p[bounds] for p in prefix)
    g = len(bounds) - 1  # units: distinct positions bounds[u] .. bounds[u + 1] - 1

    def ssd(i: np.ndarray, j: int) -> np.ndarray:
        # squared deviations of units i..j (inclusive) from their weighted mean
        sw = cw[j + 1] - cw[i]
        s1 = c1[j + 1] - c1[i]
        s2 = c2[j + 1] - c2[i]
        return np.maximum(s2 - s1 * s1 / sw, 0.0)

    cost = np.full((k, g), np.inf)
    start = np.zeros((k, g), dtype=np.int64)
    zero = np.zeros(1, dtype=np.int64)
    cost[0] = [ssd(zero, j)[0] for j in range(g)]
    for c in range(1, k):
        for j in range(c, g):
            i = np.arange(c, j + 1)  # first unit of the last class
            total = cost[c - 1, i - 1] + ssd(i, j)
            best = int(np.argmin(total))
            cost[c, j] = total[best]
            start[c, j] = i[best]
    starts = [0] * k
    j = g - 1
    for c in range(k - 1, 0, -1):
        starts[c] = int(start[c, j])
        j = starts[c] - 1
    return bounds[np.array(starts)]


def _plain(v: Any) -> Any:
    """An exact value as int when integral, else float (for display)."""
    if isinstance(v, int):
        return v
    f = Fraction(v)
    return int(f) if f.denominator == 1 else float(f)


def _fmt(x: Any) -> str:
    f = Fraction(x) if not isinstance(x, float) else x
    if isinstance(f, Fraction) and f.denominator == 1:
        return str(f.numerator)
    return f"{float(f):.4g}"
