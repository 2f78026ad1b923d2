"""Data sets in a database: the counting runs in the CRM's own database through Ibis.

``load("postgres://user:pw@host/db")`` (or ``duckdb:///path/crm.duckdb``, or any backend Ibis
connects to by URL) reads the five tables by name — or by the names in a mapping file's
``tables.<name>.file`` — and their columns through ``tables.<name>.columns``. The small tables are
fetched and validated in pandas; the events stay in the database and are validated there.
"""

from __future__ import annotations

import re

import ibis

from .errors import DataError, Problem
from .mapping import Mapping
from .schema import OPTIONAL_TABLES, TABLES


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def load_database(url: str, mapping: Mapping):
    """Connect to ``url`` and return a validated :class:`~aandacht.load.Dataset`."""
    from .load import _empty, _finish, conform_ibis

    shown = _redact(url)
    try:
        con = ibis.connect(url)
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
            t = conform_ibis(con.table(tname), name, files[name], tm)
        except DataError as exc:
            problems += exc.problems
            continue
        if name == "events":
            events = t
        else:
            frames[name] = t.to_pandas()
            for col, dtype in (("active", "boolean"),):
                if col in frames[name].columns:
                    frames[name][col] = frames[name][col].astype(dtype)
    return _finish(con, frames, events, files, shown, problems)
