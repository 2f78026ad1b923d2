"""Incremental counting (B13): for any split of an event log into a base and deltas, merging the
counts of the parts equals counting everything at once."""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aandacht import Selection, calculate, from_frames
from aandacht.engine import count, count_frame, finish, merge, refresh
from aandacht.schema import ACTIONS
from aandacht.trend import trends, trends_with

PAIRS = [(s, a) for s, a_list in ACTIONS.items() for a in a_list]
RELS = ["R1", "R2", "R3"]
USERS = ["AA", "BB", "CC"]
START = dt.datetime(2026, 1, 1)

event = st.tuples(
    st.sampled_from(RELS),
    st.sampled_from(USERS),
    # whole hours over about a year: many events share a timestamp (the tie rule is tested)
    st.integers(min_value=0, max_value=300 * 24),
    st.sampled_from(PAIRS),
    st.integers(min_value=0, max_value=100_000),  # cents
    st.text(alphabet="ABCxyz019", min_size=1, max_size=4),  # event ids in any text order
)


def frames(events):
    seen = set()
    rows = []
    for r, u, h, (src, act), cents, eid in events:
        if eid in seen:
            continue
        seen.add(eid)
        amount = cents / 100 if act in ("order_added", "invoice_added") else None
        rows.append((eid, r, u, START + dt.timedelta(hours=h), src, act, amount))
    cols = ["event_id", "relation_id", "user_id", "timestamp", "source", "action", "amount"]
    return pd.DataFrame(rows, columns=cols)


def by_relation(df):
    """``df``'s rows in relation order (the engines return them in any order)."""
    return df.sort_values("relation_id").reset_index(drop=True)


def with_columns(ev):
    """``ev`` with the event columns a count of details reads (empty channel/direction)."""
    empty = pd.Series([None] * len(ev), dtype="str")
    return ev.assign(channel=empty, direction=empty)


def data(ev):
    return from_frames(
        {
            "relations": pd.DataFrame({"relation_id": RELS, "name": RELS}),
            "users": pd.DataFrame({"user_id": USERS, "department": ["Sales", "Sales", "Service"]}),
            "events": ev,
        }
    )


SELECTIONS = [
    Selection(as_of="2026-12-31", period_from="2026-01-01", period_to="2026-12-31"),
    Selection(as_of="2026-09-30", period_from="2026-08-01", period_to="2026-09-30", revenue="both"),
    Selection(
        as_of="2026-12-31",
        period_from="2026-10-01",
        period_to="2026-12-31",
        users=("AA", "CC"),
        revenue="orders",
    ),
    Selection(as_of="2026-12-31", relations=("R1", "R3")),
]


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(event, min_size=0, max_size=40),
    st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=3),  # where to cut
    st.sampled_from(range(len(SELECTIONS))),
    st.booleans(),
)
def test_merging_the_counts_of_a_split_log_equals_counting_it_whole(events, cuts, which, details):
    ev = frames(events)
    sel = SELECTIONS[which]
    bounds = [0, *sorted(round(c * len(ev)) for c in cuts), len(ev)]
    parts = [ev.iloc[a:b].reset_index(drop=True) for a, b in zip(bounds, bounds[1:], strict=False)]
    merged = result = trend = None
    for i, part in enumerate(parts):
        c = count(data(part), sel, details=details)
        if i:
            trend = trends_with(data(ev), trend, with_columns(part), sel)
            # a delta as the service counts it: in memory, with the whole data set's tables
            mem = count_frame(data(ev), with_columns(part), sel, details=details)
            pd.testing.assert_frame_equal(
                by_relation(mem.per_relation), by_relation(c.per_relation)
            )
            if details:
                pd.testing.assert_frame_equal(by_relation(mem.last), by_relation(c.last))
            c = mem
        if merged is None:
            merged, result = c, finish(data(part), sel, c)
            trend = trends(data(ev.iloc[: len(part)]), sel)
        else:
            merged = merge(merged, c)
            # the result made again for the relations of the delta only
            result = refresh(result, sel, merged, c.per_relation["relation_id"])
    whole = data(ev)
    got = finish(whole, sel, merged)
    expected = calculate(whole, sel, details=details)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
    assert got.attrs == expected.attrs
    pd.testing.assert_frame_equal(result, expected, check_exact=False, rtol=1e-12)
    assert result.attrs == expected.attrs
    # the trends (B1) brought up to date with each delta, as the service does
    whole_trend = trends(whole, sel)
    pd.testing.assert_frame_equal(trend, whole_trend)
    assert trend.attrs == whole_trend.attrs


def test_merging_takes_the_later_contact_and_on_a_tie_the_higher_event_id():
    ts = START + dt.timedelta(days=10)
    base = frames([("R1", "AA", 240, ("history", "added"), 0, "E2")])
    later_tie = frames([("R1", "BB", 240, ("history", "added"), 0, "E9")])
    lower_tie = frames([("R1", "CC", 240, ("history", "added"), 0, "E10")])
    sel = Selection(as_of="2026-12-31")
    c = merge(count(data(base), sel), count(data(later_tie), sel))
    c = merge(c, count(data(lower_tie), sel))  # "E10" < "E9" as text: E9 stays the last
    res = finish(data(pd.concat([base, later_tie, lower_tie])), sel, c)
    row = res.set_index("relation_id").loc["R1"]
    assert row.total == 3
    assert row.last_user == "BB"
    assert row.last_contact == ts


def test_counts_of_different_selections_are_not_merged():
    ev = frames([("R1", "AA", 10, ("history", "added"), 0, "E1")])
    a = count(data(ev), Selection(as_of="2026-12-31"))
    b = count(data(ev), Selection(as_of="2026-12-31", revenue="orders"))
    try:
        merge(a, b)
    except ValueError as exc:
        assert "cannot be merged" in str(exc)
    else:
        raise AssertionError("merged counts with and without revenue")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="AB1", min_size=1, max_size=3), unique=True, max_size=12),
    st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4),
    st.lists(st.text(alphabet="AB12", min_size=1, max_size=3), max_size=10),
)
def test_relation_ids_grown_from_a_shared_table_find_only_their_own_rows(ids, cuts, probe):
    """Views grown from one table (as merges do, also two from the same one) each find exactly
    their own ids at their own positions, as a pandas index of their ids would."""
    from aandacht.engine import RelationIds

    base = RelationIds(ids[: cuts[0]])
    views = [(base, ids[: cuts[0]])]
    for cut in cuts[1:]:
        # grow any earlier view, not only the latest: the shared table may be ahead of it
        parent, own = views[cut % len(views)]
        more = [i for i in ids if i not in own][:cut]
        views.append((parent.appended(more), own + more))
    for view, own in views:
        assert len(view) == len(own)
        wanted = pd.Index(own, dtype=object).get_indexer(probe + own)
        assert view.get_indexer(probe + own).tolist() == wanted.tolist()
    parent, own = views[-1]
    if own:
        try:
            parent.appended([own[0]])
        except ValueError as exc:
            assert "already" in str(exc)
        else:
            raise AssertionError("appended an id that is there")
