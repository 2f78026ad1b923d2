"""Property tests: per-source counts add up, and no event is lost or counted twice."""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aandacht import Selection, calculate, default_rules, from_frames, timeline
from aandacht.schema import ACTIONS

PAIRS = [(s, a) for s, a_list in ACTIONS.items() for a in a_list]
RELS = ["R1", "R2", "R3", "R4", "R5"]
USERS = ["AA", "BB", "CC"]
START = dt.datetime(2025, 1, 1)

event = st.tuples(
    st.sampled_from(RELS),
    st.sampled_from(USERS),
    st.integers(min_value=0, max_value=700 * 24 * 3600),  # seconds after START
    st.sampled_from(PAIRS),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
)


def build(events):
    ev = pd.DataFrame(
        [
            (
                f"E{i:05d}",
                r,
                u,
                START + dt.timedelta(seconds=s),
                src,
                act,
                float(amt) if amt is not None and act in ("order_added", "invoice_added") else None,
            )
            for i, (r, u, s, (src, act), amt) in enumerate(events)
        ],
        columns=["event_id", "relation_id", "user_id", "timestamp", "source", "action", "amount"],
    )
    return from_frames(
        {
            "relations": pd.DataFrame({"relation_id": RELS, "name": RELS}),
            "users": pd.DataFrame({"user_id": USERS, "department": ["Sales", "Sales", "Service"]}),
            "events": ev,
        }
    ), ev


def brute_force(ev, sel, users=None):
    """The rules applied row by row in plain Python: the reference to compare with."""
    rules = default_rules()
    under = {(r.source, r.action): r.counted_under for r in rules.itertuples() if r.counted}
    p_from, p_to = sel.period()
    lo = dt.datetime.combine(p_from, dt.time())
    hi = dt.datetime.combine(min(p_to, sel.as_of), dt.time()) + dt.timedelta(days=1)
    out = {
        r: {
            "total": 0,
            "history": 0,
            "correspondence": 0,
            "sales": 0,
            "helpdesk": 0,
            "revenue": 0.0,
        }
        for r in RELS
    }
    for e in ev.itertuples():
        if users is not None and e.user_id not in users:
            continue
        ts = e.timestamp.to_pydatetime()
        if not (lo <= ts < hi):
            continue
        cat = under.get((e.source, e.action))
        if cat:
            out[e.relation_id]["total"] += 1
            out[e.relation_id][cat] += 1
        if e.action in ("order_added", "invoice_added") and not pd.isna(e.amount):
            out[e.relation_id]["revenue"] += e.amount
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(event, min_size=0, max_size=60),
    start=st.integers(min_value=0, max_value=600),
    length=st.integers(min_value=0, max_value=400),
    as_of_extra=st.integers(min_value=0, max_value=200),
    users=st.one_of(st.none(), st.lists(st.sampled_from(USERS), min_size=1, unique=True)),
)
def test_counts_match_brute_force_and_add_up(events, start, length, as_of_extra, users):
    ds, ev = build(events)
    p_from = START.date() + dt.timedelta(days=start)
    p_to = p_from + dt.timedelta(days=length)
    sel = Selection(
        period_from=p_from,
        period_to=p_to,
        as_of=p_to + dt.timedelta(days=as_of_extra),
        users=tuple(users) if users else None,
        revenue="both",
    )
    res = calculate(ds, sel).set_index("relation_id")
    expected = brute_force(ev, sel, users)
    assert list(res.index) == RELS  # every relation measured, none twice
    parts = res[["history", "correspondence", "sales", "helpdesk"]].sum(axis=1)
    assert (parts == res.total).all()
    for r in RELS:
        for k in ("total", "history", "correspondence", "sales", "helpdesk"):
            assert res.loc[r, k] == expected[r][k], (r, k)
        assert abs(res.loc[r, "revenue"] - expected[r]["revenue"]) < 1e-6
        # dgn is empty exactly when there never was a counted contact up to as_of
        if res.loc[r, "total"] > 0:
            assert not pd.isna(res.loc[r, "dgn"])
            assert 0 <= res.loc[r, "dgn"] <= (sel.as_of - p_from).days


