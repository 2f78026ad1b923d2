"""Benchmark data sets of any shape, written to disk in chunks (out of core).

    .venv/bin/python bench/bigdata.py --output DIR --relations 100000 --events 10000000 [--seed N]

Writes a canonical data set (``shared/spec/data-format.md``) that ``aandacht validate`` accepts:

- ``relations.csv``: ``relation_id`` ``R0000001``…, a name, a simple address (street, postcode,
  city, country ``NL``), ``lat``/``lon`` in the Netherlands or empty (about 8 %), no colour;
- ``relation_groups.csv``: a few B-groups (``top customers``, ``prospects``, ``region north``);
- ``users.csv``: 200 users ``U001``… in Sales, Marketing, Service, Finance and Management, about
  5 % inactive; ``user_groups.csv``: ``inside sales``, ``key accounts``, ``helpdesk 2nd line``;
- ``events.parquet``: the canonical event columns, written with ``pyarrow.parquet.ParquetWriter``
  in row groups of about 1M rows (typed: strings, ``timestamp[us]``, ``float64``; zstd), sorted
  by time over the two years ending 2026-10-31 23:59:59 (weekdays and office hours busier).
  Source/action pairs are the contract's, with realistic weights; each is done by a user of the
  right department (sales by Sales, calls by Service, mailings by Marketing, history and
  correspondence by anyone, mostly Sales); channel, direction and status where they make sense;
  an amount for quotes, orders and invoices; ``subject``, ``body`` and ``reference`` empty (as
  in the export of issue 11).

Relations have skewed activity: a heavy-tailed (log-normal) weight each, about 12 % with none
at all. Everything is vectorised numpy per chunk of about 1M events, one random generator per
chunk seeded from ``(seed, chunk)``: the same arguments give the same files, and the memory
needed does not grow with the number of events (100M events / 1M relations: a few hundred MB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

#: Version of the generated data: bump when the output changes (bench/run.py regenerates).
VERSION = 1
END = dt.date(2026, 10, 31)
YEARS = 2
CHUNK = 1_000_000
N_USERS = 200

#: (source, action, weight): history and correspondence dominate, as in a real CRM.
PAIRS: tuple[tuple[str, str, float], ...] = (
    ("history", "added", 0.16),
    ("history", "modified", 0.12),
    ("note", "added", 0.05),
    ("correspondence", "added", 0.27),
    ("marketing", "mailing_sent", 0.10),
    ("helpdesk", "call_added", 0.05),
    ("helpdesk", "call_modified", 0.05),
    ("helpdesk", "call_closed", 0.04),
    ("sales", "suspect_added", 0.025),
    ("sales", "suspect_to_quote", 0.015),
    ("sales", "quote_added", 0.035),
    ("sales", "quote_to_order", 0.015),
    ("sales", "order_added", 0.02),
    ("sales", "quote_expired", 0.015),
    ("sales", "invoice_added", 0.03),
)
DEPARTMENTS = (
    ("Sales", 70),
    ("Marketing", 30),
    ("Service", 60),
    ("Finance", 20),
    ("Management", 20),
)
CITIES = (
    ("Amsterdam", "10", 52.37, 4.90),
    ("Rotterdam", "30", 51.92, 4.48),
    ("Den Haag", "25", 52.08, 4.30),
    ("Utrecht", "35", 52.09, 5.12),
    ("Eindhoven", "56", 51.44, 5.47),
    ("Groningen", "97", 53.22, 6.57),
    ("Tilburg", "50", 51.56, 5.09),
    ("Almere", "13", 52.37, 5.21),
    ("Breda", "48", 51.59, 4.78),
    ("Nijmegen", "65", 51.84, 5.86),
    ("Zwolle", "80", 52.52, 6.09),
    ("Leeuwarden", "89", 53.20, 5.80),
)
NORTH = {"Groningen", "Leeuwarden", "Zwolle"}
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("relation_id", pa.string()),
        ("user_id", pa.string()),
        ("timestamp", pa.timestamp("us")),
        ("source", pa.string()),
        ("action", pa.string()),
        ("channel", pa.string()),
        ("direction", pa.string()),
        ("subject", pa.string()),
        ("body", pa.string()),
        ("amount", pa.float64()),
        ("status", pa.string()),
        ("reference", pa.string()),
    ]
)
CHANNELS = ("phone", "meeting", "visit", "trade_show", "email", "letter", "web", "other")


def _codes(prefix: str, n: int, width: int, start: int = 1) -> pa.Array:
    """``prefix`` + zero-padded numbers ``start .. start + n - 1`` as an Arrow string array."""
    nums = pa.array(np.arange(start, start + n, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, width, "0"), "")


def _take(values, codes: np.ndarray) -> pa.Array:
    """Strings ``values[codes]``; a negative code is a null."""
    return pa.array(list(values), pa.string()).take(pa.array(codes, mask=codes < 0))


def relations(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The relations, their B-groups and their activity weights (0 for those without events)."""
    rng = np.random.default_rng([seed, 0])
    ids = _codes("R", n, 7).to_pandas()
    city = rng.integers(len(CITIES), size=n)
    c = np.array([x[0] for x in CITIES], dtype=object)[city]
    pc2 = np.array([x[1] for x in CITIES], dtype=object)[city]
    lat = np.array([x[2] for x in CITIES])[city] + rng.normal(0, 0.05, n)
    lon = np.array([x[3] for x in CITIES])[city] + rng.normal(0, 0.05, n)
    no_coords = rng.random(n) < 0.08
    lat[no_coords] = np.nan
    lon[no_coords] = np.nan
    letters = np.array(list("ABCDEGHJKLMNPRSTVWXZ"), dtype=object)
    postcode = (
        pc2
        + pd.Series(rng.integers(10, 100, n)).astype(str).to_numpy(object)
        + " "
        + letters[rng.integers(len(letters), size=n)]
        + letters[rng.integers(len(letters), size=n)]
    )
    rel = pd.DataFrame(
        {
            "relation_id": ids,
            "name": "Relatie " + ids.str[1:],
            "address": "Dorpsstraat " + pd.Series(rng.integers(1, 300, n)).astype(str),
            "postcode": postcode,
            "city": c,
            "country": "NL",
            "lat": lat.round(6),
            "lon": lon.round(6),
            "colour": "",
        }
    )
    weight = rng.lognormal(0.0, 1.4, n)
    weight[rng.random(n) < 0.12] = 0.0  # no events at all
    if not weight.any():
        weight[0] = 1.0
    top = weight >= np.quantile(weight, 0.95)
    prospect = (weight > 0) & (weight < np.quantile(weight, 0.3)) & (rng.random(n) < 0.5)
    north = np.isin(c, list(NORTH))
    groups = pd.concat(
        [
            pd.DataFrame({"relation_id": ids[m], "group": g})
            for g, m in (("top customers", top), ("prospects", prospect), ("region north", north))
        ],
        ignore_index=True,
    )
    return rel, groups, weight


