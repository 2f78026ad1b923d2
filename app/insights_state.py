"""The dashboard's state for the insights (B1, B2, B4, B6, S15), without widgets.

* :func:`load_cadence` / :func:`save_cadence` — the cadence settings, stored with the other
  settings: ``$AANDACHT_CADENCE`` when set (as the map uses it), else ``cadence.csv`` in the
  store folder; without a file the library's :func:`~aandacht.cadence.default_cadence`.
* :class:`InsightsState` — attention drops (B1), two-way attention (B4), who gives attention
  (B6) for the shown result, computed when the tab is opened.
* :class:`ReportsState` — the hand-over and catch-up workbooks (S15, B7).

Everything is computed by the ``aandacht`` library; what is added here is which selection the
shown result belongs to, privacy mode (pseudonyms, in the library, before anything is shown or
written) and permissions (revenue only with sales-monitor permission, figures per employee only
with that setting).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import param

import aandacht
from aandacht import cadence as cadence_mod
from aandacht import reports as reports_mod
from aandacht.errors import AandachtError, DataError
from aandacht.i18n import t
from aandacht.monitors import store_folder
from aandacht.privacy import pseudonymise

if TYPE_CHECKING:
    from .state import MonitorState

CADENCE_ENV = "AANDACHT_CADENCE"


def result_selection(state: MonitorState, revenue: str | None = None) -> aandacht.Selection:
    """The :class:`aandacht.Selection` the shown result was calculated with (``revenue`` as
    given, not the stored one)."""
    sel = state.settings.get("selection", {})
    return aandacht.Selection.from_dict(sel, as_of=sel.get("as_of") or state.as_of, revenue=revenue)


def result_as_of(state: MonitorState) -> dt.date:
    """The shown result's ``as_of`` (else the widget's)."""
    value = state.settings.get("selection", {}).get("as_of")
    return dt.date.fromisoformat(value) if value else state.as_of


# ----------------------------------------------------------------------------------------------
# cadence settings (B2)


def cadence_path(state: MonitorState) -> Path:
    """Where the cadence settings are kept: ``$AANDACHT_CADENCE``, else the store folder."""
    env = os.environ.get(CADENCE_ENV)
    return Path(env) if env else store_folder(state.store_folder) / "cadence.csv"


def load_cadence(state: MonitorState) -> tuple[pd.DataFrame, str, str]:
    """(settings, file, error): the stored settings, or the library's default without a file.

    A file that cannot be used gives the default settings and the reason in ``error``.
    """
    path = cadence_path(state)
    if not path.is_file():
        return cadence_mod.default_cadence(state.data), "", ""
    try:
        return cadence_mod.read_cadence(path), str(path), ""
    except DataError as exc:
        lines = [t("cadence_file_error", state.lang, file=str(path))]
        lines += [f"• {p}" for p in exc.problems[: exc.max_shown]]
        return cadence_mod.default_cadence(state.data), str(path), "\n".join(lines)


def save_cadence(state: MonitorState, settings: pd.DataFrame) -> bool:
    """Check and store new cadence settings and use them; on a problem explain it in
    ``state.cadence_error`` and keep the old ones."""
    try:
        clean = cadence_mod.validate_cadence(settings, t("cadence", state.lang))
        cadence_mod.cadence_targets(state.data, clean)  # keys that are not in the data set
        path = cadence_path(state)
        path.parent.mkdir(parents=True, exist_ok=True)
        cadence_mod.write_cadence(clean, path)
    except DataError as exc:
        lines = [t("cadence_invalid", state.lang)]
        lines += [f"• {p}" for p in exc.problems[: exc.max_shown]]
        state.cadence_error = "\n".join(lines)
        return False
    except OSError as exc:
        state.cadence_error = t("store_error", state.lang, error=str(exc))
        return False
    state.param.update(cadence=clean, cadence_file=str(path), cadence_error="")
    return True


# ----------------------------------------------------------------------------------------------
# attention drops (B1), two-way (B4), who (B6)


class InsightsState(param.Parameterized):
    """Attention drops, two-way attention and who gives attention, for the shown result.

    Computed by :meth:`refresh` (the view calls it when its tab is opened and the result
    changed); every table is the library's, pseudonymised in privacy mode.
    """

    monitor = param.Parameter(doc="The MonitorState.")
    drops = param.DataFrame(default=None, allow_None=True, doc="trend.attention_drops")
    two_way = param.DataFrame(default=None, allow_None=True, doc="twoway.two_way")
    departments = param.DataFrame(default=None, allow_None=True, doc="department × band")
    employees = param.DataFrame(default=None, allow_None=True, doc="employee × relation")
    single_points = param.DataFrame(default=None, allow_None=True, doc="single point of contact")
    error = param.String(default="")
    stale = param.Boolean(default=True, doc="The tables do not belong to the shown result yet.")

    def __init__(self, monitor: MonitorState, **params: Any):
        super().__init__(monitor=monitor, **params)
        # the table is rebuilt last, after the result, banding, privacy, language or permission
        monitor.param.watch(
            lambda *e: setattr(self, "stale", True), ["table", "employee_permission"]
        )

    def refresh(self) -> None:
        """Compute every table for the shown result (when stale)."""
        s = self.monitor
        if not self.stale or s.result is None or s.banding is None:
            return
        if len(s.banding.yb) != len(s.result):
            return  # between a new result and its banding
        sel = result_selection(s)
        lang = s.lang
        shown = set(s.result["relation_id"].astype(str))  # the relations this login may see

        def visible(df: pd.DataFrame) -> pd.DataFrame:
            out = df[df["relation_id"].astype(str).isin(shown)].reset_index(drop=True)
            out.attrs = dict(df.attrs)
            return out

        try:
            ses = s.session  # the principal's permissions apply in every call
            drops = None
            if s.has_revenue():  # the revenue setting is on (and the principal may)
                basis = s.settings.get("selection", {}).get("revenue") or s.revenue_basis
                drops = visible(ses.attention_drops(sel, revenue=basis))
            two = visible(ses.two_way(sel))
            banded = s.result[["relation_id", "total"]].copy()
            banded["band"] = list(s.banding.yb)
            depts = ses.department_band_matrix(banded, sel)
            employees = spoc = None
            if s.employee_permission:  # figures per employee: only with that setting
                employees = visible(ses.employee_relation_matrix(sel).reset_index())
                spoc = visible(ses.single_point_of_contact(sel))
        except (AandachtError, PermissionError, ValueError) as exc:
            self.error = t("calc_error", lang, error=str(exc))
            return
        if employees is not None:
            names = s.data.relations.set_index("relation_id")["name"]
            employees.insert(1, "name", employees["relation_id"].map(names))
        if s.privacy:
            drops = None if drops is None else pseudonymise(drops, lang=lang)
            two = pseudonymise(two, lang=lang)
            employees = None if employees is None else pseudonymise(employees, lang=lang)
            spoc = None if spoc is None else pseudonymise(spoc, lang=lang)
        self.param.update(
            drops=drops,
            two_way=two,
            departments=depts,
            employees=employees,
            single_points=spoc,
            error="",
            stale=False,
        )

    def two_way_line(self) -> str:
        """Sleeping relations and the median response times, in one line."""
        tw, lang = self.two_way, self.monitor.lang
        if tw is None:
            return ""
        from aandacht.i18n import fmt_number, fmt_relations

        hours = tw.attrs.get("median_response_hours")
        work = tw.attrs.get("median_response_working_hours")
        return t(
            "two_way_line",
            lang,
            sleeping=fmt_relations(int(tw["sleeping"].sum()), lang),
            hours="–" if hours is None or pd.isna(hours) else fmt_number(hours, lang, 1),
            working="–" if work is None or pd.isna(work) else fmt_number(work, lang, 1),
        )


# ----------------------------------------------------------------------------------------------
# reports (S15, B7)


class ReportsState(param.Parameterized):
    """The hand-over report (an employee who leaves) and the catch-up report (me, since)."""

    monitor = param.Parameter(doc="The MonitorState.")
    leaving = param.Selector(default=None, objects=[], allow_None=True, doc="Who leaves.")
    handover_since = param.CalendarDate(default=None, allow_None=True)
    catchup_since = param.CalendarDate(default=None, allow_None=True)
    error = param.String(default="")

    def __init__(self, monitor: MonitorState, **params: Any):
        super().__init__(monitor=monitor, **params)
        users = list(monitor.param.user.objects)
        self.param.leaving.objects = users
        with param.parameterized.discard_events(self):
            self.leaving = self.leaving or (users[0] if users else None)
        self._since_default: dt.date | None = None
        self._follow_result()
        # the catch-up's "since" follows the shown result's as-of date until it is changed
        monitor.param.watch(lambda *e: self._follow_result(), ["settings", "as_of"])

    def _follow_result(self) -> None:
        default = result_as_of(self.monitor) - dt.timedelta(days=13)
        if self.catchup_since is None or self.catchup_since == self._since_default:
            self.catchup_since = default
        self._since_default = default

    def _viewer(self, report: Any) -> Any:
        """What this user may see: no amounts without sales permission; privacy mode."""
        s = self.monitor
        if not s.sales_permission:
            report = reports_mod.without_amounts(report)
        if s.privacy:
            report = reports_mod.pseudonymise_report(report, lang=s.lang)
        return report

    def me(self) -> str | None:
        """Who "me" is: the logged-in CRM user, or (locally, without log-in) the chosen one."""
        s = self.monitor
        return s.me if s.principal.local else s.principal.user_id

    def handover(self) -> reports_mod.HandoverReport:
        """The hand-over report of :attr:`leaving` (needs "may see figures per employee").

        Raises
        ------
        PermissionError
            Without that setting (or, logged in, without that permission).
        """
        s = self.monitor
        if not s.employee_permission:
            raise PermissionError(t("report_handover_no_permission", s.lang))
        rep = s.session.handover_report(
            self.leaving, as_of=result_as_of(s), since=self.handover_since, lang=s.lang
        )
        return self._viewer(rep)

    def catchup(self) -> reports_mod.CatchupReport:
        """The catch-up report of "me" since :attr:`catchup_since`."""
        s = self.monitor
        rep = s.session.catchup_report(
            self.me(), self.catchup_since, as_of=result_as_of(s), lang=s.lang
        )
        return self._viewer(rep)

    def write_handover(self, path: str | Path) -> Path:
        return reports_mod.write_handover_xlsx(path, self.handover(), self.monitor.lang)

    def write_catchup(self, path: str | Path) -> Path:
        return reports_mod.write_catchup_xlsx(path, self.catchup(), self.monitor.lang)

    def filename(self, kind: str) -> str:
        """``overdrachtsrapport_RJ_2026-10-31.xlsx`` / ``bijpraatrapport_JdV_….xlsx``."""
        s = self.monitor
        who = self.leaving if kind == "handover" else self.me()
        title = t(f"report_{kind}", s.lang).lower().replace(" ", "-")
        return f"{title}_{who}_{result_as_of(s).isoformat()}.xlsx"
