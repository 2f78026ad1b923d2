"""The dashboard's views: each a :class:`panel.viewable.Viewer` over one :class:`MonitorState`.

Views only show what the state holds and pass the user's choices back to it; every text comes
from :mod:`aandacht.i18n`. CRM text is never rendered as HTML: the grids use Tabulator's
``plaintext`` formatter (which escapes) and every other pane escapes with :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn
import param
from bokeh.models.widgets.tables import HTMLTemplateFormatter

from aandacht import bands as bands_mod
from aandacht.i18n import (
    fmt_date,
    fmt_number,
    fmt_percent,
    fmt_relations,
    parse_date,
    t,
    table_locale,
)
from aandacht.monitor_view import GRID_HIDDEN, SOURCES

from .state import BIN_COLUMNS, MonitorState

TEXT_COLUMNS = {
    "colour",
    "relation_id",
    "name",
    "address",
    "postcode",
    "city",
    "band",
    "explanation",
    "sales_band",
    "sales_area",
    "sales_explanation",
    "abc_class",
    "user_id",
    "source",
    "action",
    "channel",
    "direction",
    "subject",
    "status",
    "trend",
    "cadence",
}
INT_COLUMNS = {"total", *SOURCES}
DAYS_COLUMNS = {"dgn", *(f"{s}_dgn" for s in SOURCES)}
MONEY_COLUMNS = {"revenue", "revenue_per_contact", "amount"}
RATIO_COLUMNS = {"overdue_ratio"}
#: Contact moments that are expected, not counted (B5): one decimal.
EXPECTED_COLUMNS = {"expected_contacts", "contact_gap"}


def esc(text: Any) -> str:
    """``text`` escaped for HTML, newlines kept as line breaks."""
    return html.escape("" if text is None else str(text)).replace("\n", "<br>")


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (``#rrggbb``)."""
    h = background.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def heading(text: str) -> str:
    """A section heading (escaped)."""
    return f'<div style="font-size: 1.15em; font-weight: 600; margin: 4px 0">{esc(text)}</div>'


ALERT_STYLE = {
    "danger": "background:#f8d7da;color:#842029;border:1px solid #f5c2c7",
    "warning": "background:#fff3cd;color:#664d03;border:1px solid #ffecb5",
}


def alert_html(text: str, kind: str = "danger") -> str:
    """A message box with ``text`` escaped (plain HTML: no Markdown from file names or data)."""
    style = f"{ALERT_STYLE[kind]};border-radius:6px;padding:8px 12px;font-size:0.9em"
    return f'<div role="alert" style="{style}">{esc(text)}</div>'


def _alert(kind: str, name: str) -> pn.pane.HTML:
    alert = pn.pane.HTML("", visible=False, margin=(5, 10), css_classes=[name])
    alert.kind = kind
    return alert


def _show(alert: pn.pane.HTML, text: str) -> None:
    alert.object = alert_html(text, alert.kind) if text else ""
    alert.visible = bool(text)


def number_formatter(lang: str, decimals: int = 0) -> HTMLTemplateFormatter:
    """Numbers with Dutch (``1.234,50``) or English (``1,234.50``) separators; empty if missing.

    The template only ever prints a number (anything else becomes empty), so no text from the
    data can reach the page as HTML.
    """
    locale = "nl-NL" if lang == "nl" else "en-GB"
    opts = f"{{minimumFractionDigits: {decimals}, maximumFractionDigits: {decimals}}}"
    template = (
        '<div style="text-align: right"><%= (typeof value === "number" && isFinite(value)) ? '
        f'value.toLocaleString("{locale}", {opts}) : "" %></div>'
    )
    return HTMLTemplateFormatter(template=template)