def users(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng([seed, 1])
    dept = np.concatenate([[d] * k for d, k in DEPARTMENTS])
    ids = [f"U{i:03d}" for i in range(1, N_USERS + 1)]
    u = pd.DataFrame(
        {
            "user_id": ids,
            "name": [f"Medewerker {i:03d}" for i in range(1, N_USERS + 1)],
            "department": dept,
            "active": rng.random(N_USERS) >= 0.05,
        }
    )
    sales = u.user_id[u.department == "Sales"].tolist()
    service = u.user_id[u.department == "Service"].tolist()
    groups = (
        [(x, "inside sales") for x in sales[:15]]
        + [(x, "key accounts") for x in sales[15:25] + ["U181", "U182"]]
        + [(x, "helpdesk 2nd line") for x in service[:10]]
    )
    return u, pd.DataFrame(groups, columns=["user_id", "group"])


def _days() -> tuple[np.ndarray, np.ndarray]:
    """Day numbers (seconds since the epoch of each day's start) and their weights."""
    start = dt.date(END.year - YEARS, END.month, END.day) + dt.timedelta(days=1)
    days = np.arange(np.datetime64(start), np.datetime64(END) + 1, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    weight = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.12, 0.05))
    grow = np.linspace(0.85, 1.15, len(days))  # a growing business
    return days.astype("datetime64[s]").astype(np.int64), weight * grow


