"""Views for the insights: the grid's "overdue first" (B2), the cadence editor, the
insight tab (attention drops B1, two-way B4, who gives attention B6) and the reports (S15, B7).

The views only show :mod:`app.insights_state` and pass choices back; all text is escaped or
shown through Tabulator's ``plaintext`` formatter.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn
import param
from bokeh.models.widgets.tables import HTMLTemplateFormatter

from aandacht.bands import BAND_NAMES
from aandacht.bands import label as band_label
from aandacht.cadence import CADENCE_COLUMNS, CADENCE_SCOPES
from aandacht.errors import AandachtError
from aandacht.i18n import TEXT, fmt_relations, t

from .insights_state import InsightsState, ReportsState, save_cadence
from .state import MonitorState
from .views import (
    GridView,
    StateView,
    _alert,
    _show,
    bool_formatter,
    datetime_formatter,
    display_frame,
    esc,
    formatters,
    heading,
    localize,
    number_formatter,
)


def _table(css: str, page_size: int = 10, **kw: Any) -> pn.widgets.Tabulator:
    return pn.widgets.Tabulator(
        pd.DataFrame(),
        show_index=False,
        disabled=True,
        pagination="local",
        page_size=page_size,
        sizing_mode="stretch_width",
        css_classes=[css],
        **kw,
    )


def percent_formatter(lang: str) -> HTMLTemplateFormatter:
    """A share (0.25) as ``25 %`` in the language's format; empty when missing."""
    locale = "nl-NL" if lang == "nl" else "en-GB"
    number = f'(value * 100).toLocaleString("{locale}", {{maximumFractionDigits: 0}}) + " %"'
    template = (
        '<div style="text-align: right"><%= (typeof value === "number" && isFinite(value)) ? '
        + number
        + ' : "" %></div>'
    )
    return HTMLTemplateFormatter(template=template)


def _fill(table: pn.widgets.Tabulator, df: pd.DataFrame, lang: str, titles=None) -> None:
    """Put ``df`` in ``table`` with titles in ``lang``, text as plain text, numbers formatted."""
    cols = list(df.columns)
    fmt = formatters(cols, lang)
    for c in cols:
        if c in fmt:
            continue
        if c in ("in_share", "change"):
            fmt[c] = percent_formatter(lang)
        elif pd.api.types.is_bool_dtype(df[c]):
            fmt[c] = bool_formatter(lang)  # neutral marks: "no" is no alarm
        elif pd.api.types.is_datetime64_any_dtype(df[c]):
            fmt[c] = datetime_formatter(lang)  # not epoch milliseconds
        elif pd.api.types.is_integer_dtype(df[c]):
            fmt[c] = number_formatter(lang, 0)
        elif pd.api.types.is_float_dtype(df[c]):
            fmt[c] = number_formatter(lang, 1)
        else:
            fmt[c] = {"type": "plaintext"}
    titles = titles or {}
    localize(table, lang)
    table.param.update(
        titles={
            c: titles.get(c) or (t(f"col_{c}", lang) if f"col_{c}" in TEXT else str(c))
            for c in cols
        },
        formatters=fmt,
        value=display_frame(df, cols).reset_index(drop=True),
    )


# ----------------------------------------------------------------------------------------------
# the grid: overdue first (B2)