def datetime_formatter(lang: str, time: bool = True) -> HTMLTemplateFormatter:
    """A date (and time) for the reader: nl ``31-10-2026 14:05``, en ``2026-10-31 14:05``;
    empty when missing. The table keeps the number (so it sorts in time order); only ever a
    number is printed."""
    day = "p(d.getUTCDate()) + '-' + p(d.getUTCMonth() + 1) + '-' + d.getUTCFullYear()"
    if lang != "nl":
        day = "d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate())"
    clock = " + ' ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes())" if time else ""
    template = (
        '<%= (typeof value === "number" && isFinite(value)) ? (function (d) { '
        'var p = function (n) { return String(n).padStart(2, "0"); }; '
        f'return {day}{clock}; }})(new Date(value)) : "" %>'
    )
    return HTMLTemplateFormatter(template=template)


def bool_formatter(lang: str) -> HTMLTemplateFormatter:
    """Yes/no as neutral marks (✓ / a grey –, with ja/nee as the tooltip): "no" is not an
    alarm. Empty when missing."""
    yes, no = html.escape(t("yes", lang)), html.escape(t("no", lang))
    template = (
        f"<%= value === true ? '<span title=\"{yes}\">✓</span>' : (value === false ? "
        f'\'<span title="{no}" style="color: #adb5bd">–</span>\' : "") %>'
    )
    return HTMLTemplateFormatter(template=template)


def colour_formatter() -> HTMLTemplateFormatter:
    """The relation's own colour (S4): a swatch (the row's ``colour_hex``, a checked
    ``#rrggbb``, else none) and the colour's name as escaped text."""
    template = (
        '<% if (typeof colour_hex === "string" && /^#[0-9a-f]{6}$/.test(colour_hex)) { %>'
        '<span class="colour-swatch" style="display: inline-block; width: 0.9em; '
        "height: 0.9em; margin-right: 0.35em; vertical-align: -0.1em; border-radius: 2px; "
        'border: 1px solid rgba(0, 0, 0, 0.35); background: <%= colour_hex %>"></span><% } %>'
        "<%- value %>"
    )
    return HTMLTemplateFormatter(template=template)


DATETIME_COLUMNS = {"last_contact"}
GRID_WIDTHS = {"band_colour": 26, "sales_band_colour": 26}
BOOL_COLUMNS = {"counted"}


def localize(table: pn.widgets.Tabulator, lang: str) -> None:
    """Tabulator's own texts (pager: Eerste / Vorige / Volgende / Laatste) in ``lang``."""
    table._configuration = {**table._configuration, **table_locale(lang)}  # Panel keeps it here
    for model, _ in list(table._models.values()):
        model.configuration = table._get_configuration(model.columns)


def formatters(columns: list[str], lang: str) -> dict[str, Any]:
    """Cell formatters: escaped plain text, numbers in Dutch or English, empty when missing."""
    out: dict[str, Any] = {}
    for c in columns:
        if c == "colour":
            out[c] = colour_formatter()  # swatch + the name, escaped
        elif c in DATETIME_COLUMNS:
            out[c] = datetime_formatter(lang)
        elif c in BOOL_COLUMNS:
            out[c] = bool_formatter(lang)
        elif c in TEXT_COLUMNS:
            out[c] = {"type": "plaintext"}  # Tabulator escapes the text: no HTML from the data
        elif c in INT_COLUMNS or c in DAYS_COLUMNS or c == "revenue":
            out[c] = number_formatter(lang, 0)
        elif c in MONEY_COLUMNS or c in RATIO_COLUMNS:
            out[c] = number_formatter(lang, 2)
        elif c in EXPECTED_COLUMNS:
            out[c] = number_formatter(lang, 1)
        elif c in ("band_colour", "sales_band_colour"):
            out[c] = {"type": "color"}  # the cell's background is the band colour (no text)
    return out


def display_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns a grid shows, with empty text for missing text and NaN for missing numbers."""
    out = df[[c for c in columns if c in df.columns]].copy()
    for c in out.columns:
        if c in TEXT_COLUMNS or (out[c].dtype == object and c not in BOOL_COLUMNS):
            out[c] = out[c].astype(object).where(out[c].notna(), "").astype(str)
        elif str(out[c].dtype) in ("Int64", "Float64"):
            out[c] = out[c].astype("float64")
    return out


class StateView(pn.viewable.Viewer):
    """A view of one state; re-labels itself when the language changes."""

    state = param.ClassSelector(class_=MonitorState)

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state=state, **params)
        state.param.watch(lambda *e: self.relabel(), "lang")

    def t(self, key: str, **kw: Any) -> str:
        return t(key, self.state.lang, **kw)

    def relabel(self) -> None:
        """Set every widget's label in the current language."""


