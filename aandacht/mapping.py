"""Mapping files: adapt a real CRM export to the canonical tables without code.

A mapping file is YAML. Everything in it is optional; see ``docs/mapping.md`` for the full
reference and an example of a Dutch export (``;`` separators, decimal commas, cp1252, Dutch dates
and Dutch source/action values).

.. code-block:: yaml

    csv:                      # how the CSV files are written (defaults: , . utf-8 ISO dates)
      separator: ";"
      decimal: ","
      thousands: "."
      encoding: cp1252
      date_format: ["%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y"]
      true_values: [ja, j, waar]
      false_values: [nee, n, onwaar]
    tables:
      events:
        file: Contactmomenten.csv         # file name in the data folder (or sheet name in .xlsx)
        columns:                          # canonical name: name in the export
          event_id: Volgnr
          relation_id: Relatiecode
        values:                           # canonical column: {value in the export: canonical}
          source: {Historie: history, Notitie: note}
          action: {Toegevoegd: added}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import MappingError
from .schema import COLUMNS, TABLES


@dataclass
class CsvFormat:
    """How CSV files are written."""

    separator: str = ","
    decimal: str = "."
    thousands: str | None = None
    encoding: str = "utf-8"
    date_format: list[str] = field(default_factory=list)  # empty: ISO 8601
    dayfirst: bool = False
    true_values: list[str] = field(default_factory=list)
    false_values: list[str] = field(default_factory=list)


@dataclass
class TableMapping:
    """How one canonical table is found in the export."""

    file: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> export name
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical col -> map
    date_format: list[str] | None = None


@dataclass
class Mapping:
    """A whole mapping file. ``Mapping()`` is the identity mapping of the canonical format."""

    csv: CsvFormat = field(default_factory=CsvFormat)
    tables: dict[str, TableMapping] = field(default_factory=dict)
    origin: str = "(no mapping)"

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name, TableMapping())


_CSV_KEYS = {
    "separator",
    "sep",
    "decimal",
    "thousands",
    "encoding",
    "date_format",
    "dayfirst",
    "true_values",
    "false_values",
}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def read_mapping(path: str | Path | None) -> Mapping:
    """Read and check a mapping file; ``None`` gives the identity mapping.

    Raises
    ------
    MappingError
        Naming the file and the key that is wrong, with the valid choices.
    """
    if path is None:
        return Mapping()
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise MappingError(f"{name}: mapping file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise MappingError(f"{name}: not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(f"{name}: the mapping file must be UTF-8 text ({exc})") from exc
    if not isinstance(raw, dict):
        raise MappingError(f"{name}: expected a YAML mapping with keys 'csv' and 'tables'")
    unknown = set(raw) - {"csv", "tables"}
    if unknown:
        raise MappingError(
            f"{name}: unknown key(s) {', '.join(sorted(unknown))}; use 'csv' and 'tables'"
        )
    csv_raw = raw.get("csv") or {}
    if not isinstance(csv_raw, dict):
        raise MappingError(f"{name}: 'csv' must be a mapping of options")
    bad = set(csv_raw) - _CSV_KEYS
    if bad:
        raise MappingError(
            f"{name}: unknown csv option(s) {', '.join(sorted(bad))}; "
            f"valid: {', '.join(sorted(_CSV_KEYS))}"
        )
    csv = CsvFormat(
        separator=str(csv_raw.get("separator", csv_raw.get("sep", ","))),
        decimal=str(csv_raw.get("decimal", ".")),
        thousands=(str(csv_raw["thousands"]) if csv_raw.get("thousands") else None),
        encoding=str(csv_raw.get("encoding", "utf-8")),
        date_format=_as_list(csv_raw.get("date_format")),
        dayfirst=bool(csv_raw.get("dayfirst", False)),
        true_values=_as_list(csv_raw.get("true_values")),
        false_values=_as_list(csv_raw.get("false_values")),
    )
    import codecs

    try:
        codecs.lookup(csv.encoding)
    except LookupError as exc:
        raise MappingError(
            f"{name}: csv.encoding '{csv.encoding}' is not a known encoding"
        ) from exc
    tables: dict[str, TableMapping] = {}
    for tname, traw in (raw.get("tables") or {}).items():
        if tname not in TABLES:
            raise MappingError(
                f"{name}: tables.{tname}: unknown table; use one of {', '.join(TABLES)}"
            )
        traw = traw or {}
        bad = set(traw) - {"file", "columns", "values", "date_format"}
        if bad:
            raise MappingError(
                f"{name}: tables.{tname}: unknown key(s) {', '.join(sorted(bad))}; "
                "use file, columns, values, date_format"
            )
        cols = {str(k): str(v) for k, v in (traw.get("columns") or {}).items()}
        for canon in cols:
            if canon not in COLUMNS[tname]:
                raise MappingError(
                    f"{name}: tables.{tname}.columns.{canon}: not a column of {tname}; "
                    f"use one of {', '.join(COLUMNS[tname])}"
                )
        values: dict[str, dict[str, str]] = {}
        for canon, vmap in (traw.get("values") or {}).items():
            if canon not in COLUMNS[tname]:
                raise MappingError(
                    f"{name}: tables.{tname}.values.{canon}: not a column of {tname}"
                )
            if not isinstance(vmap, dict):
                raise MappingError(
                    f"{name}: tables.{tname}.values.{canon}: expected 'export value: canonical'"
                )
            values[str(canon)] = {str(k): str(v) for k, v in vmap.items()}
        df = traw.get("date_format")
        tables[tname] = TableMapping(
            file=(str(traw["file"]) if traw.get("file") else None),
            columns=cols,
            values=values,
            date_format=_as_list(df) if df is not None else None,
        )
    return Mapping(csv=csv, tables=tables, origin=name)
