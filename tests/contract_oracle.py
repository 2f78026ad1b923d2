"""An independent, plain-pandas reading of shared/spec/data-format.md (the contract).

Written from the contract text only (not from aandacht's engine, bands or sales code), so that
differential tests can compare the real command line with it. Only the default counting rules
and the ``relative`` band strategy are implemented.

Arithmetic is exact (``Fraction`` / ``Decimal``): the contract says "a ratio equal to a
threshold goes to the higher band", which is a statement about the exact ratio.

Where the contract leaves a choice open, the keyword arguments of :func:`calculate` select the
reading; the defaults are the ones documented in docs/data-format.md (the project's reading):

- ``default_days=365``: the default period is ``as_of − 364 … as_of`` (365 days including
  ``as_of``). Another reading: ``as_of − 365 … as_of`` (``default_days=366``).
- ``to_only_anchor="to"``: with only ``--to``, the 365 days up to ``--to``; other reading
  ``"as_of"``: from = ``as_of − 364``.
- ``clip_to_as_of=True``: nothing after the end of the ``as_of`` day is counted, even when the
  period reaches beyond it. Literal contract reading (``False``): the period alone decides
  totals and revenue; only ``dgn`` is limited to ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

import pandas as pd

# Counting rules (defaults): (source, action) -> counted under
SALES_CONTACT_ACTIONS = (
    "suspect_added",
    "suspect_to_quote",
    "quote_added",
    "quote_to_order",
    "order_added",
    "quote_expired",
)
COUNTED_UNDER: dict[tuple[str, str], str] = {
    ("history", "added"): "history",
    ("history", "modified"): "history",
    ("note", "added"): "history",
    ("correspondence", "added"): "correspondence",
    **{("sales", a): "sales" for a in SALES_CONTACT_ACTIONS},
    ("helpdesk", "call_added"): "helpdesk",
}
NOT_COUNTED: set[tuple[str, str]] = {
    ("sales", "invoice_added"),
    ("helpdesk", "call_modified"),
    ("helpdesk", "call_closed"),
    ("marketing", "mailing_sent"),
}
ALL_PAIRS = sorted(set(COUNTED_UNDER) | NOT_COUNTED)
CATEGORIES = ("history", "correspondence", "sales", "helpdesk")
BANDS = ("very_little", "little", "average", "much", "very_much")
DEFAULT_THRESHOLDS = ("0.25", "0.75", "1.5", "3.0")
AREA = {
    "none": "insufficient",
    "very_little": "insufficient",
    "little": "insufficient",
    "average": "average",
    "much": "too_much",
    "very_much": "too_much",
}
REVENUE_ACTIONS = {
    "orders": {"order_added"},
    "invoices": {"invoice_added"},
    "both": {"order_added", "invoice_added"},
}
COLUMNS = [
    "relation_id",
    "name",
    "total",
    "dgn",
    "band",
    *[c for cat in CATEGORIES for c in (cat, f"{cat}_dgn")],
]
REVENUE_COLUMNS = ["revenue", "revenue_per_contact", "sales_band", "sales_area"]
DAY = dt.timedelta(days=1)


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return dt.date.fromisoformat(str(value))


def period(
    from_=None, to=None, *, as_of, default_days: int = 365, to_only_anchor: str = "to"
) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period: ``from`` 00:00 through ``to`` 23:59:59 inclusive."""
    from_, to, as_of = _date(from_), _date(to), _date(as_of)
    if to is None:
        to = as_of
        if from_ is None:
            from_ = as_of - dt.timedelta(days=default_days - 1)
    elif from_ is None:
        anchor = to if to_only_anchor == "to" else as_of
        from_ = anchor - dt.timedelta(days=default_days - 1)
    start = dt.datetime.combine(from_, dt.time())
    end = dt.datetime.combine(to, dt.time()) + DAY  # 23:59:59 inclusive (whole seconds)
    return start, end


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().replace("", pd.NA)


def selected_users(tables, users: Iterable[str] | None, user_group: str | None) -> set[str]:
    all_users = set(_text(tables["users"]["user_id"]).dropna())
    if users is not None:
        return set(users)
    if user_group is not None:
        ug = tables.get("user_groups")
        members = set()
        if ug is not None and len(ug):
            members = set(_text(ug["user_id"])[_text(ug["group"]) == user_group])
        dept = tables["users"].get("department")
        if dept is not None:
            members |= set(_text(tables["users"]["user_id"])[_text(dept) == user_group])
        return members
    return all_users


def measured_relations(tables, b_group=None, selection: Iterable[str] | None = None) -> list[str]:
    rel = list(_text(tables["relations"]["relation_id"]))
    if b_group is not None:
        rg = tables["relation_groups"]
        wanted = set(_text(rg["relation_id"])[_text(rg["group"]) == b_group])
        return [r for r in rel if r in wanted]
    if selection is not None:
        wanted = set(selection)
        return [r for r in rel if r in wanted]
    return rel


def _amount(v) -> Decimal:
    if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) or str(v).strip() == "":
        return Decimal(0)
    return Decimal(str(v).strip())


def relative_band(value: Fraction | float, thresholds) -> str:
    """Band for a positive ratio/index: equal to a threshold -> the higher band."""
    ts = [Fraction(str(t)) for t in thresholds]
    if value == math.inf:
        return BANDS[-1]
    return BANDS[sum(1 for t in ts if value >= t)]


