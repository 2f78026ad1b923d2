"""Validation of the canonical tables, in the user's terms.

The small tables (relations, relation_groups, users, user_groups) are checked with pandera
``DataFrameModel``\\ s; pandera's failure cases are turned into :class:`~aandacht.errors.Problem`\\ s
that name the file, row, column and value. The event log is checked where it lives (DuckDB or the
CRM's database) with Ibis expressions, so that tens of millions of rows never pass through pandas.
"""

from functools import partial

import ibis
import numpy as np
import pandas as pd

from .errors import Problem
from .schema import ACTIONS, ALLOWED, CHANNELS, DIRECTIONS, REQUIRED, SOURCES, STATUSES, UNIQUE

ROW = "_row"
MAX_EXAMPLES = 20


def _build_models() -> dict[str, type]:
    """The pandera models of the small tables.

    Built on first use: pandera takes a third of a second to import, and a table that passes the
    plain checks of :func:`_certainly_valid` does not need it (see :func:`validate_small`).
    """
    import pandera.pandas as pa
    from pandera.typing import Series

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

    return {
        "relations": Relations,
        "relation_groups": RelationGroups,
        "users": Users,
        "user_groups": UserGroups,
    }


_MODELS: dict[str, type] = {}


def models() -> dict[str, type]:
    """The pandera ``DataFrameModel`` per small table (imports pandera on first use)."""
    if not _MODELS:
        _MODELS.update(_build_models())
    return _MODELS


