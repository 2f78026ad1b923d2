"""What a monitor's result shows, without widgets: result → banding → sales view → grid table,
bins and summary (S4, S5, S8, B1, B2).

A dashboard (or a notebook) holds one :class:`MonitorView` per shown result and makes a new one
when a setting changes: :meth:`MonitorView.build` for a new result, thresholds, language,
privacy mode or cadence settings; :meth:`MonitorView.for_view` when only the view ("Beeld":
attention, sources, sales) changes — that re-bins without banding again. Every figure comes
through the :class:`aandacht.Session` given, so the principal's permissions apply; the texts are
in the chosen language; the view is immutable, so sessions may share it.

>>> import aandacht
>>> session = aandacht.Session(aandacht.load("data_samples"))
>>> sel = aandacht.Selection(as_of="2026-10-31")
>>> view = MonitorView.build(session, session.calculate(sel), selection=sel, lang="en")
>>> view.grid_columns()[:4]
['colour', 'relation_id', 'name', 'total']
>>> int(view.bins["count"].sum()) == len(view.result)
True
>>> view.for_view("sales").view_mode  # no revenue in the result: the attention view stays
'attention'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import bands as bands_mod
from . import cadence as cadence_mod
from . import summary as summary_mod
from . import trend as trend_mod
from .errors import AandachtError
from .i18n import per_value, t
from .schema import CATEGORIES

if TYPE_CHECKING:
    from .sales import SalesView
    from .selection import Selection
    from .service import Session

#: The counted categories, one pair of grid columns each in the sources view.
SOURCES = CATEGORIES
VIEW_MODES = ("attention", "sources", "sales")

#: Columns of the grid per view ("Beeld").
GRID_COLUMNS: dict[str, list[str]] = {
    "attention": [
        "colour",
        "relation_id",
        "name",
        "total",
        "dgn",
        "trend",
        "band_colour",
        "band",
        "cadence",
        "overdue_ratio",
        "explanation",
    ],
    "sources": [
        "colour",
        "relation_id",
        "name",
        "total",
        "dgn",
        *[c for s in SOURCES for c in (s, f"{s}_dgn")],
        "trend",
        "band_colour",
        "band",
    ],
    "sales": [
        "colour",
        "relation_id",
        "name",
        "total",
        "sales_dgn",
        "revenue",
        "revenue_per_contact",
        "abc_class",
        "expected_contacts",
        "contact_gap",
        "sales_band_colour",
        "sales_band",
        "sales_area",
        "sales_explanation",
    ],
}
#: Columns the grid holds without showing them: the "overdue first" order and filter (B2),
#: the swatch of the relation's own colour.
GRID_HIDDEN = ["overdue_rank", "overdue", "colour_hex"]
#: Columns the grid's table gets from :func:`grid_extras`.
EXTRA_COLUMNS = [
    "trend",
    "trend_key",
    "cadence",
    "cadence_key",
    "overdue_ratio",
    "overdue_rank",
    "overdue",
]


def grid_extras(
    session: Session,
    result: pd.DataFrame,
    selection: Selection,
    cadence: pd.DataFrame | None,
    lang: str = "nl",
) -> tuple[pd.DataFrame, str]:
    """(columns, cadence problem): the trend (B1) and cadence (B2) columns for the rows of
    ``result`` (same order, fresh index), and why the cadence settings could not be used (then
    every relation has no target; empty when they could).

    ``trend`` (arrow and words), ``cadence`` (status in words), ``overdue_ratio``;
    ``overdue_rank`` is the row's place in :func:`aandacht.cadence.overdue_first` (0 = most
    overdue) and ``overdue`` whether it counts as overdue, for the grid's sort and filter.
    ``selection`` is the one ``result`` was calculated with (its trends are cached per data set).
    """
    out = pd.DataFrame(index=range(len(result)))
    ids = result["relation_id"].astype(object).reset_index(drop=True)
    tr = session.trends(selection).set_index("relation_id")
    key = ids.map(tr["trend"]).fillna("flat")
    out["trend_key"] = key.to_numpy()
    out["trend"] = per_value(key, lambda k: f"{trend_mod.ARROWS[k]} {t(f'trend_{k}', lang)}")
    settings = cadence if cadence is not None else cadence_mod.empty_cadence()
    problem = ""
    rows = result.reset_index(drop=True)
    try:
        st = session.cadence_status(rows, settings)
    except (AandachtError, ValueError) as exc:
        problem = t("cadence_invalid", lang) + f"\n{exc}"
        st = session.cadence_status(rows, cadence_mod.empty_cadence())
    if len(st) != len(result):  # rows of relations the session does not show: no status
        st = st.set_index("relation_id").reindex(result["relation_id"].to_numpy()).reset_index()
        st["status"] = st["status"].fillna("no_target")
        st["overdue"] = st["overdue"].fillna(False).astype(bool)
    st["_row"] = range(len(st))
    rank = pd.Series(range(len(st)), index=cadence_mod.overdue_first(st)["_row"].to_numpy())
    out["cadence_key"] = st["status"].to_numpy()
    out["cadence"] = per_value(st["status"], lambda s: t(f"cadence_{s}", lang))
    out["overdue_ratio"] = st["overdue_ratio"].to_numpy()
    out["overdue_rank"] = rank.sort_index().to_numpy()
    out["overdue"] = st["overdue"].to_numpy()
    return out, problem


def _empty_listing() -> pd.DataFrame:
    return pd.DataFrame(columns=summary_mod.LISTED_COLUMNS)


@dataclass(frozen=True)
class MonitorView:
    """One shown result and everything derived from it, for one view ("Beeld").

    ``banding``: the bands of the totals; ``sales``: the sales view (only when the result has
    revenue and the principal may see it, else None); ``table``: the grid's table of every view
    (:func:`aandacht.summary.grid_table`, with the trend and cadence columns); ``bins`` and
    ``summary_text`` / ``summary_how``: the distribution and its sentences for ``view_mode``.
    ``band_error``: why the chosen thresholds could not be used (the bands shown are then the
    previous ones, or the default); ``cadence_error``: why the cadence settings could not be.
    """

    result: pd.DataFrame
    banding: bands_mod.BandResult
    sales: SalesView | None
    table: pd.DataFrame
    bins: pd.DataFrame
    summary_text: str
    summary_how: str
    view_mode: str = "attention"
    lang: str = "nl"
    band_error: str = ""
    cadence_error: str = ""

    @classmethod
    def build(
        cls,
        session: Session,
        result: pd.DataFrame,
        *,
        selection: Selection,
        strategy: str = "relative",
        thresholds: Sequence[float] | None = None,
        lang: str = "nl",
        privacy: bool = False,
        view_mode: str = "attention",
        revenue: bool = True,
        cadence: pd.DataFrame | None = None,
        previous: MonitorView | None = None,
    ) -> MonitorView:
        """Band ``result`` (calculated with ``selection``) and build its table, bins and summary.

        ``revenue``: whether the sales view is wanted (it is made only when the result has
        revenue and the session's principal may see it). Thresholds the strategy refuses give
        ``band_error`` and keep ``previous`` when it shows the same result, else the default
        relative bands. ``privacy`` pseudonymises codes, names and addresses in the table.
        """
        th = None if thresholds is None else tuple(thresholds)
        params = {"period_days": int(result.attrs.get("period_days") or 365)}
        with_sales = bool(revenue and session.may("revenue") and "revenue" in result)
        band_error = ""
        try:
            banding = bands_mod.classify(result["total"], strategy, th, **params)
            sales = None
            if with_sales:
                sales_th = th if strategy in ("relative", "quantile") else None
                sales = session.sales_view(result, strategy, sales_th, **params)
        except ValueError as exc:
            band_error = t("band_error", lang, error=str(exc))
            if previous is not None and previous.result is result and previous.lang == lang:
                return dataclasses.replace(previous, band_error=band_error)
            banding = bands_mod.classify(result["total"], "relative")
            sales = session.sales_view(result) if with_sales else None
        if view_mode not in VIEW_MODES or (view_mode == "sales" and sales is None):
            view_mode = "attention"
        extras, cadence_error = grid_extras(session, result, selection, cadence, lang)
        table = summary_mod.grid_table(
            result,
            banding,
            sales,
            lang,
            extras=extras,
            with_sales_explanations=view_mode == "sales",  # else when first shown
            privacy=privacy,
        )
        return cls._with_bins(
            result=result,
            banding=banding,
            sales=sales,
            table=table,
            view_mode=view_mode,
            lang=lang,
            band_error=band_error,
            cadence_error=cadence_error,
        )

    @classmethod
    def _with_bins(cls, **fields: Any) -> MonitorView:
        sales, lang = fields["sales"], fields["lang"]
        if fields["view_mode"] == "sales" and sales is not None:
            bins = summary_mod.sales_bins(sales, lang)
            s = summary_mod.sales_summary(sales, lang)
        else:
            bins = summary_mod.band_bins(fields["banding"], lang)
            s = summary_mod.attention_summary(fields["banding"], lang)
        return cls(bins=bins, summary_text=s.text, summary_how=s.how, **fields)

    def for_view(self, view_mode: str) -> MonitorView:
        """The same result in another view (no banding again); the sales view only with a sales
        view (else the attention view), with its explanations made when first shown."""
        if view_mode not in VIEW_MODES or (view_mode == "sales" and self.sales is None):
            view_mode = "attention"
        base = self.with_sales_explanations() if view_mode == "sales" else self
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
        for name in ("bins", "summary_text", "summary_how"):
            fields.pop(name)
        fields["view_mode"] = view_mode
        return MonitorView._with_bins(**fields)

    def with_sales_explanations(self) -> MonitorView:
        """This view with the sales sentences in the table (one per relation, about 1 s at
        100,000 relations: made when the sales view is first shown or exported)."""
        if self.sales is None or "sales_explanation" in self.table:
            return self
        table = self.table.copy()
        table["sales_explanation"] = summary_mod.sales_explanations(
            self.sales, self.lang
        ).to_numpy()
        return dataclasses.replace(self, table=table)

    # --- what the views ask for ---------------------------------------------------------------

    def grid_columns(self) -> list[str]:
        """The grid's columns in this view."""
        return list(GRID_COLUMNS[self.view_mode])

    def band_column(self) -> str:
        """The column whose key colours the band cell: ``band_key`` or ``sales_band_key``."""
        return "sales_band_key" if self.view_mode == "sales" else "band_key"

    def bin_relations(self, band: str | None) -> pd.DataFrame:
        """The relations in one bin of this view, with name and address (S5)."""
        if band is None:
            return _empty_listing()
        key = self.table[self.band_column()]
        return self.table.loc[key == band, summary_mod.LISTED_COLUMNS]

    def excluded_relations(self) -> pd.DataFrame:
        """Relations left out of the sales view (no contacts, no revenue)."""
        if self.sales is None:
            return _empty_listing()
        return self.table.loc[
            self.table["sales_area_key"] == "excluded", summary_mod.LISTED_COLUMNS
        ]


__all__ = [
    "EXTRA_COLUMNS",
    "GRID_COLUMNS",
    "GRID_HIDDEN",
    "MonitorView",
    "VIEW_MODES",
    "grid_extras",
]
