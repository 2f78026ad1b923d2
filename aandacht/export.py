"""Writing results: CSV, and real ``.xlsx`` workbooks that are safe to open.

CRM content is untrusted: any text cell that Excel or LibreOffice would read as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written as a text cell
with a quote prefix, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SAFE_TEXT_MAX = 32_000  # Excel's cell limit is 32,767 characters
#: Characters a worksheet cannot hold: control characters other than tab, line feed and CR.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(value: object) -> bool:
    """True for text that a spreadsheet would treat as a formula.

    >>> is_formula_like("=HYPERLINK(\\"http://x\\")"), is_formula_like("Bakkerij")
    (True, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _cell_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return str(v)
    if isinstance(v, str):
        if _ILLEGAL.search(v):
            # a worksheet cannot hold control characters (openpyxl refuses the whole file):
            # each is shown as U+FFFD, the rest of the text stays
            v = _ILLEGAL.sub("\ufffd", v)
        if len(v) > SAFE_TEXT_MAX:
            return v[:SAFE_TEXT_MAX] + " …"
    return v


def write_xlsx(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    fills: Mapping[str, Mapping[str, Callable[[object], str | None]]] | None = None,
) -> Path:
    """Write DataFrames to a workbook, one sheet each, formula-safe.

    Parameters
    ----------
    path : the ``.xlsx`` file to write.
    sheets : sheet name → DataFrame (written with a bold header row, frozen, autofiltered).
    fills : sheet name → column → function from the cell's value to a hex colour (``"#d62728"``)
        or ``None``; the cell gets that solid fill (e.g. band colours).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    fills = fills or {}
    fill_cache: dict[str, PatternFill] = {}
    for name, df in sheets.items():
        ws = wb.create_sheet(title=_sheet_title(name))
        cols = [str(c) for c in df.columns]
        ws.append(cols)
        for c in ws[1]:
            c.font = Font(bold=True)
        col_fills = fills.get(name, {})
        fill_idx = {cols.index(c): f for c, f in col_fills.items() if c in cols}
        for r, row in enumerate(df.itertuples(index=False, name=None), start=2):
            for j, v in enumerate(row):
                value = _cell_value(v)
                cell = ws.cell(row=r, column=j + 1)
                if isinstance(value, str) and is_formula_like(value):
                    cell.value = value
                    cell.data_type = "s"  # text, never a formula
                    cell.quotePrefix = True
                else:
                    cell.value = value
                    if isinstance(value, dt.datetime):
                        cell.number_format = "yyyy-mm-dd hh:mm:ss"
                    elif isinstance(value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
                if j in fill_idx:
                    colour = fill_idx[j](v)
                    if colour:
                        hexc = colour.lstrip("#").upper()
                        if hexc not in fill_cache:
                            fill_cache[hexc] = PatternFill(
                                "solid", start_color=hexc, end_color=hexc
                            )
                        cell.fill = fill_cache[hexc]
        ws.freeze_panes = "A2"
        if len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(df) + 1)}"
        for j, c in enumerate(cols, start=1):
            width = max([len(c)] + [len(str(x)) for x in df.iloc[:200, j - 1].tolist()])
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, width + 2))
    if not sheets:
        wb.create_sheet("Sheet1")
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def _sheet_title(name: str) -> str:
    bad = "[]:*?/\\"
    clean = "".join("_" if ch in bad else ch for ch in str(name))
    return clean[:31] or "Sheet"


def write_table(
    df: pd.DataFrame, output: str | Path | None, *, raw_csv: bool = False, **xlsx
) -> None:
    """Write a result as CSV (default, also for ``None`` = stdout) or ``.xlsx`` by extension.

    CSV text that a spreadsheet would read as a formula gets a leading ``'``
    (:func:`neutralise_formulas`) unless ``raw_csv`` (CSV for programs, not people).
    """
    import sys

    def ready(frame: pd.DataFrame) -> pd.DataFrame:
        frame = csv_ready(frame)
        return frame if raw_csv else neutralise_formulas(frame)

    if output is None or str(output) == "-":
        ready(df).to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    p = Path(output)
    if p.suffix.lower() == ".xlsx":
        write_xlsx(
            p, {xlsx.get("sheet", "Result"): df, **xlsx.get("extra", {})}, fills=xlsx.get("fills")
        )
    else:
        ready(df).to_csv(p, index=False, lineterminator="\n")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell that starts like a formula (``=``, ``+``, ``-``, ``@``, tab,
    carriage return: OWASP's rule, as for ``.xlsx``) prefixed with ``'``, so that a spreadsheet
    opening the CSV shows it as text instead of running it. Numbers stay numbers (a negative
    amount is a number, not text); column names are checked too.

    >>> neutralise_formulas(pd.DataFrame({"name": ["=HYPERLINK(1)", "Bakkerij"], "n": [-1, 2]}))
                 name  n
    0  '=HYPERLINK(1) -1
    1        Bakkerij  2
    """
    out = None
    for col in df.columns:
        s = df[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        text = s.map(lambda v: isinstance(v, str)) if s.dtype == object else s.notna()
        hit = text.astype(bool) & s.astype("string").str.startswith(FORMULA_START).fillna(False)
        if hit.any():
            if out is None:
                out = df.copy()
            fixed = s.astype(object).copy()
            fixed[hit] = "'" + s[hit].astype(str)
            out[col] = fixed
    out = df if out is None else out
    names = ["'" + c if is_formula_like(c) else c for c in map(str, out.columns)]
    if names != list(map(str, out.columns)):
        out = out.set_axis(names, axis=1)
    return out


def csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its date-time columns as text ``YYYY-MM-DD HH:MM:SS`` (one format per column).

    pandas writes a date-time column whose times are all midnight as bare dates, so the format
    would depend on the data; here it does not. Fractions of seconds are written
    (``.ffffff``) only when the column has them. Missing values stay empty.

    >>> df = pd.DataFrame({"t": pd.to_datetime(["2026-03-01", None])})
    >>> csv_ready(df)["t"].tolist()
    ['2026-03-01 00:00:00', nan]
    """
    out = None
    for col in df.columns:
        s = df[col]
        if not pd.api.types.is_datetime64_any_dtype(s):
            continue
        if out is None:
            out = df.copy()
        fraction = s.notna() & ((s.dt.microsecond != 0) | (s.dt.nanosecond != 0))
        fmt = "%Y-%m-%d %H:%M:%S.%f" if fraction.any() else "%Y-%m-%d %H:%M:%S"
        out[col] = s.dt.strftime(fmt).astype(object).where(s.notna(), np.nan)
    return df if out is None else out
