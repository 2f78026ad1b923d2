"""The timeline of one relation (S7) with its monthly chart (B1) and direct answers (S14).

:class:`TimelineState` holds which relation (the :class:`~app.state.MonitorState`'s
``timeline_row``: a row of the grid), the filters, the chosen item and the answers' settings;
every figure comes from the library — :func:`aandacht.timeline`, :mod:`aandacht.items` (what an
event is, filters, content, reference chain), :func:`aandacht.history.activity_per_month`,
:func:`aandacht.answers.answers`, :func:`aandacht.privacy.pseudonymise`.
:class:`TimelineView` shows it.

Stepping: the buttons, and the keys ``+`` / ``-`` (next / previous relation, in the grid's
current sort and filter order) and ``↓`` / ``↑`` (next / previous item). The keys are caught by a
small :class:`~panel.custom.JSComponent` (no download: Panel compiles it in the page), only while
the timeline is on screen and never while typing in a field.

Untrusted text (subjects, bodies, names) is never rendered as HTML: the item and the answers are
escaped here (:func:`app.views.esc`), the table uses Tabulator's ``plaintext`` formatter.
``pn.pane.Str`` is not used on purpose: it puts its text unescaped inside ``<pre>``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, DatetimeTickFormatter, Legend
from bokeh.plotting import figure
from panel.custom import JSComponent

import aandacht
from aandacht.answers import answer_texts
from aandacht.i18n import (
    TEXT,
    fmt_date,
    fmt_datetime,
    fmt_money,
    t,
)
from aandacht.items import describe_events, filter_timeline, item_content
from aandacht.privacy import pseudonymise
from aandacht.schema import CATEGORIES

from .insights_state import result_as_of, result_selection
from .state import MonitorState
from .views import StateView, alert_html, display_frame, esc, formatters, heading, localize

#: Columns of the timeline table (``event_id`` and ``counted`` are hidden).
EVENT_COLUMNS = [
    "kind",
    "timestamp",
    "what",
    "user_id",
    "subject",
    "amount",
    "status",
    "reference",
    "event_id",
    "counted",
]
HIDDEN_EVENT_COLUMNS = ["event_id", "counted"]
#: Columns the table shows (and ``amount`` with sales-monitor permission).
TABLE_COLUMNS = ["kind", "timestamp", "what", "user_id", "subject"]
PAGE_SIZE = 25
#: Contact moments per group in the chart, and the other events.
CHART_COLOURS = {
    "history": "#4e79a7",
    "correspondence": "#59a14f",
    "sales": "#f28e2b",
    "helpdesk": "#e15759",
    "not_counted": "#c9c9c9",
}
MUTED = "color: #6c757d; font-style: italic"


class TimelineState(param.Parameterized):
    """The timeline of the relation in grid row ``monitor.timeline_row``, filters, item, answers."""

    monitor = param.ClassSelector(class_=MonitorState)

    # the relation's events (library) and what is shown of them
    events = param.DataFrame(default=None, allow_None=True, doc="aandacht.timeline, raw.")
    shown = param.DataFrame(default=None, allow_None=True, doc="Filtered, for the table.")
    monthly = param.DataFrame(default=None, allow_None=True, doc="activity_per_month.")
    sources = param.ListSelector(default=[], objects=[], doc="Only these sources (none: all).")
    users = param.ListSelector(default=[], objects=[], doc="Only these users (none: all).")
    period_from = param.CalendarDate(default=None, allow_None=True)
    period_to = param.CalendarDate(default=None, allow_None=True)
    item = param.String(default=None, allow_None=True, doc="event_id of the opened item.")
    newest_first = param.Boolean(default=True, doc="The table's order: newest first, or oldest.")
    error = param.String(default="")

    # direct answers (S14)
    since = param.CalendarDate(default=None, allow_None=True, doc="Colleagues since this day.")
    days = param.Integer(default=14, bounds=(1, 365), doc="Mailing response window (days).")
    department = param.Selector(default=None, objects=[], allow_None=True)
    group = param.Selector(default=None, objects=[], allow_None=True)
    answers = param.Dict(default=None, allow_None=True, doc="aandacht.answers.answers(...)")

    def __init__(self, monitor: MonitorState, **params: Any):
        super().__init__(monitor=monitor, **params)
        groups = monitor.data.group_names()
        self.param.department.objects = groups
        self.param.group.objects = groups
        with param.parameterized.discard_events(self):
            if self.department is None and groups:
                self.department = "Service" if "Service" in groups else groups[0]
            if self.group is None and groups:
                self.group = "inside sales" if "inside sales" in groups else groups[0]
        self._loading = False
        self._rid: str | None = None  # the relation shown, to keep it across a recount
        self._since_default: dt.date | None = None  # "since" follows the as-of date until changed
        monitor.param.watch(self._relation_changed, ["timeline_row", "result"])
        monitor.param.watch(lambda *e: self._shape(), ["privacy", "lang", "sales_permission"])
        monitor.param.watch(
            lambda *e: self._answer(), ["me", "privacy", "lang", "sales_permission"]
        )
        self.param.watch(
            lambda *e: self._loading or self._shape(),
            ["sources", "users", "period_from", "period_to", "newest_first"],
        )
        self.param.watch(
            lambda *e: self._loading or self._answer(), ["since", "days", "department", "group"]
        )
        self._load()

    # ------------------------------------------------------------------------------------------
    # which relation

    def relation_id(self) -> str | None:
        """The real code of the relation shown (``None`` without one)."""
        s, row = self.monitor, self.monitor.timeline_row
        if row is None or s.result is None or not 0 <= row < len(s.result):
            return None
        return str(s.result["relation_id"].iloc[row])

    def title(self) -> str:
        """``Tijdlijn van <name> (<code>)`` as the grid shows them (pseudonyms in privacy mode)."""
        s, row = self.monitor, self.monitor.timeline_row
        if self.relation_id() is None or s.table is None:
            return t("timeline_hint", s.lang)
        shown = s.table.iloc[row]
        return t("timeline_title", s.lang, name=shown["name"], code=shown["relation_id"])

    def trend_text(self) -> str:
        """The relation's trend (B1) as in the grid, with the contact moments behind it."""
        s, row = self.monitor, self.monitor.timeline_row
        if self.relation_id() is None or s.table is None or "trend" not in s.table:
            return ""
        return t("timeline_trend", s.lang, trend=s.table["trend"].iloc[row])

    def step_relation(self, delta: int, order: list[int] | None = None) -> bool:
        """Open the next (``delta=1``) or previous (``-1``) relation in ``order`` (grid rows in
        the grid's sort and filter order; default the table's order). False at either end."""
        s = self.monitor
        if s.result is None:
            return False
        order = list(range(len(s.result))) if order is None else [int(i) for i in order]
        if not order:
            return False
        cur = s.timeline_row
        if cur not in order:
            target = order[0] if delta > 0 else order[-1]
        else:
            i = order.index(cur) + delta
            if not 0 <= i < len(order):
                return False
            target = order[i]
        s.timeline_row = target
        return True

    # ------------------------------------------------------------------------------------------
    # the events

    def _relation_changed(self, *events: param.parameterized.Event) -> None:
        s = self.monitor
        if (
            any(e.name == "result" for e in events)
            and s.timeline_row is None
            and s.result is not None
        ):
            # a recount (e.g. with revenue) keeps the relation open when it is still measured
            hits = [i for i, r in enumerate(s.result["relation_id"]) if str(r) == self._rid]
            if hits:
                s.timeline_row = hits[0]  # calls this again
                return
        self._load()

    def _load(self) -> None:
        """The relation's timeline and months from the library; filters and item reset."""
        s, rid = self.monitor, self.relation_id()
        self._rid = rid
        if rid is None:
            self.param.update(events=None, shown=None, monthly=None, item=None, answers=None)
            return
        as_of = result_as_of(s)
        try:
            # for the session's principal: no subject/body without contact details, no
            # amount without sales-monitor permission (the columns are absent then)
            tl = s.session.timeline(rid, as_of=as_of)
            monthly = s.session.activity_per_month(rid, end=as_of)
        except (aandacht.AandachtError, ValueError) as exc:
            self.error = t("calc_error", s.lang, error=str(exc))
            return
        self._loading = True  # one _shape and one _answer, after every value is in place
        try:
            with param.parameterized.batch_call_watchers(self):
                self.param.update(sources=[], users=[], period_from=None, period_to=None)
                self.param.sources.objects = sorted(tl["source"].dropna().astype(str).unique())
                self.param.users.objects = sorted(tl["user_id"].dropna().astype(str).unique())
                if self.since is None or self.since == self._since_default:
                    self._since_default = as_of - dt.timedelta(days=30)
                    self.since = self._since_default
                self.param.update(item=None, error="", events=tl, monthly=monthly)
        finally:
            self._loading = False
        self._shape()
        self._answer()

    def _display(self) -> pd.DataFrame:
        """The whole timeline as this user may see it: amounts with permission, privacy."""
        s = self.monitor
        tl = self.events.copy()
        if not s.has_revenue() and "amount" in tl.columns:
            tl["amount"] = np.nan
        if s.privacy:
            tl = pseudonymise(tl, lang=s.lang)
        return tl

    def _shape(self) -> None:
        """The filtered events with what each is and whether it is a contact moment."""
        if self.events is None:
            self.shown = None
            return
        lang = self.monitor.lang
        tl = filter_timeline(
            self._display(),
            sources=self.sources,
            users=self.users,
            start=self.period_from,
            end=self.period_to,
        )
        out = tl.reindex(columns=EVENT_COLUMNS)  # subject/amount may be absent (permissions)
        out["what"] = describe_events(tl, lang)
        out["kind"] = [
            t("kind_contact" if c else "kind_other", lang) for c in tl["counted"].astype(bool)
        ]
        if self.newest_first:  # the latest contact on top (the library's order is oldest first)
            out = out.iloc[::-1]
        out = out.reset_index(drop=True)
        with param.parameterized.batch_call_watchers(self):
            if self.item is not None and self.item not in set(out["event_id"]):
                self.item = None
            self.shown = out

    def item_position(self) -> int | None:
        """The opened item's row in :attr:`shown`."""
        if self.item is None or self.shown is None:
            return None
        hits = np.flatnonzero(self.shown["event_id"].to_numpy() == self.item)
        return int(hits[0]) if len(hits) else None

    def open_item(self, position: int) -> None:
        """Open the item in row ``position`` of :attr:`shown`."""
        if self.shown is not None and 0 <= position < len(self.shown):
            self.item = str(self.shown["event_id"].iloc[position])

    def step_item(self, delta: int) -> bool:
        """Open the next (``1``: the row below) or previous (``-1``) item in the table's order
        (newest first unless :attr:`newest_first` is off). False at either end."""
        if self.shown is None or self.shown.empty:
            return False
        pos = self.item_position()
        if pos is None:
            target = 0 if delta > 0 else len(self.shown) - 1
        else:
            target = pos + delta
            if not 0 <= target < len(self.shown):
                return False
        self.open_item(target)
        return True

    def item_details(self) -> dict[str, Any] | None:
        """:func:`aandacht.items.item_content` of the opened item, as this user may see it."""
        if self.item is None or self.events is None:
            return None
        s = self.monitor
        return item_content(self._display(), self.item, s.lang, amounts=s.has_revenue())

    def item_lines(self) -> list[tuple[str, str]]:
        """(label, text) lines of the opened item; the text is untrusted (show as text)."""
        item, lang = self.item_details(), self.monitor.lang
        if item is None:
            return []
        kind = t("kind_contact" if item["counted"] else "kind_other", lang)
        lines = [
            (t("col_timestamp", lang), fmt_datetime(item["timestamp"], lang)),
            (t("col_what", lang), f"{item['what']} — {kind}"),
            (t("col_user_id", lang), self._user_name(item["user_id"])),
        ]
        for key in ("channel", "direction", "subject", "body", "status", "reference"):
            value = item.get(key)
            if value and key in ("channel", "direction") and f"{key}_{value}" in TEXT:
                value = t(f"{key}_{value}", lang)  # a code of the CRM, in words
            if value:
                lines.append((t(f"col_{key}", lang), value))
        if item["amount"] is not None:
            lines.append((t("col_amount", lang), fmt_money(item["amount"], lang)))
        if item["chain"]:
            steps = []
            for c in item["chain"]:
                step = f"{c['reference'] or ''} {c['what']} {fmt_date(c['timestamp'], lang)}"
                if c["amount"] is not None:
                    step += f" {fmt_money(c['amount'], lang)}"
                if c["status"]:
                    step += f" ({c['status']})"
                steps.append(step.strip())
            lines.append((t("item_chain", lang), " → ".join(steps)))
        return lines

    def _user_name(self, user_id: Any) -> str:
        if user_id is None:
            return ""
        return self.monitor.user_names().get(str(user_id), str(user_id))

    # ------------------------------------------------------------------------------------------
    # direct answers (S14)

    def me(self) -> str | None:
        """Who "me" is: the logged-in CRM user, or (locally, without log-in) the chosen one."""
        s = self.monitor
        return s.me if s.principal.local else s.principal.user_id

    def _answer(self) -> None:
        s, rid = self.monitor, self.relation_id()
        if rid is None or self.me() is None or self.since is None:
            self.answers = None
            return
        perm = s.has_revenue()
        basis = s.settings.get("selection", {}).get("revenue") or s.revenue_basis
        kw = {
            "as_of": result_as_of(s),
            "days": self.days,
            "department": self.department,
            "group": self.group,
            "selection": result_selection(s, revenue=basis),
            "result": s.result if perm else None,
            "lang": s.lang,
        }
        try:
            # locally as the chosen "me"; logged in as the principal's own CRM user
            a = s.session.answers(rid, self.since, me=s.me, sales_permission=perm, **kw)
        except (aandacht.AandachtError, ValueError) as exc:
            self.error = t("calc_error", s.lang, error=str(exc))
            self.answers = None
            return
        self.answers = a

    def answer_items(self) -> list[dict[str, Any]]:
        """The answers as ``{"key", "question", "answer", "details"}`` texts, in the language
        (:func:`aandacht.answers.answer_texts`); subjects and bodies are masked in privacy mode
        (untrusted: show as text)."""
        s = self.monitor
        return answer_texts(
            self.answers,
            s.lang,
            me=self.me(),
            department=self.department,
            group=self.group,
            days=self.days,
            privacy=s.privacy,
            revenue=s.has_revenue(),
        )