# ----------------------------------------------------------------------------------------------
# selection (S2) and calculate (S3)


class SelectionView(StateView):
    """Users, period, relations, as_of, and the Calculate button with progress."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        s = state
        self.user_mode = pn.widgets.RadioButtonGroup(
            value=s.user_mode, button_type="light", css_classes=["user-mode"]
        )
        self.user = pn.widgets.Select(value=s.user, options=[], css_classes=["user"])
        self.user_group = pn.widgets.Select(
            value=s.user_group, options=s.data.group_names(), css_classes=["user-group"]
        )
        self.preset = pn.widgets.Select(value=s.period_preset, options=[], css_classes=["preset"])
        self.since = pn.widgets.DatePicker(value=s.since)
        self.period_from = pn.widgets.DatePicker(value=s.period_from)
        self.period_to = pn.widgets.DatePicker(value=s.period_to)
        self.relation_mode = pn.widgets.RadioButtonGroup(
            value=s.relation_mode, button_type="light", css_classes=["relation-mode"]
        )
        self.b_group = pn.widgets.Select(
            value=s.b_group, options=s.data.b_group_names(), css_classes=["b-group"]
        )
        self.file = pn.widgets.FileInput(
            accept=".txt,.csv,.tsv", multiple=False, css_classes=["selection-file"]
        )
        self.file_status = pn.pane.HTML("", margin=(0, 10), css_classes=["file-status"])
        self.file_error = _alert("danger", "file-error")
        # the as-of date: typed (dd-mm-jjjj / yyyy-mm-dd, parsed by the library) or picked
        self.as_of_text = pn.widgets.TextInput(css_classes=["as-of-text"], width=150)
        self.as_of = pn.widgets.DatePicker(value=s.as_of, css_classes=["as-of"], width=150)
        self.as_of_error = _alert("danger", "as-of-error")
        self.data_until = pn.pane.HTML("", margin=(0, 10), css_classes=["data-until"])
        self.calculate = pn.widgets.Button(button_type="primary", css_classes=["calculate"])
        self.progress = pn.indicators.Progress(
            active=True, value=-1, visible=False, sizing_mode="stretch_width", height=10
        )
        self.error = _alert("danger", "calc-error")
        self.pending = _alert("warning", "pending")
        pairs = [
            (self.user_mode, "user_mode"),
            (self.user, "user"),
            (self.user_group, "user_group"),
            (self.preset, "period_preset"),
            (self.since, "since"),
            (self.period_from, "period_from"),
            (self.period_to, "period_to"),
            (self.relation_mode, "relation_mode"),
            (self.b_group, "b_group"),
            (self.as_of, "as_of"),
        ]
        for widget, name in pairs:
            widget.link(s, value=name, bidirectional=True)
        self.file.param.watch(self._upload, "value")
        self.as_of_text.param.watch(self._typed_as_of, "value")
        s.param.watch(lambda *e: self._show_as_of(), "as_of")
        self.calculate.on_click(self._calculate)
        s.param.watch(
            lambda *e: self._visibility(),
            [
                "user_mode",
                "relation_mode",
                "period_preset",
                "selection_file",
                "selection_error",
                "selection_codes",
            ],
        )
        s.param.watch(lambda *e: self._status(), ["busy", "error", "dirty"])
        self.relabel()
        self._visibility()
        self._status()

    def relabel(self) -> None:
        tr = self.t
        self.user_mode.options = {
            tr("users_all"): "all",
            tr("users_one"): "user",
            tr("users_group"): "group",
        }
        names = self.state.user_names()
        self.user.options = {names[u]: u for u in self.state.param.user.objects}
        self.user.name, self.user_group.name = tr("user"), tr("user_group")
        self.preset.options = {tr(f"preset_{p}"): p for p in self.state.param.period_preset.objects}
        self.preset.name = tr("period")
        self.since.name = tr("since")
        self.period_from.name, self.period_to.name = tr("period_from"), tr("period_to")
        self.relation_mode.options = {
            tr("relations_all"): "all",
            tr("relations_b_group"): "b_group",
            tr("relations_file"): "file",
        }
        self.b_group.name = tr("b_group")
        self.file.name = tr("selection_file")
        self.as_of_text.name = tr("as_of")
        self.as_of_text.placeholder = tr("date_placeholder")
        self.as_of.name = tr("as_of_calendar")
        self._show_as_of()
        until = self.state.data_until_text()
        self.data_until.object = f"<small>{esc(until)}</small>" if until else ""
        self.data_until.visible = bool(until)
        self.calculate.name = tr("calculate")
        self._visibility()
        self._status()

    def _show_as_of(self) -> None:
        self.as_of_text.value = fmt_date(self.state.as_of, self.state.lang)
        _show(self.as_of_error, "")

    def _typed_as_of(self, event: param.parameterized.Event) -> None:
        if event.new == fmt_date(self.state.as_of, self.state.lang):
            return
        try:
            self.state.as_of = parse_date(event.new, self.state.lang)
        except ValueError as exc:
            _show(self.as_of_error, str(exc))  # the field keeps what was typed
            return
        self._show_as_of()

    def _upload(self, event: param.parameterized.Event) -> None:
        if event.new:
            self.state.load_selection_file(event.new, self.file.filename or "selection")

    def _visibility(self) -> None:
        s = self.state
        self.user.visible = s.user_mode == "user"
        self.user_group.visible = s.user_mode == "group"
        self.since.visible = s.period_preset == "since"
        self.period_from.visible = self.period_to.visible = s.period_preset == "custom"
        self.b_group.visible = s.relation_mode == "b_group"
        is_file = s.relation_mode == "file"
        self.file.visible = self.file_status.visible = is_file
        if s.selection_codes and not s.selection_error:
            rel = fmt_relations(len(s.selection_codes), s.lang)
            status = self.t("file_loaded", file=s.selection_file, relations=rel)
        else:
            status = "" if s.selection_error else self.t("file_none")
        self.file_status.object = f"<small>{esc(status)}</small>"
        _show(self.file_error, s.selection_error if is_file else "")

    def _status(self) -> None:
        s = self.state
        self.progress.visible = s.busy
        self.calculate.loading = s.busy
        _show(self.error, s.error)
        _show(self.pending, self.t("pending") if s.dirty and not s.error else "")

    async def _calculate(self, event: Any) -> None:
        await self.state.calculate_async()

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.user_mode,
            self.user,
            self.user_group,
            self.preset,
            self.since,
            pn.Row(self.period_from, self.period_to),
            self.relation_mode,
            self.b_group,
            self.file,
            self.file_status,
            self.file_error,
            pn.Row(self.as_of_text, self.as_of),
            self.as_of_error,
            self.data_until,
            self.calculate,
            self.progress,
            self.error,
            self.pending,
            sizing_mode="stretch_width",
        )


class SettingsView(StateView):
    """Language, privacy mode, sales-monitor permission and revenue basis, band tuning."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        s = state
        self.lang = pn.widgets.RadioButtonGroup(
            value=s.lang,
            options={"Nederlands": "nl", "English": "en"},
            button_type="light",
            css_classes=["lang"],
        )
        self.privacy = pn.widgets.Checkbox(value=s.privacy, css_classes=["privacy"])
        self.permission = pn.widgets.Checkbox(value=s.sales_permission, css_classes=["permission"])
        self.revenue = pn.widgets.RadioButtonGroup(
            value=s.revenue_basis, button_type="light", css_classes=["revenue-basis"]
        )
        # figures per employee (B6) and who "me" is (locally; logged in, the login decides)
        self.employees = pn.widgets.Checkbox(
            value=s.employee_permission, css_classes=["employee-permission"]
        )
        self.me = pn.widgets.Select(value=s.me, options=[], css_classes=["me"])
        self.strategy = pn.widgets.Select(value=s.strategy, options=[], css_classes=["strategy"])
        self.thresholds = [
            pn.widgets.FloatInput(
                step=0.05, width=130, margin=(5, 8), css_classes=[f"threshold-{i}"]
            )
            for i in range(4)
        ]
        self.no_thresholds = pn.pane.HTML("")
        self.band_error = _alert("danger", "band-error")
        self.warning = _alert("warning", "store-warning")
        for widget, name in [
            (self.lang, "lang"),
            (self.privacy, "privacy"),
            (self.permission, "sales_permission"),
            (self.revenue, "revenue_basis"),
            (self.strategy, "strategy"),
            (self.employees, "employee_permission"),
            (self.me, "me"),
        ]:
            widget.link(s, value=name, bidirectional=True)
        for w in self.thresholds:
            w.param.watch(self._threshold_changed, "value")
        s.param.watch(
            lambda *e: self._sync(), ["thresholds", "sales_permission", "band_error", "warning"]
        )
        self.relabel()

    def relabel(self) -> None:
        tr = self.t
        self.privacy.name = tr("privacy")
        self.permission.name = tr("sales_permission")
        self.revenue.options = {
            tr(f"revenue_{b}"): b for b in self.state.param.revenue_basis.objects
        }
        self.strategy.options = {tr(f"strategy_{k}"): k for k in bands_mod.STRATEGIES}
        self.employees.name = tr("employee_permission")
        names = self.state.user_names()
        self.me.options = {names[u]: u for u in self.state.param.me.objects}
        self.me.name = tr("me")
        self.strategy.name = tr("strategy")
        for i, w in enumerate(self.thresholds):
            w.name = tr("threshold_n", n=i + 1)
        self.no_thresholds.object = f"<small>{esc(tr('thresholds_none'))}</small>"
        self._sync()

    def _sync(self) -> None:
        s = self.state
        th = s.thresholds
        self._syncing = True
        try:
            for i, w in enumerate(self.thresholds):
                w.visible = th is not None
                if th is not None:
                    w.value = float(th[i])
        finally:
            self._syncing = False
        self.no_thresholds.visible = th is None
        self.revenue.visible = s.sales_permission
        _show(self.band_error, s.band_error)
        _show(self.warning, s.warning)

    def permission_widgets(self) -> list[pn.viewable.Viewable]:
        """Locally the sales-monitor checkbox and the revenue basis. Logged in, no checkbox (the
        roles decide) and the basis only with ``sales_monitor``: a widget that is not in the page
        has no model in the browser, so it cannot be switched from there either."""
        s = self.state
        if not s.hosted:
            return [self.permission, self.revenue]
        return [self.revenue] if s.session.may("revenue") else []

    def person_widgets(self) -> list[pn.viewable.Viewable]:
        """Locally "may see figures per employee" and who "me" is (until log-in exists). Logged
        in, neither: the roles decide, and "me" is the login's CRM user."""
        return [] if self.state.hosted else [self.employees, self.me]

    def _threshold_changed(self, event: Any) -> None:
        if getattr(self, "_syncing", False) or self.state.thresholds is None:
            return
        values = [w.value for w in self.thresholds]
        if None not in values and values != list(self.state.thresholds):
            self.state.thresholds = values

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.lang,
            self.privacy,
            *self.permission_widgets(),
            *self.person_widgets(),
            self.strategy,
            pn.GridBox(*self.thresholds, ncols=2),
            self.no_thresholds,
            self.band_error,
            self.warning,
            sizing_mode="stretch_width",
        )


