"""A straightforward pandas implementation of aandacht's counting rules: the benchmark baseline.

What a competent analyst would write by hand for the same question, with the same rules: read
the event log (only the columns needed) and the small tables with pandas, keep the events up to
``as_of`` (by the selected users), map each ``(source, action)`` to its counted category with
aandacht's default rules table (``aandacht/data/counting_rules.csv``), group by relation for the
total, per-category counts, days since the last contact and revenue, and merge with all
relations so that relations without contact moments get a row of zeros.

It does *not* validate anything, and computes no bands or sales view: it is the core counting
only. ``bench/run.py`` checks that its numbers equal aandacht's before timing it.

Usage::

    python bench/pandas_baseline.py --data DIR --as-of 2026-10-31 [--from DATE --to DATE]
        [--user-group NAME] [--revenue orders|invoices|both] [--output FILE.csv]

The period is ``--from`` 00:00 through ``--to`` 23:59:59 (default: the 365 days up to
``--as-of``); events after the end of ``as_of`` are not seen, as in aandacht.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

RULES_CSV = Path(__file__).resolve().parents[1] / "aandacht" / "data" / "counting_rules.csv"
CATEGORIES = ["history", "correspondence", "sales", "helpdesk"]
EVENT_COLUMNS = ["relation_id", "user_id", "timestamp", "source", "action", "amount"]


def read(folder: str | Path) -> dict[str, pd.DataFrame]:
    """Read the tables this calculation needs."""
    folder = Path(folder)
    return {
        "events": pd.read_parquet(folder / "events.parquet", columns=EVENT_COLUMNS),
        "relations": pd.read_csv(folder / "relations.csv", dtype=str, keep_default_na=False),
        "users": pd.read_csv(folder / "users.csv", dtype=str, keep_default_na=False),
        "user_groups": pd.read_csv(folder / "user_groups.csv", dtype=str, keep_default_na=False),
        "rules": pd.read_csv(RULES_CSV, dtype=str, keep_default_na=False),
    }


def calculate(
    tables: dict[str, pd.DataFrame],
    as_of: dt.date,
    user_group: str | None = None,
    revenue: str | None = "both",
    period_days: int = 365,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
) -> pd.DataFrame:
    """Contact moments per relation over the period (``period_from`` through ``period_to``,
    default the ``period_days`` days up to ``as_of``), dgn up to the end of ``as_of``."""
    events, relations = tables["events"], tables["relations"]
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    start = pd.Timestamp(period_from or as_of - dt.timedelta(days=period_days - 1))
    stop = pd.Timestamp(period_to or as_of) + pd.Timedelta(days=1)

    ev = events[events["timestamp"] < end]
    if user_group is not None:
        users, groups = tables["users"], tables["user_groups"]
        members = set(groups.loc[groups["group"] == user_group, "user_id"])
        members |= set(users.loc[users["department"] == user_group, "user_id"])
        ev = ev[ev["user_id"].isin(members)]

    # One row per (relation, source, action): contact moments in the period, the last one up to
    # as_of, and the amounts in the period; then the rules table maps the pairs to categories.
    in_period = ev["timestamp"] >= start
    if stop < end:
        in_period &= ev["timestamp"] < stop
    ev = ev.assign(in_period=in_period, amount_in_period=ev["amount"].where(in_period))
    pairs = (
        ev.groupby(["relation_id", "source", "action"], observed=True)
        .agg(n=("in_period", "sum"), last=("timestamp", "max"), amount=("amount_in_period", "sum"))
        .reset_index()
    )
    rules = tables["rules"]
    rules = rules[rules["counted"].str.lower() == "true"][["source", "action", "counted_under"]]
    counted = pairs.astype({"source": str, "action": str}).merge(rules, on=["source", "action"])

    counts = counted.pivot_table(
        index="relation_id",
        columns="counted_under",
        values="n",
        aggfunc="sum",
        fill_value=0,
        observed=True,
    ).reindex(columns=CATEGORIES, fill_value=0)
    counts["total"] = counts.sum(axis=1)
    last = counted.pivot_table(
        index="relation_id", columns="counted_under", values="last", aggfunc="max", observed=True
    ).reindex(columns=CATEGORIES)
    last = last.astype(events["timestamp"].dtype)  # a category without events is all NaT
    last["all"] = last.max(axis=1)

    out = relations[["relation_id", "name"]].copy()
    out = out.merge(counts, left_on="relation_id", right_index=True, how="left")
    for col in ["total", *CATEGORIES]:
        out[col] = out[col].fillna(0).astype("int64")
    out = out.merge(
        last, left_on="relation_id", right_index=True, how="left", suffixes=("", "_last")
    )
    today = pd.Timestamp(as_of)
    out["dgn"] = (today - out["all"].dt.normalize()).dt.days.astype("Int64")
    for cat in CATEGORIES:
        out[f"{cat}_dgn"] = (today - out[f"{cat}_last"].dt.normalize()).dt.days.astype("Int64")
    columns = ["relation_id", "name", "total", "dgn"]
    columns += [c for cat in CATEGORIES for c in (cat, f"{cat}_dgn")]

    if revenue:
        sales = pairs[
            (pairs["source"] == "sales") & pairs["action"].isin(["order_added", "invoice_added"])
        ]
        amounts = (
            sales.astype({"action": str})
            .pivot_table(
                index="relation_id", columns="action", values="amount", aggfunc="sum", observed=True
            )
            .reindex(columns=["order_added", "invoice_added"])
        )
        out = out.merge(amounts, left_on="relation_id", right_index=True, how="left")
        out["orders"] = out["order_added"].fillna(0.0).round(2)
        out["invoices"] = out["invoice_added"].fillna(0.0).round(2)
        out["revenue"] = {
            "orders": out["orders"],
            "invoices": out["invoices"],
            "both": (out["orders"] + out["invoices"]).round(2),
        }[revenue]
        columns += ["orders", "invoices", "revenue"]
    return out[columns].reset_index(drop=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True)
    p.add_argument("--as-of", required=True)
    p.add_argument("--from", dest="period_from", type=dt.date.fromisoformat)
    p.add_argument("--to", dest="period_to", type=dt.date.fromisoformat)
    p.add_argument("--user-group")
    p.add_argument("--revenue", choices=["orders", "invoices", "both"])
    p.add_argument("--output")
    args = p.parse_args(argv)
    tables = read(args.data)
    res = calculate(
        tables,
        dt.date.fromisoformat(args.as_of),
        args.user_group,
        args.revenue,
        period_from=args.period_from,
        period_to=args.period_to,
    )
    res.to_csv(args.output or sys.stdout, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
