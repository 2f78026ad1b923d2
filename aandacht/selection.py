"""What to measure: which users, which period, which relations, and "now" (``as_of``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .errors import DataError, Problem, SelectionError

REVENUE_BASES = ("orders", "invoices", "both")

#: Length of the default period in days: the 365 days up to and including ``as_of``.
DEFAULT_PERIOD_DAYS = 365

#: A selection file may be at most this large (it is a list of relation codes).
MAX_SELECTION_BYTES = 5_000_000


def to_date(value: dt.date | dt.datetime | str | None, what: str = "date") -> dt.date | None:
    """Parse a date given as ``date``, ``datetime`` or text (ISO ``2026-03-31`` or ``31-03-2026``).

    Examples
    --------
    >>> to_date("31-03-2026")
    datetime.date(2026, 3, 31)
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise SelectionError(f"{what} '{text}' is not a date: use YYYY-MM-DD (e.g. 2026-03-31)")


@dataclass(frozen=True)
class Selection:
    """A calculation's settings.

    Parameters
    ----------
    users : user ids (initials); ``None`` with no ``user_group`` means all users.
    user_group : a user group or department name (its members and the department's users).
    b_group : a B-group name; ``None`` with no ``relations`` means all relations.
    relations : explicit relation ids (a selection file's contents).
    period_from, period_to : the period, both days inclusive (00:00 through 23:59:59).
        Default: the 365 days up to and including ``as_of``.
    as_of : "now". Events after the end of this day are not seen. Default: today.
    revenue : ``None``, ``"orders"``, ``"invoices"`` or ``"both"``.
    """

    users: tuple[str, ...] | None = None
    user_group: str | None = None
    b_group: str | None = None
    relations: tuple[str, ...] | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    as_of: dt.date | None = None
    revenue: str | None = None

    def __post_init__(self) -> None:
        for name in ("period_from", "period_to", "as_of"):
            object.__setattr__(self, name, to_date(getattr(self, name), name))
        if self.users is not None:
            object.__setattr__(self, "users", tuple(str(u).strip() for u in self.users))
        if self.relations is not None:
            object.__setattr__(self, "relations", tuple(str(r).strip() for r in self.relations))
        if self.users is not None and self.user_group is not None:
            raise SelectionError("choose users or a user group, not both")
        if self.b_group is not None and self.relations is not None:
            raise SelectionError("choose a B-group or a selection of relations, not both")
        if self.revenue is not None and self.revenue not in REVENUE_BASES:
            raise SelectionError(
                f"revenue basis '{self.revenue}' is unknown: use {', '.join(REVENUE_BASES)}"
            )
        p_from, p_to = self.period()
        if p_from > p_to:
            raise SelectionError(f"the period starts ({p_from}) after it ends ({p_to})")

    def to_dict(self) -> dict[str, object]:
        """The selection as plain JSON values, with its period and ``as_of`` resolved (what a
        stored result keeps: the days it counted, also when they were defaults).

        >>> d = Selection(users=("JdV",), as_of="2026-10-31").to_dict()
        >>> d["users"], d["period_from"], d["period_to"], d["revenue"]
        (['JdV'], '2025-11-01', '2026-10-31', None)
        >>> Selection.from_dict(d) == Selection(users=("JdV",), period_from="2025-11-01",
        ...     period_to="2026-10-31", as_of="2026-10-31")
        True
        """
        start, end = self.period()
        return {
            "users": list(self.users) if self.users else None,
            "user_group": self.user_group,
            "b_group": self.b_group,
            "relations": list(self.relations) if self.relations else None,
            "period_from": start.isoformat(),
            "period_to": end.isoformat(),
            "as_of": self.resolved_as_of().isoformat(),
            "revenue": self.revenue,
        }

    @classmethod
    def from_dict(cls, d: dict, **overrides: object) -> Selection:
        """The selection of :meth:`to_dict`'s values (missing keys: the defaults); keyword
        arguments replace values (e.g. ``revenue=None``, or an ``as_of`` when ``d`` has none).

        Raises
        ------
        SelectionError
            When the values do not make a selection (see :class:`Selection`).
        """
        values = {
            "users": tuple(d["users"]) if d.get("users") else None,
            "user_group": d.get("user_group"),
            "b_group": d.get("b_group"),
            "relations": tuple(d["relations"]) if d.get("relations") else None,
            "period_from": d.get("period_from"),
            "period_to": d.get("period_to"),
            "as_of": d.get("as_of"),
            "revenue": d.get("revenue"),
        }
        for key, value in overrides.items():
            if key not in values:
                raise TypeError(f"Selection has no field {key!r}")
            values[key] = value
        return cls(**values)

    def resolved_as_of(self) -> dt.date:
        """``as_of``, or today when it is not set."""
        return self.as_of or dt.date.today()

    def period(self) -> tuple[dt.date, dt.date]:
        """The period as (first day, last day), both inclusive, defaults applied."""
        end = self.period_to or self.resolved_as_of()
        start = self.period_from or end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        return start, end

    def period_days(self) -> int:
        """Number of calendar days in the period."""
        start, end = self.period()
        return (end - start).days + 1


