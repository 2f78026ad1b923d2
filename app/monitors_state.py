"""Saved monitors and earlier calculations (S3) for one dashboard session, without widgets.

A *monitor* is the selection and band settings under a name (:class:`aandacht.monitors.Monitor`),
kept in the store (:class:`aandacht.monitors.MonitorStore`) per login, or shared with everyone
when the principal may share (``share_monitors``). Every calculation is stored there with its
time, its settings and the monitor it ran; :class:`SavedMonitors` lists, saves, opens and deletes
monitors and lists and shows this login's earlier calculations (each passed through
:meth:`aandacht.Session.result` before it is shown).

The store checks the owner of every change (``by=principal``): a session can change only its
own monitors, and shared ones only with ``share_monitors``, whatever the browser sends.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import param

from aandacht import access
from aandacht.errors import AandachtError
from aandacht.i18n import fmt_datetime, fmt_relations, t
from aandacht.monitors import Monitor, MonitorError, period_rule, resolve_period
from aandacht.selection import to_date

from .state import MonitorState

#: Earlier calculations offered in the history list.
HISTORY_SHOWN = 20
_PRESET_RULES = ("this_week", "last_month", "last_12_months")
_STORE_ERRORS = (AandachtError, OSError, sqlite3.Error)


def monitor_of(state: MonitorState, name: str, *, shared: bool = False) -> Monitor:
    """The monitor holding the state's current selection and band settings under ``name``.

    Raises
    ------
    aandacht.monitors.MonitorError
        For a bad name, or a file selection without codes.
    aandacht.SelectionError
        For a period that cannot be calculated.
    """
    s = state
    if s.relation_mode == "file" and not s.selection_codes:
        raise MonitorError(s.selection_error or t("file_none", s.lang))
    return Monitor(
        name,
        owner=None if shared else s.principal.login,
        users=(s.user,) if s.user_mode == "user" else None,
        user_group=s.user_group if s.user_mode == "group" else None,
        period=period_rule(s.period_preset, s.since, s.period_from, s.period_to),
        b_group=s.b_group if s.relation_mode == "b_group" else None,
        codes=tuple(s.selection_codes) if s.relation_mode == "file" else None,
        strategy=s.strategy,
        thresholds=tuple(s.thresholds) if s.thresholds is not None else None,
        revenue=s.revenue_basis if s.may_see_revenue() else None,
        options={"selection_file": s.selection_file} if s.relation_mode == "file" else {},
    )


def apply_monitor(state: MonitorState, monitor: Monitor) -> None:
    """Put ``monitor``'s settings in the state's widgets (the period rule on the state's
    *Peildatum*); calculating is up to the caller.

    Raises
    ------
    aandacht.monitors.MonitorError
        When the monitor cannot be shown in the dashboard (several users; a user, group or
        B-group that this data set does not have).
    """
    s, m = state, monitor
    values: dict[str, Any] = {}
    if m.users is not None:
        if len(m.users) != 1 or m.users[0] not in s.param.user.objects:
            raise MonitorError(f"monitor '{m.name}': user(s) {', '.join(m.users)} not available")
        values.update(user_mode="user", user=m.users[0])
    elif m.user_group is not None:
        if m.user_group not in s.param.user_group.objects:
            raise MonitorError(f"monitor '{m.name}': there is no user group '{m.user_group}'")
        values.update(user_mode="group", user_group=m.user_group)
    else:
        values["user_mode"] = "all"
    rule = m.period
    if rule in _PRESET_RULES:
        values["period_preset"] = rule
    elif rule.startswith("since:"):
        values.update(period_preset="since", since=to_date(rule[len("since:") :], "since"))
    else:  # custom dates, or last_<N>_days resolved on the Peildatum
        start, end = resolve_period(rule, s.as_of)
        values.update(period_preset="custom", period_from=start, period_to=end)
    if m.b_group is not None:
        if m.b_group not in s.param.b_group.objects:
            raise MonitorError(f"monitor '{m.name}': there is no B-group '{m.b_group}'")
        values.update(relation_mode="b_group", b_group=m.b_group)
    elif m.codes is not None:
        values.update(
            relation_mode="file",
            selection_codes=tuple(m.codes),
            selection_file=str(m.options.get("selection_file") or m.name),
            selection_error="",
        )
    else:
        values["relation_mode"] = "all"
    if m.revenue is not None and s.session.may("revenue"):
        values["revenue_basis"] = m.revenue
    s.param.update(**values)
    s.strategy = m.strategy  # resets the thresholds to the strategy's defaults …
    if m.thresholds is not None:
        s.thresholds = list(m.thresholds)  # … so the monitor's come after


class SavedMonitors(param.Parameterized):
    """The saved monitors and earlier calculations of one session's login."""

    state = param.ClassSelector(class_=MonitorState)
    monitors = param.List(default=[], doc="Monitors this login may open (own, then shared).")
    history = param.List(default=[], doc="This login's earlier calculations (newest first).")
    message = param.String(default="")
    error = param.String(default="")

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state=state, **params)
        state.param.watch(lambda *e: self.refresh_history(), ["result", "calculated_at"])
        self.refresh()

    @property
    def principal(self) -> access.Principal:
        return self.state.principal

    def _store(self):
        return self.state.monitor_store()

    def _fail(self, exc: Exception) -> bool:
        self.param.update(message="", error=t("monitor_error", self.state.lang, error=str(exc)))
        return False

    def _done(self, key: str, **kw: Any) -> bool:
        self.param.update(message=t(key, self.state.lang, **kw), error="")
        return True

    def refresh(self) -> None:
        """Read the monitors and the history from the store again."""
        try:
            self.monitors = self._store().list_monitors(self.principal.login)
        except _STORE_ERRORS as exc:
            self.monitors = []
            self._fail(exc)
        self.refresh_history()

    def refresh_history(self) -> None:
        try:
            self.history = self._store().history(
                self.state.data_path, owner=self.principal.login, limit=HISTORY_SHOWN
            )
        except _STORE_ERRORS:
            self.history = []

    # -- labels ------------------------------------------------------------------------------

    def monitor_options(self) -> dict[str, tuple[str | None, str]]:
        """Label → (owner, name) for a select (shared monitors say so)."""
        lang = self.state.lang
        return {
            (t("monitor_shared_label", lang, name=m.name) if m.shared else m.name): (
                m.owner,
                m.name,
            )
            for m in self.monitors
        }

    def history_options(self) -> dict[str, int]:
        """Label → calculation id, newest first: when, and the monitor or how many relations."""
        lang = self.state.lang
        out = {}
        for c in self.history:
            what = (
                t("monitor_shown", lang, name=c.monitor)
                if c.monitor
                else fmt_relations(c.n_rows, lang)
            )
            label = t("history_item", lang, when=fmt_datetime(c.calculated_at, lang), what=what)
            out[f"{label} (#{c.id})" if label in out else label] = c.id
        return out

    # -- actions -----------------------------------------------------------------------------

    def save(self, name: str, *, shared: bool = False) -> bool:
        """Save the current settings as monitor ``name`` (this login's, or shared)."""
        try:
            monitor = monitor_of(self.state, name, shared=shared)
            self._store().save_monitor(monitor, by=self.principal)
        except _STORE_ERRORS + (ValueError,) as exc:
            return self._fail(exc)
        self.refresh()
        return self._done("monitor_saved", name=monitor.name)

    def delete(self, owner: str | None, name: str) -> bool:
        """Delete a monitor (own; shared ones only with ``share_monitors``)."""
        try:
            found = self._store().delete_monitor(name, owner, by=self.principal)
        except _STORE_ERRORS as exc:
            return self._fail(exc)
        self.refresh()
        if not found:
            return self._fail(MonitorError(f"there is no monitor '{name}'"))
        return self._done("monitor_deleted", name=name)

    def _monitor(self, owner: str | None, name: str) -> Monitor:
        if owner is not None and owner != self.principal.login:
            raise access.PermissionDenied(
                self.principal.login, f"monitor '{name}' of {owner}", "it is someone else's"
            )
        monitor = self._store().load_monitor(name, owner)
        if (monitor.owner, monitor.name) != (owner, name):
            raise MonitorError(f"there is no monitor '{name}'")
        return monitor

    def open(self, owner: str | None, name: str) -> bool:
        """Put a monitor's settings in the widgets and calculate (synchronously; for tests)."""
        try:
            monitor = self._monitor(owner, name)
            apply_monitor(self.state, monitor)
        except _STORE_ERRORS + (ValueError,) as exc:
            return self._fail(exc)
        ok = self.state.calculate(monitor=monitor.name)
        return self._done("monitor_shown", name=name) if ok else False

    async def open_async(self, owner: str | None, name: str) -> bool:
        """:meth:`open` with the counting in a worker thread (the dashboard's button)."""
        try:
            monitor = self._monitor(owner, name)
            apply_monitor(self.state, monitor)
        except _STORE_ERRORS + (ValueError,) as exc:
            return self._fail(exc)
        ok = await self.state.calculate_async(monitor=monitor.name)
        return self._done("monitor_shown", name=name) if ok else False

    def show_calculation(self, calc_id: int) -> bool:
        """Show one of this login's earlier calculations (through the access rules again)."""
        s = self.state
        try:
            stored = self._store().load_calculation(int(calc_id))
            if stored.owner != self.principal.login:
                raise access.PermissionDenied(
                    self.principal.login, f"calculation {calc_id}", "it is someone else's"
                )
            shown = s.session.result(stored.result)
        except _STORE_ERRORS + (ValueError,) as exc:
            return self._fail(exc)
        if "ui" in stored.settings:
            s._restore(stored.settings)
        s._apply(shown, stored.settings, stored.calculated_at)
        return self._done("calculated_at", when=fmt_datetime(stored.calculated_at, s.lang))


__all__ = ["SavedMonitors", "apply_monitor", "monitor_of"]