# ----------------------------------------------------------------------------------------------
# the overview: status line, view switch, distribution, summary, grid, export


class StatusView(StateView):
    """What the result covers and when it was calculated ("berekend op …"); with a live feed
    (B13) the live line, the Live switch and the files of the feed that were not taken in."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.pane = pn.pane.HTML("", css_classes=["status"], sizing_mode="stretch_width")
        self.live = pn.pane.HTML("", css_classes=["live-status"], margin=(5, 10))
        self.switch = pn.widgets.Switch(value=state.live, css_classes=["live-switch"], width=40)
        self.switch.link(state, value="live", bidirectional=True)
        self.switch_label = pn.pane.HTML("", margin=(5, 0))
        self.problems = _alert("warning", "live-problems")
        self.live_row = pn.Row(self.switch, self.switch_label, self.live, visible=False)
        state.param.watch(lambda *e: self.relabel(), ["result", "calculated_at", "settings"])
        state.param.watch(lambda *e: self._live(), ["live_text", "live_problems"])
        self.relabel()

    def relabel(self) -> None:
        s = self.state
        self.pane.object = (
            f'<div><b class="calculated-at">{esc(s.calculated_text())}</b> — '
            f'<span class="result-line">{esc(s.result_line())}</span></div>'
        )
        self.switch_label.object = f"<span>{esc(self.t('live_label'))}</span>"
        self._live()

    def _live(self) -> None:
        s = self.state
        self.live_row.visible = bool(s.live_text)
        self.live.object = f'<span class="live-text">{esc(s.live_text)}</span>'
        _show(self.problems, "\n".join(s.live_problems))

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.pane, self.live_row, self.problems, sizing_mode="stretch_width")


class ViewSwitch(StateView):
    """The "Beeld" switch: attention, per source (S8), sales (S9, with permission only)."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.switch = pn.widgets.RadioButtonGroup(
            value=state.view_mode, button_type="light", css_classes=["view-switch"]
        )
        self.switch.link(state, value="view_mode", bidirectional=True)
        state.param.watch(lambda *e: self.relabel(), ["sales_permission", "sales"])
        self.relabel()

    def relabel(self) -> None:
        modes = ["attention", "sources"] + (["sales"] if self.state.sales is not None else [])
        self.switch.options = {self.t(f"view_{m}"): m for m in modes}
        self.switch.name = self.t("view")

    def __panel__(self) -> pn.viewable.Viewable:
        return self.switch


