"""Loading a data set: a folder of CSV/Parquet files, one ``.xlsx``, or a database URL.

The edge of the library: :func:`load` picks the reader for the source (a folder, through its
workspace when that is used, plus its extra events files; a workbook; a database; Spark). The
parsing and validation they share live in :mod:`aandacht.reading`; every problem is reported with
the file, the row, the column and the value, and what to do about it.
"""

from __future__ import annotations

import re
from pathlib import Path

import ibis

from .dataset import Dataset, connect_duckdb
from .errors import DataError, Problem
from .mapping import Mapping, read_mapping
from .reading import (  # noqa: F401  (the names this module always had)
    IBIS_TYPES,
    LOCAL_TIME_ZONE,
    ROW,
    conform_ibis,
    from_frames,
    read_tables,
)


def load(
    source: str | Path,
    mapping: str | Path | Mapping | None = None,
    *,
    con: ibis.BaseBackend | None = None,
    workspace: bool | None = None,
    engine: str | None = None,
    extras: str = "strict",
) -> Dataset:
    """Load and validate a data set.

    Parameters
    ----------
    source : a folder with ``relations``, ``relation_groups``, ``users``, ``user_groups`` and
        ``events`` as ``.csv`` or ``.parquet`` (mixed is fine), one ``.xlsx`` with sheets of those
        names, or a database URL (``postgres://…``, ``duckdb://…``) with tables of those names.
    mapping : a mapping file (YAML) or :class:`~aandacht.mapping.Mapping` for exports whose
        names, separators, encodings, number and date formats or values differ.
    con : the Ibis backend to put file data in; default a new in-memory DuckDB.
    workspace : for a folder: ``True`` to go through a validated copy sorted by relation
        (:mod:`aandacht.workspace`; made on first use, reused while the files are unchanged),
        ``False`` to read the files directly, ``None`` (default) to use one for large event
        logs only. Ignored for an ``.xlsx``, a URL, or when ``con`` is given.
    engine : ``"pyspark"`` to have Apache Spark read and count (:mod:`aandacht.spark`; also
        for a ``pyspark://`` URL); default (``None`` or ``"duckdb"``) embedded DuckDB.
    extras : for a folder, what to do with an extra events file (``events-*.csv`` /
        ``events-*.parquet`` beside ``events.csv``, :mod:`aandacht.feed`) that has problems:
        ``"strict"`` (default) raises with them; ``"skip"`` leaves that file out whole and lists
        its problems in :attr:`Dataset.rejected_events` (the live dashboard, which must keep
        working while one file of its feed is bad).

    Raises
    ------
    DataError
        Listing every problem found, each with file, row, column, value and what to do.

    Examples
    --------
    >>> ds = load("data_samples")
    >>> len(ds.relations) > 0
    True
    """
    mp = mapping if isinstance(mapping, Mapping) else read_mapping(mapping)
    text = str(source)
    if engine == "pyspark" or text.startswith("pyspark://"):
        from .spark import load_spark

        return load_spark(source, mp)
    if engine not in (None, "duckdb"):
        raise ValueError(f"engine {engine!r}: use 'duckdb' (default) or 'pyspark'")
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+]*://", text):
        from .database import load_database

        return load_database(text, mp)
    path = Path(source)
    if not path.exists():
        raise DataError([Problem(text, "not found", hint="Give a folder, an .xlsx file or a URL")])
    if path.is_dir() and con is None:
        from . import feed

        if extras not in ("strict", "skip"):
            raise ValueError(f"extras {extras!r}: use 'strict' or 'skip'")
        ds = _folder(path, mp, workspace)
        # events-*.csv / .parquet beside events.csv
        feed.add_extra_files(ds, path, mp, strict=extras == "strict")
        return ds
    return read_tables(path, mp, con or connect_duckdb())


def _folder(path: Path, mp: Mapping, workspace: bool | None) -> Dataset:
    """A folder's base tables, through its workspace when that is used (without extra files)."""
    from . import workspace as ws

    how = ws.mode(path, mp, workspace)
    if how == "now":
        return ws.open_workspace(path, mp)
    if how == "background":
        ready = ws.open_if_ready(path, mp)
        if ready is not None:
            return ready
        ds = load(path, mp, con=connect_duckdb())  # validated: bad data raises here
        ws.build_in_background(path, mp)
        return ds
    return load(path, mp, con=connect_duckdb())
