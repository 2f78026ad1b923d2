"""Who gives attention (B6): departments × bands, employees × relations, single point of contact.

The contact moments are counted per (relation, employee) in the engine (Ibis); that small table
comes back and the matrices are pandas. Who may see figures per employee is decided by the
principal's permissions in :class:`aandacht.service.Session` (the ``employees`` role,
:mod:`aandacht.access`); these functions count for whoever holds the data set. The department ×
band matrix shows departments only.

Definitions (also in ``docs/insights.md``)

* **Contact moments** in the period by the selected users, to the measured relations, as in
  :func:`aandacht.calculate`.
* **Department × band** (``measure="contacts"``, default): the number of contact moments by the
  users of each department to the relations of each attention band; ``measure="relations"``:
  the number of relations of each band that the department had at least one contact moment with.
  The band is the relation's band in the given counting result (all selected users together).
  Users without a department are shown as ``(none)``. The ``none`` band has no contact moments,
  so its column is 0; the number of relations per band is in ``attrs["relations_per_band"]``.
* **Employee × relation**: contact moments per relation (rows) and employee (columns).
* **Single point of contact**: a relation with contact moments in the period from exactly one
  employee (``only_user``). For each relation also the employee of the last contact moment in
  the period (``last_user``; on a tie in time the highest event id). With ``user=``: the
  relations where that employee is the only or the last contact (``reason`` ``only`` or
  ``last``) — the list to hand over when they leave.
"""

from __future__ import annotations

import ibis
import pandas as pd

from .bands import BAND_NAMES, classify
from .counting import category_conditions, day_start, selected_events
from .dataset import Dataset
from .rules import load_rules
from .selection import Selection, resolve_relations, resolve_users

__all__ = [
    "NO_DEPARTMENT",
    "contacts_per_employee",
    "department_band_matrix",
    "employee_relation_matrix",
    "single_point_of_contact",
]

#: The row label of users without a department.
NO_DEPARTMENT = "(none)"
MEASURES = ("contacts", "relations")


