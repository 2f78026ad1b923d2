"""The aandacht dashboard: ``panel serve app/app.py`` (the data folder comes from $AANDACHT_DATA).

Assembles the state (:mod:`app.state`) and the views (:mod:`app.views`) in a template that needs
nothing from the internet. Environment:

* ``AANDACHT_DATA``: the data set (folder, ``.xlsx`` or database URL); default ``data_samples``.
* ``AANDACHT_STORE``: folder of ``monitors.sqlite`` (saved monitors and calculations);
  default ``.aandacht/``.
* ``AANDACHT_SALES_MONITOR=1``: start with sales-monitor permission switched on (locally).
* ``AANDACHT_LIVE=0``: no live updates (B13); by default new events files in the data folder
  (and new rows of a PostgreSQL events table, after ``aandacht live-install``) are shown in
  every open session within seconds.
* ``AANDACHT_ACCESS``, ``AANDACHT_REQUIRE_LOGIN``: log-in and permissions when hosted
  (:mod:`app.auth`, ``docs/hosting.md``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import panel as pn
import panel.io.resources as _resources
import panel.reactive as _reactive
import param
from panel.io.callbacks import PeriodicCallback

# `panel serve app/app.py` runs this file as a script with app/ on sys.path, where `app` would
# be this very file: put the project root first so that `app` is the package.
ROOT = Path(__file__).resolve().parents[1]
if sys.path[:1] != [str(ROOT)]:
    sys.path.insert(0, str(ROOT))
if "app" in sys.modules and not hasattr(sys.modules["app"], "__path__"):
    del sys.modules["app"]

from aandacht.i18n import t  # noqa: E402
from app.auth import serve, shown_data, user_badge  # noqa: E402
from app.insights_view import (  # noqa: E402
    CadenceEditor,
    InsightsView,
    OverdueControls,
    ReportsView,
)
from app.map_view import MapView  # noqa: E402
from app.monitors_view import MonitorsView  # noqa: E402
from app.state import MonitorState, default_state  # noqa: E402
from app.timeline_view import TimelineView  # noqa: E402
from app.views import (  # noqa: E402
    DistributionView,
    ExportView,
    GridView,
    SelectionView,
    SettingsView,
    StatusView,
    SummaryView,
    ViewSwitch,
    alert_html,
    esc,
)

pn.extension("tabulator", notifications=False)


def _patch_stylesheet_locally(stylesheet, dist_url: str) -> None:
    """Panel's ``patch_stylesheet``, but never towards the CDN when resources are served locally.

    Panel (1.9.4) updates a model that is not in a document (such as the overview's panes while
    another tab of the dynamic ``pn.Tabs`` is shown, e.g. when relabelled after a language
    switch) with ``dist_url = CDN_DIST``, and thereby rewrites the session's *shared* cached
    ``ImportedStyleSheet`` for ``loading.css`` to ``https://cdn.holoviz.org/...``: the browser
    then fetches it from the internet. Use the local dist path (what the document itself uses)
    instead.
    """
    if dist_url == _resources.CDN_DIST and not _resources.use_cdn():
        dist_url = _resources.get_dist_path()
    _patch_stylesheet(stylesheet, dist_url)


_patch_stylesheet = _resources.patch_stylesheet
_reactive.patch_stylesheet = _patch_stylesheet_locally  # the name panel/reactive.py calls

#: The tabs, in order (their titles are ``t(key)``).
TAB_KEYS = ("tab_overview", "tab_timeline", "tab_map", "tab_insights", "tab_reports")


def create_app(state: MonitorState | None = None) -> pn.template.BootstrapTemplate:
    """The whole dashboard for one browser session."""
    state = state or default_state()
    selection = SelectionView(state)
    settings = SettingsView(state)
    grid = GridView(state)
    # made with the page: opened from the grid (a click on a total), and its table sizes its
    # columns right only when it is made before its first relation is shown
    timeline = TimelineView(state, order=grid.row_order)  # steps in the grid's order

    def card(key: str, view: pn.viewable.Viewer, collapsed: bool = False) -> pn.Card:
        c = pn.Card(
            view,
            title=t(key, state.lang),
            collapsed=collapsed,
            sizing_mode="stretch_width",
            css_classes=[f"card-{key}"],
        )
        state.param.watch(lambda *e: setattr(c, "title", t(key, state.lang)), "lang")
        return c

    def lazy_card(key: str, build: Callable[[], pn.viewable.Viewer]) -> pn.Card:
        """A collapsed card whose content is made when it is first opened: a sixth of the
        page's models sat in the cadence and monitor cards, which most visits never open, and
        every model costs the server (per session) and the browser."""
        c = card(key, pn.Column(sizing_mode="stretch_width"), collapsed=True)

        def opened(event: param.parameterized.Event) -> None:
            if not event.new:
                c.param.unwatch(watcher)
                c.objects = [build()]

        watcher = c.param.watch(opened, "collapsed")
        return c

    # the map's, the insights' and the reports' views are made when first opened (build below)
    later = {  # placeholders
        key: pn.Column(sizing_mode="stretch_width", css_classes=["later-tab"])
        for key in TAB_KEYS[2:]
    }
    tabs = pn.Tabs(
        (
            t("tab_overview", state.lang),
            pn.Column(
                StatusView(state),
                ViewSwitch(state),
                pn.Row(
                    pn.Column(DistributionView(state), sizing_mode="stretch_width"),
                    pn.Column(SummaryView(state), sizing_mode="stretch_width"),
                    sizing_mode="stretch_width",
                ),
                ExportView(state),
                OverdueControls(state, grid),
                grid,
                sizing_mode="stretch_width",
            ),
        ),
        (t("tab_timeline", state.lang), timeline),
        *[(t(key, state.lang), placeholder) for key, placeholder in later.items()],
        dynamic=True,  # a tab's models are made when it is shown, not while hidden
        sizing_mode="stretch_width",
        css_classes=["main-tabs"],
    )

    def on_lang(*events) -> None:
        # Tabs reuses its rendered tab panels (and their titles): drop them to get new titles.
        tabs._names = [t(k, state.lang) for k in TAB_KEYS]
        for panels in tabs._panels.values():
            panels.clear()
        tabs.param.trigger("objects")

    state.param.watch(on_lang, "lang")
    grid.param.watch(lambda *e: setattr(tabs, "active", 1), "open_timeline")
    insights_tab = TAB_KEYS.index("tab_insights")
    built: dict[str, pn.viewable.Viewer] = {}

    def build(key: str) -> pn.viewable.Viewer:
        """The view of the map, insights or reports tab, made when the tab is first opened:
        most visits never open them, and every view costs the server per session."""
        if key not in built:
            if key == "tab_map":
                view = MapView(state)
            elif key == "tab_insights":
                view = InsightsView(state)
                view.ins.param.watch(on_tab, "stale")
            else:
                view = ReportsView(state)
            built[key] = view
            # The view goes into the placeholder, not in its place: replacing a tab re-renders
            # every tab header in the browser, and a click on another tab while that happened
            # (the map takes seconds to build on a busy server) was lost.
            later[key].objects = [view]
        return built[key]

    pending: set[str] = set()

    def fill(key: str) -> None:
        """Make the tab's view in its placeholder (then compute the insights, if shown)."""
        try:
            view = build(key)
        finally:
            pending.discard(key)
            later[key].param.update(loading=False, min_height=None)
        if key == "tab_insights" and tabs.active == insights_tab:
            view.refresh()

    def on_tab(*events) -> None:
        key = TAB_KEYS[tabs.active]
        if key not in later or key in pending:
            return
        if key in built:
            if tabs.active == insights_tab:
                built[key].refresh()  # computed when the tab is opened (again after a new result)
            return
        pending.add(key)
        later[key].param.update(loading=True, min_height=200)
        # On a server the view is made in the next tick: the switch (the browser rebuilds the
        # tab headers for it) is answered at once and the tab shows a spinner, instead of both
        # waiting for the seconds a map takes to build, while a click on another tab was lost.
        pn.state.execute(partial(fill, key), schedule=True)

    tabs.param.watch(on_tab, "active")

    title = pn.pane.HTML(
        f'<span class="app-title">{esc(t("app_title", state.lang))}</span>',
        styles={"color": "white", "font-size": "1.5em"},
    )
    state.param.watch(
        lambda *e: setattr(
            title, "object", f'<span class="app-title">{esc(t("app_title", state.lang))}</span>'
        ),
        "lang",
    )
    template = pn.template.BootstrapTemplate(
        title="",
        header=[title, pn.pane.HTML(user_badge(state.principal, state.lang))],
        sidebar=[
            card("selection", selection),
            card("settings", settings, collapsed=False),
            lazy_card("cadence", lambda: CadenceEditor(state)),
        ],
        main=[tabs],
        sidebar_width=360,
        # No server-wide spinner: Panel's shows when *any* session is busy (a colleague's click
        # turned everyone's on), and updating it in every open session at every event cost the
        # server a sixth of its time with 20 sessions. Each session shows its own work (the
        # progress bar and the calculate button, MonitorState.busy).
        busy_indicator=None,
    )
    template.sidebar.append(lazy_card("monitors", lambda: MonitorsView(state)))  # S3
    if state.start_live() and pn.state.curdoc is not None:
        # B13: the process's one watcher feeds the shared data set; each session looks twice a
        # second whether there is something new and then counts its own selection again
        quiet_periodic_callback(state.refresh_live, period=500)
    return template


