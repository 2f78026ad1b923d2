"""Validation of the canonical tables, in the user's terms.

The small tables (relations, relation_groups, users, user_groups) are checked with pandera
``DataFrameModel``\\ s; pandera's failure cases are turned into :class:`~aandacht.errors.Problem`\\ s
that name the file, row, column and value. The event log is checked where it lives (DuckDB or the
CRM's database) with Ibis expressions, so that tens of millions of rows never pass through pandas.
"""

from __future__ import annotations

import ibis
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .errors import Problem
from .schema import ACTIONS, ALLOWED, CHANNELS, DIRECTIONS, REQUIRED, SOURCES, STATUSES, UNIQUE

ROW = "_row"
MAX_EXAMPLES = 20


class Relations(pa.DataFrameModel):
    """Relations (customers and other organisations)."""

    relation_id: Series[str] = pa.Field(nullable=False, unique=True)
    name: Series[str] = pa.Field(nullable=False)
    address: Series[str] = pa.Field(nullable=True)
    postcode: Series[str] = pa.Field(nullable=True)
    city: Series[str] = pa.Field(nullable=True)
    country: Series[str] = pa.Field(nullable=True)
    lat: Series[float] = pa.Field(nullable=True, ge=-90, le=90)
    lon: Series[float] = pa.Field(nullable=True, ge=-180, le=180)
    colour: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False


class RelationGroups(pa.DataFrameModel):
    """B-groups: named, fixed groups of relations."""

    relation_id: Series[str] = pa.Field(nullable=False)
    group: Series[str] = pa.Field(nullable=False)

    class Config:
        strict = False


class Users(pa.DataFrameModel):
    """CRM users (employees), identified by their initials."""

    user_id: Series[str] = pa.Field(nullable=False, unique=True)
    name: Series[str] = pa.Field(nullable=True)
    department: Series[str] = pa.Field(nullable=True)
    active: Series[pd.BooleanDtype] = pa.Field(nullable=True)

    class Config:
        strict = False


class UserGroups(pa.DataFrameModel):
    """User groups; a department is a group too (see the contract)."""

    user_id: Series[str] = pa.Field(nullable=False)
    group: Series[str] = pa.Field(nullable=False)

    class Config:
        strict = False


MODELS = {
    "relations": Relations,
    "relation_groups": RelationGroups,
    "users": Users,
    "user_groups": UserGroups,
}

_CHECK_TEXT = {
    "not_nullable": ("is empty", "Fill in a value: this column is required"),
    "field_uniqueness": (
        "appears more than once",
        "Codes must be unique: remove or rename the duplicate",
    ),
    "greater_than_or_equal_to": ("is out of range", "Latitude is -90..90, longitude -180..180"),
    "less_than_or_equal_to": ("is out of range", "Latitude is -90..90, longitude -180..180"),
}