def __getattr__(name: str):
    """``MODELS``, ``Relations``, ``RelationGroups``, ``Users`` and ``UserGroups`` (lazily)."""
    if name == "MODELS":
        return models()
    classes = {m.__name__: m for m in models().values()}
    if name in classes:
        return classes[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: What the models check, as plain data for the fast path: per table, per column
#: (kind, nullable, unique, (min, max) or None). Keep in step with the models above.
_SPEC: dict[str, dict[str, tuple[str, bool, bool, tuple[float, float] | None]]] = {
    "relations": {
        "relation_id": ("text", False, True, None),
        "name": ("text", False, False, None),
        "address": ("text", True, False, None),
        "postcode": ("text", True, False, None),
        "city": ("text", True, False, None),
        "country": ("text", True, False, None),
        "lat": ("float", True, False, (-90.0, 90.0)),
        "lon": ("float", True, False, (-180.0, 180.0)),
        "colour": ("text", True, False, None),
    },
    "relation_groups": {
        "relation_id": ("text", False, False, None),
        "group": ("text", False, False, None),
    },
    "users": {
        "user_id": ("text", False, True, None),
        "name": ("text", True, False, None),
        "department": ("text", True, False, None),
        "active": ("bool", True, False, None),
    },
    "user_groups": {
        "user_id": ("text", False, False, None),
        "group": ("text", False, False, None),
    },
}
#: The dtypes loading gives each kind of column (``load._pandas_dtype``); the models accept them.
_DTYPES = {"text": pd.StringDtype(), "float": np.dtype("float64"), "bool": pd.BooleanDtype()}


def _certainly_valid(name: str, df: pd.DataFrame) -> bool:
    """True when the table has the dtypes loading gives it and passes every check of its model.

    Then the model would report nothing, and pandera is not needed. Anything unusual (another
    dtype, a missing column, an empty required value, a duplicate code, an out-of-range
    coordinate) returns False, and the model itself finds and describes the problems.
    """
    for col, (kind, nullable, unique, bounds) in _SPEC[name].items():
        if col not in df.columns:
            return False
        s = df[col]
        if s.dtype != _DTYPES[kind]:
            return False
        if not nullable and s.isna().any():
            return False
        if unique and s.duplicated().any():
            return False
        if bounds is not None:
            lo, hi = bounds
            if not (s.isna() | ((s >= lo) & (s <= hi))).all():
                return False
    return True


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
    if _certainly_valid(name, df):
        return df.drop(columns=[ROW], errors="ignore").reset_index(drop=True), problems
    import pandera.errors

    try:
        models()[name].validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
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
        known = pd.Index(small[target][key].dropna().astype(object)).drop_duplicates()
        ids = g[key].astype(object)
        bad = g[ids.notna().to_numpy() & (known.get_indexer(ids) < 0)]
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


def _blank(x: ibis.Table, col: str) -> ibis.expr.types.BooleanValue:
    return x[col].isnull() | (x[col].strip() == "")


def _blank_fast(e: ibis.expr.types.StringValue) -> ibis.expr.types.BooleanValue:
    """The same truth value as ``e.isnull() | (e.strip() == "")``, cheaper on unique values.

    A value that strips to nothing is empty or starts with a whitespace character (code 32 or
    less), so the strip itself only runs for those few values.
    """
    return e.isnull() | ibis.cases((e.ascii_str() <= 32, e.strip() == ""), else_=False)


#: The columns grouped on to count the problems of the low-cardinality event columns.
_CODE_COLUMNS = ["user_id", "source", "action", "channel", "direction", "status"]


#: Control characters other than tab, line feed and carriage return (as a regular expression).
CONTROL_RE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
#: The free-text event columns: what is not checked against a list of values or known ids.
FREE_TEXT_EVENT_COLUMNS = ("event_id", "subject", "body", "reference")


def _event_checks(t: ibis.Table, text_columns: tuple[str, ...]) -> tuple[dict, dict]:
    """The kinds of problem :func:`check_events` counts: ``{key: (condition as a function of a
    table with the event columns, column, message, hint)}``, and of them the control-character
    checks (counted per event)."""
    valid_pairs = [(s, a) for s in SOURCES for a in ACTIONS[s]]

    def pair_ok(x):
        return ibis.or_(*[(x.source == s) & (x.action.isin(list(ACTIONS[s]))) for s in SOURCES])

    checks: dict[str, tuple] = {}
    for col in REQUIRED["events"]:
        checks[f"null_{col}"] = (
            (lambda x: x.timestamp.isnull()) if col == "timestamp" else partial(_blank, col=col),
            col,
            "is empty",
            "This column is required: fill it in or remove the event",
        )
    checks["source"] = (
        lambda x: x.source.notnull() & ~x.source.isin(list(SOURCES)),
        "source",
        "unknown source",
        f"Use one of: {', '.join(SOURCES)} (map Dutch values with tables.events.values.source)",
    )
    checks["action"] = (
        lambda x: x.source.isin(list(SOURCES)) & x.action.notnull() & ~pair_ok(x),
        "action",
        "unknown action for this source",
        "Valid pairs: " + ", ".join(f"{s}/{a}" for s, a in valid_pairs),
    )
    for col, allowed in (("channel", CHANNELS), ("direction", DIRECTIONS), ("status", STATUSES)):
        checks[col] = (
            lambda x, col=col, allowed=allowed: (
                x[col].notnull() & (x[col] != "") & ~x[col].isin(list(allowed))
            ),
            col,
            f"unknown {col}",
            f"Use one of: {', '.join(allowed)} or leave it empty",
        )
    assert ALLOWED  # the same lists as schema.ALLOWED

    # amounts: a number that is not finite (inf, nan) is no amount
    checks["amount"] = (
        lambda x: x.amount.notnull() & (x.amount.isinf() | x.amount.isnan()),
        "amount",
        "not an amount",
        "Use an amount like 1234.50 (infinity or NaN is no amount)",
    )
    # control characters: no CRM text, and no worksheet can hold them
    control = {}
    for col in text_columns:
        if col in t.columns:
            control[f"control_{col}"] = checks[f"control_{col}"] = (
                lambda x, col=col: x[col].notnull() & x[col].re_search(CONTROL_RE),
                col,
                "contains a control character (such as a NUL byte)",
                "Remove it from the value; NUL bytes often mean a damaged or binary file",
            )
    return checks, control


def _count_queries(
    t: ibis.Table,
    con_relations: ibis.Table,
    con_users: ibis.Table,
    checks: dict,
    control: dict,
    *,
    known_distinct: bool = False,
) -> list[ibis.Table]:
    """Three one-row queries that count every kind of problem of ``checks`` in ``t`` (and the
    events, distinct ids and unknown relations and users), against the known ids of
    ``con_relations`` and ``con_users`` (``known_distinct``: those tables hold each id once and
    no empty one)."""
    # per event: the id (unique, so nothing to group), the timestamp and the amount
    per_event = t.aggregate(
        **{key: t.count(where=cond(t)) for key, (cond, *_r) in control.items()},
        n=t.count(where=t.event_id.notnull()),
        n_ids=t.event_id.nunique(),
        null_event_id=t.count(where=_blank_fast(t.event_id)),
        null_timestamp=t.count(where=t.timestamp.isnull()),
        amount=t.count(where=checks["amount"][0](t)),
    )
    # per distinct combination of the code columns, and per relation
    if known_distinct:
        known_users, known_relations = con_users.user_id, con_relations.relation_id
    else:
        known_users = con_users.filter(con_users.user_id.notnull()).user_id
        known_relations = con_relations.filter(con_relations.relation_id.notnull()).relation_id

    # Unknown ids by a left join on the distinct known ids, not NOT IN (a subquery): Spark
    # plans NOT IN as a null-aware nested loop (100k x 100k relations took 100 s).
    def marked(g, key, known):
        marks = known.name("_k").as_table()
        if not known_distinct:
            marks = marks.distinct()
        marks = marks.mutate(_known=ibis.literal(True))
        return g.left_join(marks, g[key] == marks._k).select(*g.columns, "_known")

    codes = marked(t.group_by(_CODE_COLUMNS).aggregate(_n=t.count()), "user_id", known_users)
    rels = marked(t.group_by("relation_id").aggregate(_n=t.count()), "relation_id", known_relations)
    aggs = {}
    for key, (cond, col, *_r) in checks.items():
        if col not in ("event_id", "timestamp", "amount") and key not in control:
            g = rels if col == "relation_id" else codes
            aggs[key] = g._n.sum(where=cond(g))
    per_codes = codes.aggregate(
        **{k: v for k, v in aggs.items() if k != "null_relation_id"},
        orphans_user_id=codes._n.sum(where=codes.user_id.notnull() & codes._known.isnull()),
    )
    per_relation = rels.aggregate(
        null_relation_id=aggs["null_relation_id"],
        orphans_relation_id=rels._n.sum(where=rels.relation_id.notnull() & rels._known.isnull()),
    )
    # Three queries, not one: a query that reads the events three times would make DuckDB
    # materialise them (a CTE used more than once), which costs time and gigabytes.
    return [per_event, per_codes, per_relation]


def no_problems(counts: dict[str, int], checks: dict) -> bool:
    """Whether the counts of :func:`_count_queries` show no problem of any kind."""
    return (
        not any(int(counts[k]) for k in checks)
        and not int(counts["orphans_user_id"])
        and not int(counts["orphans_relation_id"])
        and int(counts["n_ids"]) >= int(counts["n"])
    )


def check_events(
    events: ibis.Table,
    small: dict[str, pd.DataFrame],
    file: str,
    *,
    text_columns: tuple[str, ...] = (),
) -> list[Problem]:
    """Validate the event log in its engine; return problems with row, column and value.

    Checks: required columns filled, allowed values for source, action (per source), channel,
    direction and status, unique ``event_id``, and that every event names a known relation and
    user. Three queries count every kind of problem; examples are only fetched for kinds that
    occur.

    The counting avoids evaluating string checks on every event: the columns with few distinct
    values (user, source, action, channel, direction, status; relation) are grouped first and
    the checks run on the distinct combinations, weighted by their number of events. Only the
    event id and timestamp are checked per event.

    ``text_columns``: columns also checked per event for control characters (a NUL byte, ...),
    for event logs whose text was not parsed by :mod:`aandacht.load` (Parquet files); a CSV
    file's text is checked as it is read.
    """
    t = events
    has_row = ROW in t.columns
    con_relations = ibis.memtable(small["relations"][["relation_id"]].astype(object))
    con_users = ibis.memtable(small["users"][["user_id"]].astype(object))
    checks, control = _event_checks(t, text_columns)
    counts = {}
    for part in _count_queries(t, con_relations, con_users, checks, control):
        row = part.to_pandas().iloc[0]
        counts.update({k: 0 if pd.isna(v) else int(v) for k, v in row.items()})

    problems: list[Problem] = []
    select_cols = [ROW, "event_id"] if has_row else ["event_id"]

    def examples(cond, col, msg, hint):
        cols = list(dict.fromkeys([*select_cols, col]))
        rows = t.filter(cond(t)).select(*cols)
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
        n = counts[f"orphans_{key}"]
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


__all__ = ["check_events", "check_groups", "validate_small", "models", "UNIQUE"]
