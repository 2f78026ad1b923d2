"""Expected cadence (B2): an ideal and a maximum interval between contacts, and who is overdue.

The settings are a small table (stored as CSV or JSON with the other settings):

=========== =================================================================
column      meaning
=========== =================================================================
scope       ``relation`` or ``b_group``
key         the relation code, or the B-group name
ideal_days  the ideal number of days between contact moments (a whole number > 0)
max_days    the maximum number of days (a whole number >= ideal_days)
=========== =================================================================

Definitions (also in ``docs/insights.md``)

* **Target of a relation**: its own ``relation`` row; without one, its B-groups' rows, and with
  several the strictest: the smallest ``ideal_days`` and the smallest ``max_days`` among them.
  Without any: no target.
* **Days since** (``dgn``): as in the counting result, the days from the last contact moment by
  the selected users up to ``as_of``.
* **Overdue ratio** = ``(dgn - ideal_days) / ideal_days``: 0 when the ideal interval has just been
  reached, 1 when it is overdue by one more interval; ``inf`` when there was never a contact
  moment; empty without a target.
* **Status**: ``never`` (a target, and no contact moment ever), ``beyond_max``
  (``dgn > max_days``), ``overdue`` (``ideal_days < dgn <= max_days``), ``ok``
  (``dgn <= ideal_days``), ``no_target``.
* **Overdue first**: by overdue ratio, highest first (never contacted first, no target last),
  then by ``dgn`` (highest first), then by relation code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import DataError, Problem

__all__ = [
    "CADENCE_COLUMNS",
    "CADENCE_SCOPES",
    "CADENCE_STATUSES",
    "OVERDUE_STATUSES",
    "cadence_status",
    "cadence_targets",
    "default_cadence",
    "empty_cadence",
    "overdue_first",
    "read_cadence",
    "validate_cadence",
    "write_cadence",
]

CADENCE_COLUMNS: tuple[str, ...] = ("scope", "key", "ideal_days", "max_days")
CADENCE_SCOPES: tuple[str, ...] = ("relation", "b_group")
#: Statuses, from most to least urgent.
CADENCE_STATUSES: tuple[str, ...] = ("never", "beyond_max", "overdue", "ok", "no_target")
#: The statuses that count as overdue (for an "only overdue" filter).
OVERDUE_STATUSES: tuple[str, ...] = ("never", "beyond_max", "overdue")


def empty_cadence() -> pd.DataFrame:
    """An empty settings table with the right columns and types.

    >>> list(empty_cadence().columns)
    ['scope', 'key', 'ideal_days', 'max_days']
    """
    return pd.DataFrame(
        {
            "scope": pd.Series(dtype=object),
            "key": pd.Series(dtype=object),
            "ideal_days": pd.Series(dtype="int64"),
            "max_days": pd.Series(dtype="int64"),
        }
    )


#: The cadence a monitor starts with, for the B-groups that exist: top customers every two
#: weeks, at most six (the example of the product description).
DEFAULT_CADENCE: tuple[tuple[str, str, int, int], ...] = (("b_group", "top customers", 14, 42),)


def default_cadence(data: Dataset) -> pd.DataFrame:
    """The starting cadence settings for a data set: the rows of :data:`DEFAULT_CADENCE` whose
    B-group exists in it (an empty table when none does).

    >>> from aandacht import load
    >>> default_cadence(load("data_samples")).to_dict("records")
    [{'scope': 'b_group', 'key': 'top customers', 'ideal_days': 14, 'max_days': 42}]
    """
    groups = set(data.b_group_names())
    rows = [dict(zip(CADENCE_COLUMNS, r, strict=True)) for r in DEFAULT_CADENCE if r[1] in groups]
    return validate_cadence(rows) if rows else empty_cadence()


def validate_cadence(
    settings: pd.DataFrame | Iterable[dict], name: str = "cadence settings"
) -> pd.DataFrame:
    """Check a cadence settings table and return it clean (types, trimmed text).

    Raises
    ------
    DataError
        Listing every bad row: unknown scope, empty key, days that are not whole numbers > 0,
        ``max_days`` below ``ideal_days``, or the same scope and key twice.

    Examples
    --------
    >>> validate_cadence([{"scope": "b_group", "key": "top customers", "ideal_days": 14,
    ...                    "max_days": 42}]).to_dict("records")
    [{'scope': 'b_group', 'key': 'top customers', 'ideal_days': 14, 'max_days': 42}]
    """
    df = pd.DataFrame(settings) if not isinstance(settings, pd.DataFrame) else settings.copy()
    missing = [c for c in CADENCE_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    name,
                    f"missing column(s) {', '.join(missing)}",
                    row=1,
                    hint="A cadence table has the columns scope, key, ideal_days, max_days",
                )
            ]
        )
    if df.empty:
        return empty_cadence()
    problems: list[Problem] = []
    rows = []
    seen: dict[tuple[str, str], int] = {}
    for i, rec in enumerate(df[list(CADENCE_COLUMNS)].to_dict("records")):
        line = i + 2  # header is row 1
        scope = _text(rec["scope"]).lower()
        key = _text(rec["key"])
        if scope not in CADENCE_SCOPES:
            problems.append(
                Problem(
                    name, "unknown scope", line, "scope", rec["scope"], "Use relation or b_group"
                )
            )
        if not key:
            problems.append(
                Problem(name, "the key is empty", line, "key", hint="Give a relation or B-group")
            )
        days = {}
        for col in ("ideal_days", "max_days"):
            days[col] = _whole(rec[col])
            if days[col] is None:
                problems.append(
                    Problem(
                        name,
                        "not a whole number of days above 0",
                        line,
                        col,
                        rec[col],
                        "Use a number of days such as 14",
                    )
                )
        if days["ideal_days"] and days["max_days"] and days["max_days"] < days["ideal_days"]:
            problems.append(
                Problem(
                    name,
                    "the maximum interval is shorter than the ideal one",
                    line,
                    "max_days",
                    rec["max_days"],
                    f"Use at least {days['ideal_days']}",
                )
            )
        if (scope, key) in seen:
            problems.append(
                Problem(
                    name,
                    f"{scope} '{key}' already has a cadence in row {seen[(scope, key)]}",
                    line,
                    "key",
                    key,
                    "Keep one row per relation or B-group",
                )
            )
        seen.setdefault((scope, key), line)
        rows.append((scope, key, days["ideal_days"], days["max_days"]))
    if problems:
        raise DataError(problems)
    out = pd.DataFrame(rows, columns=list(CADENCE_COLUMNS))
    out["ideal_days"] = out["ideal_days"].astype("int64")
    out["max_days"] = out["max_days"].astype("int64")
    return out


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    return str(v).strip()


def _whole(v: object) -> int | None:
    text = _text(v)
    try:
        x = float(text)
    except ValueError:
        return None
    if not math.isfinite(x) or x != int(x) or x < 1:
        return None
    return int(x)


def read_cadence(path: str | Path) -> pd.DataFrame:
    """Read cadence settings from a ``.csv`` or ``.json`` file and validate them.

    A JSON file holds a list of objects with the four columns, or an object with such a list
    under ``"cadence"``. A missing file is an error (use :func:`empty_cadence` for none).
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise DataError([Problem(name, "cadence settings file not found")])
    if path.suffix.lower() == ".json":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError([Problem(name, f"not valid JSON: {exc}")]) from exc
        if isinstance(raw, dict):
            raw = raw.get("cadence", [])
        if not isinstance(raw, list):
            raise DataError([Problem(name, "expected a list of cadence rows")])
        df = pd.DataFrame(raw, columns=list(CADENCE_COLUMNS)) if not raw else pd.DataFrame(raw)
    else:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return validate_cadence(df, name)