def calculate(
    tables: dict[str, pd.DataFrame],
    *,
    as_of,
    from_=None,
    to=None,
    users: Iterable[str] | None = None,
    user_group: str | None = None,
    b_group: str | None = None,
    selection: Iterable[str] | None = None,
    revenue: str | None = None,
    thresholds=DEFAULT_THRESHOLDS,
    default_days: int = 365,
    to_only_anchor: str = "to",
    clip_to_as_of: bool = True,
) -> pd.DataFrame:
    """The rows ``aandacht calculate`` must write (one per measured relation)."""
    as_of = _date(as_of)
    start, end = period(
        from_, to, as_of=as_of, default_days=default_days, to_only_anchor=to_only_anchor
    )
    now_end = dt.datetime.combine(as_of, dt.time()) + DAY  # end of the as_of day
    who = selected_users(tables, users, user_group)
    measured = measured_relations(tables, b_group, selection)

    ev = tables["events"].copy()
    for c in ("event_id", "relation_id", "user_id", "source", "action"):
        ev[c] = _text(ev[c])
    ev["ts"] = pd.to_datetime(ev["timestamp"].astype(str).str.strip(), format="ISO8601")
    ev["under"] = [COUNTED_UNDER.get((s, a)) for s, a in zip(ev.source, ev.action, strict=True)]
    ev = ev[ev.user_id.isin(who) & ev.relation_id.isin(measured)]
    seen = ev.ts < now_end
    in_period = (ev.ts >= start) & (ev.ts < end)
    if clip_to_as_of:
        in_period &= seen
    counted = ev.under.notna()

    names = dict(
        zip(_text(tables["relations"]["relation_id"]), tables["relations"]["name"], strict=True)
    )
    rows = []
    for rid in measured:
        mine = ev.relation_id == rid
        row = {"relation_id": rid, "name": names[rid]}
        cnt = ev[mine & counted & in_period]
        last = ev[mine & counted & seen]
        row["total"] = len(cnt)
        row["dgn"] = (as_of - last.ts.max().date()).days if len(last) else None
        for cat in CATEGORIES:
            row[cat] = int((cnt.under == cat).sum())
            lc = last[last.under == cat]
            row[f"{cat}_dgn"] = (as_of - lc.ts.max().date()).days if len(lc) else None
        if revenue:
            rv = ev[mine & in_period & ev.action.isin(REVENUE_ACTIONS[revenue])]
            rv = rv[rv.source == "sales"]
            row["revenue"] = sum((_amount(a) for a in rv.get("amount", [])), Decimal(0))
        rows.append(row)

    out = pd.DataFrame(rows, columns=COLUMNS + (["revenue"] if revenue else []))
    n = len(out)
    mean = Fraction(int(out.total.sum()), n) if n else Fraction(0)
    out["band"] = [
        "none" if t == 0 else relative_band(Fraction(int(t)) / mean, thresholds) for t in out.total
    ]
    if revenue:
        _sales_view(out, thresholds)
    return out


def _sales_view(out: pd.DataFrame, thresholds) -> None:
    contacts = [int(t) for t in out.total]
    revs = [Fraction(r) for r in out.revenue]
    excluded = [c == 0 and r == 0 for c, r in zip(contacts, revs, strict=True)]
    sum_rev = sum((r for r, x in zip(revs, excluded, strict=True) if not x), Fraction(0))
    sum_con = sum(c for c, x in zip(contacts, excluded, strict=True) if not x)
    a = sum_rev / sum_con if sum_con else None
    bands, areas, rpc = [], [], []
    for c, r, x in zip(contacts, revs, excluded, strict=True):
        rpc.append(float(r / c) if c else None)
        if x:
            bands.append(None)
            areas.append("excluded")
            continue
        if c == 0:
            index = Fraction(0)
        elif r == 0:
            index = math.inf
        else:
            index = c * a / r
        band = "none" if index == 0 else relative_band(index, thresholds)
        bands.append(band)
        areas.append(AREA[band])
    out["revenue"] = [float(r) for r in revs]
    out["revenue_per_contact"] = rpc
    out["sales_band"] = bands
    out["sales_area"] = areas


def timeline(tables, relation_id: str, from_=None, to=None) -> pd.DataFrame:
    """Every event of the relation, in time order (ties by event id), with ``counted``.

    Without ``--from``/``--to`` no period filter (the command has no ``--as-of``); a given
    ``--from`` starts at 00:00, a given ``--to`` ends at 23:59:59.
    """
    ev = tables["events"].copy()
    for c in ("event_id", "relation_id", "source", "action"):
        ev[c] = _text(ev[c])
    ev["ts"] = pd.to_datetime(ev["timestamp"].astype(str).str.strip(), format="ISO8601")
    ev = ev[ev.relation_id == relation_id]
    if from_ is not None:
        ev = ev[ev.ts >= dt.datetime.combine(_date(from_), dt.time())]
    if to is not None:
        ev = ev[ev.ts < dt.datetime.combine(_date(to), dt.time()) + DAY]
    ev = ev.sort_values(["ts", "event_id"], kind="stable")
    ev["counted"] = [(s, a) in COUNTED_UNDER for s, a in zip(ev.source, ev.action, strict=True)]
    ev["counted_under"] = [
        COUNTED_UNDER.get((s, a)) for s, a in zip(ev.source, ev.action, strict=True)
    ]
    return ev.reset_index(drop=True)