#: Period presets of the selection (S2); see :func:`period_preset`.
PERIOD_PRESETS = ("this_week", "last_month", "last_12_months", "since", "custom")


def _months_back(d: dt.date, months: int) -> dt.date:
    """``d`` minus whole calendar months, the day clamped to the target month's length."""
    import calendar

    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    last = calendar.monthrange(y, m + 1)[1]
    return dt.date(y, m + 1, min(d.day, last))


def period_preset(
    preset: str,
    as_of: dt.date | str | None = None,
    since: dt.date | str | None = None,
    period_from: dt.date | str | None = None,
    period_to: dt.date | str | None = None,
) -> tuple[dt.date, dt.date]:
    """The period (first day, last day; both inclusive) of a preset, counted back from ``as_of``.

    ``this_week``: Monday of ``as_of``'s week through ``as_of``; ``last_month``: the month up to
    and including ``as_of`` (2026-09-16 through 2026-10-15); ``last_12_months``: likewise twelve
    months; ``since``: ``since`` through ``as_of``; ``custom``: ``period_from`` through
    ``period_to``.

    Raises
    ------
    SelectionError
        For an unknown preset, a missing date, or a period that starts after it ends.

    Examples
    --------
    >>> period_preset("this_week", "2026-10-29")
    (datetime.date(2026, 10, 26), datetime.date(2026, 10, 29))
    >>> period_preset("last_month", "2026-03-31")
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    >>> period_preset("last_12_months", "2026-10-31")
    (datetime.date(2025, 11, 1), datetime.date(2026, 10, 31))
    """
    end = to_date(as_of, "as_of") or dt.date.today()
    if preset == "this_week":
        start = end - dt.timedelta(days=end.weekday())
    elif preset in ("last_month", "last_12_months"):
        start = _months_back(end, 1 if preset == "last_month" else 12) + dt.timedelta(days=1)
    elif preset == "since":
        start = to_date(since, "since")
        if start is None:
            raise SelectionError("choose the date the period starts ('since')")
    elif preset == "custom":
        start, end = to_date(period_from, "from"), to_date(period_to, "to")
        if start is None or end is None:
            raise SelectionError("choose both the first and the last day of the period")
    else:
        raise SelectionError(f"unknown period preset '{preset}': use {', '.join(PERIOD_PRESETS)}")
    if start > end:
        raise SelectionError(f"the period starts ({start}) after it ends ({end})")
    return start, end


def resolve_users(data, sel: Selection) -> list[str] | None:
    """The selected user ids, or ``None`` for all users.

    Raises
    ------
    SelectionError
        For an unknown user or group, listing the known ones.
    """
    users = data.users
    if sel.users is not None:
        known = set(users["user_id"])
        unknown = [u for u in sel.users if u not in known]
        if unknown:
            raise SelectionError(
                f"unknown user(s): {', '.join(unknown)}. Known users: {', '.join(sorted(known))}"
            )
        return list(dict.fromkeys(sel.users))
    if sel.user_group is not None:
        g = sel.user_group
        members = set(data.user_groups.loc[data.user_groups["group"] == g, "user_id"])
        members |= set(users.loc[users["department"] == g, "user_id"])
        if not members and g not in data.group_names():
            raise SelectionError(
                f"unknown user group '{g}'. Groups and departments: "
                f"{', '.join(data.group_names()) or '(none)'}"
            )
        return sorted(members)
    return None