# ----------------------------------------------------------------------------------------------
# the view


class TimelineKeys(JSComponent):
    """Sends ``+``, ``-``, ``ArrowUp`` and ``ArrowDown`` key presses to :attr:`on_key`, while
    it is on screen and the focus is not in a field (Panel compiles this in the page)."""

    _esm = """
export function render({ model, el }) {
  const keys = ["+", "-", "ArrowUp", "ArrowDown"]
  const onKey = (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || !keys.includes(e.key)) return
    const target = e.composedPath()[0]
    const tag = ((target && target.tagName) || "").toLowerCase()
    if (["input", "textarea", "select"].includes(tag) || (target && target.isContentEditable)) return
    if (!el.isConnected) return
    e.preventDefault()
    model.send_msg(e.key)
  }
  document.addEventListener("keydown", onKey)
  model.on("remove", () => document.removeEventListener("keydown", onKey))
  el.classList.add("timeline-keys-ready")  // for tests: the keys are listened to from now on
}
"""

    def __init__(self, on_key: Callable[[str], None], **params: Any):
        super().__init__(height=0, width=0, margin=0, **params)
        self._on_key = on_key

    def _handle_msg(self, msg: Any) -> None:
        self._on_key(str(msg))


def _dl(lines: list[tuple[str, str]], css: str) -> str:
    """A definition list of (label, text), everything escaped; newlines kept."""
    rows = "".join(
        f'<dt style="font-weight:600">{esc(k)}</dt>'
        f'<dd style="margin:0 0 6px 0;white-space:pre-wrap">{html.escape(v)}</dd>'
        for k, v in lines
    )
    return f'<dl class="{css}" style="margin:0">{rows}</dl>'


