"""Data sets in a database: the counting runs in the CRM's own database through Ibis.

``load("postgres://user:pw@host/db")`` (or ``duckdb:///path/crm.duckdb``, or any backend Ibis
connects to by URL) reads the five tables by name — or by the names in a mapping file's
``tables.<name>.file`` — and their columns through ``tables.<name>.columns``. The small tables are
fetched and validated in pandas; the events stay in the database and are validated there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import ibis

from .errors import DataError, Problem
from .mapping import Mapping
from .schema import OPTIONAL_TABLES, TABLES


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def load_database(
    url: str,
    mapping: Mapping,
    *,
    con: ibis.BaseBackend | None = None,
    events_view: Callable[[ibis.Table], ibis.Table] | None = None,
):
    """Connect to ``url`` (or use ``con``) and return a validated :class:`~aandacht.load.Dataset`.

    ``events_view`` takes the events table as it is in the database (its own column names) and
    returns the rows that are the data set's events; they are conformed and validated. The live
    feed (:mod:`aandacht.pglive`) leaves out the rows it has not taken in yet.
    """
    from .reading import _empty, _finish, conform_ibis, control_problems

    shown = _redact(url)
    try:
        con = con if con is not None else ibis.connect(url)
        existing = set(con.list_tables())
    except Exception as exc:  # drivers raise their own kinds
        raise DataError(
            [
                Problem(
                    shown,
                    f"cannot connect to the database: {exc}".strip(),
                    hint="Check the URL, that the server runs and accepts connections, and "
                    "the credentials",
                )
            ]
        ) from exc
    frames, files, problems, events = {}, {}, [], None
    for name in TABLES:
        tm = mapping.table(name)
        tname = tm.file or name
        files[name] = f"{shown} [table {tname}]"
        if tname not in existing:
            if name in OPTIONAL_TABLES:
                frames[name] = _empty(name)
                continue
            problems.append(
                Problem(
                    shown,
                    f"table '{tname}' is missing",
                    hint=f"The database has: {', '.join(sorted(existing)) or 'no tables'}. "
                    f"Name it with tables.{name}.file in a mapping file",
                )
            )
            continue
        try:
            raw = con.table(tname)
            if name == "events" and events_view is not None:
                raw = events_view(raw)
            t = conform_ibis(raw, name, files[name], tm)
        except DataError as exc:
            problems += exc.problems
            continue
        if name == "events":
            events = t
        else:
            frames[name] = t.to_pandas()
            problems += control_problems(frames[name], name, files[name])
            for col, dtype in (("active", "boolean"),):
                if col in frames[name].columns:
                    frames[name][col] = frames[name][col].astype(dtype)
    return _finish(con, frames, events, files, shown, problems, check_text=True)


_PG_TYPES = {
    "text": "TEXT",
    "float": "DOUBLE PRECISION",
    "decimal": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "datetime": "TIMESTAMP",
}


def write_tables(url: str, tables: dict, *, replace: bool = False) -> None:
    """Copy canonical tables (pandas DataFrames) into a database.

    PostgreSQL gets ``CREATE TABLE`` with the canonical column types and a bulk ``COPY`` (fast:
    ``con.create_table`` would insert row by row); other backends use Ibis' ``create_table``.
    Used to put the sample data (or a converted export) into a CRM-like database, and by the
    tests that prove PostgreSQL counts exactly like DuckDB.

    Parameters
    ----------
    url : a database URL, e.g. ``postgres://user:pw@127.0.0.1:5432/crm``.
    tables : table name → DataFrame with (a subset of) the canonical columns.
    replace : drop existing tables of those names first.
    """
    import io

    from .schema import COLUMNS

    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        dsn = "postgresql://" + url.split("://", 1)[1]
        with psycopg.connect(dsn) as conn, conn.cursor() as cur:
            for name, df in tables.items():
                cols = [c for c in COLUMNS[name] if c in df.columns]
                if replace:
                    cur.execute(f'DROP TABLE IF EXISTS "{name}"')
                ddl = ", ".join(f'"{c}" {_PG_TYPES[COLUMNS[name][c]]}' for c in cols)
                cur.execute(f'CREATE TABLE "{name}" ({ddl})')
                buf = io.StringIO()
                df[cols].to_csv(buf, index=False, header=False, date_format="%Y-%m-%d %H:%M:%S.%f")
                quoted = ", ".join(f'"{c}"' for c in cols)
                with cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN WITH (FORMAT csv)') as cp:
                    cp.write(buf.getvalue())
            conn.commit()
        return
    con = ibis.connect(url)
    for name, df in tables.items():
        cols = [c for c in COLUMNS[name] if c in df.columns]
        con.create_table(name, df[cols], overwrite=replace)
