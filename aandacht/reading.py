"""Reading and validating tables: CSV, Parquet and ``.xlsx`` files, pandas frames and Ibis
tables, into the canonical columns (:mod:`aandacht.schema`).

Everything that comes in is parsed and validated here, and every problem is reported with the
file, the row, the column and the value, and what to do about it. Nothing is dropped silently: a
data set with bad rows raises :class:`~aandacht.errors.DataError`. :func:`aandacht.load.load`
picks the source (folder, workbook, database, Spark) and uses these; so do the database, Spark,
workspace and live-feed readers, which is why this module imports none of them.

The four small tables (relations, groups, users) are validated in pandas with the pandera models of
:mod:`aandacht.validation`; the event log, which may hold tens of millions of rows, stays in the
engine (DuckDB, or the CRM's own database) and is validated there with Ibis expressions.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from pathlib import Path

import ibis
import ibis.expr.datatypes as dtypes
import numpy as np
import pandas as pd

from . import validation
from .dataset import Dataset, connect_duckdb
from .errors import DataError, Problem
from .mapping import Mapping, TableMapping
from .schema import COLUMNS, OPTIONAL_TABLES, REQUIRED, TABLES

#: Ibis types of the canonical columns.
IBIS_TYPES = {
    "text": "string",
    "float": "float64",
    "decimal": "float64",
    "bool": "boolean",
    "datetime": "timestamp",
}

ROW = "_row"  # the row number as the user sees it (header = row 1), carried for error messages


def read_tables(path: Path, mp: Mapping, con) -> Dataset:
    """A folder's or an ``.xlsx``'s tables read into ``con`` and validated (no workspace, no
    extra events files: :func:`aandacht.load.load` adds those).

    Raises
    ------
    DataError
        Listing every problem found, each with file, row, column, value and what to do.
    """
    text = str(path)
    if path.is_dir():
        frames, files, events, problems = _read_folder(path, mp, con)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        frames, files, events, problems = _read_xlsx(path, mp, con)
    else:
        raise DataError(
            [
                Problem(
                    text,
                    "not a folder or an .xlsx file",
                    hint="Put the five tables as CSV/Parquet files in one folder",
                )
            ]
        )
    return _finish(con, frames, events, files, text, problems)


def _finish(con, frames, events, files, origin, problems=(), check_text=False) -> Dataset:
    """Validate what was read; raise one DataError with every problem found.

    ``check_text``: check the events' free text for control characters in the engine, for
    text that was not parsed here (a database table); a Parquet file's always is."""
    problems = list(problems)
    small = {}
    for name in ("relations", "relation_groups", "users", "user_groups"):
        if name not in frames:
            continue
        df, probs = validation.validate_small(name, frames[name], files[name])
        small[name] = df
        problems += probs
    if len(small) == 4:
        problems += validation.check_groups(small, files)
        if events is not None:
            # a Parquet file's or a table's text is not parsed here: check its control characters
            from_parquet = str(files.get("events", "")).lower().endswith(".parquet")
            problems += validation.check_events(
                events,
                small,
                files["events"],
                text_columns=validation.FREE_TEXT_EVENT_COLUMNS
                if from_parquet or check_text
                else (),
            )
    if problems:
        raise DataError(problems)
    return Dataset(con=con, events=events, origin=origin, files=files, **small)


# --------------------------------------------------------------------------------------------
# folders and workbooks


def _find(folder: Path, name: str, tm: TableMapping) -> Path | None:
    if tm.file:
        p = folder / tm.file
        return p if p.exists() else None
    for ext in (".parquet", ".csv", ".csv.gz", ".txt"):
        p = folder / f"{name}{ext}"
        if p.exists():
            return p
    return None


