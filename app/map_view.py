"""The map tab (S11, B12): the grid's relations on a map, linked to the grid both ways.

:class:`MapState` holds the map's choices (which relations, which colouring, the overdue target)
and what derives from them; every figure comes from the library — :func:`aandacht.geo.
to_geodataframe` puts relations on the map, :func:`aandacht.mapdata.map_data` gives their points
and colours, :func:`aandacht.cadence.cadence_status` the overdue ratio, :func:`aandacht.privacy.
pseudonymise` hides codes and names — and :func:`app.map_plot.relation_map` draws the map.
:class:`MapView` shows it.

The link with the grid goes through the :class:`~app.state.MonitorState`: rows ticked in the grid
(``selected_rows``) or a clicked distribution bin (``selected_bin``) are highlighted on the map;
a box or lasso selection on the map sets ``selected_rows`` (and so the grid's ticks and the Excel
export of the selection).

Environment (see ``docs/map.md``):

* ``AANDACHT_TILES=1``: OpenStreetMap tiles under the offline outlines. Off by default, so the
  page never asks the internet for anything.
* The overdue colouring uses the dashboard's cadence settings (``MonitorState.cadence``, B2);
  for a state without them, ``AANDACHT_CADENCE=path`` (``.csv``/``.json``, :func:`aandacht.
  cadence.read_cadence`). Without any settings: one target for all relations
  (:data:`DEFAULT_TARGET_DAYS`, adjustable in the tab).
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import panel as pn
import param

from aandacht.bands import AREA_NAMES, BAND_NAMES
from aandacht.bands import label as band_label
from aandacht.cadence import cadence_status, read_cadence
from aandacht.errors import AandachtError, DataError
from aandacht.geo import to_geodataframe
from aandacht.i18n import fmt_relations, t
from aandacht.mapdata import COLOUR_BY
from aandacht.privacy import pseudonymise

from .map_plot import relation_map
from .state import MonitorState
from .views import ExportView, StateView, alert_html, esc, localize

TILES_ENV = "AANDACHT_TILES"
#: Which relations the map shows.
SHOW_MODES = ("all", "selected", "band", "sales_area")
#: The overdue target (days between contact moments) when no cadence settings exist (B2).
DEFAULT_TARGET_DAYS = 30
#: Height of the map area in pixels (the width follows the country's shape).
MAP_HEIGHT = 600
#: Columns of the "not on the map" list.
NOT_ON_MAP_COLUMNS = ["relation_id", "name", "city", "country", "not_on_map"]


def tiles_enabled() -> bool:
    """True when ``$AANDACHT_TILES`` asks for web tiles (``1``, ``true``, ``yes``, ``ja``)."""
    return os.environ.get(TILES_ENV, "").strip().lower() in ("1", "true", "yes", "ja")


class MapState(param.Parameterized):
    """The map's choices and what derives from them, for one :class:`MonitorState`.

    ``on_map`` and ``not_on_map`` cover every relation of the result (index = grid row);
    ``part`` is what the map shows; ``rmap``/``linked`` the library's map of ``part``.
    """

    state = param.ClassSelector(class_=MonitorState)
    show = param.Selector(default="all", objects=list(SHOW_MODES))
    band = param.Selector(default="little", objects=list(BAND_NAMES))
    area = param.Selector(default="insufficient", objects=list(AREA_NAMES))
    colour_by = param.Selector(default="band", objects=list(COLOUR_BY))
    target_days = param.Integer(default=DEFAULT_TARGET_DAYS, bounds=(1, 3650))
    cadence = param.DataFrame(default=None, allow_None=True, doc="Cadence settings (B2).")
    cadence_file = param.String(default="")
    cadence_error = param.String(default="")
    tiles = param.Boolean(default=False, doc="Web tiles under the outlines (needs internet).")
    active = param.Boolean(default=True, doc="Build the map (the view sets it when shown).")

    # derived
    on_map = param.Parameter(default=None, doc="GeoDataFrame of the relations on the map.")
    not_on_map = param.DataFrame(default=None, allow_None=True)
    part = param.Parameter(default=None, doc="The relations the map shows (GeoDataFrame).")
    rmap = param.Parameter(default=None, doc="app.map_plot.RelationMap of part.")
    linked = param.Parameter(default=None, doc="rmap.linked(): (overlay, highlight, selection).")
    highlight_rows = param.List(default=[], doc="Grid rows highlighted on the map.")
    highlight_text = param.String(default="")

    def __init__(self, state: MonitorState, **params: Any):
        params.setdefault("tiles", tiles_enabled())
        # the dashboard's own cadence settings (B2): the map follows them
        if "cadence" not in params:
            params.update(cadence=state.cadence, cadence_file=state.cadence_file)
        super().__init__(state=state, **params)
        # what the highlight follows: the grid's rows or the clicked bin (one clicked before the
        # map was first opened, too)
        self._source = "bin" if state.selected_bin is not None else "grid"
        self._echo: list[int] | None = None  # map positions last highlighted (ignored echo)
        self._selecting: list[int] | None = None  # positions being selected on the map
        self._watcher: Any = None
        state.param.watch(self._shared_cadence, ["cadence", "cadence_file"])
        state.param.watch(self._table_changed, ["table"])
        state.param.watch(self._rows_changed, ["selected_rows"])
        state.param.watch(self._bin_changed, ["selected_bin"])
        self.param.watch(
            lambda *e: self._derive(), ["active", "cadence", "colour_by", "target_days", "tiles"]
        )
        self.param.watch(lambda *e: self._build(), ["show", "band", "area"])
        self._derive()

    # ------------------------------------------------------------------------------------------

    def load_cadence(self, path: str) -> bool:
        """Use the cadence settings in ``path`` for the overdue colouring."""
        try:
            settings = read_cadence(path)
        except DataError as exc:
            self.cadence_error = "\n".join(
                [t("map_cadence_error", self.state.lang, file=path)]
                + [f"• {p}" for p in exc.problems[: exc.max_shown]]
            )
            return False
        self.param.update(cadence=settings, cadence_file=str(path), cadence_error="")
        return True

    def _shared_cadence(self, *events: Any) -> None:
        s = self.state
        self.param.update(cadence=s.cadence, cadence_file=getattr(s, "cadence_file", "") or "")

    def has_sales(self) -> bool:
        """Sales areas may be used (sales-monitor permission and a sales view)."""
        return self.state.sales is not None

    def map_input(self) -> pd.DataFrame:
        """The result with what the map colours by: ``band``, ``sales_area``, ``overdue_ratio``.

        Index = grid row (the result's and the grid table's positions).
        """
        s = self.state
        res = s.result.copy()
        res["band"] = s.banding.yb
        if s.sales is not None:
            res["sales_area"] = s.sales.table["sales_area"].to_numpy()
        if self.cadence is not None and len(self.cadence):
            try:
                st = cadence_status(s.data, s.result, self.cadence)
                res["overdue_ratio"] = st["overdue_ratio"].to_numpy()
                self.cadence_error = ""
            except (AandachtError, ValueError) as exc:
                self.cadence_error = (
                    f"{t('map_cadence_error', s.lang, file=self.cadence_file)}\n{exc}"
                )
        return res

    def uses_cadence(self) -> bool:
        return self.on_map is not None and "overdue_ratio" in self.on_map.columns

    def target_text(self) -> str:
        """What the overdue colouring is measured against."""
        if self.uses_cadence():
            file = self.cadence_file or t("map_cadence_default", self.state.lang)
            return t("map_target_cadence", self.state.lang, file=file)
        return t("map_target_default", self.state.lang, n=self.target_days)

    # ------------------------------------------------------------------------------------------
    # derived values

    def _table_changed(self, *events: Any) -> None:
        self._derive()

    def _derive(self) -> None:
        """Put every relation of the result on the map or in the list, then build the map."""
        s = self.state
        if not self.active or s.result is None or s.banding is None:
            return
        with param.parameterized.batch_call_watchers(self):
            if self.colour_by == "sales_area" and not self.has_sales():
                self.colour_by = "band"
            if self.show == "sales_area" and not self.has_sales():
                self.show = "all"
            # privacy mode: no position more exact than the postcode area, then pseudonyms
            on, off = to_geodataframe(self.map_input(), use_coordinates=not s.privacy)
            if s.privacy:
                on, off = pseudonymise(on, lang=s.lang), pseudonymise(off, lang=s.lang)
            off = off[[c for c in NOT_ON_MAP_COLUMNS if c in off.columns]].copy()
            off["not_on_map"] = [t(f"map_reason_{r}", s.lang) for r in off["not_on_map"]]
            self.on_map, self.not_on_map = on, off
            self._build()

    def shown_rows(self) -> pd.Index:
        """Grid rows (on the map) of the part the map shows."""
        on = self.on_map
        if self.show == "selected":
            return on.index.intersection(pd.Index(self.state.selected_rows))
        if self.show == "band":
            return on.index[on["band"] == self.band]
        if self.show == "sales_area" and "sales_area" in on.columns:
            return on.index[on["sales_area"] == self.area]
        return on.index

    def _build(self) -> None:
        """A new map of the part (the colours do not depend on the rest)."""
        if self.on_map is None or not self.active:
            return
        s = self.state
        part = self.on_map.loc[self.shown_rows()]
        overdue = self.colour_by == "overdue" and "overdue_ratio" not in part.columns
        rmap = relation_map(
            part,
            colour_by=self.colour_by,
            tiles=self.tiles,
            lang=s.lang,
            target_days=self.target_days if overdue else None,
            height=MAP_HEIGHT,
        )
        linked = rmap.linked()
        if self._watcher is not None:
            self.linked.selection.param.unwatch(self._watcher)
        self._watcher = linked.selection.param.watch(self._from_map, "index")
        self._echo = None
        with param.parameterized.batch_call_watchers(self):
            self.part, self.rmap, self.linked = part, rmap, linked
            self._highlight()

    # ------------------------------------------------------------------------------------------
    # the link: grid -> map, map -> grid

    def _rows_changed(self, *events: Any) -> None:
        self._source = "grid"
        if self.show == "selected":
            self._build()
        else:
            self._highlight()

    def _bin_changed(self, *events: Any) -> None:
        self._source = "bin" if self.state.selected_bin is not None else "grid"
        self._highlight()

    def _highlight(self) -> None:
        """Highlight the grid's selected rows, or the clicked bin's relations, on the map."""
        s = self.state
        if self.linked is None:
            return
        lang = s.lang
        if self._source == "bin" and s.selected_bin is not None:
            rows = [int(i) for i in s.bin_relations(s.selected_bin).index]
        else:
            rows = [int(i) for i in s.selected_rows]
        ids = s.table["relation_id"].iloc[rows].astype(str).tolist() if rows else []
        positions = self.rmap.positions(ids)
        self._echo = positions
        if positions == self._selecting:
            # selected on the map, which shows it already: no redraw of 10,000 points, but the
            # stream keeps the ids for when the map is drawn again (another tab and back)
            self.linked.highlight.update(ids=ids)
        else:
            self.linked.highlight.event(ids=ids)
        on = fmt_relations(len(positions), lang)
        if not rows:
            text = t("map_highlight_none", lang)
        elif self._source == "bin" and s.selected_bin is not None:
            band = s.bins.set_index("band").loc[s.selected_bin, "label"]
            text = t("map_highlight_bin", lang, band=band, n=fmt_relations(len(rows), lang), on=on)
        else:
            text = t("map_highlight_rows", lang, n=fmt_relations(len(rows), lang), on=on)
        self.param.update(highlight_rows=rows, highlight_text=text)

    def _from_map(self, event: Any) -> None:
        """A box, lasso or tap selection on the map selects those rows in the grid."""
        self.select_on_map(event.new)

    def select_on_map(self, positions: list[int]) -> None:
        """Select the relations at map ``positions`` (``Selection1D.index``) in the grid."""
        positions = sorted(int(p) for p in positions)
        if self._echo is not None and positions == sorted(self._echo):
            return  # the map repeating our own highlight
        rows = sorted(int(i) for i in self.rmap.data.index[positions])
        self._selecting = positions
        try:
            self.state.selected_rows = rows
        finally:
            self._selecting = None

    def clear_selection(self) -> None:
        """No relations selected (grid and map); closes a clicked bin."""
        with param.parameterized.batch_call_watchers(self.state):
            self.state.selected_bin = None
            self.state.selected_rows = []


class MapView(StateView):
    """The map tab: choices, the map, highlights, the selection export and the list of relations
    that are not on the map."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.map = MapState(state, active=False)
        m = self.map
        self.show = pn.widgets.RadioButtonGroup(
            value=m.show, button_type="light", css_classes=["map-show"]
        )
        self.band = pn.widgets.Select(value=m.band, options=[], css_classes=["map-band"])
        self.area = pn.widgets.Select(value=m.area, options=[], css_classes=["map-area"])
        self.colour_by = pn.widgets.RadioButtonGroup(
            value=m.colour_by, button_type="light", css_classes=["map-colour-by"]
        )
        self.target = pn.widgets.IntInput(
            value=m.target_days, start=1, end=3650, width=120, css_classes=["map-target"]
        )
        for widget, name in [
            (self.show, "show"),
            (self.band, "band"),
            (self.area, "area"),
            (self.colour_by, "colour_by"),
            (self.target, "target_days"),
        ]:
            widget.link(m, value=name, bidirectional=True)
        self.show_label = pn.pane.HTML("", margin=(5, 10, 0, 10))
        self.colour_label = pn.pane.HTML("", margin=(5, 10, 0, 10))
        self.clear = pn.widgets.Button(button_type="light", css_classes=["map-clear"])
        self.clear.on_click(lambda e: m.clear_selection())
        self.info = pn.pane.HTML("", css_classes=["map-info"], sizing_mode="stretch_width")
        self.highlight = pn.pane.HTML("", css_classes=["map-highlight"])
        self.error = pn.pane.HTML("", visible=False, css_classes=["map-error"])
        self.pane = pn.pane.HoloViews(None, backend="bokeh", css_classes=["map"])
        self.off_title = pn.pane.HTML("", css_classes=["not-on-map-title"])
        self.off = pn.widgets.Tabulator(
            pd.DataFrame(columns=NOT_ON_MAP_COLUMNS),
            show_index=False,
            disabled=True,
            pagination="local",
            page_size=10,
            sizing_mode="stretch_width",
            css_classes=["not-on-map"],
        )
        self.export = ExportView(state)
        m.param.watch(lambda *e: self._redraw(), ["linked"])
        m.param.watch(lambda *e: self.relabel(), ["highlight_text", "not_on_map", "cadence_error"])
        state.param.watch(lambda *e: self.relabel(), ["selected_rows", "sales"])
        self.relabel()

    def relabel(self) -> None:
        s, m, tr = self.state, self.map, self.t
        lang = s.lang
        show = {
            tr("map_show_all"): "all",
            tr("map_show_selected", n=len(s.selected_rows)): "selected",
            tr("map_show_band"): "band",
        }
        colours = {tr("map_colour_band"): "band"}
        if m.has_sales():
            show[tr("map_show_sales_area")] = "sales_area"
            colours[tr("map_colour_sales_area")] = "sales_area"
        colours[tr("map_colour_overdue")] = "overdue"
        self.show.options, self.colour_by.options = show, colours
        self.show.name, self.colour_by.name = tr("map_show"), tr("map_colour_by")
        self.show_label.object = f"<b>{esc(tr('map_show'))}</b>"
        self.colour_label.object = f"<b>{esc(tr('map_colour_by'))}</b>"
        self.band.options = {band_label(b, lang): b for b in BAND_NAMES}
        self.area.options = {band_label(a, lang): a for a in AREA_NAMES}
        self.band.name, self.area.name = tr("map_band"), tr("map_area")
        self.target.name = tr("map_target_days")
        self.clear.name = tr("map_clear")
        self._visibility()
        self.error.object = alert_html(m.cadence_error) if m.cadence_error else ""
        self.error.visible = bool(m.cadence_error)
        self.highlight.object = f"<small>{esc(m.highlight_text)}</small>"
        if m.on_map is None:
            return
        lines = [
            t(
                "map_count",
                lang,
                shown=fmt_relations(len(m.part), lang),
                off=fmt_relations(len(m.not_on_map), lang),
            )
        ]
        if not len(m.part):
            lines.append(tr("map_empty"))
        if m.colour_by == "overdue":
            lines.append(m.target_text())
        lines.append(tr("map_tiles") if m.tiles else tr("map_offline"))
        if s.privacy:
            lines.append(tr("map_privacy"))
        lines.append(tr("map_hint"))
        self.info.object = "".join(
            f'<div class="map-line-{i}">{esc(x)}</div>' for i, x in enumerate(lines)
        )
        off = m.not_on_map
        self.off_title.object = (
            f"<b>{esc(tr('map_not_on_map', relations=fmt_relations(len(off), lang)))}</b>"
        )
        cols = list(off.columns)
        localize(self.off, lang)
        self.off.param.update(
            titles={c: tr(f"col_{c}") for c in cols},
            formatters={c: {"type": "plaintext"} for c in cols},
            value=off.astype(object).where(off.notna(), "").astype(str).reset_index(drop=True),
        )

    def _visibility(self) -> None:
        m = self.map
        self.band.visible = m.show == "band"
        self.area.visible = m.show == "sales_area"
        self.target.visible = m.colour_by == "overdue" and not m.uses_cadence()

    def _redraw(self) -> None:
        self.pane.object = self.map.linked.overlay
        self.relabel()

    def _content(self) -> pn.viewable.Viewable:
        # evaluated when the tab is first shown: only then is the map built
        self.map.active = True
        return pn.Column(
            pn.Row(
                pn.Column(
                    self.show_label,
                    self.show,
                    self.band,
                    self.area,
                    self.colour_label,
                    self.colour_by,
                    self.target,
                    self.clear,
                    self.highlight,
                    self.export,
                    width=340,
                ),
                self.pane,
            ),
            self.error,
            self.info,
            self.off_title,
            self.off,
            sizing_mode="stretch_width",
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.param.ParamFunction(
            lambda: self._content(), lazy=True, sizing_mode="stretch_width"
        )


__all__ = ["DEFAULT_TARGET_DAYS", "MapState", "MapView", "tiles_enabled"]