def _pairs(data: Dataset, sel: Selection, rules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contact moments in the period per (relation, user), with the last one's time and id."""
    import datetime as dt

    rules_df = load_rules(rules)
    users = resolve_users(data, sel)
    relations = resolve_relations(data, sel)
    p_from, p_to = sel.period()
    t = selected_events(data, sel, users, relations)
    t = t.filter(
        ibis.or_(*category_conditions(t, rules_df).values())
        & (t.timestamp >= day_start(p_from))
        & (t.timestamp < day_start(p_to + dt.timedelta(days=1)))
    )
    agg = t.group_by(["relation_id", "user_id"]).aggregate(
        contacts=t.count(), last_contact=t.timestamp.max()
    )
    # the event id of the last contact moment (the highest on a tie in time)
    lt = agg.select(r="relation_id", u="user_id", ts="last_contact")
    last = t.join(lt, [t.relation_id == lt.r, t.user_id == lt.u, t.timestamp == lt.ts])
    ids = last.group_by(["relation_id", "user_id"]).aggregate(last_event=last.event_id.max())
    df = agg.join(ids, ["relation_id", "user_id"]).to_pandas()
    df["relation_id"] = df["relation_id"].astype(object)
    df["user_id"] = df["user_id"].astype(object)
    df["contacts"] = df["contacts"].astype("int64")
    df["last_contact"] = pd.to_datetime(df["last_contact"])
    return df, relations


def contacts_per_employee(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """Contact moments per (relation, employee) in the period, as a long table.

    Returns
    -------
    pandas.DataFrame
        ``relation_id, user_id, user_name, department, contacts, last_contact`` for every pair
        with at least one contact moment, by relation then most contacts.

    """
    sel = selection or Selection()
    pairs, _ = _pairs(data, sel, rules)
    users = data.users.set_index("user_id")
    pairs["user_name"] = pairs["user_id"].map(users["name"])
    pairs["department"] = pairs["user_id"].map(users["department"])
    pairs = pairs.sort_values(["relation_id", "contacts", "user_id"], ascending=[True, False, True])
    cols = ["relation_id", "user_id", "user_name", "department", "contacts", "last_contact"]
    return pairs[cols].reset_index(drop=True)


def department_band_matrix(
    data: Dataset,
    result: pd.DataFrame,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    measure: str = "contacts",
) -> pd.DataFrame:
    """Departments (rows) × attention bands (columns): how much attention each gives to whom.

    Parameters
    ----------
    data : a loaded data set.
    result : the counting result the bands belong to (``relation_id`` and ``band``; without a
        ``band`` column its ``total`` is banded with the default strategy).
    selection : the selection ``result`` was calculated with (users, period, relations).
    rules : counting rules; default the contract's.
    measure : ``contacts`` (contact moments) or ``relations`` (relations with contact).

    Returns
    -------
    pandas.DataFrame
        Index ``department``; one column per band (``none`` … ``very_much``) and ``total``.

    Examples
    --------
    >>> from aandacht import load, calculate, Selection
    >>> ds = load("data_samples")
    >>> sel = Selection(as_of="2026-10-31")
    >>> m = department_band_matrix(ds, calculate(ds, sel), sel)
    >>> list(m.index)
    ['Marketing', 'Sales', 'Service']
    >>> int(m["total"].sum()) == int(calculate(ds, sel)["total"].sum())
    True
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; valid: {', '.join(MEASURES)}")
    sel = selection or Selection()
    bands = _bands(result)
    pairs, _ = _pairs(data, sel, rules)
    dept = data.users.set_index("user_id")["department"].astype(object)
    pairs["department"] = pairs["user_id"].map(dept).fillna(NO_DEPARTMENT)
    pairs["band"] = pairs["relation_id"].map(bands)
    pairs = pairs[pairs["band"].notna()]
    if measure == "contacts":
        m = pairs.pivot_table(
            index="department", columns="band", values="contacts", aggfunc="sum", fill_value=0
        )
    else:
        per = pairs.drop_duplicates(["department", "relation_id"])
        m = per.pivot_table(
            index="department", columns="band", values="relation_id", aggfunc="count", fill_value=0
        )
    departments = sorted(set(data.users["department"].dropna().astype(str)) | set(m.index))
    if sel.users is not None or sel.user_group is not None:
        departments = sorted(m.index)
    m = m.reindex(index=departments, columns=list(BAND_NAMES), fill_value=0).astype("int64")
    m.index.name = "department"
    m.columns.name = "band"
    m["total"] = m.sum(axis=1)
    per_band = bands.value_counts().reindex(list(BAND_NAMES), fill_value=0)
    m.attrs.update({"measure": measure, "relations_per_band": per_band.astype(int).to_dict()})
    return m


def _bands(result: pd.DataFrame) -> pd.Series:
    ids = result["relation_id"].astype(object).to_numpy()
    if "band" in result.columns:
        return pd.Series(result["band"].astype(object).to_numpy(), index=ids)
    return pd.Series(list(classify(result["total"]).yb), index=ids, dtype=object)


def employee_relation_matrix(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
) -> pd.DataFrame:
    """Relations (rows) × employees (columns): contact moments in the period.

    Returns
    -------
    pandas.DataFrame
        Index ``relation_id`` (every measured relation, in the order of the relations table),
        one column per employee with contact moments (sorted by user id), counts.


    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> m = employee_relation_matrix(ds, Selection(as_of="2026-10-31"))
    >>> m.shape[0] == len(ds.relations), "JdV" in m.columns
    (True, True)
    """
    sel = selection or Selection()
    pairs, relations = _pairs(data, sel, rules)
    ids = pd.Index(relations["relation_id"].astype(object), name="relation_id")
    m = pairs.pivot_table(
        index="relation_id", columns="user_id", values="contacts", aggfunc="sum", fill_value=0
    )
    m = m.reindex(index=ids, columns=sorted(m.columns), fill_value=0).fillna(0).astype("int64")
    m.columns.name = "user_id"
    return m


def single_point_of_contact(
    data: Dataset,
    selection: Selection | None = None,
    rules: pd.DataFrame | str | None = None,
    *,
    user: str | None = None,
) -> pd.DataFrame:
    """Relations that depend on one employee: the only one, or the last one, with contact.

    Parameters
    ----------
    data, selection, rules : as for :func:`aandacht.calculate`.
    user : only the relations where this employee is the only or the last contact.

    Returns
    -------
    pandas.DataFrame
        One row per measured relation with contact moments in the period: ``relation_id, name,
        contacts, employees, only_user, last_user, last_contact, single_point`` (and ``reason``
        with ``user``); single points of contact first, then the most contact moments.


    Examples
    --------
    >>> from aandacht import load, Selection
    >>> ds = load("data_samples")
    >>> spoc = single_point_of_contact(ds, Selection(as_of="2026-10-31"))
    >>> bool((spoc.single_point == (spoc.employees == 1)).all())
    True
    """
    sel = selection or Selection()
    pairs, relations = _pairs(data, sel, rules)
    if user is not None and user not in set(data.users["user_id"]):
        raise ValueError(f"unknown user {user!r}")
    cols = ["relation_id", "name", "contacts", "employees", "only_user", "last_user"]
    cols += ["last_contact", "single_point"]
    if pairs.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        if user is not None:
            out["reason"] = pd.Series(dtype=object)
        return out
    per = pairs.groupby("relation_id").agg(
        contacts=("contacts", "sum"), employees=("user_id", "nunique")
    )
    last = pairs.sort_values(["relation_id", "last_contact", "last_event"]).drop_duplicates(
        "relation_id", keep="last"
    )
    per["last_user"] = last.set_index("relation_id")["user_id"]
    per["last_contact"] = last.set_index("relation_id")["last_contact"]
    per["single_point"] = per["employees"] == 1
    per["only_user"] = per["last_user"].where(per["single_point"])
    names = relations.set_index(relations["relation_id"].astype(object))["name"]
    per = per.reset_index()
    per["name"] = per["relation_id"].map(names)
    if user is not None:
        per = per[(per["only_user"] == user) | (per["last_user"] == user)].copy()
        per["reason"] = ["only" if o == user else "last" for o in per["only_user"]]
        cols = [*cols, "reason"]
    per = per.sort_values(
        ["single_point", "contacts", "relation_id"], ascending=[False, False, True]
    )
    return per[cols].reset_index(drop=True)