def _read_folder(folder: Path, mp: Mapping, con):
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    events = None
    for name in TABLES:
        tm = mp.table(name)
        p = _find(folder, name, tm)
        shown = str(folder / (tm.file or f"{name}.csv"))
        files[name] = str(p) if p else shown
        if p is None:
            if name in OPTIONAL_TABLES:
                frames[name] = _empty(name)
                continue
            expected = tm.file or f"{name}.csv or {name}.parquet"
            problems.append(
                Problem(
                    str(folder),
                    f"table '{name}' is missing: no file {expected}",
                    hint=f"Add the file, or name it with tables.{name}.file in a mapping file",
                )
            )
            continue
        try:
            if p.suffix == ".parquet":
                if name == "events":
                    events = _parquet_events(con, p, tm)
                else:
                    frames[name] = _conform_pandas(
                        pd.read_parquet(p), name, str(p), tm, mp, typed=True
                    )
            elif name == "events":
                events = _csv_events(p, mp, tm, con)
            else:
                raw = _read_csv(p, mp, _read_columns(name, tm))
                frames[name] = _conform_pandas(raw, name, str(p), tm, mp, typed=False)
        except DataError as exc:
            problems += exc.problems
    return frames, files, events, problems


def _read_xlsx(path: Path, mp: Mapping, con):
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object)
    except Exception as exc:  # openpyxl raises many kinds
        raise DataError([Problem(str(path), f"cannot read the workbook: {exc}")]) from exc
    frames, files, problems, events = {}, {}, [], None
    for name in TABLES:
        tm = mp.table(name)
        sheet = tm.file or name
        files[name] = f"{path} [sheet {sheet}]"
        if sheet not in sheets:
            if name in OPTIONAL_TABLES:
                frames[name] = _empty(name)
                continue
            problems.append(
                Problem(
                    str(path),
                    f"sheet '{sheet}' is missing",
                    hint=f"The workbook has: {', '.join(sheets)}; add a sheet '{sheet}'",
                )
            )
            continue
        raw = sheets[sheet]
        raw = raw.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
        try:
            df = _conform_pandas(raw, name, files[name], tm, mp, typed=False)
        except DataError as exc:
            problems += exc.problems
            continue
        if name == "events":
            events = con.create_table("events", df, overwrite=True)
        else:
            frames[name] = df
    return frames, files, events, problems


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS[name]})


def _read_columns(name: str, tm: TableMapping) -> set[str]:
    """The names, as in the file, of the columns read for table ``name``."""
    return {str(tm.columns.get(c, c)).strip() for c in COLUMNS[name]}


def _read_csv(path: Path, mp: Mapping, used: set[str] | None = None) -> pd.DataFrame:
    problems = _short_rows(path, mp, used)
    if problems:
        raise DataError(problems)
    with _csv_errors(path, mp):
        return pd.read_csv(path, **_csv_options(mp))