def quiet_periodic_callback(callback, period: int) -> PeriodicCallback:
    """``pn.state.add_periodic_callback``, without marking the server busy at each call.

    Panel's own periodic callback sets ``pn.state.busy`` before and after every call, and that
    flag drives the busy indicator of *every* open session: with 20 sessions looking twice a
    second, the server spent half its time updating indicators (measured with py-spy during
    ``bench/load_test.py``). A look that finds nothing new is not work to show; a recount that
    follows shows its own progress (``MonitorState.busy``). Stopped with its session.
    """
    cb = PeriodicCallback(callback=callback, period=period, background=True, log=False)
    cb.start()
    doc = pn.state.curdoc
    if doc is not None:  # as add_periodic_callback does: stopped when the session ends
        pn.state._periodic.setdefault(doc, []).append(cb)
    return cb


def error_page(exc: Exception) -> pn.template.BootstrapTemplate:
    """A page that says why the data set cannot be opened (instead of a traceback)."""
    data = shown_data(os.environ.get("AANDACHT_DATA", "data_samples"))  # no password
    text = f"{t('data_error', 'nl', data=data)}\n\n{exc}"
    return pn.template.BootstrapTemplate(
        title=t("app_title", "nl"),
        main=[
            pn.pane.HTML(alert_html(text), css_classes=["data-error"], sizing_mode="stretch_width")
        ],
    )


if pn.state.served:
    serve(create_app, error_page)  # the log-in's principal (app/auth.py), then this page