def write_cadence(settings: pd.DataFrame, path: str | Path) -> Path:
    """Validate and write cadence settings as ``.json`` (a list of rows) or ``.csv``."""
    df = validate_cadence(settings)
    path = Path(path)
    if path.suffix.lower() == ".json":
        rows = [
            {"scope": s, "key": k, "ideal_days": int(i), "max_days": int(m)}
            for s, k, i, m in df.itertuples(index=False, name=None)
        ]
        path.write_text(json.dumps({"cadence": rows}, indent=2, ensure_ascii=False) + "\n")
    else:
        df.to_csv(path, index=False, lineterminator="\n")
    return path


def cadence_targets(data: Dataset, settings: pd.DataFrame | Iterable[dict]) -> pd.DataFrame:
    """The cadence target of every relation of the data set.

    Returns
    -------
    pandas.DataFrame
        ``relation_id, ideal_days, max_days, target_from`` for every relation (in the order of the
        relations table); ``target_from`` is ``relation`` or the B-group(s) the strictest values
        came from (comma-separated), empty without a target.

    Raises
    ------
    DataError
        For a relation or B-group in the settings that is not in the data set.

    Examples
    --------
    >>> from aandacht import load
    >>> ds = load("data_samples")
    >>> tg = cadence_targets(ds, [{"scope": "b_group", "key": "top customers",
    ...                            "ideal_days": 14, "max_days": 42}])
    >>> int(tg.ideal_days.notna().sum())
    30
    """
    cfg = validate_cadence(settings)
    rel_ids = data.relations["relation_id"].astype(object)
    known_rel = set(rel_ids)
    known_groups = set(data.relation_groups["group"].dropna())
    problems = []
    for i, (scope, key) in enumerate(zip(cfg["scope"], cfg["key"], strict=True)):
        known = known_rel if scope == "relation" else known_groups
        if key not in known:
            what = "relation" if scope == "relation" else "B-group"
            problems.append(
                Problem(
                    "cadence settings",
                    f"{what} '{key}' is not in the data set",
                    i + 2,
                    "key",
                    key,
                    f"Remove the row or correct the {what}",
                )
            )
    if problems:
        raise DataError(problems)

    out = pd.DataFrame({"relation_id": rel_ids})
    groups = cfg[cfg["scope"] == "b_group"]
    members = data.relation_groups[["relation_id", "group"]].astype(object)
    per_group = members.merge(groups, left_on="group", right_on="key", how="inner")
    if len(per_group):
        agg = per_group.groupby("relation_id").agg(
            ideal_days=("ideal_days", "min"), max_days=("max_days", "min")
        )
        src = per_group.merge(agg, left_on="relation_id", right_index=True, suffixes=("", "_min"))
        strict = src[
            (src["ideal_days"] == src["ideal_days_min"]) | (src["max_days"] == src["max_days_min"])
        ]
        agg["target_from"] = strict.groupby("relation_id")["group"].agg(
            lambda g: ", ".join(sorted(set(g)))
        )
    else:
        agg = pd.DataFrame(columns=["ideal_days", "max_days", "target_from"])
    own = cfg[cfg["scope"] == "relation"].set_index("key")
    ideal = out["relation_id"].map(own["ideal_days"])
    mx = out["relation_id"].map(own["max_days"])
    frm = pd.Series(np.where(ideal.notna(), "relation", None), index=out.index, dtype=object)
    out["ideal_days"] = ideal.fillna(out["relation_id"].map(agg["ideal_days"])).astype("Int64")
    out["max_days"] = mx.fillna(out["relation_id"].map(agg["max_days"])).astype("Int64")
    out["target_from"] = frm.fillna(out["relation_id"].map(agg["target_from"]))
    return out


