"""Apache Spark as the engine: the same counting on a distributed engine (B9).

``load(folder, engine="pyspark")`` (``--engine pyspark`` on the command line) has Spark read the
data folder's files itself — the events never pass through pandas — typed per the canonical
schema (:mod:`aandacht.schema`), and validated there with the same Ibis expressions as on DuckDB
(:func:`aandacht.validation.check_events`). ``load("pyspark://")`` uses tables that are already
in the session's catalog. The counting (:mod:`aandacht.engine`) and the insights are the same
Ibis expressions as on DuckDB; only their small results come back, with DuckDB's dtypes.

The session:

* an active ``SparkSession`` (in a notebook, under ``spark-submit``, on Databricks) is used as
  it is;
* else ``$SPARK_REMOTE`` (``sc://host:15002``) connects to a Spark Connect server;
* else a local session: ``$AANDACHT_SPARK_MASTER`` (default ``local[*]``), no UI, few shuffle
  partitions, Arrow on; ``PYSPARK_PYTHON`` is this Python and ``SPARK_LOCAL_IP`` is 127.0.0.1
  unless they are set.

Settings that Spark only takes at start go on the builder (:func:`session`); the optional
install is ``pip install 'aandacht[spark]'`` plus Java 17.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import ibis
import pandas as pd

from .dataset import Dataset
from .errors import AandachtError, DataError, Problem
from .mapping import Mapping, TableMapping
from .schema import COLUMNS, OPTIONAL_TABLES, TABLES

#: Settings of a local session (start-only ones among them: they go on the builder).
LOCAL_SETTINGS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",  # Ibis sets it too: wall-clock times stay as they are
}

#: The column that carries a Parquet event's row number (the file's row index) while loading.
_FILE_ROW = "_aandacht_file_row"
_CORRUPT = "_aandacht_corrupt"
_views = itertools.count(1)


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise AandachtError(
            "--engine pyspark needs Apache Spark: pip install 'aandacht[spark]' "
            "(or make spark), and Java 17 (apt-get install openjdk-17-jre-headless)"
        ) from exc


def session(master: str | None = None, **settings: str):
    """The Spark session to run on: the active one, Spark Connect, or a new local one.

    Parameters
    ----------
    master : for a new local session, e.g. ``local[2]``; default ``$AANDACHT_SPARK_MASTER``
        or ``local[*]``.
    settings : more Spark settings for a new session, e.g. ``{"spark.driver.memory": "4g"}``
        (start-only settings work here, on the builder, and nowhere else).
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    remote = os.environ.get("SPARK_REMOTE")
    try:
        if remote:
            builder = SparkSession.builder.remote(remote)
            for key, value in settings.items():
                builder = builder.config(key, value)
            return builder.getOrCreate()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # else workers use another Python
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        master = master or os.environ.get("AANDACHT_SPARK_MASTER") or "local[*]"
        builder = SparkSession.builder.master(master).appName("aandacht")
        for key, value in {**LOCAL_SETTINGS, **settings}.items():
            builder = builder.config(key, str(value))
        return builder.getOrCreate()
    except Exception as exc:  # Java missing, a bad master, a server that does not answer
        if isinstance(exc, AandachtError):
            raise
        raise AandachtError(
            f"cannot start Spark ({remote or master}): {exc}. Spark needs Java 17 "
            "(apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
        ) from exc


def _backend_class():
    """An Ibis PySpark backend whose results come back as DuckDB's do.

    The one place where Spark's results come back to pandas: Spark gives them as Arrow
    (``toArrow``), cast to the expression's schema (so timestamps are ``timestamp[us]``, not
    nanoseconds with a UTC zone), then turned into pandas exactly as Ibis' DuckDB backend does
    (text ``str``, ``datetime64[us]``, ``int64``, nullable integers where DuckDB has them).
    """
    from ibis.backends.pyspark import Backend as PySparkBackend

    ibis.pyspark  # noqa: B018 (loading it through ibis registers its options)

    class SparkBackend(PySparkBackend):
        def to_pyarrow(self, expr, /, *, params=None, limit=None, **kwargs):
            from ibis.formats.pyarrow import PyArrowData

            table_expr = expr.as_table()
            self._run_pre_execute_hooks(table_expr)
            sql = self.compile(table_expr, params=params, limit=limit, **kwargs)
            arrow = self._session.sql(sql).toArrow()
            table = PyArrowData.convert_table(arrow, table_expr.schema())
            return expr.__pyarrow_result__(table)

        def execute(self, expr, /, *, params=None, limit=None, **kwargs):
            import pyarrow.types as pat
            from ibis.backends.duckdb.converter import DuckDBPandasData

            schema = expr.as_table().schema()
            table = self.to_pyarrow(expr.as_table(), params=params, limit=limit, **kwargs)
            df = pd.DataFrame(  # as ibis.backends.duckdb.Backend.execute
                {
                    name: (
                        col.to_pylist()
                        if pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count
                        else col.to_pandas()
                    )
                    for name, col in zip(table.column_names, table.columns, strict=True)
                }
            )
            df = DuckDBPandasData.convert_table(df, schema)
            return expr.__pandas_result__(df)

    return SparkBackend