class OverdueControls(StateView):
    """ "Overdue first" sorting and an "only overdue" filter on the grid (B2): the order is the
    library's (:func:`aandacht.cadence.overdue_first`, as the hidden ``overdue_rank`` column)."""

    first = param.Boolean(default=False)
    only = param.Boolean(default=None, allow_None=True, doc="True: only overdue rows; None: all")

    def __init__(self, state: MonitorState, grid: GridView, **params: Any):
        super().__init__(state, **params)
        self.grid = grid
        self.first_toggle = pn.widgets.Toggle(
            value=False, button_type="light", css_classes=["overdue-first"]
        )
        self.only_box = pn.widgets.Checkbox(value=False, css_classes=["overdue-only"])
        self.note = pn.pane.HTML("", css_classes=["cadence-note"])
        self.first_toggle.param.watch(lambda e: self._first(e.new), "value")
        self.only_box.param.watch(lambda e: setattr(self, "only", True if e.new else None), "value")
        grid.grid.add_filter(self.param.only, "overdue")  # a parameter filter: Panel re-filters
        grid.grid.param.watch(self._sorted_by_hand, "sorters")
        state.param.watch(lambda *e: self.relabel(), ["cadence", "cadence_error"])
        self.relabel()

    def _first(self, on: bool) -> None:
        self.first = on
        self.grid.grid.sorters = [{"field": "overdue_rank", "dir": "asc"}] if on else []

    def _sorted_by_hand(self, event: Any) -> None:
        if self.first_toggle.value and event.new != [{"field": "overdue_rank", "dir": "asc"}]:
            self.first_toggle.value = False  # a click on a column header sorts by that column

    def relabel(self) -> None:
        s = self.state
        self.first_toggle.name = self.t("overdue_first")
        self.only_box.name = self.t("overdue_only")
        n = 0 if s.cadence is None else len(s.cadence)
        text = self.t("cadence_note", n=n, file=s.cadence_file or self.t("cadence_default_file"))
        self.note.object = f"<small>{esc(text)}</small>"

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(self.first_toggle, self.only_box, self.note)