def cadence_status(
    data: Dataset,
    result: pd.DataFrame,
    settings: pd.DataFrame | Iterable[dict],
    *,
    targets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Overdue ratio and status per relation of a counting result.

    Parameters
    ----------
    data : the data set (for the B-groups).
    result : the table of :func:`aandacht.calculate` (``relation_id`` and ``dgn``; ``name`` is
        carried along when present).
    settings : the cadence settings table (see the module docstring).
    targets : :func:`cadence_targets` of ``data`` and ``settings``, when the caller keeps them
        (they change only with the relations, groups or settings).

    Returns
    -------
    pandas.DataFrame
        One row per row of ``result`` (same order): ``relation_id, name, dgn, ideal_days,
        max_days, target_from, days_overdue, overdue_ratio, status, overdue``. ``days_overdue``
        = ``dgn - ideal_days`` (negative: days left); ``overdue`` is True for the statuses
        ``never``, ``beyond_max`` and ``overdue``.

    Examples
    --------
    >>> from aandacht import load, calculate, Selection
    >>> ds = load("data_samples")
    >>> res = calculate(ds, Selection(as_of="2026-10-31"))
    >>> st = cadence_status(ds, res, [{"scope": "b_group", "key": "top customers",
    ...                                "ideal_days": 14, "max_days": 42}])
    >>> overdue_first(st).status.iloc[0] in ("never", "beyond_max", "overdue")
    True
    """
    for col in ("relation_id", "dgn"):
        if col not in result.columns:
            raise ValueError(f"cadence_status needs the column {col!r} of the counting result")
    if targets is None:
        targets = cadence_targets(data, settings)
    targets = targets.set_index("relation_id")
    ids = result["relation_id"].astype(object)
    out = pd.DataFrame({"relation_id": ids.to_numpy()})
    out["name"] = result["name"].to_numpy() if "name" in result.columns else None
    out["dgn"] = pd.array(result["dgn"].to_numpy(), dtype="Int64")
    for col in ("ideal_days", "max_days", "target_from"):
        out[col] = ids.map(targets[col]).to_numpy()
    out["ideal_days"] = out["ideal_days"].astype("Int64")
    out["max_days"] = out["max_days"].astype("Int64")
    out["days_overdue"] = (out["dgn"] - out["ideal_days"]).astype("Int64")
    out["overdue_ratio"], out["status"] = _statuses(out["dgn"], out["ideal_days"], out["max_days"])
    out["overdue"] = out["status"].isin(OVERDUE_STATUSES)
    return out


def _statuses(dgn: pd.Series, ideal: pd.Series, mx: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_status` on whole columns (``Int64``): the same ratios and statuses."""
    no_target = ideal.isna().to_numpy()
    never = dgn.isna().to_numpy() & ~no_target
    d = dgn.fillna(0).to_numpy(dtype=np.int64)
    i = ideal.fillna(1).to_numpy(dtype=np.int64)
    m = mx.fillna(0).to_numpy(dtype=np.int64)
    ratio = (d - i) / i
    status = np.where(d > m, "beyond_max", np.where(d > i, "overdue", "ok")).astype(object)
    ratio[no_target] = np.nan
    status[no_target] = "no_target"
    ratio[never] = np.inf
    status[never] = "never"
    return ratio.astype("float64"), status


def _status(dgn, ideal, mx) -> tuple[float, str]:
    if ideal is pd.NA or ideal is None:
        return float("nan"), "no_target"
    if dgn is pd.NA or dgn is None:
        return float("inf"), "never"
    ratio = (int(dgn) - int(ideal)) / int(ideal)
    if dgn > mx:
        return ratio, "beyond_max"
    if dgn > ideal:
        return ratio, "overdue"
    return ratio, "ok"


def overdue_first(df: pd.DataFrame, only_overdue: bool = False) -> pd.DataFrame:
    """Sort a :func:`cadence_status` table (or any table with its columns) overdue first.

    By ``overdue_ratio`` (highest first; never contacted first, no target last), then ``dgn``
    (highest first), then ``relation_id``. With ``only_overdue``, only the overdue rows.

    >>> df = pd.DataFrame({"relation_id": ["R1", "R2", "R3", "R4"],
    ...                    "dgn": pd.array([10, None, 30, 5], dtype="Int64"),
    ...                    "overdue_ratio": [0.5, float("inf"), float("nan"), 2.0],
    ...                    "status": ["overdue", "never", "no_target", "beyond_max"]})
    >>> overdue_first(df).relation_id.tolist()
    ['R2', 'R4', 'R1', 'R3']
    """
    out = df
    if only_overdue:
        out = out[out["status"].isin(OVERDUE_STATUSES)]
    key = pd.DataFrame(
        {
            "ratio": out["overdue_ratio"].fillna(-np.inf).to_numpy(),
            "dgn": pd.to_numeric(out["dgn"], errors="coerce")
            .astype("float64")
            .fillna(np.inf)
            .to_numpy(),
            "rid": out["relation_id"].astype(str).to_numpy(),
        }
    )
    order = key.sort_values(
        ["ratio", "dgn", "rid"], ascending=[False, False, True], kind="stable"
    ).index
    return out.iloc[order.to_numpy()].reset_index(drop=True)