def connect(spark=None) -> ibis.BaseBackend:
    """An Ibis backend on ``spark`` (default :func:`session`) that returns DuckDB's dtypes."""
    spark = spark if spark is not None else session()
    return _backend_class()().connect(spark)


# --------------------------------------------------------------------------------------------
# loading


def load_spark(source: str | Path, mapping: Mapping, *, spark=None) -> Dataset:
    """Load and validate a data set on Spark (see :func:`aandacht.load.load`, ``engine``).

    ``source`` is a folder (local, or a URL Spark reads: ``s3a://…``, ``hdfs://…``,
    ``dbfs:/…``) with the five tables as CSV or Parquet, or ``pyspark://`` for tables in the
    session's catalog (``pyspark://?key=value`` adds settings to a new session).
    """
    from .reading import _finish

    text = str(source)
    if text.startswith("pyspark://"):
        from .database import load_database

        url = urlparse(text)
        settings = dict(parse_qsl(url.query))
        if url.path.strip("/"):
            settings["spark.sql.warehouse.dir"] = str(Path(url.path[1:]).absolute())
        con = connect(spark if spark is not None else session(**settings))
        return _small_dtypes(load_database(text, mapping, con=con))
    local = not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:/", text)
    if local:
        path = Path(source)
        if not path.is_dir():
            raise DataError(
                [
                    Problem(
                        text,
                        "not a folder" if path.exists() else "not found",
                        hint="Spark reads a folder of CSV/Parquet files (or pyspark:// for "
                        "tables in its catalog); for an .xlsx use the default engine",
                    )
                ]
            )
        from .feed import extra_files

        extra = extra_files(path, mapping)
        if extra:
            raise DataError(
                [
                    Problem(
                        str(f),
                        "an extra events file: Spark reads events.csv/events.parquet only",
                        hint="Put these events into the events file (or a Parquet folder of "
                        "events), or load the folder on the default engine, which takes extra "
                        "events files in",
                    )
                    for f in extra
                ]
            )
        text = str(path.resolve())
    con = connect(spark)
    frames, files, events, problems = _read_folder(con, text.rstrip("/"), mapping, local)
    return _finish(con, frames, events, files, str(source), problems)


def _small_dtypes(ds: Dataset) -> Dataset:
    """The small tables of a catalog with the dtypes files give them (text ``string``, …)."""
    from .reading import _pandas_dtype

    for name in ("relations", "relation_groups", "users", "user_groups"):
        df = getattr(ds, name)
        kinds = {c: _pandas_dtype(k) for c, k in COLUMNS[name].items() if c in df.columns}
        setattr(ds, name, df.astype(kinds))
    return ds


def _find(spark, folder: str, name: str, tm: TableMapping, local: bool) -> str | None:
    names = [tm.file] if tm.file else [f"{name}{ext}" for ext in (".parquet", ".csv", ".csv.gz")]
    for fname in names:
        p = f"{folder}/{fname}"
        if local:
            if Path(p).exists():
                return p
            continue
        try:  # a remote folder: Spark says whether the file is there
            reader = spark.read.parquet if p.endswith(".parquet") else spark.read.text
            reader(p).schema  # noqa: B018 (reading the schema looks the file up)
            return p
        except Exception:  # noqa: BLE001 (AnalysisException PATH_NOT_FOUND and kin)
            continue
    return None