class DistributionView(StateView):
    """Six coloured bins with counts (S5): hover shows the range, a click lists the relations."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.buttons = {
            b: pn.widgets.Button(css_classes=["bin", f"bin-{b}"], margin=(5, 4), min_width=120)
            for b in bands_mod.BAND_NAMES
        }
        for band, button in self.buttons.items():
            button.on_click(lambda e, band=band: self._toggle(band))
        self.bar = pn.pane.HTML("", sizing_mode="stretch_width", height=18, margin=(0, 10))
        self.heading = pn.pane.HTML("", margin=(0, 10))
        self.title = pn.pane.HTML("", css_classes=["bin-title"])
        self.hint = pn.pane.HTML("")
        self.list = pn.widgets.Tabulator(
            pd.DataFrame(columns=BIN_COLUMNS),
            show_index=False,
            disabled=True,
            pagination="local",
            page_size=10,
            sizing_mode="stretch_width",
            css_classes=["bin-list"],
        )
        # shown by putting it in the holder: a hidden Tabulator must not be redrawn
        self.holder = pn.Column(sizing_mode="stretch_width")
        state.param.watch(lambda *e: self.relabel(), ["bins", "selected_bin", "table"])
        self.relabel()

    def _toggle(self, band: str) -> None:
        s = self.state
        s.selected_bin = None if s.selected_bin == band else band

    def relabel(self) -> None:
        s = self.state
        bins = s.bins
        if bins is None:
            return
        for row in bins.itertuples(index=False):
            b = self.buttons[row.band]
            label = f"{row.label}: {fmt_number(row.count, s.lang)}"
            share = getattr(row, "revenue_share", None)
            if share is not None and not pd.isna(share):  # sales view: share of the revenue
                label += f" · {fmt_percent(share, s.lang)} {self.t('col_revenue_short')}"
            b.name = label
            b.description = row.hint
            fg = text_colour(row.colour)
            outline = (
                "outline: 3px solid #000; outline-offset: 2px;"
                if row.band == (s.selected_bin)
                else ""
            )
            b.stylesheets = [
                f":host .bk-btn {{ background-color: {row.colour} !important; color: {fg} "
                f"!important; border-color: {row.colour} !important; font-weight: 600; "
                f"{outline} }}"
            ]
        total = int(bins["count"].sum()) or 1
        parts = "".join(
            f'<div title="{esc(r.label)}" style="width:{100 * r.count / total:.3f}%;'
            f'background:{r.colour};height:14px"></div>'
            for r in bins.itertuples(index=False)
        )
        self.bar.object = f'<div style="display:flex;width:100%">{parts}</div>'
        self.hint.object = f"<small>{esc(self.t('bin_hint'))}</small>"
        self.heading.object = heading(self.t("distribution"))
        band = s.selected_bin
        if band is None:
            self.holder.objects = []
            return
        rows = s.bin_relations(band)
        label = bins.set_index("band").loc[band, "label"]
        self.title.object = f"<b>{esc(self.t('bin_list_title', band=label, relations=fmt_relations(len(rows), s.lang)))}</b>"
        cols = list(rows.columns)
        localize(self.list, s.lang)
        self.list.param.update(
            titles={c: self.t(f"col_{c}") for c in cols},
            formatters=formatters(cols, s.lang),
            value=display_frame(rows, cols).reset_index(drop=True),
        )
        if not self.holder.objects:
            self.holder.objects = [self.title, self.list]

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            self.heading,
            pn.FlexBox(*self.buttons.values()),
            self.bar,
            self.hint,
            self.holder,
            sizing_mode="stretch_width",
        )


class SummaryView(StateView):
    """The attention or sales summary (S6, S9) with how it was computed."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.pane = pn.pane.HTML("", css_classes=["summary"], sizing_mode="stretch_width")
        self.excluded_title = pn.pane.HTML("", css_classes=["excluded-title"])
        self.excluded = pn.widgets.Tabulator(
            pd.DataFrame(columns=BIN_COLUMNS),
            show_index=False,
            disabled=True,
            pagination="local",
            page_size=10,
            sizing_mode="stretch_width",
            css_classes=["excluded-list"],
        )
        self.holder = pn.Column(sizing_mode="stretch_width")
        state.param.watch(lambda *e: self.relabel(), ["summary_text", "summary_how", "table"])
        self.relabel()

    def relabel(self) -> None:
        s = self.state
        lines = "".join(f"<li>{esc(x)}</li>" for x in s.summary_text.splitlines())
        self.pane.object = (
            f"{heading(self.t('summary'))}<ul>{lines}</ul>"
            f"<details><summary>{esc(self.t('how_computed'))}</summary>"
            f"<p>{esc(s.summary_how)}</p></details>"
        )
        show = s.view_mode == "sales" and s.sales is not None
        if not show:
            self.holder.objects = []
        else:
            ex = s.excluded_relations()
            rel = fmt_relations(len(ex), s.lang)
            self.excluded_title.object = f"<b>{esc(self.t('excluded_title', relations=rel))}</b>"
            cols = list(ex.columns)
            localize(self.excluded, s.lang)
            self.excluded.param.update(
                titles={c: self.t(f"col_{c}") for c in cols},
                formatters=formatters(cols, s.lang),
                value=display_frame(ex, cols).reset_index(drop=True),
            )
            if not self.holder.objects:
                self.holder.objects = [self.excluded_title, self.excluded]

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.pane, self.holder, sizing_mode="stretch_width")