@settings(max_examples=25, deadline=None)
@given(events=st.lists(event, min_size=0, max_size=40))
def test_timelines_hold_every_event_exactly_once(events):
    ds, ev = build(events)
    seen = []
    counted = 0
    for r in RELS:
        tl = timeline(ds, r)
        assert tl.timestamp.is_monotonic_increasing
        seen += tl.event_id.tolist()
        counted += int(tl.counted.sum())
    assert sorted(seen) == sorted(ev.event_id)
    # over all time, the timelines' counted events equal the calculation's totals
    far = Selection(period_from="2000-01-01", period_to="2030-12-31", as_of="2030-12-31")
    assert calculate(ds, far).total.sum() == counted


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 40),
            st.one_of(st.just(0), st.integers(-200_000, 2_000_000)),  # cents, credit notes too
        ),
        min_size=0,
        max_size=25,
    ),
    strategy=st.sampled_from(["relative", "quantile", "natural_breaks", "fixed", "per_month"]),
)
def test_sales_view_summaries_and_explanations_take_any_contacts_and_revenue(rows, strategy):
    """Zero, negative and mixed revenue never break the sales view or its sentences."""
    from aandacht.bands import BANDS
    from aandacht.sales import sales_view
    from aandacht.summary import sales_explanations, sales_summary

    df = pd.DataFrame(
        {
            "relation_id": [f"R{i}" for i in range(len(rows))],
            "total": [c for c, _ in rows],
            "revenue": [r / 100 for _, r in rows],
        }
    )
    v = sales_view(df, strategy, period_days=365)
    t = v.table
    excluded = (df["total"] == 0) & (df["revenue"] == 0)
    assert (t["sales_area"] == "excluded").tolist() == excluded.tolist()
    assert set(t["sales_band"].dropna()) <= set(BANDS)
    # the literal contract: no contacts (and revenue) -> none; negative index -> very_little
    for (c, r), band, idx in zip(rows, t["sales_band"], t["attention_index"], strict=True):
        if c == 0 and r != 0:
            assert band == "none"
        elif c > 0 and r == 0:
            assert band == "very_much"
        elif c > 0 and idx < 0:
            assert band == "very_little"
    for lang in ("nl", "en"):
        sentences = sales_explanations(v, lang)
        assert all(isinstance(x, str) and x for x in sentences)
        assert sales_summary(v, lang).text


@settings(max_examples=100, deadline=None)
@given(
    totals=st.lists(st.integers(0, 60), min_size=0, max_size=25),
    strategy=st.sampled_from(["relative", "quantile", "natural_breaks", "fixed", "per_month"]),
)
def test_attention_summary_and_explanations_take_any_totals(totals, strategy):
    from aandacht.bands import classify
    from aandacht.summary import attention_summary, explanations

    df = pd.DataFrame({"relation_id": [f"R{i}" for i in range(len(totals))], "total": totals})
    df["dgn"] = pd.array([None if t == 0 else 3 for t in totals], dtype="Int64")
    result = classify(df["total"], strategy, period_days=365)
    assert [b == "none" for b in result.yb] == [t == 0 for t in totals]
    for lang in ("nl", "en"):
        assert attention_summary(result, lang).text
        sentences = explanations(df, result, lang)
        assert all(isinstance(x, str) and x for x in sentences)


ids = st.lists(st.text("ABCR0123", min_size=1, max_size=5), min_size=1, max_size=4, unique=True)


@settings(max_examples=200, deadline=None)
@given(
    who=st.one_of(st.none(), ids.map(tuple), st.sampled_from(["Sales", "Service"])),
    which=st.one_of(st.none(), ids.map(tuple), st.sampled_from(["top customers"])),
    start=st.one_of(st.none(), st.integers(min_value=0, max_value=600)),
    days=st.integers(min_value=0, max_value=400),
    as_of=st.one_of(st.none(), st.integers(min_value=0, max_value=900)),
    revenue=st.sampled_from([None, "orders", "invoices", "both"]),
)
def test_a_selection_survives_its_dict(who, which, start, days, as_of, revenue):
    # what a stored result keeps (JSON) gives back the selection it counted: the same users,
    # relations, days and revenue basis, with the defaults it had resolved
    day = dt.date(2025, 1, 1)
    as_of_day = None if as_of is None else day + dt.timedelta(days=as_of)
    p_from = None if start is None else day + dt.timedelta(days=start)
    p_to = None if start is None else p_from + dt.timedelta(days=days)
    if p_to is not None and as_of_day is not None:
        as_of_day = max(as_of_day, p_to)
    sel = Selection(
        users=who if isinstance(who, tuple) else None,
        user_group=who if isinstance(who, str) else None,
        relations=which if isinstance(which, tuple) else None,
        b_group=which if isinstance(which, str) else None,
        period_from=p_from,
        period_to=p_to,
        as_of=as_of_day,
        revenue=revenue,
    )
    import json

    back = Selection.from_dict(json.loads(json.dumps(sel.to_dict())))
    assert back.period() == sel.period()
    assert back.resolved_as_of() == sel.resolved_as_of()
    for name in ("users", "user_group", "b_group", "relations", "revenue"):
        assert getattr(back, name) == getattr(sel, name)
    assert Selection.from_dict(back.to_dict()) == back  # resolved once, then the same
    assert Selection.from_dict(sel.to_dict(), revenue=None).revenue is None
