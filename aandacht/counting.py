"""The counting core: which events a selection measures, the day bounds, and the conditions
that make an event a contact moment under a category (the contract's counting rules).

:func:`aandacht.calculate` and :func:`aandacht.timeline` (``aandacht.engine``) and the insights
(trend, two-way, who, answers, reports) and the permission rules (own relations) all build on
these, so that every figure counts the same events the same way, on every engine.

>>> import datetime as dt
>>> import aandacht
>>> data = aandacht.load("data_samples")
>>> sel = aandacht.Selection(as_of="2026-10-31")
>>> t = selected_events(data, sel, None, None)
>>> conds = category_conditions(t, rules_table(None))
>>> sorted(conds)
['correspondence', 'helpdesk', 'history', 'sales']
>>> n = t.filter(t.timestamp >= day_start(dt.date(2026, 10, 1))).filter(conds["sales"]).count()
>>> int(n.execute()) > 0
True
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from .dataset import Dataset
from .rules import load_rules
from .schema import CATEGORIES
from .selection import Selection

_DEFAULT_RULES: list[pd.DataFrame] = []


def rules_table(rules: pd.DataFrame | str | None) -> pd.DataFrame:
    """:func:`~aandacht.rules.load_rules`, reading and checking the default table once."""
    if rules is not None:
        return load_rules(rules)
    if not _DEFAULT_RULES:
        _DEFAULT_RULES.append(load_rules(None))
    return _DEFAULT_RULES[0].copy()


def category_conditions(t: ibis.Table, rules: pd.DataFrame) -> dict[str, ibis.Value]:
    """Per category, the boolean expression 'this event is a contact moment counted under it'."""
    conds = {}
    counted = rules[rules["counted"]]
    for cat in CATEGORIES:
        parts = []
        for source, grp in counted[counted["counted_under"] == cat].groupby("source", sort=True):
            actions = sorted(grp["action"])
            parts.append((t.source == source) & t.action.isin(actions))
        conds[cat] = ibis.or_(*parts) if parts else ibis.literal(False)
    return conds


def day_start(d: dt.date) -> ibis.Value:
    """The first moment of day ``d`` (a period's bounds: ``>= day_start(first)`` and
    ``< day_start(last + 1 day)``)."""
    return ibis.timestamp(dt.datetime(d.year, d.month, d.day))


def selected_events(data: Dataset, sel: Selection, users, relations: pd.DataFrame | None):
    """The events a selection measures: up to the end of ``as_of``, of ``users`` (``None``:
    all), and of the selected ``relations`` when the selection names a B-group or a list."""
    t = data.events
    as_of = sel.resolved_as_of()
    t = t.filter(t.timestamp < day_start(as_of + dt.timedelta(days=1)))
    if users is not None:
        t = t.filter(t.user_id.isin(users))
    if relations is not None and (sel.b_group is not None or sel.relations is not None):
        ids = ibis.memtable(pd.DataFrame({"relation_id": relations["relation_id"].astype(object)}))
        t = t.semi_join(ids, "relation_id")
    return t


__all__ = ["category_conditions", "day_start", "rules_table", "selected_events"]