class GridView(StateView):
    """The colour grid (S4): sortable, filterable, band colour as cell background; ticked rows
    are the selection for the export (S10); a click on a total opens the timeline."""

    open_timeline = param.Event()

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.count = pn.pane.HTML("", css_classes=["grid-count"])
        self._configured: tuple[tuple[str, ...], str, bool] | None = None
        self.grid = pn.widgets.Tabulator(
            pd.DataFrame(),
            show_index=False,
            disabled=True,
            pagination="remote",
            page_size=25,
            selectable="checkbox",
            sizing_mode="stretch_width",
            layout="fit_data_table",
            css_classes=["grid"],
            hidden_columns=list(GRID_HIDDEN),
            widths=dict(GRID_WIDTHS),
            sortable={"band_colour": False, "sales_band_colour": False},
            stylesheets=[
                '.tabulator-cell[tabulator-field="total"] '
                "{ color: #0d6efd; text-decoration: underline; cursor: pointer; }"
            ],
        )
        self.grid.on_click(self._clicked, column="total")
        self.grid.param.watch(self._selected, "selection")
        state.param.watch(lambda *e: self.relabel(), ["table", "view_mode"])
        # rows selected elsewhere (a box/lasso selection on the map) are ticked here too
        state.param.watch(self._follow_selection, "selected_rows")
        self.relabel()

    def relabel(self) -> None:
        s = self.state
        if s.table is None:
            return
        cols = s.grid_columns()
        update: dict[str, Any] = {
            "value": display_frame(s.table, cols + GRID_HIDDEN),
            "selection": list(s.selected_rows),
        }
        if (tuple(cols), s.lang, s.privacy) != self._configured:
            # new columns: one update, so that Tabulator rebuilds its columns once
            self._configured = (tuple(cols), s.lang, s.privacy)
            localize(self.grid, s.lang)
            update.update(
                # pseudonyms (P-1A2B3C4D) are longer than most codes: never cut them off
                widths={**GRID_WIDTHS, **({"relation_id": 120} if s.privacy else {})},
                titles={c: self.t(f"col_{c}") for c in cols},
                formatters=formatters(cols, s.lang),
                header_filters=self._filters(cols),
            )
        self.grid.param.update(**update)
        self.count.object = (
            f"<b>{esc(self.t('grid_count', relations=fmt_relations(len(s.table), s.lang)))}</b>"
            f" <small>{esc(self.t('grid_hint'))}</small>"
        )

    def _filters(self, cols: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for c in cols:
            if c in TEXT_COLUMNS and "explanation" not in c:
                out[c] = {"type": "input", "func": "like", "placeholder": "…"}
            elif c in INT_COLUMNS or c in DAYS_COLUMNS or c in MONEY_COLUMNS | RATIO_COLUMNS:
                out[c] = {"type": "number", "func": ">=", "placeholder": "≥"}
        return out

    def _clicked(self, event: Any) -> None:
        self.state.timeline_row = int(event.row)
        self.param.trigger("open_timeline")

    def row_order(self) -> list[int]:
        """Table rows in the grid's current sort and filter order (for stepping in the timeline)."""
        view = self.grid.current_view
        if view is None or self.state.table is None:
            return [] if self.state.table is None else list(range(len(self.state.table)))
        return [int(i) for i in view.index]

    def _selected(self, event: Any) -> None:
        self.state.selected_rows = list(event.new)

    def _follow_selection(self, event: Any) -> None:
        if sorted(self.grid.selection) != sorted(event.new):
            self.grid.selection = list(event.new)

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(self.count, self.grid, sizing_mode="stretch_width")


class ExportView(StateView):
    """Excel export (S12) of all relations or only the ticked ones."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.all = pn.widgets.FileDownload(
            callback=lambda: self._export(None),
            button_type="success",
            css_classes=["export-all"],
            filename="export.xlsx",
        )
        self.selected = pn.widgets.FileDownload(
            callback=lambda: self._export(self.state.selected_rows),
            button_type="success",
            css_classes=["export-selected"],
            filename="export.xlsx",
        )
        state.param.watch(lambda *e: self.relabel(), ["selected_rows", "calculated_at"])
        self.relabel()

    def relabel(self) -> None:
        s = self.state
        stamp = (s.calculated_at or dt.datetime.now()).strftime("%Y-%m-%d_%H%M")
        name = f"{self.t('export_filename')}_{stamp}"
        self.all.label = self.all.name = self.t("export_all")
        self.all.filename = f"{name}.xlsx"
        n = len(s.selected_rows)
        self.selected.label = self.selected.name = self.t("export_selected", n=n)
        self.selected.filename = f"{name}_{self.t('set_rows_selected', n=n).replace(' ', '_')}.xlsx"
        self.selected.disabled = n == 0

    def _export(self, rows: list[int] | None) -> io.BytesIO:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.xlsx"
            self.state.export_xlsx(path, rows=None if rows is None else list(rows))
            return io.BytesIO(path.read_bytes())

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Row(self.all, self.selected)
