"""The loaded data set: :class:`Dataset`, the one object every feature takes.

It lives in a module of its own so that the readers (:mod:`aandacht.load`,
:mod:`aandacht.database`, :mod:`aandacht.workspace`) and the features that use it import it
without importing each other.
"""

from __future__ import annotations

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

    def group_names(self) -> list[str]:
        """All user-group names: groups in ``user_groups`` and departments."""
        names = set(self.user_groups["group"].dropna()) | set(self.users["department"].dropna())
        return sorted(names)

    def b_group_names(self) -> list[str]:
        """All B-group names."""
        return sorted(set(self.relation_groups["group"].dropna()))


__all__ = ["Dataset"]
