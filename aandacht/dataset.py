"""The loaded data set: :class:`Dataset`, the one object every feature takes.

It lives in a module of its own so that the readers (:mod:`aandacht.load`,
:mod:`aandacht.database`, :mod:`aandacht.workspace`) and the features that use it import it
without importing each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import pandas as pd


@dataclass
class Dataset:
    """A loaded, validated data set.

    Attributes
    ----------
    con : ibis backend the events live in (embedded DuckDB for files).
    events : ibis table of the events with the canonical columns (and ``_row`` where known).
    relations, relation_groups, users, user_groups : small pandas tables, canonical columns.
    origin : the path or URL it came from.
    files : per table, the file (or table) it was read from, for messages.
    workspace : the workspace directory the events are read from, if any
        (:mod:`aandacht.workspace`).
    extra_events : the extra events files taken in (``events-*.csv`` beside ``events.csv``;
        :mod:`aandacht.feed`), each with its size and modification time when it was read.
    rejected_events : extra events files left out because of problems (only when loaded with
        ``extras="skip"``), each with its problems (file, row, column, what to do).
    """

    con: ibis.BaseBackend
    events: ibis.Table
    relations: pd.DataFrame
    relation_groups: pd.DataFrame
    users: pd.DataFrame
    user_groups: pd.DataFrame
    origin: str
    files: dict[str, str] = field(default_factory=dict)
    workspace: str | None = None
    extra_events: dict[str, tuple[int, int]] = field(default_factory=dict)
    rejected_events: dict[str, list] = field(default_factory=dict)

    def has_relation(self, relation_id: str) -> bool:
        """Whether ``relation_id`` is in the relations table (a set kept while the table is)."""
        key = (id(self.relations), len(self.relations))
        cached = self.__dict__.get("_relation_ids")
        if cached is None or cached[0] != key:
            cached = (key, frozenset(self.relations["relation_id"].dropna().astype(str)))
            self.__dict__["_relation_ids"] = cached
        return str(relation_id) in cached[1]

    def last_event_day(self) -> dt.date | None:
        """The day of the newest event (``None`` without events); asked once per data set.

        The dashboard's default *as of* date: today, or this day when the data ends earlier.
        """
        cached = self.__dict__.get("_last_event_day", ...)
        if cached is ...:
            newest = self.events.timestamp.max().execute()
            cached = None if newest is None or pd.isna(newest) else pd.Timestamp(newest).date()
            self.__dict__["_last_event_day"] = cached
        return cached

    def default_as_of(self, today: dt.date | None = None) -> dt.date:
        """Today, or the day of the newest event when the data ends before today."""
        today = today or dt.date.today()
        last = self.last_event_day()
        return last if last is not None and last < today else today

    def group_names(self) -> list[str]:
        """All user-group names: groups in ``user_groups`` and departments."""
        names = set(self.user_groups["group"].dropna()) | set(self.users["department"].dropna())
        return sorted(names)

    def b_group_names(self) -> list[str]:
        """All B-group names."""
        return sorted(set(self.relation_groups["group"].dropna()))


def connect_duckdb(**settings) -> ibis.BaseBackend:
    """A new embedded DuckDB connection for a data set.

    DuckDB's progress bar is off unless standard error is a terminal (a cron job's log gets no
    ``95% ▕███…`` lines). ``settings`` are DuckDB settings given at start (``temp_directory``
    can only be chosen before the first query that spills). ``$AANDACHT_DUCKDB_MEMORY`` (e.g.
    ``2GB``) caps DuckDB's memory; beyond it, it spills to disk.
    """
    import os

    limit = os.environ.get("AANDACHT_DUCKDB_MEMORY", "").strip()
    if limit:  # e.g. 2GB: DuckDB spills to disk beyond it
        settings.setdefault("memory_limit", limit)
    con = ibis.duckdb.connect(**settings)
    if not _stderr_is_terminal():  # on a terminal DuckDB's own default
        import duckdb

        try:
            con.con.execute("SET enable_progress_bar = false")
        except duckdb.Error:  # in Jupyter DuckDB refuses any change without ipywidgets; its
            pass  # bar is a widget there, not lines in a log
    return con


def _stderr_is_terminal() -> bool:
    import sys

    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def to_frame(expr) -> pd.DataFrame:
    """Run an Ibis table expression and return its (small) result as pandas.

    The one place where results come back from the engine. On DuckDB the result is fetched as
    Arrow and converted by pyarrow, which gives the same columns and dtypes as Ibis'
    ``to_pandas()`` (text ``str``, timestamps ``datetime64[us]``, counts ``int64``) about ten
    times faster for 100,000 rows; other engines go through Ibis.
    """
    backend = expr._find_backend(use_default=True)
    if getattr(backend, "name", None) in ("duckdb", "pyspark"):  # Spark: aandacht.spark
        return expr.to_pyarrow().to_pandas()
    return expr.to_pandas()


__all__ = ["Dataset", "connect_duckdb", "to_frame"]