class CadenceEditor(StateView):
    """The cadence settings (B2) as an editable table: add a row, save (checked by the
    library; problems listed with their row)."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.table = pn.widgets.Tabulator(
            self._frame(),
            show_index=False,
            sizing_mode="stretch_width",
            editors={
                "scope": {"type": "list", "values": list(CADENCE_SCOPES)},
                "key": {"type": "input"},
                "ideal_days": {"type": "number", "min": 1},
                "max_days": {"type": "number", "min": 1},
            },
            formatters={"key": {"type": "plaintext"}},
            selectable=False,
            css_classes=["cadence-table"],
        )
        self.add = pn.widgets.Button(button_type="light", css_classes=["cadence-add"])
        self.remove = pn.widgets.Button(button_type="light", css_classes=["cadence-remove"])
        self.save = pn.widgets.Button(button_type="primary", css_classes=["cadence-save"])
        self.error = _alert("danger", "cadence-error")
        self.add.on_click(lambda e: self._add())
        self.remove.on_click(lambda e: self._remove())
        self.save.on_click(lambda e: save_cadence(self.state, self.table.value))
        state.param.watch(lambda *e: self._sync(), ["cadence", "cadence_error"])
        self.relabel()

    def _frame(self) -> pd.DataFrame:
        c = self.state.cadence
        if c is None or c.empty:
            return pd.DataFrame({col: pd.Series(dtype=object) for col in CADENCE_COLUMNS})
        return c[list(CADENCE_COLUMNS)].reset_index(drop=True)

    def _add(self) -> None:
        """A new row: the first B-group without a cadence, else an empty relation row."""
        have = set(self.table.value["key"].astype(str)) if len(self.table.value) else set()
        free = [g for g in self.state.data.b_group_names() if g not in have]
        row = {"scope": "b_group" if free else "relation", "key": free[0] if free else ""}
        row.update(ideal_days=14, max_days=42)
        self.table.value = pd.concat([self.table.value, pd.DataFrame([row])], ignore_index=True)

    def _remove(self) -> None:
        if len(self.table.value):
            self.table.value = self.table.value.iloc[:-1].reset_index(drop=True)

    def _sync(self) -> None:
        if not self.state.cadence_error:
            self.table.value = self._frame()
        _show(self.error, self.state.cadence_error)

    def relabel(self) -> None:
        tr = self.t
        self.add.name, self.remove.name = tr("cadence_add"), tr("cadence_remove")
        self.save.name = tr("cadence_save")
        self.table.titles = {c: tr(f"col_{c}") for c in CADENCE_COLUMNS}
        self._sync()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.pane.HTML(f"<small>{esc(self.t('cadence_help'))}</small>"),
            self.table,
            pn.Row(self.add, self.remove, self.save),
            self.error,
            sizing_mode="stretch_width",
        )


# ----------------------------------------------------------------------------------------------
# the insight tab: attention drops (B1), two-way (B4), who (B6)

DROP_COLUMNS = ["relation_id", "name", "revenue", "abc_class", "recent", "base", "change"]
DROP_COLUMNS += ["arrow", "dgn", "last_contact", "last_user"]
TWO_WAY_COLUMNS = ["relation_id", "name", "inbound", "outbound", "undirected", "in_share"]
TWO_WAY_COLUMNS += ["sleeping", "days_since_inbound", "inbound_emails", "unanswered"]
TWO_WAY_COLUMNS += ["median_response_hours", "median_response_working_hours"]
SPOC_COLUMNS = ["relation_id", "name", "contacts", "employees", "only_user", "last_user"]
SPOC_COLUMNS += ["last_contact", "single_point"]


class InsightsView(StateView):
    """Attention drops (with sales permission), two-way attention, who gives attention."""

    sleeping = param.Boolean(default=None, allow_None=True, doc="True: only sleeping relations")

    def __init__(self, state: MonitorState, insights: InsightsState | None = None, **params):
        super().__init__(state, **params)
        self.ins = insights or InsightsState(state)
        self.drops_title = pn.pane.HTML("", css_classes=["drops-title"])
        self.drops = _table("drops")
        self.two_way_title = pn.pane.HTML("", css_classes=["two-way-title"])
        self.sleeping_only = pn.widgets.Checkbox(value=False, css_classes=["sleeping-only"])
        self.two_way = _table("two-way")
        self.sleeping_only.param.watch(
            lambda e: setattr(self, "sleeping", True if e.new else None), "value"
        )
        self.two_way.add_filter(self.param.sleeping, "sleeping")  # Panel re-filters on change
        self.who_title = pn.pane.HTML("", css_classes=["who-title"])
        self.departments = _table("departments", page_size=20)
        self.employees = _table("employees")
        self.spoc = _table("single-points")
        self.employees_note = pn.pane.HTML("", css_classes=["employees-note"])
        self.error = _alert("danger", "insights-error")
        self.holder = pn.Column(sizing_mode="stretch_width")
        self.ins.param.watch(lambda *e: self.relabel(), ["two_way", "error", "stale"])
        self.relabel()

    def refresh(self) -> None:
        """Compute for the shown result (the app calls this when the tab is opened)."""
        self.ins.refresh()

    def relabel(self) -> None:
        ins, lang = self.ins, self.state.lang
        tr = self.t
        self.sleeping_only.name = tr("sleeping_only")
        _show(self.error, ins.error)
        if ins.two_way is None:
            self.holder.objects = [pn.pane.HTML(f"<small>{esc(tr('insights_wait'))}</small>")]
            return
        parts: list[Any] = []
        # B1: attention drops, revenue: only with sales-monitor permission
        if ins.drops is not None:
            n = fmt_relations(len(ins.drops), lang)
            self.drops_title.object = heading(tr("drops_title", relations=n))
            _fill(self.drops, ins.drops[DROP_COLUMNS], lang, {"arrow": tr("col_trend")})
            parts += [self.drops_title, self.drops]
        else:
            parts.append(
                pn.pane.HTML(
                    heading(tr("drops_title_plain"))
                    + f"<small>{esc(tr('drops_no_permission'))}</small>",
                    css_classes=["drops-none"],
                )
            )
        # B4: two-way attention
        self.two_way_title.object = heading(tr("two_way_title")) + (
            f"<div class='two-way-line'>{esc(ins.two_way_line())}</div>"
        )
        _fill(self.two_way, ins.two_way[TWO_WAY_COLUMNS], lang)
        parts += [self.two_way_title, self.sleeping_only, self.two_way]
        # B6: who gives attention
        self.who_title.object = heading(tr("who_title"))
        d = ins.departments.reset_index()
        d["department"] = d["department"].astype(str)
        titles = {b: band_label(b, lang) for b in BAND_NAMES}
        _fill(self.departments, d, lang, titles)
        parts += [self.who_title, pn.pane.HTML(f"<small>{esc(tr('who_departments'))}</small>"),
                  self.departments]  # fmt: skip
        if ins.employees is not None:
            _fill(self.employees, ins.employees, lang)
            _fill(self.spoc, ins.single_points[SPOC_COLUMNS], lang)
            parts += [
                pn.pane.HTML(f"<b>{esc(tr('who_employees'))}</b>"),
                self.employees,
                pn.pane.HTML(f"<b>{esc(tr('who_single_points'))}</b>"),
                self.spoc,
            ]
        else:
            self.employees_note.object = f"<small>{esc(tr('who_no_permission'))}</small>"
            parts.append(self.employees_note)
        self.holder.objects = parts

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.error, self.holder, sizing_mode="stretch_width")


# ----------------------------------------------------------------------------------------------
# reports (S15, B7)


class ReportsView(StateView):
    """One click each to Excel: the hand-over report and the catch-up report."""

    def __init__(self, state: MonitorState, reports: ReportsState | None = None, **params):
        super().__init__(state, **params)
        self.rep = reports or ReportsState(state)
        r = self.rep
        self.leaving = pn.widgets.Select(value=r.leaving, options=[], css_classes=["leaving"])
        self.handover_since = pn.widgets.DatePicker(
            value=r.handover_since, width=160, css_classes=["handover-since"]
        )
        self.catchup_since = pn.widgets.DatePicker(
            value=r.catchup_since, width=160, css_classes=["catchup-since"]
        )
        for widget, name in [
            (self.leaving, "leaving"),
            (self.handover_since, "handover_since"),
            (self.catchup_since, "catchup_since"),
        ]:
            widget.link(r, value=name, bidirectional=True)
        self.handover = pn.widgets.FileDownload(
            callback=lambda: self._write("handover"),
            button_type="success",
            css_classes=["report-handover"],
            filename="handover.xlsx",
        )
        self.catchup = pn.widgets.FileDownload(
            callback=lambda: self._write("catchup"),
            button_type="success",
            css_classes=["report-catchup"],
            filename="catchup.xlsx",
        )
        self.handover_note = pn.pane.HTML("", css_classes=["handover-note"])
        self.catchup_note = pn.pane.HTML("", css_classes=["catchup-note"])
        self.error = _alert("danger", "report-error")
        self.h_handover = pn.pane.HTML("", css_classes=["report-handover-title"])
        self.h_catchup = pn.pane.HTML("", css_classes=["report-catchup-title"])
        state.param.watch(
            lambda *e: self.relabel(), ["employee_permission", "me", "privacy", "calculated_at"]
        )
        r.param.watch(lambda *e: self.relabel(), ["leaving", "catchup_since", "error"])
        self.relabel()

    def _write(self, kind: str) -> io.BytesIO | None:
        try:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"{kind}.xlsx"
                if kind == "handover":
                    self.rep.write_handover(path)
                else:
                    self.rep.write_catchup(path)
                data = path.read_bytes()
        except (AandachtError, PermissionError, ValueError) as exc:
            self.rep.error = t("report_error", self.state.lang, error=str(exc))
            return None
        self.rep.error = ""
        return io.BytesIO(data)

    def relabel(self) -> None:
        tr, s, r = self.t, self.state, self.rep
        self.h_handover.object = heading(tr("report_handover"))
        self.h_catchup.object = heading(tr("report_catchup"))
        names = s.user_names()
        self.leaving.options = {names[u]: u for u in r.param.leaving.objects}
        self.leaving.name = tr("report_leaving")
        self.handover_since.name = tr("report_handover_since")
        self.catchup_since.name = tr("report_catchup_since")
        self.handover.label = self.handover.name = tr("report_handover_button")
        self.catchup.label = self.catchup.name = tr("report_catchup_button")
        self.handover.filename = r.filename("handover")
        self.catchup.filename = r.filename("catchup")
        allowed = s.employee_permission
        self.handover.disabled = not allowed
        note = tr("report_handover_help") if allowed else tr("report_handover_no_permission")
        self.handover_note.object = f"<small>{esc(note)}</small>"
        me = names.get(r.me(), r.me() or "–")
        self.catchup_note.object = f"<small>{esc(tr('report_catchup_help', me=me))}</small>"
        _show(self.error, r.error)

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.h_handover,
            self.handover_note,
            pn.Row(self.leaving, self.handover_since),
            self.handover,
            self.h_catchup,
            self.catchup_note,
            self.catchup_since,
            self.catchup,
            self.error,
            sizing_mode="stretch_width",
        )