def _read_folder(con, folder: str, mp: Mapping, local: bool):
    from .reading import _conform_pandas, _empty

    spark = con._session
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    events = None
    for name in TABLES:
        tm = mp.table(name)
        p = _find(spark, folder, name, tm, local)
        files[name] = p or f"{folder}/{tm.file or name + '.csv'}"
        if p is None:
            if name in OPTIONAL_TABLES:
                frames[name] = _empty(name)
                continue
            expected = tm.file or f"{name}.csv or {name}.parquet"
            problems.append(
                Problem(
                    folder,
                    f"table '{name}' is missing: no file {expected}",
                    hint=f"Add the file, or name it with tables.{name}.file in a mapping file",
                )
            )
            continue
        parquet = p.endswith(".parquet")
        try:
            if name == "events":
                events = (_parquet_events if parquet else _csv_events)(con, p, tm, mp)
            else:
                df = (
                    spark.read.parquet(p) if parquet else _csv_reader(spark, mp).csv(p)
                ).toPandas()
                if not parquet:  # empty fields as pandas reads them (keep_default_na=False)
                    df = df.astype(object).where(df.notna(), "")
                frames[name] = _conform_pandas(df, name, p, tm, mp, typed=parquet)
        except DataError as exc:
            problems += exc.problems
        except Exception as exc:  # noqa: BLE001 (Spark's own errors: a damaged file)
            if isinstance(exc, AandachtError):
                raise
            problems.append(Problem(p, f"Spark cannot read the file: {_first_line(exc)}"))
    return frames, files, events, problems


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _csv_reader(spark, mp: Mapping):
    return (
        spark.read.option("header", True)
        .option("sep", mp.csv.separator)
        .option("encoding", mp.csv.encoding)
        .option("multiLine", True)  # e-mail bodies hold line breaks
        .option("quote", '"')
        .option("escape", '"')  # a quote in a quoted value is doubled ("")
        .option("inferSchema", False)
    )


def _view(con, df) -> ibis.Table:
    name = f"aandacht_events_{os.getpid()}_{next(_views)}"
    df.createOrReplaceTempView(name)
    return con.table(name)