def resolve_relations(data, sel: Selection) -> pd.DataFrame:
    """The measured relations (rows of ``data.relations``), in the order of the relations table.

    Raises
    ------
    SelectionError
        For an unknown B-group or relation code.
    """
    rel = data.relations
    if sel.b_group is not None:
        if sel.b_group not in data.b_group_names():
            raise SelectionError(
                f"unknown B-group '{sel.b_group}'. B-groups: "
                f"{', '.join(data.b_group_names()) or '(none)'}"
            )
        ids = set(
            data.relation_groups.loc[data.relation_groups["group"] == sel.b_group, "relation_id"]
        )
        return rel[rel["relation_id"].isin(ids)].reset_index(drop=True)
    if sel.relations is not None:
        known = set(rel["relation_id"])
        unknown = [r for r in sel.relations if r not in known]
        if unknown:
            raise SelectionError(
                f"{len(unknown)} relation code(s) in the selection are not in relations: "
                f"{', '.join(unknown[:20])}"
            )
        ids = set(sel.relations)
        return rel[rel["relation_id"].isin(ids)].reset_index(drop=True)
    return rel.reset_index(drop=True)


def read_selection_file(path: str | Path, known: pd.Series | None = None) -> tuple[str, ...]:
    """Read a selection file: relation codes, one per line; a header ``relation_id`` is allowed.

    A CSV with several columns is read by its ``relation_id`` column. Blank lines are skipped;
    duplicates are kept once. With ``known`` (the relation ids of the data set), unknown codes
    are reported with their line numbers.

    Raises
    ------
    DataError
        For an unreadable, oversized or empty file, or codes that are not relations.
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise DataError([Problem(name, "selection file not found")])
    size = path.stat().st_size
    if size > MAX_SELECTION_BYTES:
        raise DataError(
            [
                Problem(
                    name,
                    f"the selection file is too large ({size:,} bytes)",
                    hint="A selection file is a list of relation codes, one per line",
                )
            ]
        )
    raw = path.read_bytes()
    return parse_selection(raw, name, known)


def parse_selection(raw: bytes, name: str, known: pd.Series | None = None) -> tuple[str, ...]:
    """Parse the bytes of a selection file (see :func:`read_selection_file`)."""
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise DataError(
            [
                Problem(
                    name,
                    "this is not a text file",
                    hint="Upload a text/CSV file with one relation code per line",
                    key="sel_not_text",
                )
            ]
        )
    lines = text.splitlines()
    col = 0
    start = 0
    if lines:
        first = lines[0]
        sep = ";" if ";" in first else "," if "," in first else "\t" if "\t" in first else None
        header = [h.strip().strip('"').lower() for h in (first.split(sep) if sep else [first])]
        if "relation_id" in header or "relatiecode" in header:
            col = header.index("relation_id" if "relation_id" in header else "relatiecode")
            start = 1
    codes: list[tuple[int, str]] = []
    for i, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        sep = ";" if ";" in line else "," if "," in line else "\t" if "\t" in line else None
        parts = line.split(sep) if sep else [line]
        code = parts[col].strip().strip('"').strip() if col < len(parts) else ""
        if code:
            codes.append((i, code))
    if not codes:
        raise DataError(
            [
                Problem(
                    name,
                    "the selection file holds no relation codes",
                    hint="Put one relation code per line",
                    key="sel_no_codes",
                )
            ]
        )
    if known is not None:
        ks = set(known)
        bad = [(i, c) for i, c in codes if c not in ks]
        if bad:
            raise DataError(
                [
                    Problem(
                        name,
                        f"relation {c} is not in relations",
                        i,
                        "relation_id",
                        c,
                        "Correct the code or remove the line",
                        key="sel_unknown_code",
                    )
                    for i, c in bad[:20]
                ]
                + (
                    [
                        Problem(
                            name,
                            f"{len(bad)} unknown codes in all",
                            value=len(bad),
                            key="sel_unknown_total",
                        )
                    ]
                    if len(bad) > 20
                    else []
                )
            )
    return tuple(dict.fromkeys(c for _, c in codes))
