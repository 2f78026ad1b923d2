"""Summaries (S6, S9) and one-sentence explanations per relation (B3), in Dutch and English.

* :func:`attention_summary`: share of relations with little (none + very little + little),
  average and much (much + very much) attention, and how it was computed.
* :func:`sales_summary`: the three sales areas with counts, revenue and how they were computed.
* :func:`explain` / :func:`explanations`: the sentence behind a relation's attention band,
  e.g. ``"3 contactmomenten, 0,2× het groepsgemiddelde; laatste: e-mail uit door JdV,
  41 dagen geleden"``.
* :func:`explain_sales` / :func:`sales_explanations`: the sentence behind its sales area.

The texts live in :mod:`aandacht.i18n`; band labels in :mod:`aandacht.bands`.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from aandacht.bands import AREAS, BANDS, BandResult, _exact_value, band_table, exact, label
from aandacht.i18n import (
    TEXT,
    check_lang,
    fmt_date,
    fmt_datetime,
    fmt_days_ago,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_ratio,
    fmt_relations,
    fmt_short,
    t,
)
from aandacht.sales import SalesView

__all__ = [
    "EXPORT_COLUMNS",
    "EXPORT_SALES_COLUMNS",
    "LISTED_COLUMNS",
    "grid_table",
    "monitor_workbook",
    "relations_text",
    "result_line",
    "settings_sheet",
    "users_text",
    "band_bins",
    "sales_bins",
    "summary_sheet",
    "ATTENTION_GROUPS",
    "AttentionSummary",
    "SalesSummary",
    "attention_summary",
    "describe_contact",
    "explain",
    "explain_sales",
    "explanations",
    "rounded_percentages",
    "sales_explanations",
    "sales_summary",
]

#: The three groups of the attention summary (S6) and the bands in each.
ATTENTION_GROUPS: dict[str, tuple[str, ...]] = {
    "little": ("none", "very_little", "little"),
    "average": ("average",),
    "much": ("much", "very_much"),
}


@dataclass
class AttentionSummary:
    """Result of :func:`attention_summary`.

    Attributes
    ----------
    n : int
        Measured relations.
    table : pandas.DataFrame
        One row per group (``little``, ``average``, ``much``): ``group, label, bands, count,
        share, percent``; ``percent`` is rounded to whole numbers that add up to 100.
    text : str
        One line per group, e.g. ``"20% weinig aandacht (1 relaties)"``.
    how : str
        How the figures were computed.
    lang : str
    """

    n: int
    table: pd.DataFrame
    text: str
    how: str
    lang: str


@dataclass
class SalesSummary:
    """Result of :func:`sales_summary`.

    Attributes
    ----------
    n : int
        Relations in the sales view (excluded ones not counted).
    excluded : int
        Relations excluded (no contact moments, no revenue).
    table : pandas.DataFrame
        One row per area: ``area, label, count, share, percent, revenue, revenue_share``.
    text : str
        One line per area.
    how : str
        How ``A``, the index and the areas were computed.
    lang : str
    """

    n: int
    excluded: int
    table: pd.DataFrame
    text: str
    how: str
    lang: str


def rounded_percentages(counts: list[int]) -> list[int]:
    """Whole percentages of ``counts`` that add up to exactly 100 (largest remainder).

    >>> rounded_percentages([1, 1, 1])
    [34, 33, 33]
    >>> rounded_percentages([0, 0])
    [0, 0]
    """
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    exact = [Fraction(100 * c, total) for c in counts]
    floors = [math.floor(x) for x in exact]
    left = 100 - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def attention_summary(result: BandResult, lang: str = "nl") -> AttentionSummary:
    """Share of relations with little, average and much attention, and how it was computed.

    Parameters
    ----------
    result : BandResult
        From :func:`aandacht.bands.classify` on the totals of all measured relations.
    lang : {"nl", "en"}

    Examples
    --------
    >>> from aandacht.bands import classify
    >>> print(attention_summary(classify([0, 1, 2, 4, 9]), "en").text)
    60% little attention (3 relations)
    20% average attention (1 relation)
    20% much attention (1 relation)
    """
    check_lang(lang)
    counts = [sum(result.counts[b] for b in bands) for bands in ATTENTION_GROUPS.values()]
    pcts = rounded_percentages(counts)
    n = result.n
    table = pd.DataFrame(
        {
            "group": pd.array(list(ATTENTION_GROUPS), dtype="str"),
            "label": pd.array([t(f"group_{g}", lang) for g in ATTENTION_GROUPS], dtype="str"),
            "bands": [", ".join(b) for b in ATTENTION_GROUPS.values()],
            "count": np.array(counts, dtype=np.int64),
            "share": [c / n if n else 0.0 for c in counts],
            "percent": np.array(pcts, dtype=np.int64),
        }
    )
    text = "\n".join(
        t(
            "summary_line",
            lang,
            pct=f"{p}%",
            group=t(f"group_{g}", lang),
            relations=fmt_relations(c, lang),
        )
        for g, c, p in zip(ATTENTION_GROUPS, counts, pcts, strict=True)
    )
    how = " ".join(
        [
            _how_strategy(result, lang),
            t("how_none", lang),
            t("summary_groups", lang, n=fmt_number(n, lang)),
        ]
    )
    return AttentionSummary(n=n, table=table, text=text, how=how, lang=lang)


def sales_summary(view: SalesView, lang: str = "nl") -> SalesSummary:
    """The three sales areas with counts and revenue, and how they were computed.

    Parameters
    ----------
    view : SalesView
        From :func:`aandacht.sales.sales_view`.
    lang : {"nl", "en"}
    """
    check_lang(lang)
    areas = view.areas
    counts = [int(c) for c in areas["count"]]
    pcts = rounded_percentages(counts)
    table = pd.DataFrame(
        {
            "area": areas["area"],
            "label": pd.array([label(a, lang) for a in areas["area"]], dtype="str"),
            "count": areas["count"],
            "share": areas["share"],
            "percent": np.array(pcts, dtype=np.int64),
            "revenue": areas["revenue"],
            "revenue_share": areas["revenue_share"],
        }
    )
    lines = []
    for row, p in zip(table.itertuples(index=False), pcts, strict=True):
        rs = row.revenue_share
        lines.append(
            t(
                "sales_area_line",
                lang,
                label=_capital(row.label),
                relations=fmt_relations(int(row.count), lang),
                pct=f"{p}%",
                revenue=fmt_money(row.revenue, lang),
                revenue_pct="–" if pd.isna(rs) else fmt_percent(rs, lang),
            )
        )
    a = view.average_revenue_per_contact
    how = [
        t(
            "sales_how",
            lang,
            a="–" if math.isnan(a) else fmt_money(a, lang),
            revenue=fmt_money(view.total_revenue, lang),
            contacts=fmt_short(view.total_contacts, lang, 2),
            n=fmt_number(view.n, lang),
        )
    ]
    if view.strategy in ("relative", "fixed", "per_month") and view.thresholds:
        th = view.thresholds
        how.append(t("sales_how_relative", lang, t2=_num(th[1], lang), t3=_num(th[2], lang)))
    else:
        how.append(t("sales_how_other", lang, strategy=view.strategy))
    n_ex = len(view.excluded)
    if n_ex:
        how.append(t("sales_excluded_count", lang, relations=fmt_relations(n_ex, lang)))
    return SalesSummary(
        n=view.n, excluded=n_ex, table=table, text="\n".join(lines), how=" ".join(how), lang=lang
    )


# --------------------------------------------------------------------------------------------
# explanations


def describe_contact(
    source: Any = None,
    action: Any = None,
    channel: Any = None,
    direction: Any = None,
    lang: str = "nl",
) -> str:
    """What a contact moment was, in a few words: ``e-mail uit``, ``offerte``, ``telefoon``.

    Sales and helpdesk moments are named by their action; others by their channel (with
    direction), falling back to the source.

    >>> describe_contact("correspondence", "added", "email", "out", "nl")
    'e-mail uit'
    >>> describe_contact("sales", "quote_added", "email", None, "en")
    'quote'
    """
    source, action, channel, direction = (_str(x) for x in (source, action, channel, direction))
    key = f"action_{source}_{action}"
    if source in ("sales", "helpdesk") and _has(key):
        return t(key, lang)
    if channel and _has(f"channel_{channel}"):
        what = t(f"channel_{channel}", lang)
        if direction and _has(f"direction_{direction}"):
            what += " " + t(f"direction_{direction}", lang)
        return what
    if _has(key):
        return t(key, lang)
    if source and _has(f"source_{source}"):
        return t(f"source_{source}", lang)
    return ""


def explain(
    row: Mapping[str, Any] | pd.Series,
    result: BandResult,
    lang: str = "nl",
    band: str | None = None,
) -> str:
    """One sentence explaining a relation's attention band.

    Parameters
    ----------
    row : mapping or Series
        The relation's row of the counting result: ``total``, and when present ``dgn``,
        ``last_user``, ``last_source``, ``last_action``, ``last_channel``, ``last_direction``.
    result : BandResult
        The banding of the group the relation belongs to (gives the average, thresholds, …).
    lang : {"nl", "en"}
    band : str, optional
        The relation's band; default ``row["band"]``.

    Examples
    --------
    >>> from aandacht.bands import classify
    >>> r = classify([3, 10, 20, 27])
    >>> row = {"total": 3, "band": "very_little", "dgn": 41, "last_user": "JdV",
    ...        "last_source": "correspondence", "last_action": "added",
    ...        "last_channel": "email", "last_direction": "out"}
    >>> explain(row, r, "nl")
    '3 contactmomenten, 0,2× het groepsgemiddelde; laatste: e-mail uit door JdV, 41 dagen geleden'
    >>> explain({"total": 0, "band": "none", "dgn": None}, r, "en")
    'no contact ever'
    """
    check_lang(lang)
    get = row.get
    total = get("total")
    if band is None:
        band = get("band")
    if band is None or pd.isna(band):
        raise ValueError("explain needs the relation's band (row['band'] or band=)")
    dgn = get("dgn")
    has_dgn = dgn is not None and not pd.isna(dgn)
    if band == "none":
        if not has_dgn:
            return t("never_contact", lang)
        ago = fmt_days_ago(int(dgn), lang)
        return f"{t('none_in_period', lang)}; {t('last_contact_ago', lang, ago=ago)}"
    parts = [_contacts(total, lang)]
    basis = _basis(total, band, result, lang)
    if basis:
        parts[0] += f", {basis}"
    last = _last(row, lang)
    if last:
        parts.append(last)
    return "; ".join(parts)


def explanations(df: pd.DataFrame, result: BandResult, lang: str = "nl") -> pd.Series:
    """:func:`explain` for every row of ``df`` (the table ``result`` was computed from).

    The bands are taken from ``result.yb`` in row order. Returns a ``str`` Series on
    ``df.index`` named ``explanation``.
    """
    check_lang(lang)
    if len(df) != result.n:
        raise ValueError(
            f"explanations: the table has {len(df)} rows but the banding has {result.n}"
        )
    # The same sentences as explain() row by row, from cached parts: the count and its basis
    # depend on (total, band) only, what the last contact was on a few codes, "n days ago" on
    # dgn. For 100,000 relations that is some thousand distinct parts instead of 100,000
    # sentences built from scratch.
    n = len(df)

    def column(name: str) -> list:
        return df[name].tolist() if name in df.columns else [None] * n

    totals, dgns = column("total"), column("dgn")
    codes = zip(
        *(column(c) for c in ("last_source", "last_action", "last_channel", "last_direction")),
        strict=True,
    )
    users = column("last_user")
    counted: dict = {}
    what: dict = {}
    ago: dict = {}

    def days_ago(d: Any) -> str | None:
        if d is None or pd.isna(d):
            return None
        d = int(d)
        if d not in ago:
            ago[d] = fmt_days_ago(d, lang)
        return ago[d]

    # the two templates filled on every row, looked up once (t() checks the key each time)
    last_tpl, by_tpl = t("last", lang, what="\0"), t("by_user", lang, user="\0")
    out = []
    for total, band, dgn, code, user in zip(totals, result.yb, dgns, codes, users, strict=True):
        if band == "none":
            when = days_ago(dgn)
            if when is None:
                out.append(t("never_contact", lang))
            else:
                out.append(f"{t('none_in_period', lang)}; {t('last_contact_ago', lang, ago=when)}")
            continue
        key = (total, band)
        if key not in counted:
            first = _contacts(total, lang)
            basis = _basis(total, band, result, lang)
            counted[key] = f"{first}, {basis}" if basis else first
        if code not in what:
            what[code] = describe_contact(*code, lang)
        last = what[code]
        user = _str(user)
        if user:
            last = f"{last} {by_tpl.replace(chr(0), user)}".strip()
        when = days_ago(dgn)
        if when is not None:
            last = f"{last}, {when}" if last else when
        out.append(f"{counted[key]}; {last_tpl.replace(chr(0), last)}" if last else counted[key])
    return pd.Series(out, index=df.index, name="explanation", dtype="str")


def explain_sales(
    row: Mapping[str, Any] | pd.Series,
    contacts: Any,
    lang: str = "nl",
    thresholds: Any = None,
) -> str:
    """One sentence explaining a relation's sales area.

    Parameters
    ----------
    row : mapping or Series
        The relation's row of :attr:`SalesView.table`.
    contacts : number
        Its contact moments (``total``).
    lang : {"nl", "en"}
    thresholds : sequence, optional
        Index thresholds; the index is then shown with enough decimals not to seem to cross
        one (0.749 is not shown as 0.75).

    Examples
    --------
    >>> row = {"revenue": 12000.0, "attention_index": 0.4, "sales_area": "insufficient",
    ...        "expected_contacts": 8.0, "contact_gap": 5.0}
    >>> explain_sales(row, 3, "en")
    '3 contact moments for €12,000 revenue (index 0.4): 5 contacts short of the expected 8'
    """
    check_lang(lang)
    get = row.get
    if get("sales_area") == "excluded":
        return t("sales_excluded", lang)
    raw_index = get("attention_index")
    index = float(raw_index)
    revenue = fmt_money(float(get("revenue")), lang)
    expected = float(get("expected_contacts"))
    if index == 0:
        exp = _contacts(expected, lang)
        return t("sales_no_contacts", lang, revenue=revenue, expected=exp)
    if math.isinf(index):
        return t("sales_no_revenue", lang, contacts=_contacts(contacts, lang))
    if index < 0:
        return t(
            "sales_negative_revenue", lang, contacts=_contacts(contacts, lang), revenue=revenue
        )
    gap = float(get("contact_gap"))
    kw = {
        "contacts": _contacts(contacts, lang),
        "revenue": revenue,
        "index": fmt_ratio(index, lang)
        if not thresholds
        else _fmt_against(
            raw_index if isinstance(raw_index, Fraction | int) else Fraction(index),
            _exact_tuple(tuple(thresholds)),
            lang,
        ),
        "expected": fmt_short(expected, lang, 1),
    }
    shown = fmt_short(abs(gap), lang, 1)
    if shown == "0":
        return t("sales_in_line", lang, **kw)
    gap_text = t("gap_1" if shown == "1" else "gap_n", lang, n=shown)
    return t("sales_short" if gap > 0 else "sales_over", lang, gap=gap_text, **kw)


def sales_explanations(view: SalesView, lang: str = "nl") -> pd.Series:
    """:func:`explain_sales` for every relation of the view (index of ``view.table``)."""
    check_lang(lang)
    th = view.thresholds if view.strategy in ("relative", "fixed", "per_month") else None
    out = []
    keys = ("sales_area", "attention_index", "revenue", "expected_contacts", "contact_gap")
    columns = [view.table[k].tolist() for k in keys]
    for values, c, x in zip(
        zip(*columns, strict=True), view.contacts, view.exact_index, strict=True
    ):
        row = dict(zip(keys, values, strict=True))
        if x is not None:
            row["attention_index"] = x  # exact, so rounding never seems to cross a threshold
        out.append(explain_sales(row, c, lang, th))
    return pd.Series(out, index=view.table.index, name="explanation", dtype="str")


# --------------------------------------------------------------------------------------------
# helpers


def summary_sheet(
    result: BandResult, view: SalesView | None = None, lang: str = "nl"
) -> pd.DataFrame:
    """The "Summary" sheet of an Excel export: per attention band its count, share and range,
    the attention summary's sentences, and with a sales view (``view``) its bands with revenue
    and the sales summary; columns titled in ``lang``."""
    rows: list[dict[str, Any]] = [{"item": t("summary_attention", lang)}]
    for r in band_table(result).itertuples(index=False):
        rows.append(
            {
                "item": label(r.band, lang),
                "count": int(r.count),
                "share": float(r.share),
                "min": None if pd.isna(r.min) else r.min,
                "max": None if pd.isna(r.max) else r.max,
            }
        )
    s = attention_summary(result, lang)
    rows += [{"item": line} for line in s.text.splitlines()] + [{"item": s.how}]
    if view is not None:
        rows.append({"item": ""})
        rows.append({"item": t("summary_sales", lang)})
        for r in view.bands.itertuples(index=False):
            rows.append(
                {
                    "item": label(r.band, lang),
                    "count": int(r.count),
                    "share": float(r.share),
                    "revenue": float(r.revenue),
                    "revenue_share": None if pd.isna(r.revenue_share) else float(r.revenue_share),
                }
            )
        ss = sales_summary(view, lang)
        rows += [{"item": line} for line in ss.text.splitlines()] + [{"item": ss.how}]
    cols = ["item", "count", "share", "min", "max", "revenue", "revenue_share"]
    df = pd.DataFrame(rows, columns=cols)
    return df.rename(columns={c: t(f"col_{c}", lang) for c in cols})


def band_bins(result: BandResult, lang: str = "nl") -> pd.DataFrame:
    """The distribution's bins of an attention banding: per band ``band``, ``colour``,
    ``label``, ``count``, ``min``, ``max`` and ``hint``, the hover text with the band's range of
    contact moments, in ``lang``."""
    bt = band_table(result)
    hints = []
    for row in bt.itertuples(index=False):
        if row.count == 0:
            hints.append(t("bin_empty", lang))
        elif row.band == "none":
            hints.append(t("none_in_period", lang))
        elif row.min == row.max:
            key = (
                "contact_moment" if row.min == 1 else "contact_moments"
            )  # "exactly 1 contact moment"
            hints.append(t(key, lang, n=t("bin_range_one", lang, n=_num(row.min, lang))))
        else:
            hints.append(t("bin_range", lang, low=_num(row.min, lang), high=_num(row.max, lang)))
    return pd.DataFrame(
        {
            "band": bt["band"].astype(str),
            "colour": bt["colour"].astype(str),
            "label": [label(x, lang) for x in bt["band"]],
            "count": bt["count"].astype(int),
            "min": bt["min"],
            "max": bt["max"],
            "hint": hints,
        }
    )


def sales_bins(view: SalesView, lang: str = "nl") -> pd.DataFrame:
    """The distribution's bins of a sales view: per band ``band``, ``colour``, ``label``,
    ``count``, ``revenue``, ``revenue_share`` and ``hint``, the hover text with the band's range
    of revenue per contact moment and its revenue, in ``lang``."""
    b = view.bands
    hints = []
    for row in b.itertuples(index=False):
        if row.count == 0:
            hints.append(t("bin_empty", lang))
            continue
        lo, hi = row.revenue_per_contact_min, row.revenue_per_contact_max
        rpc = (
            t("bin_rpc_none", lang)
            if pd.isna(lo)
            else t("bin_rpc", lang, low=fmt_money(lo, lang), high=fmt_money(hi, lang))
        )
        share = "–" if pd.isna(row.revenue_share) else fmt_percent(row.revenue_share, lang)
        rev = t("bin_revenue", lang, revenue=fmt_money(row.revenue, lang), share=share)
        hints.append(f"{rpc}; {rev}")
    return pd.DataFrame(
        {
            "band": b["band"].astype(str),
            "colour": b["colour"].astype(str),
            "label": [label(x, lang) for x in b["band"]],
            "count": b["count"].astype(int),
            "revenue": b["revenue"].astype(float),
            "revenue_share": b["revenue_share"].astype(float),
            "hint": hints,
        }
    )


def users_text(selection: Mapping[str, Any], lang: str = "nl") -> str:
    """Whose contact moments a stored selection (``Selection`` as a dict) counts, in words."""
    if selection.get("users"):
        return t("users_one_text", lang, user=", ".join(selection["users"]))
    if selection.get("user_group"):
        return t("users_group_text", lang, group=selection["user_group"])
    return t("users_all_text", lang)


def relations_text(
    selection: Mapping[str, Any], lang: str = "nl", selection_file: str | None = None
) -> str:
    """Which relations a stored selection measures, in words (``selection_file``: the name of
    the uploaded file of relations, when that is how they were chosen)."""
    if selection.get("b_group"):
        return t("relations_b_group_text", lang, group=selection["b_group"])
    if selection.get("relations"):
        return t(
            "relations_file_text",
            lang,
            file=selection_file or "?",
            n=fmt_number(len(selection["relations"]), lang),
        )
    return t("relations_all_text", lang)


def result_line(
    selection: Mapping[str, Any],
    n_relations: int,
    lang: str = "nl",
    selection_file: str | None = None,
) -> str:
    """One line saying what a result of ``n_relations`` relations covers: whose contact
    moments, which relations, the period and the as-of date."""
    return t(
        "result_line",
        lang,
        relations=fmt_relations(n_relations, lang),
        users=users_text(selection, lang),
        scope=relations_text(selection, lang, selection_file),
        start=fmt_date(selection.get("period_from"), lang),
        end=fmt_date(selection.get("period_to"), lang),
        as_of=fmt_date(selection.get("as_of"), lang),
    )


def settings_sheet(
    selection: Mapping[str, Any],
    lang: str = "nl",
    *,
    data: str,
    strategy: str,
    thresholds: Any,
    calculated_at: Any,
    privacy: bool,
    n_rows: int,
    selected: bool,
    revenue: str | None = None,
    show_revenue: bool = True,
    selection_file: str | None = None,
    exported_at: Any = None,
) -> pd.DataFrame:
    """The "Settings" sheet of an Excel export: how the exported figures were made (data,
    selection, period, banding, when) as setting/value rows, in ``lang``.

    ``revenue``: the revenue basis shown (``None``: no sales view). Without ``show_revenue``
    (a principal who may not see revenue) the revenue row is left out, not even its word.
    ``selected``: the export holds the ``n_rows`` rows chosen in the grid, not all.
    """
    when = exported_at if exported_at is not None else dt.datetime.now()
    rows = [
        ("set_data", data),
        ("set_users", users_text(selection, lang)),
        ("set_relations", relations_text(selection, lang, selection_file)),
        (
            "set_period",
            t(
                "period_text",
                lang,
                start=fmt_date(selection.get("period_from"), lang),
                end=fmt_date(selection.get("period_to"), lang),
            ),
        ),
        ("set_as_of", fmt_date(selection.get("as_of"), lang)),
        ("set_revenue", t(f"revenue_{revenue}", lang) if revenue else "–"),
        ("set_strategy", t(f"strategy_{strategy}", lang)),
        ("set_thresholds", " / ".join(_num(x, lang) for x in thresholds) if thresholds else "–"),
        ("set_calculated_at", fmt_datetime(calculated_at, lang)),
        ("set_exported_at", fmt_datetime(when, lang)),
        ("set_privacy", t("yes" if privacy else "no", lang)),
        (
            "set_rows",
            t(
                "set_rows_selected" if selected else "set_rows_all",
                lang,
                n=fmt_number(n_rows, lang),
            ),
        ),
    ]
    if not show_revenue:
        rows = [r for r in rows if r[0] != "set_revenue"]
    return pd.DataFrame(
        {
            t("col_setting", lang): [t(k, lang) for k, _ in rows],
            t("col_value", lang): [v for _, v in rows],
        }
    )


def _how_strategy(result: BandResult, lang: str) -> str:
    name = result.name
    th = " / ".join(_num(x, lang) for x in (result.thresholds or ()))
    if name == "relative":
        ref = getattr(result, "reference", None)
        mean = "–" if ref is None else fmt_short(float(ref), lang, 2)
        return t("how_relative", lang, mean=mean, thresholds=th)
    if name == "quantile":
        th = " / ".join(fmt_percent(float(x), lang) for x in result.thresholds)
        return t("how_quantile", lang, thresholds=th)
    if name == "per_month":
        return t("how_per_month", lang, days=_num(result.period_days, lang), thresholds=th)
    if name == "fixed":
        return t("how_fixed", lang, thresholds=th)
    if name == "natural_breaks":
        return t("how_natural_breaks", lang)
    return ""


def _basis(total: Any, band: str, result: BandResult, lang: str) -> str:
    """The figure the band rests on: ratio to the mean, rate per month, rank, or bounds."""
    name = result.name
    value = Fraction(_exact_value(total))
    if name == "relative":
        ref = getattr(result, "reference", None)
        if not ref:
            return ""
        ratio = _fmt_against(value / ref, result.exact_thresholds, lang)
        return t("basis_relative", lang, ratio=ratio)
    if name == "per_month":
        rate = _fmt_against(value * 30 / result.period_days, result.exact_thresholds, lang)
        return t("basis_per_month", lang, rate=rate)
    if name == "quantile":
        below = result.share_below(value)
        if below == 0:
            return t("basis_quantile_lowest", lang)
        return t("basis_quantile", lang, pct=fmt_percent(float(below), lang))
    # fixed, natural_breaks: the band's own bounds on the contact-moment scale
    i = list(BANDS).index(band)
    bins = [None, None, *result.exact_bins, None]  # lower bound of band i is bins[i]
    low, high = bins[i], bins[i + 1] if i + 1 < len(bins) else None
    name_band = label(band, lang)
    if low is not None and high is not None:
        return t(
            "basis_bounds_below", lang, band=name_band, low=_num(low, lang), high=_num(high, lang)
        )
    if low is not None:
        return t("basis_bounds", lang, band=name_band, low=_num(low, lang))
    if high is not None:
        return t("basis_below", lang, band=name_band, high=_num(high, lang))
    return ""


@functools.lru_cache(maxsize=64)
def _exact_tuple(thresholds: tuple) -> tuple[Fraction, ...]:
    return tuple(exact(x) for x in thresholds)


@functools.lru_cache(maxsize=64)
def _cuts(thresholds: tuple) -> tuple[list[Fraction], list[float]]:
    cuts = [Fraction(c) for c in thresholds]
    return cuts, [float(c) for c in cuts]


def _fmt_against(value: Fraction, thresholds: Any, lang: str) -> str:
    """Like :func:`fmt_ratio`, with more decimals where rounding would cross a threshold.

    So that a ratio of 1.49 is never shown as ``1,5`` next to a threshold of 1.5.
    """
    if value == 0:
        return "0"
    x = float(value)
    decimals = 0 if x >= 10 else 1 if x >= 1 else max(1, 1 - math.floor(math.log10(x)))
    cuts, fcuts = _cuts(tuple(thresholds))
    for d in range(decimals, 10):
        # floats decide when the value is clear of the cuts and of a half-way point of the
        # rounding (then round() of the float and of the exact value give the same number)
        shown_f = round(x, d)
        scaled = abs(x) * 10**d
        if abs(scaled - math.floor(scaled) - 0.5) > 1e-6 and all(
            abs(x - c) > 1e-9 * max(1.0, abs(c)) and abs(shown_f - c) > 1e-9 * max(1.0, abs(c))
            for c in fcuts
        ):
            if all((shown_f >= c) == (x >= c) for c in fcuts):
                return fmt_short(shown_f, lang, d)
            continue
        value = Fraction(value)
        shown = round(value, d)
        if all((shown >= c) == (value >= c) for c in cuts):
            return fmt_short(float(shown), lang, d)
    return fmt_short(x, lang, 9)


def _last(row: Mapping[str, Any] | pd.Series, lang: str) -> str:
    get = row.get
    what = describe_contact(
        get("last_source"), get("last_action"), get("last_channel"), get("last_direction"), lang
    )
    user = _str(get("last_user"))
    if user:
        what = f"{what} {t('by_user', lang, user=user)}".strip()
    dgn = get("dgn")
    if dgn is not None and not pd.isna(dgn):
        ago = fmt_days_ago(int(dgn), lang)
        what = f"{what}, {ago}" if what else ago
    return t("last", lang, what=what) if what else ""


def _contacts(n: Any, lang: str) -> str:
    x = float(n)
    shown = fmt_short(x, lang, 1)
    return t("contact_moment" if shown == "1" else "contact_moments", lang, n=shown)


def _num(x: Any, lang: str) -> str:
    return fmt_short(float(x), lang, 2)


def _str(x: Any) -> str:
    if x is None:
        return ""
    try:
        if pd.isna(x):
            return ""
    except (TypeError, ValueError):
        pass
    return str(x)


def _has(key: str) -> bool:
    return key in TEXT


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


#: The grid table's columns taken from the result as they are.
_GRID_FROM_RESULT = [
    "colour",
    "relation_id",
    "name",
    "address",
    "postcode",
    "city",
    "total",
    "dgn",
    *[c for cat in ("history", "correspondence", "sales", "helpdesk") for c in (cat, f"{cat}_dgn")],
    "last_contact",
    "last_user",
]
#: The relations sheet of a monitor's Excel export (S12): the grid table's columns, in order.
EXPORT_COLUMNS = [
    *_GRID_FROM_RESULT[: _GRID_FROM_RESULT.index("dgn") + 1],
    "band",
    *_GRID_FROM_RESULT[_GRID_FROM_RESULT.index("dgn") + 1 :],
    "explanation",
]
#: ... and with a sales view.
EXPORT_SALES_COLUMNS = [
    "orders",
    "invoices",
    "revenue",
    "revenue_per_contact",
    "attention_index",
    "abc_class",
    "expected_contacts",
    "contact_gap",
    "sales_band",
    "sales_area",
    "sales_explanation",
]
#: The columns of a list of relations (a bin's relations, those left out of the sales view).
LISTED_COLUMNS = ["relation_id", "name", "address", "postcode", "city", "total", "dgn"]


def monitor_workbook(
    table: pd.DataFrame,
    banding: BandResult,
    sales: SalesView | None,
    lang: str = "nl",
    *,
    excluded: pd.DataFrame | None = None,
    selected: bool = False,
    **settings: Any,
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, Any]]]:
    """The sheets of a monitor's Excel export (S12) and their cell colours, titled in ``lang``.

    ``table``: the rows to export, with the grid table's canonical columns (those of
    :data:`EXPORT_COLUMNS` it has, and of :data:`EXPORT_SALES_COLUMNS` with a sales view);
    a column that is missing (taken out for a principal) is left out. ``excluded``: the
    relations left out of the sales view (a sheet of their own with a sales view).
    ``settings``: the arguments of :func:`settings_sheet` other than ``n_rows`` and
    ``selected``. Returns ``(sheets, fills)`` for :func:`aandacht.export.write_xlsx`.

    Everything here is presentation: call it on what the principal may see
    (:meth:`aandacht.Session.export_monitor` does).
    """
    cols = EXPORT_COLUMNS + (EXPORT_SALES_COLUMNS if sales is not None else [])
    cols = [c for c in cols if c in table.columns]
    rel = table[cols].rename(columns={c: t(f"col_{c}", lang) for c in cols})
    band_fill = {label(b, lang): BANDS[b].colour for b in BANDS}
    area_fill = {label(a, lang): AREAS[a].colour for a in AREAS}
    s_rel, s_sum = t("sheet_relations", lang), t("sheet_summary", lang)
    fills = {
        s_rel: {
            t("col_band", lang): band_fill.get,
            t("col_sales_band", lang): band_fill.get,
            t("col_sales_area", lang): area_fill.get,
        },
        s_sum: {t("col_item", lang): {**band_fill, **area_fill}.get},
    }
    sheets = {
        s_rel: rel,
        s_sum: summary_sheet(banding, sales, lang),
        t("sheet_settings", lang): settings_sheet(
            lang=lang, n_rows=len(table), selected=selected, **settings
        ),
    }
    if sales is not None and excluded is not None:
        listed = [c for c in LISTED_COLUMNS if c in excluded.columns]
        sheets[t("sheet_excluded", lang)] = excluded[listed].rename(
            columns={c: t(f"col_{c}", lang) for c in listed}
        )
    return sheets, fills


#: The sales view's columns the grid table takes from :attr:`SalesView.table`.
_GRID_FROM_SALES = [
    "revenue",
    "revenue_per_contact",
    "attention_index",
    "abc_class",
    "expected_contacts",
    "contact_gap",
]


def grid_table(
    result: pd.DataFrame,
    banding: BandResult,
    sales: SalesView | None = None,
    lang: str = "nl",
    *,
    extras: Mapping[str, Any] | None = None,
    with_sales_explanations: bool = True,
    privacy: bool = False,
) -> pd.DataFrame:
    """The dashboard's grid table (S5, S8): a result's rows with their band, colours and
    explanation in ``lang``, and with a sales view its columns (revenue, index, ABC, band,
    area) — canonical column names, texts in ``lang``; one row per relation, in the result's
    order.

    ``extras``: more columns (e.g. the trend and cadence columns): a frame, or a mapping of
    series, with a value per row of ``result``.
    ``with_sales_explanations``: also the sales sentences (one per relation; about 1 s at 100,000
    relations, so a dashboard makes them when the sales view is first shown).
    ``privacy``: codes, names and addresses pseudonymised (:func:`aandacht.privacy.pseudonymise`).
    """
    from aandacht.i18n import per_value, relation_colour, relation_colour_hex
    from aandacht.privacy import pseudonymise

    out = result[_GRID_FROM_RESULT].copy()
    # the relation's own colour (S4): its name in the chosen language and a checked swatch
    out["colour"] = per_value(result["colour"], lambda c: relation_colour(c, lang))
    out["colour_hex"] = per_value(result["colour"], relation_colour_hex)
    out["band_key"] = pd.array(banding.yb.astype(str), dtype="str")
    out["band"] = per_value(banding.yb, lambda b: label(b, lang))
    out["band_colour"] = per_value(banding.yb, lambda b: BANDS[b].colour)
    out["explanation"] = explanations(result, banding, lang).to_numpy()
    for col, values in ({} if extras is None else extras).items():
        out[col] = values.to_numpy()
    if sales is not None:
        st = sales.table
        for col in _GRID_FROM_SALES:
            out[col] = st[col].to_numpy()
        out["orders"] = result["orders"].to_numpy()
        out["invoices"] = result["invoices"].to_numpy()
        out["sales_band_key"] = st["sales_band"].to_numpy()
        out["sales_area_key"] = st["sales_area"].to_numpy()
        sb = st["sales_band"]
        out["sales_band"] = per_value(sb, lambda b: "" if b is None else label(b, lang))
        out["sales_band_colour"] = per_value(sb, lambda b: "" if b is None else BANDS[b].colour)
        out["sales_area"] = per_value(st["sales_area"], lambda a: label(a, lang))
        if with_sales_explanations:
            out["sales_explanation"] = sales_explanations(sales, lang).to_numpy()
    if privacy:
        out = pseudonymise(out, lang=lang)
    return out.reset_index(drop=True)