def _parquet_events(con, path: str, tm: TableMapping, mp: Mapping) -> ibis.Table:
    """Parquet events, read by Spark with their row numbers (the file's row index)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from .reading import LOCAL_TIME_ZONE, conform_ibis

    df = con._session.read.parquet(path)
    df = df.select("*", F.col("_metadata.row_index").alias(_FILE_ROW))
    ts = str(tm.columns.get("timestamp", "timestamp"))
    if ts in df.columns and isinstance(df.schema[ts].dataType, T.TimestampType):
        # an instant (Parquet isAdjustedToUTC): its wall-clock time in the Netherlands, as on
        # DuckDB; timestamps without a zone (TIMESTAMP_NTZ) are taken as they are
        df = df.withColumn(ts, F.from_utc_timestamp(F.col(ts), LOCAL_TIME_ZONE))
    t = _view(con, df)
    return conform_ibis(t, "events", path, tm, row_expr=t[_FILE_ROW] + 1)


#: strftime codes of a mapping's date formats, as Spark (Java) datetime patterns.
_JAVA = {"%Y": "yyyy", "%y": "yy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}
_JAVA |= {"%f": "SSSSSS", "%b": "MMM", "%B": "MMMM", "%I": "hh", "%p": "a", "%%": "%"}


def _java_pattern(fmt: str) -> str:
    out, i = [], 0
    while i < len(fmt):
        code = fmt[i : i + 2]
        if code in _JAVA:
            out.append(_JAVA[code])
            i += 2
        elif fmt[i] == "%":
            raise AandachtError(
                f"date format {fmt!r}: {code} has no Spark equivalent; use %Y %m %d %H %M %S %f"
            )
        elif fmt[i].isalpha():
            out.append(f"'{fmt[i]}'")
            i += 1
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


#: Day-first forms tried when a mapping says csv.dayfirst without formats.
_DAYFIRST = ["%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S"]
_DAYFIRST += ["%d/%m/%Y %H:%M", "%d/%m/%Y"]


def _csv_events(con, path: str, tm: TableMapping, mp: Mapping) -> ibis.Table:
    """An events CSV, read and typed by Spark: the same parsing rules as the default engine.

    Each value that cannot be parsed is reported (column, value, the same message and hint),
    with the event's id in place of a row number, which Spark does not know for CSV files.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from .reading import _BAD, _CONTROL, _HINT, _MAX_SHOWN, _OFFSET, LOCAL_TIME_ZONE, conform_ibis

    spark = con._session
    header = _csv_reader(spark, mp).csv(path).columns
    schema = T.StructType(
        [T.StructField(c, T.StringType()) for c in header]
        + [T.StructField(_CORRUPT, T.StringType())]
    )
    raw = (
        _csv_reader(spark, mp)
        .schema(schema)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", _CORRUPT)
        .csv(path)
    )
    kinds = {str(tm.columns.get(c, c)).strip(): k for c, k in COLUMNS["events"].items()}
    ident = str(tm.columns.get("event_id", "event_id")).strip()
    ident_col = F.col(f"`{ident}`") if ident in header else F.lit(None)
    cols, bad = {}, {}
    for c in header:
        v = F.regexp_replace(F.col(f"`{c}`"), r"^\s+|\s+$", "")
        v = F.when(v != "", v)
        kind = kinds.get(c.strip())
        if kind in ("float", "decimal"):
            n = v
            for old in ("\u20ac", "EUR", " ", "\u00a0", mp.csv.thousands):
                if old:
                    n = F.replace(n, F.lit(old), F.lit(""))
            if mp.csv.decimal != ".":
                n = F.replace(n, F.lit(mp.csv.decimal), F.lit("."))
            num = n.try_cast("double")
            wrong = v.isNotNull() & (num.isNull() | F.isnan(num) | (F.abs(num) == float("inf")))
            cols[c], bad[c] = F.when(~wrong, num), (wrong, kind)
        elif kind == "datetime":
            formats = tm.date_format if tm.date_format is not None else mp.csv.date_format
            if not formats and mp.csv.dayfirst:
                formats = _DAYFIRST
            zoned = v.rlike(_OFFSET)
            iso = F.regexp_replace(v, r"\s*(?:UTC|z)$", "+00:00").try_cast("timestamp")
            tries = [F.when(zoned, F.from_utc_timestamp(iso, LOCAL_TIME_ZONE)).otherwise(iso)]
            if formats:
                own = [F.try_to_timestamp(v, F.lit(_java_pattern(f))) for f in formats]
                tries = [*own, *tries] if tm.date_format or mp.csv.date_format else tries + own
            ts = F.coalesce(*tries)
            cols[c], bad[c] = ts, (v.isNotNull() & ts.isNull(), kind)
        else:
            cols[c] = v
            if kind == "text":
                bad[c] = (v.rlike(_CONTROL), kind)
    cols[_CORRUPT] = F.col(_CORRUPT)
    typed = raw.select(
        *[e.alias(c) for c, e in cols.items()],
        *[w.alias(f"_bad_{i}") for i, (w, _k) in enumerate(bad.values())],
    )
    flags = {c: f"_bad_{i}" for i, c in enumerate(bad)}
    counts = typed.agg(
        F.count_if(F.col(_CORRUPT).isNotNull()).alias("_corrupt"),
        *[F.count_if(F.col(f)).alias(f) for f in flags.values()],
    ).collect()[0]
    problems: list[Problem] = []
    if counts["_corrupt"]:
        for rec in typed.filter(F.col(_CORRUPT).isNotNull()).limit(20).collect():
            problems.append(
                Problem(
                    path,
                    "the row does not have the fields of the header",
                    value=str(rec[_CORRUPT])[:80],
                    hint="The file may be cut off (copy it again), or a value holds the "
                    "separator: put it in quotes",
                )
            )
        if counts["_corrupt"] > 20:
            problems.append(Problem(path, f"{counts['_corrupt'] - 20} more rows like this"))
    for c, flag in flags.items():
        n = counts[flag]
        if not n:
            continue
        kind = bad[c][1]
        canon = next((k for k in COLUMNS["events"] if str(tm.columns.get(k, k)).strip() == c), c)
        # the value as written in the file, with the event's id
        shown = raw.filter(bad[c][0]).select(ident_col.alias("_id"), F.col(f"`{c}`").alias("_v"))
        rows = shown.limit(_MAX_SHOWN).collect()
        for rec in rows:
            msg = f"event {rec['_id']}: {_BAD[kind]}"
            problems.append(Problem(path, msg, None, canon, rec["_v"], _HINT[kind]))
        if n > len(rows):
            problems.append(Problem(path, f"{n - len(rows)} more rows like this", None, canon))
    if problems:
        raise DataError(problems)
    t = _view(con, typed.select(*[F.col(f"`{c}`") for c in header]))
    return conform_ibis(t, "events", path, tm)


__all__ = ["connect", "load_spark", "session", "LOCAL_SETTINGS"]
