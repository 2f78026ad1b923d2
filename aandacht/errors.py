"""Errors that speak in the user's terms: which file, which row, which column, what to do."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem found in the input.

    ``row`` is the row as the user sees it: the line number in a CSV file (the header is line 1),
    the row number in an Excel sheet, or the 1-based row in a Parquet file or database table.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    hint: str = ""
    #: what kind of problem, for a translation (``aandacht.i18n.problem_text``); may be empty
    key: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if _present(self.value):
            text += f" (value: {self.value!r})"
        if self.hint:
            text += f". {self.hint}"
        return text


def _present(value: object) -> bool:
    if value is None:
        return False
    try:
        if value != value:  # NaN, NaT
            return False
    except TypeError:  # pd.NA
        return False
    return str(value) != "" and str(value) != "<NA>"


class AandachtError(Exception):
    """Base class of the errors this library raises on purpose."""


@dataclass
class DataError(AandachtError):
    """Bad input data: one or more problems, each naming file, row, column and value."""

    problems: list[Problem] = field(default_factory=list)
    max_shown: int = 20

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input data:"
        lines = [f"  - {p}" for p in self.problems[: self.max_shown]]
        if n > self.max_shown:
            lines.append(f"  ... and {n - self.max_shown} more of the same kinds")
        return "\n".join([head, *lines])


class SelectionError(AandachtError):
    """A selection (users, group, period, relations) that cannot be measured."""


class MappingError(AandachtError):
    """A mapping file that cannot be used."""
