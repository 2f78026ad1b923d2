"""The ``aandacht`` command line (stable; see ``docs/cli.md`` and the data-format contract).

::

    aandacht calculate --data PATH|URL [--from DATE] [--to DATE] [--as-of DATE]
                       [--users ID,ID | --user-group NAME]
                       [--b-group NAME | --selection FILE]
                       [--revenue orders|invoices|both]
                       [--strategy NAME] [--thresholds X,X,X,X]
                       [--output FILE.csv|FILE.xlsx]
    aandacht timeline  --data PATH|URL --relation ID [--from DATE] [--to DATE] [--output FILE]

Extensions (optional): ``--mapping FILE`` (a mapping file for CRM exports), ``--rules FILE``
(counting rules), ``--all-columns``; ``timeline`` also takes ``--users``/``--user-group`` and
``--as-of``; ``aandacht generate`` writes a synthetic data set and ``aandacht validate`` only
checks one; ``aandacht live-install --data postgresql://…`` installs the trigger and log table
the dashboard's live updates read (:mod:`aandacht.pglive`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

CONTRACT_COLUMNS = [
    "relation_id",
    "name",
    "total",
    "dgn",
    "band",
    "history",
    "history_dgn",
    "correspondence",
    "correspondence_dgn",
    "sales",
    "sales_dgn",
    "helpdesk",
    "helpdesk_dgn",
]
REVENUE_COLUMNS = ["revenue", "revenue_per_contact", "sales_band", "sales_area"]


_STARTED: list[float] = []


def _progress(stage: str | None) -> None:
    """One line per stage on standard error, only when that is a terminal (never in a log)."""
    import time

    try:
        if not sys.stderr.isatty():
            return
    except (AttributeError, ValueError):
        return
    now = time.perf_counter()
    if not _STARTED:
        _STARTED.append(now)
    took = f"{now - _STARTED[0]:5.1f} s"
    print(f"aandacht [{took}] {stage or 'done'}", file=sys.stderr, flush=True)


def _csv_list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [x.strip() for x in text.split(",") if x.strip()]
    return items


def _thresholds(text: str | None) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        return tuple(float(x) for x in text.split(","))
    except ValueError as exc:
        from .errors import AandachtError

        raise AandachtError(
            f"--thresholds '{text}' must be numbers separated by commas, e.g. 0.25,0.75,1.5,3"
        ) from exc


#: The output formats, by the extension of --output.
OUTPUT_EXTENSIONS = (".csv", ".xlsx")


def _check_output(output: str | None) -> None:
    """Refuse an --output whose extension says a format we do not write (before any work)."""
    if output is None or output == "-":
        return
    from pathlib import Path

    from .errors import AandachtError

    suffix = Path(output).suffix.lower()
    if suffix not in OUTPUT_EXTENSIONS:
        shown = suffix or "no extension"
        raise AandachtError(
            f"--output {output}: cannot write {shown}; name the file .csv or .xlsx "
            "(or leave --output out for CSV on standard output)"
        )


def workspace_option(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--workspace",
        choices=["auto", "yes", "no"],
        default="auto",
        help="read a folder through a validated copy sorted by relation, kept in "
        "~/.cache/aandacht (or $AANDACHT_CACHE) and made again when the files change; "
        "auto (default): as $AANDACHT_WORKSPACE says (yes/no), else for event files of "
        "32 MiB and more",
    )


def engine_option(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--engine",
        choices=["duckdb", "pyspark"],
        default="duckdb",
        help="duckdb (default, embedded) or pyspark: Apache Spark reads and counts (a local "
        "session, $SPARK_REMOTE, or a pyspark:// URL; needs pip install 'aandacht[spark]')",
    )


def _load(args: argparse.Namespace):
    from .load import load

    workspace = {"auto": None, "yes": True, "no": False}[getattr(args, "workspace", "auto")]
    engine = getattr(args, "engine", None)  # pyspark: aandacht.spark
    return load(args.data, args.mapping, workspace=workspace, engine=engine)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="aandacht",
        description="Attention monitor for CRM data: contact moments per relation.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--data", required=True, help="folder, .xlsx file or database URL")
        sp.add_argument("--mapping", help="mapping file (YAML) for a CRM export")
        sp.add_argument("--rules", help="counting rules CSV (source,action,counted,counted_under)")
        sp.add_argument("--from", dest="period_from", metavar="DATE", help="first day (incl.)")
        sp.add_argument("--to", dest="period_to", metavar="DATE", help="last day (incl.)")
        sp.add_argument("--as-of", dest="as_of", metavar="DATE", help='"now" (default: today)')
        who = sp.add_mutually_exclusive_group()
        who.add_argument("--users", help="user ids, comma separated")
        who.add_argument("--user-group", help="a user group or department")
        sp.add_argument("--output", help="FILE.csv or FILE.xlsx (default: CSV on stdout)")
        sp.add_argument(
            "--raw-csv",
            action="store_true",
            help="CSV for programs: do not neutralise text that a spreadsheet would run as a "
            "formula (by default such text gets a leading ')",
        )
        workspace_option(sp)
        engine_option(sp)

    c = sub.add_parser("calculate", help="contact moments per relation")
    common(c)
    rel = c.add_mutually_exclusive_group()
    rel.add_argument("--b-group", help="measure the relations of this B-group")
    rel.add_argument("--selection", help="measure the relations listed in this file")
    c.add_argument("--revenue", choices=["orders", "invoices", "both"], help="add the sales view")
    c.add_argument("--strategy", default="relative", help="band strategy (default: relative)")
    c.add_argument("--thresholds", help="four band thresholds, e.g. 0.25,0.75,1.5,3")
    c.add_argument(
        "--all-columns",
        action="store_true",
        help="also write NAW data, the last contact and revenue details",
    )

    t = sub.add_parser("timeline", help="every event of one relation, in time order")
    common(t)
    t.add_argument("--relation", required=True, help="the relation's code")

    v = sub.add_parser("validate", help="load and check a data set, report problems")
    v.add_argument("--data", required=True)
    v.add_argument("--mapping")
    workspace_option(v)
    engine_option(v)

    g = sub.add_parser("generate", help="write a synthetic Dutch CRM data set")
    g.add_argument("--output", required=True, help="folder to write")
    g.add_argument("--relations", type=int, default=400)
    g.add_argument("--events", type=int, default=150_000)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--end", default="2026-10-31", help="last day of the data (ISO date)")
    g.add_argument(
        "--format",
        choices=["parquet", "csv"],
        default="parquet",
        help="file format of the events table",
    )

    li = sub.add_parser(
        "live-install",
        help="install (or remove) the trigger and log table for live updates from PostgreSQL",
    )
    li.add_argument("--data", required=True, help="postgres://user@host/db URL")
    li.add_argument("--mapping", help="mapping file (tables.events.file: the events table)")
    li.add_argument("--uninstall", action="store_true", help="remove trigger, function and log")
    return p


def calculate_table(args: argparse.Namespace):
    """Run ``calculate`` and return the output DataFrame and its band details."""
    from . import bands as bands_mod
    from .engine import calculate
    from .selection import Selection, read_selection_file

    _progress("reading the data")
    data = _load(args)
    relations = None
    if args.selection:
        relations = read_selection_file(args.selection, data.relations["relation_id"])
    sel = Selection(
        users=tuple(_csv_list(args.users)) if args.users else None,
        user_group=args.user_group,
        b_group=args.b_group,
        relations=relations,
        period_from=args.period_from,
        period_to=args.period_to,
        as_of=args.as_of,
        revenue=args.revenue,
    )
    _progress(f"counting {len(data.relations):,} relations")
    res = calculate(data, sel, rules=args.rules, details=args.all_columns)
    _progress("bands" + (" and the sales view" if args.revenue else ""))
    thresholds = _thresholds(args.thresholds)
    params = {"period_days": sel.period_days()}
    banding = bands_mod.classify(
        res["total"], strategy=args.strategy, thresholds=thresholds, **params
    )
    res.insert(res.columns.get_loc("dgn") + 1, "band", list(banding.yb))
    columns = list(CONTRACT_COLUMNS)
    if args.revenue:
        from .sales import sales_view

        # --thresholds are index thresholds for `relative` and shares for `quantile`; for the
        # count-based strategies (fixed, per_month) they are counts, which mean nothing for the
        # attention index: the sales view then uses its own index thresholds.
        index_thresholds = thresholds if args.strategy in ("relative", "quantile") else None
        sv = sales_view(res, strategy=args.strategy, thresholds=index_thresholds, **params)
        extra = sv.table  # same rows, same order as res
        for col in (
            "revenue_per_contact",
            "attention_index",
            "sales_band",
            "sales_area",
            "expected_contacts",
            "contact_gap",
            "abc_class",
        ):
            if col in extra.columns:
                res[col] = extra[col].to_numpy()
        columns += REVENUE_COLUMNS
    if args.all_columns:
        columns += [c for c in res.columns if c not in columns]
    return res[columns], res


def _run_calculate(args) -> None:
    from .bands import BANDS
    from .export import write_table

    _check_output(args.output)
    _thresholds(args.thresholds)
    out, _full = calculate_table(args)
    colours = {name: band.colour for name, band in BANDS.items()}
    fills = {"Result": {c: (lambda v: colours.get(v)) for c in ("band", "sales_band")}}
    _progress(f"writing {len(out):,} rows" + (f" to {args.output}" if args.output else ""))
    write_table(out, args.output, sheet="Result", fills=fills, raw_csv=args.raw_csv)
    _progress(None)


def _run_timeline(args) -> None:
    from .engine import timeline
    from .export import write_table

    _check_output(args.output)
    data = _load(args)
    tl = timeline(
        data,
        args.relation,
        period_from=args.period_from,
        period_to=args.period_to,
        users=_csv_list(args.users),
        user_group=args.user_group,
        as_of=args.as_of,
        rules=args.rules,
    )
    write_table(tl, args.output, sheet="Timeline", raw_csv=args.raw_csv)


def _run_validate(args) -> None:
    data = _load(args)
    n = int(data.events.count().to_pandas())
    print(
        f"{args.data}: OK — {len(data.relations)} relations, {len(data.users)} users, "
        f"{n} events, {len(data.b_group_names())} B-groups, {len(data.group_names())} user groups"
    )
    if data.workspace:
        print(f"workspace (validated, sorted by relation): {data.workspace}")


def _run_generate(args) -> None:
    import datetime as dt

    from .generate import generate, write

    tables = generate(
        args.relations, args.events, seed=args.seed, end=dt.date.fromisoformat(args.end)
    )
    write(tables, args.output, events_format=args.format)
    print(
        f"wrote {args.output}: {len(tables['relations'])} relations, {len(tables['events'])} events"
    )


def _run_live_install(args) -> None:
    from .pglive import install

    print(install(args.data, args.mapping, remove=args.uninstall))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``aandacht`` command. Returns the exit code."""
    from .errors import AandachtError

    parser = build_parser()
    args = parser.parse_args(argv)
    if argv is None:  # a process of its own: a workspace is made after the answer
        from .workspace import defer_background_builds

        defer_background_builds()
    run = {
        "calculate": _run_calculate,
        "timeline": _run_timeline,
        "validate": _run_validate,
        "generate": _run_generate,
        "live-install": _run_live_install,
    }[args.command]
    try:
        run(args)
    except AandachtError as exc:
        print(f"aandacht {args.command}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # bad strategy names, thresholds
        print(f"aandacht {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piping into `head`: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"aandacht {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