class TimelineView(StateView):
    """The timeline tab: stepping, filters, the events, the opened item, chart and answers."""

    def __init__(
        self,
        state: MonitorState,
        order: Callable[[], list[int]] | None = None,
        tl: TimelineState | None = None,
        **params: Any,
    ):
        super().__init__(state, **params)
        self.tl = tl or TimelineState(state)
        self._order = order
        button = {"button_type": "light", "margin": (5, 4)}
        self.prev_relation = pn.widgets.Button(css_classes=["prev-relation"], **button)
        self.next_relation = pn.widgets.Button(css_classes=["next-relation"], **button)
        self.prev_item = pn.widgets.Button(css_classes=["prev-item"], **button)
        self.next_item = pn.widgets.Button(css_classes=["next-item"], **button)
        self.prev_relation.on_click(lambda e: self.key("-"))
        self.next_relation.on_click(lambda e: self.key("+"))
        self.prev_item.on_click(lambda e: self.key("ArrowUp"))
        self.next_item.on_click(lambda e: self.key("ArrowDown"))
        self.keys = TimelineKeys(self.key)
        self.title = pn.pane.HTML("", css_classes=["timeline-title"], sizing_mode="stretch_width")
        self.trend = pn.pane.HTML("", css_classes=["timeline-trend"])
        self.hint = pn.pane.HTML("", css_classes=["timeline-keys"])
        self.error = pn.pane.HTML("", visible=False, css_classes=["timeline-error"])
        # filters
        self.sources = pn.widgets.MultiChoice(options=[], width=230, css_classes=["filter-sources"])
        self.users = pn.widgets.MultiChoice(options=[], width=230, css_classes=["filter-users"])
        self.period_from = pn.widgets.DatePicker(css_classes=["filter-from"], width=140)
        self.period_to = pn.widgets.DatePicker(css_classes=["filter-to"], width=140)
        for widget, name in [
            (self.sources, "sources"),
            (self.users, "users"),
            (self.period_from, "period_from"),
            (self.period_to, "period_to"),
        ]:
            widget.link(self.tl, value=name, bidirectional=True)
        self.count = pn.pane.HTML("", css_classes=["timeline-count"])
        self.order_switch = pn.widgets.RadioButtonGroup(
            value=self.tl.newest_first, button_type="light", css_classes=["timeline-order"]
        )
        self.order_switch.link(self.tl, value="newest_first", bidirectional=True)
        self.events = pn.widgets.Tabulator(
            pd.DataFrame(columns=EVENT_COLUMNS),
            show_index=False,
            disabled=True,
            selectable=1,
            pagination="local",
            page_size=PAGE_SIZE,
            sizing_mode="stretch_width",
            hidden_columns=HIDDEN_EVENT_COLUMNS,
            layout="fit_columns",
            # wide enough for "suspect toegevoegd" and "Bedrag (€)" (the subject takes the rest)
            widths={"kind": 40, "timestamp": 150, "what": 160, "user_id": 75, "amount": 130},
            css_classes=["timeline"],
            stylesheets=[".tabulator-row { cursor: pointer; }"],
        )
        self.events.style.apply(
            lambda row: [MUTED if not row["counted"] else ""] * len(row), axis=1
        )
        self.events.on_click(self._clicked)
        self.detail = pn.pane.HTML("", css_classes=["item-detail"], sizing_mode="stretch_width")
        self.chart = pn.pane.Bokeh(None, css_classes=["monthly-chart"], sizing_mode="stretch_width")
        self.answers = AnswersView(state, self.tl)
        self.tl.param.watch(lambda *e: self._relation(), ["events", "monthly", "error"])
        self.tl.param.watch(lambda *e: self._events(), ["shown"])
        self.tl.param.watch(lambda *e: self._item(), ["item"])
        state.param.watch(lambda *e: self._relation(), ["table"])
        self.relabel()

    # --- actions ------------------------------------------------------------------------------

    def order(self) -> list[int] | None:
        return None if self._order is None else self._order()

    def key(self, key: str) -> None:
        """``+`` / ``-``: next / previous relation; ``ArrowDown`` / ``ArrowUp``: item."""
        if key in ("+", "-"):
            self.tl.step_relation(1 if key == "+" else -1, self.order())
        elif key in ("ArrowDown", "ArrowUp"):
            self.tl.step_item(1 if key == "ArrowDown" else -1)

    def _clicked(self, event: Any) -> None:
        self.tl.open_item(int(event.row))
        self._item()

    # --- showing ------------------------------------------------------------------------------

    def relabel(self) -> None:
        tr = self.t
        self.prev_relation.name = f"◀ {tr('prev_relation')}"
        self.next_relation.name = f"{tr('next_relation')} ▶"
        self.prev_item.name = f"▲ {tr('prev_item')}"
        self.next_item.name = f"▼ {tr('next_item')}"
        self.hint.object = f"<small>{esc(tr('timeline_keys'))}</small>"
        self.sources.name, self.users.name = tr("filter_sources"), tr("filter_users")
        self.period_from.name, self.period_to.name = tr("period_from"), tr("period_to")
        self.order_switch.options = {tr("newest_first"): True, tr("oldest_first"): False}
        self._relation()

    def _relation(self) -> None:
        tl = self.tl
        self.title.object = f"<h3>{esc(tl.title())}</h3>"
        self.trend.object = esc(tl.trend_text())
        self.error.object = alert_html(tl.error) if tl.error else ""
        self.error.visible = bool(tl.error)
        lang = self.state.lang
        self.sources.options = {
            t(f"source_{x}", lang) if f"source_{x}" in TEXT else x: x
            for x in tl.param.sources.objects
        }
        # Choices.js renders option labels as HTML: a user's name is CRM content, escaped
        names = self.state.user_names()
        self.users.options = {html.escape(names.get(u, u)): u for u in tl.param.users.objects}
        self.chart.object = self._chart()
        self._events()

    def _events(self) -> None:
        tl, lang = self.tl, self.state.lang
        shown = tl.shown if tl.shown is not None else pd.DataFrame(columns=EVENT_COLUMNS)
        shown = shown.copy()
        stamp = "%d-%m-%Y %H:%M" if lang == "nl" else "%Y-%m-%d %H:%M"
        shown["timestamp"] = [
            "" if pd.isna(x) else pd.Timestamp(x).strftime(stamp) for x in shown["timestamp"]
        ]
        # the table keeps to the essentials (status, reference and the rest are in the item);
        # contact moment or not: an icon here, the words in the item, other events muted
        cols = [*TABLE_COLUMNS, *(["amount"] if self.state.has_revenue() else [])]
        value = display_frame(shown, cols)
        value["kind"] = ["●" if c else "○" for c in shown["counted"].astype(bool)]
        value["event_id"] = shown["event_id"].astype(str).to_numpy()
        value["counted"] = shown["counted"].astype(bool).to_numpy()
        localize(self.events, lang)
        self.events.param.update(
            # "Wie" beside "Wat": short, so that the subject keeps its room
            titles={c: t("timeline_col_who" if c == "user_id" else f"col_{c}", lang) for c in cols},
            formatters=formatters(cols, lang),
            value=value,
        )
        total = 0 if tl.events is None else len(tl.events)
        order = t("newest_first_lower" if tl.newest_first else "oldest_first_lower", lang)
        self.count.object = (
            f"<small>{esc(t('timeline_count', lang, shown=len(shown), total=total, order=order))}"
            "</small>"
        )
        self._item()

    def _item(self) -> None:
        tl, lang = self.tl, self.state.lang
        pos = tl.item_position()
        if pos is None:
            self.events.selection = []
            hint = "timeline_item_hint" if tl.events is not None else "timeline_hint"
            self.detail.object = f'<div class="item-none"><small>{esc(t(hint, lang))}</small></div>'
            return
        self.events.param.update(selection=[pos], page=pos // PAGE_SIZE + 1)
        self.detail.object = heading(t("item", lang)) + _dl(tl.item_lines(), "item-content")

    def _chart(self) -> Any:
        m, lang = self.tl.monthly, self.state.lang
        if m is None or m.empty:
            return None
        parts = [*CATEGORIES, "not_counted"]
        src = ColumnDataSource({"month": m["month"], **{p: m[p].to_numpy() for p in parts}})
        fig = figure(
            height=260,
            sizing_mode="stretch_width",
            x_axis_type="datetime",
            toolbar_location=None,
            title=t("chart_title", lang),
        )
        # the legend under the chart, not over the bars (glyphs join a legend already there)
        fig.add_layout(Legend(orientation="horizontal", label_text_font_size="8pt"), "below")
        fig.vbar_stack(
            parts,
            x="month",
            width=pd.Timedelta(days=24).total_seconds() * 1000,
            source=src,
            color=[CHART_COLOURS[p] for p in parts],
            legend_label=[
                t("kind_other_chart", lang) if p == "not_counted" else t(f"source_{p}", lang)
                for p in parts
            ],
        )
        fig.xaxis.formatter = DatetimeTickFormatter(months="%m-%Y", years="%Y")
        fig.y_range.start = 0
        return fig

    def __panel__(self) -> pn.viewable.Viewable:
        steps = pn.Row(self.prev_relation, self.next_relation, self.keys)
        items = pn.Row(self.prev_item, self.next_item)
        filters = pn.FlexBox(
            self.sources, self.users, self.period_from, self.period_to, self.order_switch
        )
        events = pn.Column(filters, self.count, self.events, sizing_mode="stretch_width")
        item = pn.Column(items, self.detail, width=360, margin=(0, 0, 0, 10))
        return pn.Column(
            steps,
            self.title,
            self.trend,
            self.hint,
            self.error,
            pn.Row(events, item, sizing_mode="stretch_width"),
            pn.Row(
                pn.Column(self.chart, sizing_mode="stretch_width"),
                pn.Column(self.answers, sizing_mode="stretch_width"),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )


class AnswersView(StateView):
    """Direct answers (S14) about the relation of the timeline, with their settings."""

    def __init__(self, state: MonitorState, tl: TimelineState, **params: Any):
        super().__init__(state, **params)
        self.tl = tl
        self.since = pn.widgets.DatePicker(value=tl.since, width=150, css_classes=["answers-since"])
        self.days = pn.widgets.IntInput(
            value=tl.days, start=1, end=365, width=120, css_classes=["answers-days"]
        )
        self.department = pn.widgets.Select(
            value=tl.department, options=list(tl.param.department.objects), width=170,
            css_classes=["answers-department"],
        )  # fmt: skip
        self.group = pn.widgets.Select(
            value=tl.group, options=list(tl.param.group.objects), width=170,
            css_classes=["answers-group"],
        )  # fmt: skip
        for widget, name in [
            (self.since, "since"),
            (self.days, "days"),
            (self.department, "department"),
            (self.group, "group"),
        ]:
            widget.link(tl, value=name, bidirectional=True)
        self.pane = pn.pane.HTML("", css_classes=["answers"], sizing_mode="stretch_width")
        tl.param.watch(lambda *e: self.relabel(), ["answers"])
        self.relabel()

    def relabel(self) -> None:
        tr = self.t
        self.since.name, self.days.name = tr("answers_since"), tr("answers_days")
        self.department.name, self.group.name = tr("answers_department"), tr("answers_group")
        s = self.state
        me = s.user_names().get(self.tl.me(), self.tl.me() or "–")
        parts = [heading(tr("answers_title")), f"<small>{esc(tr('answers_me', me=me))}</small>"]
        for a in self.tl.answer_items():
            details = "".join(
                f'<li style="white-space:pre-wrap">{html.escape(d)}</li>' for d in a["details"]
            )
            parts.append(
                f'<div class="answer answer-{a["key"]}" style="margin:6px 0">'
                f"<div style='font-weight:600'>{esc(a['question'])}</div>"
                f'<div class="answer-text">{esc(a["answer"])}</div>'
                + (f"<ul style='margin:2px 0'>{details}</ul>" if details else "")
                + "</div>"
            )
        self.pane.object = "".join(parts)

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            pn.FlexBox(self.since, self.days, self.department, self.group),
            self.pane,
            sizing_mode="stretch_width",
        )