def validate_small(name: str, df: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate one small table; return it (without the row column) and its problems."""
    rows = df[ROW] if ROW in df.columns else pd.Series(df.index + 2, index=df.index)
    problems: list[Problem] = []
    try:
        MODELS[name].validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for rec in fc.itertuples(index=False):
            idx = rec.index
            check = str(rec.check)
            key = next((k for k in _CHECK_TEXT if k in check), None)
            msg, hint = _CHECK_TEXT.get(key, (f"fails check {check}", ""))
            if key == "field_uniqueness":
                msg = f"{rec.column} " + msg
            row = int(rows.iloc[int(idx)]) if idx is not None and not pd.isna(idx) else None
            column = rec.column if isinstance(rec.column, str) else None
            value = rec.failure_case
            if isinstance(value, float) and pd.isna(value):
                value = None
            problems.append(Problem(file, msg, row, column, value, hint))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    out = df.drop(columns=[ROW], errors="ignore").reset_index(drop=True)
    return out, problems[: MAX_EXAMPLES * 5]


def check_groups(small: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """Group rows must name existing relations and users."""
    problems = []
    for gname, key, target in (
        ("relation_groups", "relation_id", "relations"),
        ("user_groups", "user_id", "users"),
    ):
        g = small[gname]
        known = set(small[target][key].dropna())
        bad = g[g[key].notna() & ~g[key].isin(known)]
        for i, v in bad[key].head(MAX_EXAMPLES).items():
            problems.append(
                Problem(
                    files[gname],
                    f"{key} {v} is not in {target}",
                    int(i) + 2,
                    key,
                    v,
                    f"Add it to {target} or remove the row",
                )
            )
    return problems


def check_events(events: ibis.Table, small: dict[str, pd.DataFrame], file: str) -> list[Problem]:
    """Validate the event log in its engine; return problems with row, column and value.

    Checks: required columns filled, allowed values for source, action (per source), channel,
    direction and status, unique ``event_id``, and that every event names a known relation and
    user. One scan counts every kind of problem; examples are only fetched for kinds that occur.
    """
    t = events
    has_row = ROW in t.columns
    con_relations = ibis.memtable(small["relations"][["relation_id"]].astype(object))
    con_users = ibis.memtable(small["users"][["user_id"]].astype(object))

    valid_pairs = [(s, a) for s in SOURCES for a in ACTIONS[s]]
    pair_ok = ibis.or_(*[(t.source == s) & (t.action.isin(list(ACTIONS[s]))) for s in SOURCES])
    checks: dict[str, tuple[ibis.expr.types.BooleanValue, str, str, str]] = {}
    for col in REQUIRED["events"]:
        checks[f"null_{col}"] = (
            t[col].isnull() if col == "timestamp" else (t[col].isnull() | (t[col].strip() == "")),
            col,
            "is empty",
            "This column is required: fill it in or remove the event",
        )
    checks["source"] = (
        t.source.notnull() & ~t.source.isin(list(SOURCES)),
        "source",
        "unknown source",
        f"Use one of: {', '.join(SOURCES)} (map Dutch values with tables.events.values.source)",
    )
    checks["action"] = (
        t.source.isin(list(SOURCES)) & t.action.notnull() & ~pair_ok,
        "action",
        "unknown action for this source",
        "Valid pairs: " + ", ".join(f"{s}/{a}" for s, a in valid_pairs),
    )
    for col, allowed in (("channel", CHANNELS), ("direction", DIRECTIONS), ("status", STATUSES)):
        checks[col] = (
            t[col].notnull() & (t[col] != "") & ~t[col].isin(list(allowed)),
            col,
            f"unknown {col}",
            f"Use one of: {', '.join(allowed)} or leave it empty",
        )
    assert ALLOWED  # the same lists as schema.ALLOWED
    aggs = {k: t.count(where=cond) for k, (cond, *_r) in checks.items()}
    aggs["n"] = t.count(where=t.event_id.notnull())
    aggs["n_ids"] = t.event_id.nunique()
    counts = t.aggregate(**aggs).to_pandas().iloc[0]

    problems: list[Problem] = []
    select_cols = [ROW, "event_id"] if has_row else ["event_id"]

    def examples(cond, col, msg, hint):
        cols = list(dict.fromkeys([*select_cols, col]))
        rows = t.filter(cond).select(*cols)
        if has_row:
            rows = rows.order_by(ROW)
        for rec in rows.limit(MAX_EXAMPLES).to_pandas().to_dict("records"):
            row = int(rec[ROW]) if has_row else None
            where = "" if has_row else f"event {rec['event_id']}: "
            problems.append(Problem(file, where + msg, row, col, rec[col], hint))

    for key, (cond, col, msg, hint) in checks.items():
        n = int(counts[key])
        if n:
            examples(cond, col, msg, hint)
            if n > MAX_EXAMPLES:
                problems.append(
                    Problem(file, f"{n} events in all have this problem: {msg}", None, col)
                )
    if int(counts["n_ids"]) < int(counts["n"]):
        dups = (
            t.filter(t.event_id.notnull())
            .group_by("event_id")
            .aggregate(k=lambda g: g.count())
            .filter(lambda d: d.k > 1)
        )
        dup_rows = t.semi_join(dups, "event_id")
        cond_rows = dup_rows.select(*select_cols)
        if has_row:
            cond_rows = cond_rows.order_by(ROW)
        for rec in cond_rows.limit(MAX_EXAMPLES).to_pandas().to_dict("records"):
            problems.append(
                Problem(
                    file,
                    f"event_id {rec['event_id']} appears more than once",
                    int(rec[ROW]) if has_row else None,
                    "event_id",
                    rec["event_id"],
                    "Event ids must be unique: remove the duplicate event",
                )
            )
    for key, ref, target in (
        ("relation_id", con_relations, "relations"),
        ("user_id", con_users, "users"),
    ):
        orphans = t.filter(t[key].notnull()).anti_join(ref, key)
        n = int(orphans.count().to_pandas())
        if n:
            cols = list(dict.fromkeys([*select_cols, key]))
            rows = orphans.select(*cols)
            if has_row:
                rows = rows.order_by(ROW)
            for rec in rows.limit(MAX_EXAMPLES).to_pandas().to_dict("records"):
                where = "" if has_row else f"event {rec['event_id']}: "
                problems.append(
                    Problem(
                        file,
                        f"{where}{key} {rec[key]} is not in {target}",
                        int(rec[ROW]) if has_row else None,
                        key,
                        rec[key],
                        f"Add {rec[key]} to {target}, or correct the event",
                    )
                )
            if n > MAX_EXAMPLES:
                problems.append(
                    Problem(file, f"{n} events in all name an unknown {target[:-1]}", None, key)
                )
    return problems


__all__ = ["check_events", "check_groups", "validate_small", "MODELS", "UNIQUE"]