def _short_rows(
    path: Path, mp: Mapping, used: set[str] | None = None, shown: int = 20
) -> list[Problem]:
    """Rows with another number of fields than the header: a file cut off, a lost separator.

    A row that lacks only trailing fields of columns that are not read (``used``: the file's
    names of the columns read; ``None`` = all) is fine: those are empty, as pandas reads them.

    pandas fills missing fields with "" (the same as an empty field), so the structure is
    checked by pyarrow's CSV parser, which reports each such row with its line number (header =
    row 1). Any other parse error is left to pandas, which reports it.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    found: list = []
    header = ""

    def handler(row) -> str:
        found.append(row)
        return "skip"

    try:
        with path.open("rb") as fh:
            header = fh.readline().decode(mp.csv.encoding, errors="replace")
        first = next(iter(pd.read_csv(io.StringIO(header), sep=mp.csv.separator).columns), None)
        pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, encoding=mp.csv.encoding),
            parse_options=pacsv.ParseOptions(
                delimiter=mp.csv.separator, newlines_in_values=True, invalid_row_handler=handler
            ),
            convert_options=pacsv.ConvertOptions(
                include_columns=[str(first)] if first is not None else None,
                column_types={str(first): pa.string()} if first is not None else None,
            ),
        )
    except (pa.ArrowException, ValueError, LookupError, pd.errors.ParserError, OSError):
        pass  # pandas reads the file next and says what is wrong with it
    if not found:
        return []
    names = [str(c).strip() for c in pd.read_csv(io.StringIO(header), sep=mp.csv.separator).columns]
    problems = []
    if used is not None:
        found = [
            r
            for r in found
            if r.actual_columns > r.expected_columns
            or (r.text or "").count('"') % 2
            or any(n in used for n in names[r.actual_columns : r.expected_columns])
        ]
    for row in found[:shown]:
        few = row.actual_columns < row.expected_columns
        if (row.text or "").count('"') % 2:  # the rest of the file became one quoted value
            problems.append(
                Problem(
                    str(path),
                    'a quote (") opened in this row is never closed: the rest of the file '
                    "would be one value",
                    row.number,
                    hint='Close the quote, or double a quote inside a quoted value ("")',
                )
            )
            continue
        problems.append(
            Problem(
                str(path),
                f"the row has {row.actual_columns} fields, the header {row.expected_columns}",
                row.number,
                hint="The file may be cut off (copy it again)"
                if few
                else "A value holds the separator: put it in quotes",
            )
        )
    if len(found) > shown:
        problems.append(Problem(str(path), f"{len(found) - shown} more rows like this"))
    return problems


#: Rows per chunk when an events CSV is read (memory stays bounded for large exports).
CSV_CHUNK_ROWS = 250_000


def _csv_options(mp: Mapping) -> dict:
    return {
        "sep": mp.csv.separator,
        "encoding": mp.csv.encoding,
        "dtype": str,
        "keep_default_na": False,
        "skipinitialspace": False,
    }


@contextmanager
def _csv_errors(path: Path, mp: Mapping):
    """Turn pandas' errors while reading a CSV file into a DataError that says what to do."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise DataError(
            [
                Problem(
                    str(path),
                    f"the file is not {mp.csv.encoding} text ({exc.reason} at byte {exc.start})",
                    hint="Exports from Windows are often cp1252: set csv.encoding: cp1252 in a "
                    "mapping file",
                )
            ]
        ) from exc
    except pd.errors.ParserError as exc:
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:  # pandas counts the data rows from 0
            row = int(quote.group(1)) + 1
            raise DataError(
                [
                    Problem(
                        str(path),
                        'a quote (") opened in this row is never closed: the rest of the file '
                        "would be one value",
                        row=row,
                        hint='Close the quote, or double a quote inside a quoted value ("")',
                    )
                ]
            ) from exc
        m = re.search(r"line (\d+)", str(exc))
        raise DataError(
            [
                Problem(
                    str(path),
                    f"cannot split the file into columns: {exc}",
                    row=int(m.group(1)) if m else None,
                    hint="Check the separator (csv.separator in a mapping file) and quoting",
                )
            ]
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise DataError(
            [Problem(str(path), "the file is empty", hint="It needs at least a header line")]
        ) from exc


def _csv_events(
    path: Path, mp: Mapping, tm: TableMapping, con, table_name: str = "events"
) -> ibis.Table:
    """An events CSV, read, parsed and put into the engine a chunk at a time.

    The same parsing and the same messages as for the small tables (:func:`_conform_pandas`),
    with the problems of all chunks together; the chunks only bound the memory used.
    """
    events = None
    for out in _csv_event_chunks(path, mp, tm):
        if events is None:
            events = con.create_table(table_name, out, overwrite=True)
        else:
            con.insert(table_name, out)
    return events


def _csv_event_chunks(path: Path, mp: Mapping, tm: TableMapping):
    """The chunks of an events CSV, parsed to canonical columns (with the row numbers);
    at least one chunk (a file with a header only gives an empty one).

    Raises
    ------
    DataError
        With the problems of all chunks (after the last one), or the file's structure problems
        (before the first).
    """
    file = str(path)
    bad: dict[str, list] = {}
    given = False
    short = _short_rows(path, mp, _read_columns("events", tm))
    if short:
        raise DataError(short)
    with _csv_errors(path, mp):
        with pd.read_csv(path, chunksize=CSV_CHUNK_ROWS, **_csv_options(mp)) as reader:
            for chunk in reader:
                out, found = _conform_chunk(chunk, "events", file, tm, mp, typed=False)
                for col, (items, n) in found.items():
                    kept, total = bad.get(col, ([], 0))
                    bad[col] = (kept + items[: _MAX_SHOWN - len(kept)], total + n)
                if bad:
                    continue  # keep reading: every problem of the file is reported
                given = True
                yield out
    if bad:
        raise DataError(_problems(bad, "events", file))
    if not given:  # a header and no rows
        with _csv_errors(path, mp):
            empty = pd.read_csv(path, nrows=0, **_csv_options(mp))
        out, _ = _conform_chunk(empty, "events", file, tm, mp, typed=False)
        yield out


# --------------------------------------------------------------------------------------------
# bringing a pandas frame to the canonical columns and types


def _rename(df: pd.DataFrame, name: str, file: str, tm: TableMapping) -> pd.DataFrame:
    inverse = {export: canon for canon, export in tm.columns.items()}
    df = df.rename(columns={c: inverse.get(str(c).strip(), str(c).strip()) for c in df.columns})
    missing = [c for c in REQUIRED[name] if c not in df.columns]
    if missing:
        raise DataError(
            [
                Problem(
                    file,
                    f"required column '{c}' is missing",
                    row=1,
                    column=c,
                    hint=f"The file has: {', '.join(map(str, df.columns)) or 'no columns'}. "
                    f"Rename the column, or map it: tables.{name}.columns.{c}: <your column>",
                )
                for c in missing
            ]
        )
    return df


def _conform_pandas(df, name, file, tm: TableMapping, mp: Mapping, *, typed: bool):
    """Canonical columns and types; parse errors are collected with their row numbers."""
    out, bad = _conform_chunk(df, name, file, tm, mp, typed=typed)
    if bad:
        raise DataError(_problems(bad, name, file))
    return out.reset_index(drop=True)


#: Per column, at most this many bad values are listed; then "N more rows like this".
_MAX_SHOWN = 50


def _conform_chunk(df, name, file, tm: TableMapping, mp: Mapping, *, typed: bool):
    """(canonical frame, {column: ([(row, value), ...] first 50, number of bad values)}).

    Rows are numbered from the frame's index (the header is row 1), so the chunks of one file
    keep the numbers of the file.
    """
    df = _rename(df, name, file, tm)
    out = pd.DataFrame(index=df.index)
    bad_by_col: dict[str, tuple[list, int]] = {}
    rows = pd.Series(df.index.to_numpy() + 2, index=df.index)  # header is row 1
    for col, kind in COLUMNS[name].items():
        if col not in df.columns:
            out[col] = pd.Series(None, index=df.index, dtype=_pandas_dtype(kind))
            continue
        s = df[col]
        if tm.values.get(col):
            s = s.map(lambda v, m=tm.values[col]: m.get(str(v).strip(), v) if _filled(v) else v)
        parsed, bad = _parse(s, kind, mp, tm, typed)
        if bad:
            shown = [(int(rows[i]), df.at[i, col]) for i in bad[:_MAX_SHOWN]]
            bad_by_col[col] = (shown, len(bad))
        out[col] = parsed
    out[ROW] = rows.astype("int64")
    return out.reset_index(drop=True), bad_by_col


def _problems(bad_by_col: dict, name: str, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for col, kind in COLUMNS[name].items():
        if col not in bad_by_col:
            continue
        shown, n = bad_by_col[col]
        for row, value in shown:
            problems.append(Problem(file, _BAD[kind], row, col, value, _HINT[kind]))
        if n > len(shown):
            problems.append(Problem(file, f"{n - len(shown)} more rows like this", None, col))
    return problems


def control_problems(df: pd.DataFrame, name: str, file: str) -> list[Problem]:
    """Problems for text values of ``df`` (a table read without :func:`_parse`, e.g. from a
    database) that hold a control character: the same messages as a CSV file's."""
    bad_by_col: dict[str, tuple[list, int]] = {}
    for col, kind in COLUMNS[name].items():
        if kind != "text" or col not in df.columns:
            continue
        s = df[col]
        hit = s.map(lambda v: isinstance(v, str) and re.search(_CONTROL, v) is not None)
        bad = list(s.index[hit.to_numpy(bool)])
        if bad:
            shown = [
                (int(df.at[i, ROW]) if ROW in df.columns else None, s[i]) for i in bad[:_MAX_SHOWN]
            ]
            bad_by_col[col] = (shown, len(bad))
    return _problems(bad_by_col, name, file)


_BAD = {
    "datetime": "not a date/time",
    "float": "not a number",
    "decimal": "not an amount",
    "bool": "not true/false",
    "text": "contains a control character (such as a NUL byte)",
}
_HINT = {
    "datetime": "Use ISO dates (2026-03-31 14:05:00), or set csv.date_format in a mapping file "
    "(e.g. '%d-%m-%Y %H:%M')",
    "float": "Use a decimal number; for decimal commas set csv.decimal: ',' in a mapping file",
    "decimal": "Use an amount like 1234.50; for decimal commas set csv.decimal: ',' "
    "(and csv.thousands: '.') in a mapping file",
    "bool": "Use true/false; other words can be set with csv.true_values / csv.false_values",
    "text": "Remove it from the value; NUL bytes often mean a damaged or binary file",
}


def _pandas_dtype(kind: str) -> str:
    return {
        "text": "string",
        "float": "float64",
        "decimal": "float64",
        "bool": "boolean",
        "datetime": "datetime64[us]",
    }[kind]


def _filled(v) -> bool:
    if v is None:
        return False
    if isinstance(v, float) and pd.isna(v):
        return False
    if v is pd.NA or v is pd.NaT:
        return False
    return str(v).strip() != ""


#: Control characters other than tab, line feed and carriage return.
_CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _finite(out: pd.Series, s: pd.Series, filled: pd.Series):
    """(numbers, labels of filled values that are not finite numbers): ``inf``, ``nan`` and
    ``Infinity`` are not amounts or coordinates; they are reported, not counted."""
    values = out.to_numpy(dtype="float64")
    bad = filled.to_numpy(bool) & ~np.isfinite(values)
    out[bad] = np.nan
    return out, list(s.index[bad])


def _parse(s: pd.Series, kind: str, mp: Mapping, tm: TableMapping, typed: bool):
    """Return (parsed series, index labels of non-empty values that could not be parsed)."""
    if kind == "text":
        values = s.tolist()
        if all(type(v) is str for v in values):
            # The common case (text from a CSV file): the same result without a Python function
            # call per value, which is what loading spent its time on for 10,000 relations.
            out = pd.Series([v.strip() or None for v in values], index=s.index, dtype=object)
        else:
            out = s.map(lambda v: str(v).strip() if _filled(v) else None)
        if typed is False:
            # Excel may give numbers for codes: 1001.0 -> "1001"
            out = (
                out.map(
                    lambda v: v[:-2] if isinstance(v, str) and re.fullmatch(r"\d+\.0", v) else v
                )
                if s.dtype == object
                else out
            )
        out = out.astype("string")
        # control characters (a NUL byte, ...) are no CRM text; tab and line breaks are
        bad = list(s.index[out.str.contains(_CONTROL, regex=True, na=False).to_numpy(bool)])
        return out, bad
    values = s.tolist()
    all_text = all(type(v) is str for v in values)
    if all_text:  # text from a CSV file: no function call per value
        filled = pd.Series([bool(v.strip()) for v in values], index=s.index, dtype=bool)
    else:
        filled = s.map(_filled).astype(bool)
    if kind in ("float", "decimal"):
        if typed and pd.api.types.is_numeric_dtype(s):
            out = s.astype("float64")
            return _finite(out, s, out.notna())
        if all_text:
            # the same steps as num() below, on the whole column at once
            t = pd.Series(values, index=s.index, dtype="string[pyarrow]").str.strip()
            for old, new in (("\u20ac", ""), ("EUR", ""), (" ", ""), ("\u00a0", "")):
                t = t.str.replace(old, new, regex=False)
            if mp.csv.thousands:
                t = t.str.replace(mp.csv.thousands, "", regex=False)
            if mp.csv.decimal != ".":
                t = t.str.replace(mp.csv.decimal, ".", regex=False)
            out = pd.to_numeric(t.where(filled), errors="coerce").astype("float64")
            return _finite(out, s, filled)

        def num(v):
            if not _filled(v):
                return None
            if isinstance(v, int | float):
                return float(v)
            t = str(v).strip().replace("\u20ac", "").replace("EUR", "").replace(" ", "")
            t = t.replace("\u00a0", "")
            if mp.csv.thousands:
                t = t.replace(mp.csv.thousands, "")
            if mp.csv.decimal != ".":
                t = t.replace(mp.csv.decimal, ".")
            return t

        t = s.map(num)
        out = pd.to_numeric(t, errors="coerce").astype("float64")
        return _finite(out, s, filled)
    if kind == "bool":
        if typed and pd.api.types.is_bool_dtype(s):
            return s.astype("boolean"), []
        trues = {"true", "1", "yes", "y", "ja", "j", "waar", "t"} | {
            v.lower() for v in mp.csv.true_values
        }
        falses = {"false", "0", "no", "n", "nee", "onwaar", "f"} | {
            v.lower() for v in mp.csv.false_values
        }

        def b(v):
            if not _filled(v):
                return pd.NA
            if isinstance(v, bool):
                return v
            t = str(v).strip().lower()
            if t.endswith(".0"):
                t = t[:-2]
            return True if t in trues else False if t in falses else None

        out = s.map(b)
        bad = list(s.index[out.map(lambda v: v is None)])
        out = out.map(lambda v: pd.NA if v is None else v).astype("boolean")
        return out, bad
    # datetime
    if typed and pd.api.types.is_datetime64_any_dtype(s):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert(LOCAL_TIME_ZONE).dt.tz_localize(None)
        return s.astype("datetime64[us]"), []
    formats = tm.date_format if tm.date_format is not None else mp.csv.date_format
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    todo = filled.copy()
    native = s.map(lambda v: isinstance(v, pd.Timestamp) or hasattr(v, "isoformat"))
    if native.any():
        out[native] = pd.to_datetime(s[native]).astype("datetime64[us]")
        todo &= ~native
    text = s.where(todo).map(lambda v: str(v).strip() if _filled(v) else None)
    # Timestamps with an offset (2026-03-01T14:00:00+01:00, ...Z) are converted to Dutch time;
    # they are parsed apart from those without, so that offsets may change within a file
    # (summer time) and files may mix both.
    zoned = todo & text.str.contains(_OFFSET, regex=True, na=False).astype(bool)
    for part, utc in ((todo & ~zoned, False), (zoned, True)):
        if not part.any():
            continue
        # ISO 8601 goes before dayfirst: dateutil would read 2026-03-01 as 3 January
        tries = (
            [{"format": f} for f in formats]
            if formats
            else [{"format": "ISO8601"}, {"format": "mixed", "dayfirst": True}]
            if mp.csv.dayfirst
            else [{"format": "ISO8601"}]
        )
        if utc and {"format": "ISO8601"} not in tries:
            tries.append({"format": "ISO8601"})
        for kwargs in tries:
            left = part & out.isna()
            if not left.any():
                break
            try:
                values = text[left]
                if utc:
                    values = values.str.replace(r"\s*(?:UTC|z)$", "+00:00", regex=True)
                parsed = pd.to_datetime(values, errors="coerce", utc=utc, **kwargs)
            except ValueError:  # e.g. mixed time zones under a user's own format
                continue
            if getattr(parsed.dt, "tz", None) is not None:
                parsed = parsed.dt.tz_convert(LOCAL_TIME_ZONE).dt.tz_localize(None)
            out[left] = parsed.astype("datetime64[us]")
    bad = list(s.index[todo & out.isna()])
    return out, bad


#: The time zone of the period's days: timestamps with an offset or zone are converted to it.
LOCAL_TIME_ZONE = "Europe/Amsterdam"
# a clock time followed by a UTC offset or Z
_OFFSET = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|UTC|[+-]\d{2}(?::?\d{2})?)$"


# --------------------------------------------------------------------------------------------
# Parquet events stay in DuckDB


def _parquet_events(con, path: Path, tm: TableMapping, table_name: str = "events") -> ibis.Table:
    t = con.read_parquet(str(path), table_name=table_name, file_row_number=True)
    return conform_ibis(t, "events", str(path), tm, row_expr=t["file_row_number"] + 1)


def _local_time_udf():
    def timezone(zone: str, ts: dtypes.Timestamp(timezone="UTC")) -> dtypes.timestamp:
        """SQL ``timezone(zone, timestamptz)``: the wall-clock time in ``zone`` (DuckDB, PostgreSQL)."""

    return ibis.udf.scalar.builtin(timezone, name="timezone")


_local_time = _local_time_udf()


def conform_ibis(t: ibis.Table, name: str, file: str, tm: TableMapping, row_expr=None):
    """Rename, complete and type an Ibis table to the canonical columns of ``name``."""
    inverse = {export: canon for canon, export in tm.columns.items()}
    cols = {inverse.get(c, c): c for c in t.columns}
    missing = [c for c in REQUIRED[name] if c not in cols]
    if missing:
        raise DataError(
            [
                Problem(
                    file,
                    f"required column '{c}' is missing",
                    column=c,
                    hint=f"It has: {', '.join(t.columns)}. Rename the column, or map it: "
                    f"tables.{name}.columns.{c}: <your column>",
                )
                for c in missing
            ]
        )
    exprs = {}
    problems = []
    for col, kind in COLUMNS[name].items():
        want = IBIS_TYPES[kind]
        if col not in cols:
            exprs[col] = ibis.null().cast(want)
            continue
        e = t[cols[col]]
        if tm.values.get(col):
            e = e.cast("string").substitute(tm.values[col])
        if kind == "datetime" and not e.type().is_timestamp():
            if e.type().is_string():
                problems.append(
                    Problem(
                        file,
                        "timestamps are stored as text",
                        column=col,
                        hint="Store the column as a timestamp type in the Parquet file or table",
                    )
                )
                continue
            e = e.cast("timestamp")
        elif kind == "datetime" and e.type().timezone is not None:
            e = _local_time(LOCAL_TIME_ZONE, e.cast(dtypes.Timestamp(timezone="UTC")))
        elif kind in ("float", "decimal") and not e.type().is_numeric():
            problems.append(
                Problem(
                    file,
                    f"column has type {e.type()}, not a number",
                    column=col,
                    hint="Store amounts and coordinates as numbers",
                )
            )
            continue
        elif kind == "text" and not e.type().is_string():
            e = e.cast("string")
        exprs[col] = e.cast(want) if kind != "datetime" else e
    if problems:
        raise DataError(problems)
    if row_expr is not None:
        exprs[ROW] = row_expr.cast("int64")
    return t.select(**exprs)


def from_frames(
    tables: dict[str, pd.DataFrame],
    *,
    con: ibis.BaseBackend | None = None,
    origin: str = "(in memory)",
) -> Dataset:
    """Build and validate a data set from pandas DataFrames with the canonical columns.

    Handy for tests, notebooks and the generator (:func:`aandacht.generate.generate`). Text
    values are parsed as for CSV files; missing optional tables are empty.

    Examples
    --------
    >>> import pandas as pd
    >>> ds = from_frames({
    ...     "relations": pd.DataFrame({"relation_id": ["R1"], "name": ["Bakkerij Jansen"]}),
    ...     "users": pd.DataFrame({"user_id": ["JdV"]}),
    ...     "events": pd.DataFrame({"event_id": ["E1"], "relation_id": ["R1"], "user_id": ["JdV"],
    ...                            "timestamp": ["2026-03-02 10:00"], "source": ["history"],
    ...                            "action": ["added"]}),
    ... })
    >>> len(ds.relations)
    1
    """
    con = con or connect_duckdb()
    mp = Mapping()
    frames, files, problems, events = {}, {}, [], None
    for name in TABLES:
        files[name] = f"{origin} [{name}]"
        if name not in tables:
            if name in OPTIONAL_TABLES:
                frames[name] = _empty(name)
                continue
            problems.append(Problem(origin, f"table '{name}' is missing"))
            continue
        try:
            df = _conform_pandas(
                tables[name].reset_index(drop=True),
                name,
                files[name],
                TableMapping(),
                mp,
                typed=True,
            )
        except DataError as exc:
            problems += exc.problems
            continue
        if name == "events":
            events = con.create_table("events", df, overwrite=True)
        else:
            frames[name] = df
    return _finish(con, frames, events, files, origin, problems)
