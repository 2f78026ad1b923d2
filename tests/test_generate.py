"""Tests of the sample data generator (``aandacht.generate``)."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest

from aandacht import schema
from aandacht.generate import HOSTILE_BODIES, HOSTILE_SUBJECTS, LEAVERS, generate, write

END = dt.date(2026, 10, 31)
END_TS = pd.Timestamp("2026-10-31 23:59:59")
#: Counted (source, action) pairs of the contract's default counting rules.
COUNTED = {
    ("history", "added"),
    ("history", "modified"),
    ("note", "added"),
    ("correspondence", "added"),
    ("helpdesk", "call_added"),
} | {("sales", a) for a in schema.ACTIONS["sales"] if a != "invoice_added"}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate()


@pytest.fixture(scope="module")
def events(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return tables["events"]


def _counted(ev: pd.DataFrame) -> pd.Series:
    pairs = pd.Series(
        list(zip(ev["source"].astype(str), ev["action"].astype(str), strict=True)), index=ev.index
    )
    return pairs.isin(COUNTED)


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_same_tables() -> None:
    a, b = generate(120, 6_000, seed=7), generate(120, 6_000, seed=7)
    for name in schema.TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])
    c = generate(120, 6_000, seed=8)
    assert not a["events"]["timestamp"].equals(c["events"]["timestamp"])


def test_write_is_byte_identical_and_round_trips(tmp_path) -> None:
    t = generate(80, 4_000, seed=3)
    write(t, tmp_path / "a")
    write(generate(80, 4_000, seed=3), tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "events.parquet",
        "relation_groups.csv",
        "relations.csv",
        "user_groups.csv",
        "users.csv",
    ]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    back = pd.read_parquet(tmp_path / "a" / "events.parquet")
    pd.testing.assert_frame_equal(back, t["events"])
    rel = pd.read_csv(tmp_path / "a" / "relations.csv", keep_default_na=False, na_values=[""])
    assert list(rel.columns) == list(schema.COLUMNS["relations"])
    assert rel["relation_id"].tolist() == t["relations"]["relation_id"].tolist()
    assert rel["name"].tolist() == t["relations"]["name"].tolist()
    users = pd.read_csv(tmp_path / "a" / "users.csv")
    assert users["active"].dtype == bool


def test_write_events_csv(tmp_path) -> None:
    t = generate(50, 2_000, seed=1)
    write(t, tmp_path, events_format="csv")
    assert not (tmp_path / "events.parquet").exists()
    back = pd.read_csv(
        tmp_path / "events.csv", parse_dates=["timestamp"], dtype=str, keep_default_na=False
    )
    assert len(back) == 2_000
    assert list(back.columns) == list(schema.COLUMNS["events"])
    for col in ("subject", "body", "reference", "event_id"):
        assert back[col].tolist() == t["events"][col].astype(object).fillna("").tolist()
    assert (back["timestamp"] == t["events"]["timestamp"]).all()
    with pytest.raises(ValueError):
        write(t, tmp_path, events_format="xlsx")


# -- contract -------------------------------------------------------------------------------


def test_tables_and_columns(tables: dict[str, pd.DataFrame]) -> None:
    assert list(tables) == list(schema.TABLES)
    for name, cols in schema.COLUMNS.items():
        assert list(tables[name].columns) == list(cols), name
    for name, cols in schema.REQUIRED.items():
        for col in cols:
            values = tables[name][col]
            assert values.notna().all() and (values.astype(str) != "").all(), (name, col)
    for name, col in schema.UNIQUE.items():
        assert tables[name][col].is_unique, name
    assert tables["users"]["active"].dtype == bool
    assert pd.api.types.is_float_dtype(tables["relations"]["lat"])
    assert pd.api.types.is_datetime64_any_dtype(tables["events"]["timestamp"])


def test_event_values(events: pd.DataFrame) -> None:
    assert len(events) == 150_000
    for (_table, col), allowed in schema.ALLOWED.items():
        values = set(events[col].dropna().astype(str))
        assert values <= set(allowed), col
    pairs = set(zip(events["source"].astype(str), events["action"].astype(str), strict=True))
    assert pairs == {(s, a) for s in schema.SOURCES for a in schema.ACTIONS[s]}
    assert set(events["channel"].dropna().astype(str)) == set(schema.CHANNELS)
    assert events["event_id"].str.fullmatch(r"E\d{7}").all()
    ts = events["timestamp"]
    assert ts.is_monotonic_increasing
    assert ts.min() >= pd.Timestamp("2024-10-31") and ts.max() <= END_TS
    assert (ts.dt.microsecond == 0).all()
    # amounts only on quotes, orders and invoices, in whole cents
    money = events["action"].isin(["quote_added", "order_added", "invoice_added"])
    assert events.loc[money, "amount"].notna().all() and events.loc[~money, "amount"].isna().all()
    cents = events.loc[money, "amount"] * 100
    assert np.allclose(cents, cents.round()) and (events.loc[money, "amount"] > 0).all()
    # status only for helpdesk, direction only for correspondence (always there)
    helpdesk = events["source"] == "helpdesk"
    assert events.loc[helpdesk, "status"].notna().all()
    assert events.loc[~helpdesk, "status"].isna().all()
    corr = events["source"] == "correspondence"
    assert events.loc[corr, "direction"].notna().all()
    assert events.loc[~corr, "direction"].isna().all()


def test_referential_integrity(tables: dict[str, pd.DataFrame]) -> None:
    rel_ids = set(tables["relations"]["relation_id"])
    user_ids = set(tables["users"]["user_id"])
    ev = tables["events"]
    assert set(ev["relation_id"].astype(str)) <= rel_ids
    assert set(ev["user_id"].astype(str)) <= user_ids
    assert set(tables["relation_groups"]["relation_id"]) <= rel_ids
    assert set(tables["user_groups"]["user_id"]) <= user_ids
    assert not tables["relation_groups"].duplicated().any()
    assert not tables["user_groups"].duplicated().any()


def test_relations(tables: dict[str, pd.DataFrame]) -> None:
    rel = tables["relations"]
    assert len(rel) == 400
    assert rel["relation_id"].str.fullmatch(r"R\d{5}").all()
    assert rel["name"].nunique() > 0.95 * len(rel)
    nl = rel["country"] == "NL"
    assert set(rel["country"]) <= {"NL", "BE", "DE"} and 0 < (~nl).sum() <= 20
    with_pc = nl & rel["postcode"].notna()
    assert rel.loc[with_pc, "postcode"].str.fullmatch(r"[1-9]\d{3} [A-Z]{2}").all()
    assert 0 < (nl & rel["postcode"].isna()).sum() <= 12
    # on the map exactly when Dutch with a postcode; inside the Netherlands
    assert (rel["lat"].notna() == with_pc).all() and (rel["lon"].notna() == with_pc).all()
    assert rel["lat"].dropna().between(50.7, 53.6).all()
    assert rel["lon"].dropna().between(3.3, 7.3).all()
    assert rel["address"].notna().all() and rel["city"].notna().all()
    assert 0.1 < rel["colour"].notna().mean() < 0.4


def test_users_and_groups(tables: dict[str, pd.DataFrame]) -> None:
    users = tables["users"]
    assert len(users) == 25
    assert set(users["department"]) == {"Sales", "Marketing", "Service"}
    assert 1 <= (~users["active"]).sum() <= 3
    groups = tables["user_groups"]
    assert "inside sales" in set(groups["group"])
    assert not set(groups["group"]) & set(users["department"])
    inside = set(groups.loc[groups["group"] == "inside sales", "user_id"])
    assert set(users.loc[users["user_id"].isin(inside), "department"]) == {"Sales"}
    rg = tables["relation_groups"]
    sizes = rg["group"].value_counts()
    assert 25 <= sizes["top customers"] <= 35
    assert {"prospects", "region north"} <= set(sizes.index)
    assert rg["relation_id"].duplicated().any()  # some relations are in several groups


# -- patterns -------------------------------------------------------------------------------


def test_users_plausible_for_source(tables: dict[str, pd.DataFrame]) -> None:
    ev = tables["events"]
    dept = tables["users"].set_index("user_id")["department"]
    d = ev["user_id"].astype(str).map(dept)
    assert set(d[ev["source"] == "helpdesk"]) == {"Service"}
    assert set(d[ev["source"] == "marketing"]) == {"Marketing"}
    orders = ev["action"].isin(["quote_added", "order_added", "invoice_added"])
    assert set(d[orders]) == {"Sales"}
    assert set(d[ev["source"] == "history"]) == {"Sales", "Marketing", "Service"}


def test_leavers_hand_over(tables: dict[str, pd.DataFrame]) -> None:
    ev = tables["events"]
    users = tables["users"].set_index("user_id")
    for leaver, successor, _, _ in LEAVERS:
        assert not users.at[leaver, "active"] and users.at[successor, "active"]
        last = ev.loc[ev["user_id"] == leaver, "timestamp"].max()
        assert last < END_TS - pd.Timedelta(days=60)
        assert (ev.loc[ev["user_id"] == successor, "timestamp"] > last).any()


def test_attention_heavy_tailed_and_gaps(tables: dict[str, pd.DataFrame]) -> None:
    ev = tables["events"]
    ids = tables["relations"]["relation_id"]
    counted = ev[_counted(ev)]
    per = counted.groupby("relation_id", observed=False).size().reindex(ids, fill_value=0)
    top10 = per.sort_values(ascending=False).iloc[: len(per) // 10].sum()
    assert top10 > 0.3 * per.sum()
    recent = counted[counted["timestamp"] > END_TS - pd.Timedelta(days=365)]
    per_year = recent.groupby("relation_id", observed=False).size().reindex(ids, fill_value=0)
    assert 0.06 <= (per_year == 0).mean() <= 0.15
    assert (per == 0).sum() >= 1  # some relations never had contact


def test_neglected_top_customers(tables: dict[str, pd.DataFrame]) -> None:
    ev = tables["events"]
    rg = tables["relation_groups"]
    top = set(rg.loc[rg["group"] == "top customers", "relation_id"])
    counted = ev[_counted(ev)]
    recent = counted[counted["timestamp"] > END_TS - pd.Timedelta(days=365)]
    per_year = recent.groupby("relation_id", observed=True).size()
    orders = ev[ev["action"] == "order_added"].groupby("relation_id", observed=True)["amount"]
    revenue = orders.sum()
    neglected = [r for r in top if per_year.get(r, 0) <= 2 and revenue.get(r, 0) > 0]
    assert len(neglected) >= 2
    median = revenue.median()
    assert all(revenue[r] > median for r in neglected)  # high revenue, little attention


def test_seasonality_and_office_hours(events: pd.DataFrame) -> None:
    ts = events["timestamp"]
    assert (ts.dt.day_of_week >= 5).mean() < 0.02
    per_month = ts.dt.to_period("M").value_counts()
    assert per_month[pd.Period("2025-08")] < 0.6 * per_month[pd.Period("2025-09")]
    xmas = ts.dt.date.between(dt.date(2025, 12, 24), dt.date(2025, 12, 31))
    nov = ts.dt.date.between(dt.date(2025, 11, 10), dt.date(2025, 11, 17))
    assert xmas.sum() < 0.5 * nov.sum()
    assert ts.dt.hour.between(7, 18).mean() > 0.98
    assert ts.dt.second.nunique() == 60


def test_email_threads(events: pd.DataFrame) -> None:
    corr = events[events["source"] == "correspondence"]
    assert set(corr["channel"].astype(str)) == {"email", "letter"}
    assert set(corr["direction"].astype(str)) == {"in", "out"}
    assert corr["subject"].astype(str).str.startswith("Re: ").mean() > 0.2


def test_mailings_and_responses(events: pd.DataFrame) -> None:
    sent = events[events["action"] == "mailing_sent"]
    assert sent["channel"].astype(str).eq("email").all()
    per_mailing = sent.groupby("reference").agg(
        n=("event_id", "size"),
        day=("timestamp", lambda t: t.dt.date.nunique()),
        users=("user_id", "nunique"),
    )
    assert len(per_mailing) >= 10
    assert (per_mailing["n"] >= 20).all() and (per_mailing["day"] == 1).all()
    assert (per_mailing["users"] == 1).all()
    responses = events[
        (events["source"] == "correspondence")
        & (events["direction"] == "in")
        & events["reference"].isin(per_mailing.index)
    ]
    assert len(responses) >= 50
    first = sent.groupby(["reference", "relation_id"], observed=True)["timestamp"].min()
    key = pd.MultiIndex.from_arrays([responses["reference"], responses["relation_id"]])
    delay = responses["timestamp"].to_numpy() - first.reindex(key).to_numpy()
    assert (delay > np.timedelta64(0)).all() and (delay < np.timedelta64(15, "D")).all()
    assert (delay < np.timedelta64(4, "D")).mean() > 0.5  # most respond within days


def test_helpdesk_calls(events: pd.DataFrame) -> None:
    hd = events[events["source"] == "helpdesk"]
    assert hd["reference"].str.fullmatch(r"CALL-\d{6}").all()
    calls = hd.groupby("reference").agg(
        first=("action", "first"),
        closed=("action", lambda a: (a == "call_closed").sum()),
        relations=("relation_id", "nunique"),
        last_status=("status", "last"),
    )
    assert (calls["first"] == "call_added").all() and (calls["relations"] == 1).all()
    assert calls["closed"].max() == 1
    assert ((calls["closed"] == 1) == (calls["last_status"] == "closed")).all()
    open_share = (calls["closed"] == 0).mean()
    assert 0.01 < open_share < 0.2
    st = hd.groupby("action", observed=True)["status"].agg(lambda s: set(s.astype(str)))
    assert st["call_closed"] == {"closed"} and st["call_added"] == {"open"}


def test_sales_funnel(events: pd.DataFrame) -> None:
    sales = events[events["source"] == "sales"]
    ref = sales["reference"]
    assert ref.str.fullmatch(r"[SQOF]-\d{4}-\d{4,}").all()
    chain = ref.str[2:]
    stage = ref.str[0]
    expected = {
        "suspect_added": "S",
        "suspect_to_quote": "S",
        "quote_added": "Q",
        "quote_expired": "Q",
        "quote_to_order": "Q",
        "order_added": "O",
        "invoice_added": "F",
    }
    assert (sales["action"].astype(str).map(expected) == stage).all()
    assert (sales.groupby(chain)["relation_id"].nunique() == 1).all()
    orders = sales[sales["action"] == "order_added"].set_index(
        chain[sales["action"] == "order_added"]
    )
    inv = (
        sales[sales["action"] == "invoice_added"]
        .groupby(chain[sales["action"] == "invoice_added"])["amount"]
        .sum()
    )
    assert set(inv.index) <= set(orders.index)
    full = inv.index[inv.index.isin(orders.index)]
    ordered = orders.loc[full, "amount"].groupby(level=0).sum()[full]
    assert (inv[full] <= ordered + 0.005).all()  # the last instalments may still be due
    assert np.isclose(inv[full], ordered).mean() > 0.95
    # quote -> order chains exist, with the order after the quote
    q2o = sales[sales["action"] == "quote_to_order"]
    assert len(q2o) > 100
    amounts = sales.loc[sales["action"] == "order_added", "amount"]
    assert amounts.min() >= 50 and amounts.max() >= 20_000
    assert amounts.mean() > amounts.median()  # heavy-tailed


def test_hostile_content_present(events: pd.DataFrame) -> None:
    assert set(HOSTILE_SUBJECTS) <= set(events["subject"].dropna().astype(str))
    bodies = set(events["body"].dropna().astype(str))
    assert set(HOSTILE_BODIES) <= bodies
    assert any("<script>alert(1)</script>" in b for b in bodies)
    assert '=HYPERLINK("http://x")' in set(events["subject"].dropna().astype(str))


# -- parameters and scale -------------------------------------------------------------------


def test_parameters() -> None:
    t = generate(60, 3_000, seed=5, end=dt.date(2025, 3, 2), years=1)
    ts = t["events"]["timestamp"]
    assert len(t["relations"]) == 60 and len(t["events"]) == 3_000
    assert ts.min() >= pd.Timestamp("2024-03-02") and ts.max() <= pd.Timestamp(
        "2025-03-02 23:59:59"
    )


@pytest.mark.parametrize("n_events", [0, 1, 500])
def test_exact_small_counts(n_events: int) -> None:
    assert len(generate(30, n_events)["events"]) == n_events


def test_scales_fast() -> None:
    start = time.perf_counter()
    t = generate(2_000, 20_000, seed=11)
    assert time.perf_counter() - start < 3
    assert len(t["events"]) == 20_000 and len(t["relations"]) == 2_000
    assert t["events"]["event_id"].is_unique