def _per_day(n_events: int) -> tuple[np.ndarray, np.ndarray]:
    """Events per day (exactly ``n_events`` in total, largest remainder) and the days."""
    day_s, w = _days()
    exact = w / w.sum() * n_events
    counts = np.floor(exact).astype(np.int64)
    rest = n_events - counts.sum()
    counts[np.argsort(-(exact - counts), kind="stable")[:rest]] += 1
    return day_s, counts


def _chunks(counts: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Consecutive day ranges [a, b) of about ``size`` events each."""
    out, a, acc = [], 0, 0
    for i, k in enumerate(counts):
        acc += int(k)
        if acc >= size:
            out.append((a, i + 1))
            a, acc = i + 1, 0
    if a < len(counts):
        out.append((a, len(counts)))
    return out


def _event_chunk(
    rng: np.random.Generator,
    day_s: np.ndarray,
    counts: np.ndarray,
    first_id: int,
    cdf: np.ndarray,
    rel_ids: pa.Array,
    pools: dict[str, np.ndarray],
    user_ids: pa.Array,
) -> pa.Table:
    n = int(counts.sum())
    # time: the day, then a second in the day (office hours mostly), sorted
    day = np.repeat(day_s, counts)
    sec = np.clip(rng.normal(12.5 * 3600, 2.6 * 3600, n), 0, 86_399).astype(np.int64)
    evening = rng.random(n) < 0.04
    sec[evening] = rng.integers(0, 86_400, int(evening.sum()))
    ts = np.sort(day + sec)
    # relation (skewed) and source/action pair
    rel = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    np.minimum(rel, len(cdf) - 1, out=rel)
    w = np.array([p[2] for p in PAIRS])
    pair = np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right")
    np.minimum(pair, len(PAIRS) - 1, out=pair)
    src_names = [p[0] for p in PAIRS]
    src = np.array(src_names)[pair]
    act = np.array([p[1] for p in PAIRS])[pair]
    # the user: from the pool of the source's department
    user = np.empty(n, dtype=np.int64)
    for source, pool in pools.items():
        m = src == source
        user[m] = pool[rng.integers(len(pool), size=int(m.sum()))]
    # channel / direction / status / amount where they make sense
    chan = np.full(n, -1, dtype=np.int64)
    direc = np.full(n, -1, dtype=np.int64)
    status = np.full(n, -1, dtype=np.int64)
    amount = np.full(n, np.nan)
    u = rng.random(n)

    def pick(mask: np.ndarray, options: tuple[str, ...], p: tuple[float, ...]) -> None:
        k = int(mask.sum())
        chan[mask] = rng.choice([CHANNELS.index(o) for o in options], size=k, p=p)

    pick(
        src == "history",
        ("phone", "meeting", "visit", "trade_show", "other"),
        (0.55, 0.2, 0.15, 0.03, 0.07),
    )
    pick(src == "note", ("phone", "meeting", "other"), (0.5, 0.2, 0.3))
    pick(src == "correspondence", ("email", "letter", "web"), (0.85, 0.07, 0.08))
    pick(src == "helpdesk", ("phone", "email", "web"), (0.5, 0.35, 0.15))
    pick(src == "marketing", ("email",), (1.0,))
    corr = src == "correspondence"
    direc[corr] = (u[corr] < 0.45).astype(np.int64)  # 0 = in, 1 = out
    status[src == "helpdesk"] = 0
    status[act == "call_closed"] = 1
    priced = np.isin(
        act, ["quote_added", "quote_to_order", "order_added", "quote_expired", "invoice_added"]
    )
    k = int(priced.sum())
    amount[priced] = np.round(rng.lognormal(7.2, 1.1, k), 2)
    credit = (act == "invoice_added") & (u < 0.015)  # a few credit notes
    amount[credit] = -amount[credit]

    cols = {
        "event_id": _codes("E", n, 9, first_id),
        "relation_id": rel_ids.take(pa.array(rel)),
        "user_id": user_ids.take(pa.array(user)),
        "timestamp": pa.array(ts * 1_000_000, pa.int64()).cast(pa.timestamp("us")),
        "source": pa.array(src, pa.string()),
        "action": pa.array(act, pa.string()),
        "channel": _take(CHANNELS, chan),
        "direction": _take(("in", "out"), direc),
        "subject": pa.nulls(n, pa.string()),
        "body": pa.nulls(n, pa.string()),
        "amount": pa.array(amount, pa.float64(), from_pandas=True),
        "status": _take(("open", "closed"), status),
        "reference": pa.nulls(n, pa.string()),
    }
    return pa.Table.from_pydict(cols, schema=EVENT_SCHEMA)


def write(folder: str | Path, n_relations: int, n_events: int, seed: int = 20261031) -> dict:
    """Write the data set; returns its parameters (also written to ``generated.json``)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "generated.json").unlink(missing_ok=True)
    rel, rel_groups, weight = relations(n_relations, seed)
    rel.to_csv(folder / "relations.csv", index=False, lineterminator="\n")
    rel_groups.to_csv(folder / "relation_groups.csv", index=False, lineterminator="\n")
    rel_ids = pa.array(rel["relation_id"].to_numpy(object), pa.string())
    del rel, rel_groups
    usr, usr_groups = users(seed)
    usr.to_csv(folder / "users.csv", index=False, lineterminator="\n")
    usr_groups.to_csv(folder / "user_groups.csv", index=False, lineterminator="\n")
    dept = usr["department"].to_numpy()
    everyone = np.arange(N_USERS)
    sales = np.flatnonzero(dept == "Sales")
    # history and correspondence: mostly Sales (account managers), else anyone
    mostly_sales = np.concatenate([np.repeat(sales, 3), everyone])
    pools = {
        "history": mostly_sales,
        "note": mostly_sales,
        "correspondence": mostly_sales,
        "sales": sales,
        "helpdesk": np.flatnonzero(dept == "Service"),
        "marketing": np.flatnonzero(dept == "Marketing"),
    }
    user_ids = pa.array(usr["user_id"].tolist(), pa.string())
    cdf = np.cumsum(weight)
    day_s, counts = _per_day(n_events)
    tmp = folder / "events.parquet.tmp"
    first = 1
    with pq.ParquetWriter(tmp, EVENT_SCHEMA, compression="zstd") as writer:
        for k, (a, b) in enumerate(_chunks(counts, CHUNK)):
            rng = np.random.default_rng([seed, 2, k])
            table = _event_chunk(rng, day_s[a:b], counts[a:b], first, cdf, rel_ids, pools, user_ids)
            writer.write_table(table, row_group_size=2 * CHUNK)
            first += table.num_rows
            del table
    tmp.replace(folder / "events.parquet")
    params = {
        "generator": "bench/bigdata.py",
        "version": VERSION,
        "relations": n_relations,
        "events": n_events,
        "seed": seed,
        "format": "parquet",
    }
    (folder / "generated.json").write_text(json.dumps(params))
    return params


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--output", required=True)
    p.add_argument("--relations", type=int, required=True)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--seed", type=int, default=20261031)
    args = p.parse_args(argv)
    if args.relations < 1 or args.events < 1:
        p.error("need at least one relation and one event")
    start = time.perf_counter()
    write(args.output, args.relations, args.events, args.seed)
    print(
        f"{args.events:,} events, {args.relations:,} relations -> {args.output} "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
