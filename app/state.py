"""The dashboard's state: the data set, the selection, the last result and what derives from it.

:class:`MonitorState` holds everything the views show as ``param`` parameters. It calls the
``aandacht`` library for every figure: counting through :class:`aandacht.Session`, and what a
result shows (bands, sales view, grid table, bins, summaries) through the library's data store
:class:`aandacht.monitor_view.MonitorView`, which it keeps as :attr:`MonitorState.view` and
copies into the parameters the views watch. What it adds is bookkeeping: the widgets' selection
and its round trip to the store, which settings belong to which result, the live updates. It
imports no widgets, so it can be tested without a browser.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import param

import aandacht
from aandacht import access
from aandacht import bands as bands_mod
from aandacht import summary as summary_mod
from aandacht.errors import AandachtError, DataError
from aandacht.i18n import (
    fmt_date,
    fmt_datetime,
    fmt_live,
    problem_text,
    t,
)
from aandacht.monitor_view import GRID_COLUMNS, VIEW_MODES, MonitorView
from aandacht.monitors import MonitorStore
from aandacht.selection import (
    MAX_SELECTION_BYTES,
    PERIOD_PRESETS,
    REVENUE_BASES,
    parse_selection,
    period_preset,
)
from aandacht.service import DataService, Session

from .insights_state import load_cadence, result_selection

USER_MODES = ("all", "user", "group")
RELATION_MODES = ("all", "b_group", "file")
#: Columns of the relation list of one bin (name and address, S5).
BIN_COLUMNS = summary_mod.LISTED_COLUMNS

#: Calculations kept per login and data set in the store (the newest is shown on opening).
KEEP_CALCULATIONS = 50


def get_dataset(path: str) -> aandacht.Dataset:
    """The data set at ``path``, loaded once per process (:meth:`DataService.for_source`)."""
    return DataService.for_source(path).data


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date(v: Any) -> dt.date | None:
    if v in (None, ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


class MonitorState(param.Parameterized):
    """Data set, selection, settings, the last result and everything derived from it."""

    # --- data ---------------------------------------------------------------------------------
    data_path = param.String(default="data_samples", doc="Folder, .xlsx or URL of the data set.")
    store_folder = param.String(default=None, allow_None=True, doc="Store folder (default env).")

    # --- selection (S2) -----------------------------------------------------------------------
    user_mode = param.Selector(default="all", objects=list(USER_MODES))
    user = param.Selector(default=None, objects=[], allow_None=True)
    user_group = param.Selector(default=None, objects=[], allow_None=True)
    period_preset = param.Selector(default="last_12_months", objects=list(PERIOD_PRESETS))
    since = param.CalendarDate(default=None, allow_None=True)
    period_from = param.CalendarDate(default=None, allow_None=True)
    period_to = param.CalendarDate(default=None, allow_None=True)
    relation_mode = param.Selector(default="all", objects=list(RELATION_MODES))
    b_group = param.Selector(default=None, objects=[], allow_None=True)
    selection_codes = param.Parameter(default=None, doc="Relation codes of the selection file.")
    selection_file = param.String(default="")
    selection_error = param.String(default="")
    as_of = param.CalendarDate(default=None, allow_None=True)

    # --- user settings -----------------------------------------------------------------------
    lang = param.Selector(default="nl", objects=["nl", "en"])
    privacy = param.Boolean(default=False)
    sales_permission = param.Boolean(default=False, doc="Show revenue (only if principal may).")
    principal = param.ClassSelector(
        class_=access.Principal,
        default=None,
        allow_None=True,
        constant=True,
        doc="Who is asking: every figure comes through aandacht.Session for them.",
    )
    revenue_basis = param.Selector(default="both", objects=list(REVENUE_BASES))
    strategy = param.Selector(default="relative", objects=list(bands_mod.STRATEGIES))
    thresholds = param.List(default=list(bands_mod.Relative.default_thresholds), allow_None=True)
    view_mode = param.Selector(default="attention", objects=list(VIEW_MODES))
    # who I am (locally; logged in, the login's CRM user), figures per employee (B6), cadence (B2)
    me = param.Selector(default=None, objects=[], allow_None=True, doc="Me, for answers/reports.")
    employee_permission = param.Boolean(default=False, doc="May see figures per employee.")
    cadence = param.DataFrame(default=None, allow_None=True, doc="Cadence settings (B2).")
    cadence_file = param.String(default="")
    cadence_error = param.String(default="")

    # --- the last result and what derives from it ---------------------------------------------
    result = param.DataFrame(default=None, allow_None=True, doc="calculate()'s table.")
    settings = param.Dict(default={}, doc="The settings the result was calculated with.")
    calculated_at = param.Date(default=None, allow_None=True)
    banding = param.Parameter(default=None, doc="BandResult of the result's totals.")
    sales = param.Parameter(default=None, doc="SalesView, with sales-monitor permission only.")
    table = param.DataFrame(default=None, allow_None=True, doc="The grid's table (all views).")
    bins = param.DataFrame(default=None, allow_None=True, doc="The distribution's bins.")
    summary_text = param.String(default="")
    summary_how = param.String(default="")
    band_error = param.String(default="")
    error = param.String(default="")
    warning = param.String(default="")
    busy = param.Boolean(default=False)
    dirty = param.Boolean(default=False, doc="The selection differs from the result's.")

    # --- interaction --------------------------------------------------------------------------
    selected_bin = param.String(default=None, allow_None=True)
    selected_rows = param.List(default=[], doc="Positions of the rows ticked in the grid.")
    timeline_row = param.Integer(default=None, allow_None=True)
    monitor_name = param.String(default=None, allow_None=True, doc="Monitor of the result.")

    # --- live updates (B13) -------------------------------------------------------------------
    live = param.Boolean(default=True, doc="Follow new contact moments as they land.")
    live_text = param.String(default="", doc="live · laatste update 13:05:12 · 4 nieuwe …")
    live_problems = param.List(default=[], doc="Files of the feed not taken in, with why.")

    def __init__(self, data_path: str | None = None, *, auto: bool = True, **params: Any):
        if data_path is not None:
            params["data_path"] = data_path
        super().__init__(**params)
        #: What the shown result shows (bands, sales view, table, bins; the library's
        #: :class:`~aandacht.monitor_view.MonitorView`); the parameters below are set from it.
        self.view: MonitorView | None = None
        self._init_principal()
        #: The shared data set (one per process) and this principal's entry point to it: every
        #: figure comes through ``self.session``, which applies the permissions.
        self.service = DataService.for_source(self.data_path)
        self.session = Session(self.service, self.principal)
        self.data = self.service.data
        self._seen_version = self.service.version  # what the shown result counted (live)
        self._live_new: int | None = 0  # what the last live update brought (None: a reload)
        self._live_at: dt.datetime | None = None  # when this session last showed new data
        users = sorted(self.data.users["user_id"].astype(str))
        self.param.user.objects = users
        self.param.me.objects = users
        self.param.user_group.objects = self.data.group_names()
        self.param.b_group.objects = self.data.b_group_names()
        with param.parameterized.discard_events(self):
            self.user = self.user or (users[0] if users else None)
            # "me": the logged-in CRM user; locally a choice (default the first user)
            own = self.principal.user_id if not self.principal.local else None
            self.me = self.me or (own if own in users else (users[0] if users else None))
            if self.cadence is None:
                self.cadence, self.cadence_file, self.cadence_error = load_cadence(self)
            groups = self.data.group_names()
            self.user_group = self.user_group or (groups[0] if groups else None)
            b_groups = self.data.b_group_names()
            self.b_group = self.b_group or (b_groups[0] if b_groups else None)
            # today, or the last day with events when the data ends earlier (a stale export)
            self.as_of = self.as_of or self.data.default_as_of()
            # sensible dates for when "since" or "custom" is picked: the last two weeks
            self.since = self.since or self.as_of - dt.timedelta(days=13)
            self.period_from = self.period_from or self.as_of - dt.timedelta(days=13)
            self.period_to = self.period_to or self.as_of
        self.param.watch(self._follow_as_of, "as_of")
        if auto:
            self.open()

    def _follow_as_of(self, event: param.parameterized.Event) -> None:
        """A new as-of date takes along the dates derived from it that were not changed:
        "since" and the custom period (the last two weeks up to the as-of date)."""
        old, new = event.old, event.new
        if old is None or new is None:
            return
        two_weeks = dt.timedelta(days=13)
        follow = {}
        if self.since == old - two_weeks:
            follow["since"] = new - two_weeks
        if self.period_from == old - two_weeks and self.period_to == old:
            follow.update(period_from=new - two_weeks, period_to=new)
        if follow:
            self.param.update(**follow)

    def data_until_text(self) -> str:
        """ "Gegevens t/m 31-10-2026 …" when the data ends before today (else empty)."""
        last = self.data.last_event_day()
        if last is None or last >= dt.date.today():
            return ""
        return t("data_until", self.lang, date=fmt_date(last, self.lang))

    def _init_principal(self) -> None:
        """No principal: the local one (everything). A logged-in principal's roles decide what
        the session may see; the settings that are permissions follow them and are not offered."""
        if self.principal is None:
            with param.edit_constant(self):
                self.principal = access.local_principal()
        if not self.principal.local:
            with param.parameterized.discard_events(self):
                self.sales_permission = self.principal.can_see_revenue
                self.employee_permission = self.principal.can_see_employees

    @property
    def hosted(self) -> bool:
        """True for a logged-in session (permissions from ``access.yaml``, not from widgets)."""
        return not self.principal.local

    def monitor_store(self) -> MonitorStore:
        """The store of saved monitors and calculations (``store_folder`` or the default)."""
        store = getattr(self, "_monitor_store", None)
        if store is None:
            store = self._monitor_store = MonitorStore(self.store_folder)
        return store

    # ------------------------------------------------------------------------------------------
    # the selection

    def user_names(self) -> dict[str, str]:
        """User id → "id — name" for the user selector."""
        u = self.data.users
        return {
            str(i): f"{i} — {n}" if isinstance(n, str) and n else str(i)
            for i, n in zip(u["user_id"], u["name"], strict=True)
        }

    def period(self) -> tuple[dt.date, dt.date]:
        """The selected period (first day, last day)."""
        return period_preset(
            self.period_preset, self.as_of, self.since, self.period_from, self.period_to
        )

    def selection(self, revenue: str | None | bool = True) -> aandacht.Selection:
        """The :class:`aandacht.Selection` of the current widgets.

        ``revenue=True`` uses the revenue basis when the user has sales-monitor permission.

        Raises
        ------
        aandacht.SelectionError
            For an incomplete or contradictory selection.
        """
        start, end = self.period()
        if self.relation_mode == "file" and not self.selection_codes:
            raise aandacht.SelectionError(self.selection_error or t("file_none", self.lang))
        if revenue is True:
            revenue = self.revenue_basis if self.may_see_revenue() else None
        return aandacht.Selection(
            users=(self.user,) if self.user_mode == "user" else None,
            user_group=self.user_group if self.user_mode == "group" else None,
            b_group=self.b_group if self.relation_mode == "b_group" else None,
            relations=self.selection_codes if self.relation_mode == "file" else None,
            period_from=start,
            period_to=end,
            as_of=self.as_of,
            revenue=revenue or None,
        )

    def load_selection_file(self, raw: bytes, filename: str) -> bool:
        """Read an uploaded selection file; on a problem, explain it in ``selection_error``.

        ``filename`` is only shown (its last part, at most 100 characters), never opened; a file
        larger than :data:`aandacht.selection.MAX_SELECTION_BYTES` is refused before parsing.
        """
        filename = _upload_name(filename)
        if len(raw) > MAX_SELECTION_BYTES:
            error = t(
                "file_too_large",
                self.lang,
                file=filename,
                size=f"{len(raw) / 1e6:.1f} MB",
                max=f"{MAX_SELECTION_BYTES / 1e6:.0f} MB",
            )
            self.param.update(selection_codes=None, selection_file=filename, selection_error=error)
            return False
        try:
            codes = parse_selection(raw, filename, self.data.relations["relation_id"])
        except DataError as exc:
            # in the chosen language only (the library's problems carry a key to translate)
            lines = [t("file_error", self.lang, file=filename)]
            lines += [f"• {problem_text(p, self.lang)}" for p in exc.problems[: exc.max_shown]]
            if len(exc.problems) > exc.max_shown:
                more = len(exc.problems) - exc.max_shown
                lines.append(f"• {t('more_problems', self.lang, n=more)}")
            self.param.update(
                selection_codes=None, selection_file=filename, selection_error="\n".join(lines)
            )
            return False
        self.param.update(
            selection_codes=tuple(codes),
            selection_file=filename,
            selection_error="",
            relation_mode="file",
        )
        return True

    def _ui_settings(self) -> dict[str, Any]:
        """The selection as the widgets hold it (restored on the next visit)."""
        return {
            "user_mode": self.user_mode,
            "user": self.user,
            "user_group": self.user_group,
            "period_preset": self.period_preset,
            "since": _iso(self.since),
            "period_from": _iso(self.period_from),
            "period_to": _iso(self.period_to),
            "relation_mode": self.relation_mode,
            "b_group": self.b_group,
            "selection_file": self.selection_file,
            "relations": list(self.selection_codes) if self.selection_codes else None,
            "as_of": _iso(self.as_of),
        }

    @param.depends(
        "user_mode",
        "user",
        "user_group",
        "period_preset",
        "since",
        "period_from",
        "period_to",
        "relation_mode",
        "b_group",
        "selection_codes",
        "as_of",
        "settings",
        watch=True,
    )
    def _check_dirty(self) -> None:
        ui = self.settings.get("ui")
        if ui is None:
            self.dirty = False
            return
        stored = dict(ui)
        if stored.pop("as_of_today", False):
            stored["as_of"] = dt.date.today().isoformat()
        self.dirty = stored != self._ui_settings()

    # ------------------------------------------------------------------------------------------
    # calculating and storing (S3)

    def open(self) -> None:
        """Show this login's latest calculation on this data set, or calculate once and store it.

        The stored result passes through :meth:`aandacht.Session.result` (permissions may
        have changed since it was stored); one that cannot be read or shown is recalculated.
        """
        stored = shown = None
        try:
            stored = self.monitor_store().latest_calculation(
                self.data_path, owner=self.principal.login
            )
            if (
                stored is not None
                and "ui" in stored.settings
                and self.service.same_data(stored.settings.get("watermark"))
            ):
                shown = self.session.result(stored.result)
        except (OSError, sqlite3.Error, AandachtError, ValueError):
            shown = None
        if shown is not None:
            self._restore(stored.settings)
            self._apply(shown, stored.settings, stored.calculated_at)
        else:
            self.calculate()

    def _restore(self, settings: dict[str, Any]) -> None:
        ui = dict(settings["ui"])
        if ui.get("as_of_today"):
            ui["as_of"] = dt.date.today().isoformat()
        values: dict[str, Any] = {}
        for name in (
            "user_mode",
            "user",
            "user_group",
            "period_preset",
            "relation_mode",
            "b_group",
        ):
            value = ui.get(name)
            p = self.param[name]
            if value is None or value in p.objects:
                values[name] = value if value is not None else getattr(self, name)
        for name in ("since", "period_from", "period_to", "as_of"):
            values[name] = _date(ui.get(name)) if ui.get(name) else getattr(self, name)
        values["selection_file"] = ui.get("selection_file") or ""
        values["selection_codes"] = tuple(ui["relations"]) if ui.get("relations") else None
        rev = settings.get("selection", {}).get("revenue")
        if rev in REVENUE_BASES:
            values["revenue_basis"] = rev
        with param.parameterized.discard_events(self):
            self.param.update(**values)

    def _compute(self, sel: aandacht.Selection) -> pd.DataFrame:
        version = self.service.version  # read before counting: a later change is seen later
        out = self.session.calculate(sel)
        out.attrs["service_version"] = version
        return out

    def _settings_for(
        self, sel: aandacht.Selection, ui: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        ui = dict(ui or self._ui_settings())
        ui["as_of_today"] = sel.resolved_as_of() == dt.date.today()
        return {
            "data": str(self.data_path),
            "ui": ui,
            "selection": sel.to_dict(),
        }

    def _finish(
        self,
        sel: aandacht.Selection,
        result: pd.DataFrame,
        ui: dict[str, Any] | None = None,
        monitor: str | None = None,
        keep: bool = False,
    ) -> None:
        settings = self._settings_for(sel, ui)
        if monitor:
            settings["monitor"] = monitor
        settings["watermark"] = self.service.watermark(result)
        at = dt.datetime.now().replace(microsecond=0)
        try:
            self.monitor_store().save_calculation(
                result,
                settings,
                self.data_path,
                owner=self.principal.login,
                monitor=monitor,
                calculated_at=at,
                keep=KEEP_CALCULATIONS,
            )
            self.warning = ""
        except (OSError, sqlite3.Error, AandachtError) as exc:
            self.warning = t("store_error", self.lang, error=str(exc))
        self._seen_version = result.attrs.get("service_version", self._seen_version)
        self._apply(result, settings, at, keep=keep)

    def calculate(
        self,
        selection: aandacht.Selection | None = None,
        ui: dict[str, Any] | None = None,
        monitor: str | None = None,
    ) -> bool:
        """Calculate the current selection (or ``selection``), store it and show it.

        Returns False, with the reason in ``error``, when the selection cannot be calculated.
        """
        try:
            sel = selection or self.selection()
            result = self._compute(sel)
        except (AandachtError, ValueError) as exc:
            self.error = t("calc_error", self.lang, error=str(exc))
            return False
        self._finish(sel, result, ui, monitor)
        return True

    async def calculate_async(self, monitor: str | None = None) -> bool:
        """:meth:`calculate` with the counting in a worker thread, ``busy`` while it runs;
        ``monitor`` names the saved monitor whose settings the widgets hold."""
        self.busy = True
        try:
            try:
                sel = self.selection()
            except (AandachtError, ValueError) as exc:
                self.error = t("calc_error", self.lang, error=str(exc))
                return False
            try:
                result = await asyncio.to_thread(self._compute, sel)
            except (AandachtError, ValueError) as exc:
                self.error = t("calc_error", self.lang, error=str(exc))
                return False
            self._finish(sel, result, monitor=monitor)
            return True
        finally:
            self.busy = False

    def _apply(
        self,
        result: pd.DataFrame,
        settings: dict[str, Any],
        at: dt.datetime,
        keep: bool = False,
    ) -> None:
        """Show ``result``; ``keep`` (a live update) keeps the ticked rows, the open timeline and
        the clicked bin, found again by relation."""
        result = result.reset_index(drop=True)
        rows: list[int] = []
        timeline_row = None
        band = None
        if keep and self.result is not None:
            old = self.result["relation_id"].astype(str).tolist()
            where = {r: i for i, r in enumerate(result["relation_id"].astype(str))}
            rows = [
                where[old[i]] for i in self.selected_rows if 0 <= i < len(old) and old[i] in where
            ]
            if self.timeline_row is not None and 0 <= self.timeline_row < len(old):
                timeline_row = where.get(old[self.timeline_row])
            band = self.selected_bin
        with param.parameterized.batch_call_watchers(self):
            self.error = ""
            self.selected_bin = None
            self.selected_rows = rows
            self.timeline_row = timeline_row
            self.settings = settings
            self.monitor_name = settings.get("monitor")
            self.calculated_at = at
            self.result = result
        if band is not None and self.bins is not None and band in set(self.bins["band"]):
            self.selected_bin = band

    # ------------------------------------------------------------------------------------------
    # live updates (B13)

    def start_live(self) -> bool:
        """Start the process's watcher of the data set's feed (once per data set; not with
        ``AANDACHT_LIVE=0``). True when new events will arrive: then call :meth:`refresh_live`
        every second."""
        if os.environ.get("AANDACHT_LIVE", "1").strip().lower() in ("0", "false", "no", "off"):
            return False
        running = self.service.start_live()
        self._live_line()
        return running

    def result_selection(self) -> aandacht.Selection | None:
        """The selection the shown result was calculated with (not the widgets' pending one)."""
        stored = self.settings.get("selection")
        if self.result is None or not stored:
            return None
        return aandacht.Selection.from_dict(stored)

    async def refresh_live(self) -> bool:
        """When the shared data set has new events (or was loaded again), count the shown
        result's selection again — incrementally, in a worker thread — and show it, keeping
        the ticked rows and the open timeline. Nothing while ``live`` is off or a calculation
        runs. True when the result was updated."""
        service = self.service
        try:
            if service.version == self._seen_version or not self.live or self.busy:
                return False
            sel = self.result_selection()
            before = int(self.result.attrs.get("events_batch", 0)) if self.result is not None else 0
            reloaded = service.data is not self.data
            self.data = service.data
            if sel is None:
                self._seen_version = service.version
                return False
            self.busy = True
            try:
                result = await asyncio.to_thread(self._compute, sel)
            except (AandachtError, ValueError) as exc:
                self.error = t("calc_error", self.lang, error=str(exc))
                self._seen_version = service.version
                return False
            finally:
                self.busy = False
            after = int(result.attrs.get("events_batch", 0))
            self._live_new = None if reloaded else service.events_between(before, after)
            self._live_at = dt.datetime.now().replace(microsecond=0)
            self._finish(
                sel, result, ui=self.settings.get("ui"), monitor=self.monitor_name, keep=True
            )
            return True
        finally:
            self._live_line()

    @param.depends("lang", "live", watch=True)
    def _live_line(self) -> None:
        """``live_text`` and ``live_problems`` from the service's live status."""
        st = self.service.live
        if not st.running:
            text = ""
        elif not self.live:
            text = t("live_off", self.lang)
        else:
            text = fmt_live(self._live_at, self._live_new, self.lang)
        if self.principal.local or self.principal.all_relations:
            problems = [
                t("live_rejected", self.lang, problems=" · ".join(msgs))
                for _, msgs in sorted(st.rejected.items())
            ]
        else:  # the rows may name relations this principal may not see: the log has them
            problems = [
                t("live_rejected_short", self.lang, file=Path(f).name, n=len(msgs))
                for f, msgs in sorted(st.rejected.items())
            ]
        if st.error:
            problems.append(t("live_error", self.lang, error=st.error))
        with param.parameterized.batch_call_watchers(self):
            if text != self.live_text:
                self.live_text = text
            if problems != self.live_problems:
                self.live_problems = problems

    @param.depends("sales_permission", "revenue_basis", watch=True)
    def _revenue_changed(self) -> None:
        """With permission, the result must carry revenue on the chosen basis: recount if not."""
        if not self.may_see_revenue():
            with param.parameterized.batch_call_watchers(self):  # the views update once
                if self.view_mode == "sales":
                    self.view_mode = "attention"
                self._derive()
            return
        if self.result is None or self.settings.get("selection", {}).get("revenue") == (
            self.revenue_basis
        ):
            self._derive()
            return
        sel = result_selection(self, revenue=self.revenue_basis)
        # the same selection as the result, now with revenue; the widgets keep what they hold
        self.calculate(sel, ui=self.settings.get("ui"), monitor=self.monitor_name)

    # ------------------------------------------------------------------------------------------
    # derived: banding, sales view, grid table, bins, summaries

    def period_days(self) -> int:
        """Days in the result's period."""
        if self.result is None:
            return aandacht.Selection().period_days()
        return int(self.result.attrs.get("period_days") or 365)

    def may_see_revenue(self) -> bool:
        """Revenue is wanted (the setting) and allowed (the principal's ``sales_monitor``)."""
        return bool(self.sales_permission and self.session.may("revenue"))

    def has_revenue(self) -> bool:
        """True when the result may show revenue: permission and revenue columns present."""
        return bool(
            self.may_see_revenue() and self.result is not None and "revenue" in self.result.columns
        )

    @param.depends("strategy", watch=True)
    def _strategy_changed(self) -> None:
        default = bands_mod.STRATEGIES[self.strategy].default_thresholds
        with param.parameterized.discard_events(self):
            self.thresholds = None if default is None else list(default)
        self.param.trigger("thresholds")

    @param.depends("result", "thresholds", "lang", "privacy", "cadence", watch=True)
    def _derive(self) -> None:
        """Re-band and rebuild every derived value (:meth:`MonitorView.build`); no recount."""
        if self.result is None:
            return
        view = MonitorView.build(
            self.session,
            self.result,
            selection=result_selection(self),
            strategy=self.strategy,
            thresholds=self.thresholds,
            lang=self.lang,
            privacy=self.privacy,
            view_mode=self.view_mode,
            revenue=self.may_see_revenue(),
            cadence=self.cadence,
            previous=self.view,
        )
        self._show(view)

    @param.depends("view_mode", watch=True)
    def _derive_view(self) -> None:
        """The distribution and summary of the current view (:meth:`MonitorView.for_view`)."""
        if self.view is None or self.view.view_mode == self.view_mode:
            return
        self._show(self.view.for_view(self.view_mode))

    def _show(self, view: MonitorView) -> None:
        """Set the parameters the views watch from ``view``, each once."""
        old = self.view
        self.view = view
        with param.parameterized.batch_call_watchers(self):
            self.band_error = view.band_error
            if view.cadence_error:
                self.cadence_error = view.cadence_error
            if view is old:
                return
            if self.view_mode != view.view_mode:  # the sales view without one
                self.view_mode = view.view_mode
            if old is None or view.banding is not old.banding:
                self.banding = view.banding
            if old is None or view.sales is not old.sales:
                self.sales = view.sales
            if old is None or view.table is not old.table:
                self.table = view.table
            if old is None or view.bins is not old.bins:
                self.bins = view.bins
                self.selected_bin = None
            self.summary_text, self.summary_how = view.summary_text, view.summary_how

    # ------------------------------------------------------------------------------------------
    # what the views ask for

    def grid_columns(self) -> list[str]:
        """The grid's columns in the current view."""
        return self.view.grid_columns() if self.view else list(GRID_COLUMNS["attention"])

    def band_column(self) -> str:
        """The column whose key colours the band cell: ``band_key`` or ``sales_band_key``."""
        return self.view.band_column() if self.view else "band_key"

    def bin_relations(self, band: str | None = None) -> pd.DataFrame:
        """The relations in one bin (default :attr:`selected_bin`), with name and address."""
        if self.view is None:
            return pd.DataFrame(columns=BIN_COLUMNS)
        return self.view.bin_relations(band or self.selected_bin)

    def excluded_relations(self) -> pd.DataFrame:
        """Relations left out of the sales view (no contacts, no revenue)."""
        if self.view is None:
            return pd.DataFrame(columns=BIN_COLUMNS)
        return self.view.excluded_relations()

    def result_line(self) -> str:
        """One line saying what the result covers."""
        if self.result is None:
            return t("not_calculated", self.lang)
        return summary_mod.result_line(
            self.settings.get("selection", {}),
            len(self.result),
            self.lang,
            selection_file=self.settings.get("ui", {}).get("selection_file"),
        )

    def calculated_text(self) -> str:
        """``berekend op 27-11-2026 09:30``."""
        if self.calculated_at is None:
            return t("not_calculated", self.lang)
        return t("calculated_at", self.lang, when=fmt_datetime(self.calculated_at, self.lang))

    # ------------------------------------------------------------------------------------------
    # export (S12)

    def export_xlsx(self, path: str | Path, rows: list[int] | None = None) -> Path:
        """Write the grid (all rows, or ``rows``) with summary and settings sheets to ``path``.

        Codes and names are pseudonymised in privacy mode; revenue only with permission; text
        that looks like a formula is written as text (:func:`aandacht.export.write_xlsx`).
        """
        if self.view is not None:
            self._show(self.view.with_sales_explanations())
        sel = self.settings.get("selection", {})
        return self.session.export_monitor(
            path,
            self.table,
            self.banding,
            self.sales,
            self.lang,
            rows=rows,
            selection=sel,
            data=str(self.data_path),
            strategy=self.strategy,
            thresholds=self.thresholds,
            calculated_at=self.calculated_at,
            privacy=self.privacy,
            revenue=sel.get("revenue") if self.sales is not None else None,
            selection_file=self.settings.get("ui", {}).get("selection_file"),
        )


def _upload_name(filename: str | None) -> str:
    """An uploaded file's name for messages: its last part, printable, at most 100 characters."""
    name = str(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:100] or "selection"


def default_state(principal: access.Principal | None = None) -> MonitorState:
    """A state on ``$AANDACHT_DATA`` (default ``data_samples``) for ``principal`` (default: the
    local one). Locally ``AANDACHT_SALES_MONITOR=1`` starts with the sales view switched on; for a
    logged-in principal the roles in ``access.yaml`` decide."""
    perm = os.environ.get("AANDACHT_SALES_MONITOR", "").lower() in ("1", "true", "yes", "ja")
    return MonitorState(
        os.environ.get("AANDACHT_DATA", "data_samples"), sales_permission=perm, principal=principal
    )


__all__ = ["MonitorState", "default_state", "get_dataset"]
