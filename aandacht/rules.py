"""Counting rules: which (source, action) pairs are contact moments, and under which group.

The rules are data: a table with columns ``source, action, counted, counted_under``. The defaults
(``data/counting_rules.csv``) are those of the data-format contract; a user can pass their own
table or CSV file (for example to stop counting ``history/modified``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataError, Problem
from .schema import ACTIONS, CATEGORIES

RULE_COLUMNS = ("source", "action", "counted", "counted_under")
_TRUE = {"true", "yes", "1", "ja", "waar", "y", "j"}
_FALSE = {"false", "no", "0", "nee", "onwaar", "n", ""}


def default_rules() -> pd.DataFrame:
    """The default counting rules of the contract, as a fresh DataFrame.

    Examples
    --------
    >>> r = default_rules()
    >>> r.loc[(r.source == "sales") & (r.action == "invoice_added"), "counted"].item()
    False
    """
    path = Path(__file__).parent / "data" / "counting_rules.csv"
    return _validate(pd.read_csv(path, dtype=str, keep_default_na=False), str(path))


def load_rules(rules: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Return validated counting rules from a DataFrame, a CSV path, or the defaults (``None``).

    Pairs of the contract that the table leaves out are not counted. Unknown sources or actions,
    duplicate pairs and contact moments without a ``counted_under`` group are errors.
    """
    if rules is None:
        return default_rules()
    if isinstance(rules, pd.DataFrame):
        return _validate(rules.astype(str).replace({"nan": "", "None": "", "<NA>": ""}), "rules")
    path = Path(rules)
    if not path.exists():
        raise DataError([Problem(str(path), "counting-rules file not found")])
    return _validate(pd.read_csv(path, dtype=str, keep_default_na=False), str(path))


def _validate(df: pd.DataFrame, name: str) -> pd.DataFrame:
    problems: list[Problem] = []
    missing = [c for c in RULE_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    name,
                    f"missing column(s) {', '.join(missing)}",
                    hint="A rules table has the columns source, action, counted, counted_under",
                )
            ]
        )
    out = df[list(RULE_COLUMNS)].copy()
    for c in RULE_COLUMNS:
        out[c] = out[c].fillna("").astype(str).str.strip()
    counted = []
    for i, row in out.iterrows():
        line = int(i) + 2
        if row.source not in ACTIONS:
            problems.append(
                Problem(
                    name,
                    "unknown source",
                    line,
                    "source",
                    row.source,
                    f"Use one of: {', '.join(ACTIONS)}",
                )
            )
        elif row.action not in ACTIONS[row.source]:
            problems.append(
                Problem(
                    name,
                    f"unknown action for source '{row.source}'",
                    line,
                    "action",
                    row.action,
                    f"Use one of: {', '.join(ACTIONS[row.source])}",
                )
            )
        flag = row.counted.lower()
        if flag in _TRUE:
            counted.append(True)
            if row.counted_under not in CATEGORIES:
                problems.append(
                    Problem(
                        name,
                        "a counted rule needs a group to count under",
                        line,
                        "counted_under",
                        row.counted_under,
                        f"Use one of: {', '.join(CATEGORIES)}",
                    )
                )
        elif flag in _FALSE:
            counted.append(False)
        else:
            counted.append(False)
            problems.append(
                Problem(name, "counted must be true or false", line, "counted", row.counted)
            )
    out["counted"] = pd.Series(counted, index=out.index, dtype=bool)
    dup = out.duplicated(["source", "action"], keep="first")
    for i in out.index[dup]:
        problems.append(
            Problem(
                name,
                "the same source/action appears twice",
                int(i) + 2,
                "action",
                f"{out.at[i, 'source']}/{out.at[i, 'action']}",
                "Keep one rule per pair",
            )
        )
    if problems:
        raise DataError(problems)
    out.loc[~out["counted"], "counted_under"] = ""
    return out.reset_index(drop=True)
