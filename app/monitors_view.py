"""The sidebar card *Monitors* (S3): saved monitors (open, delete, save) and earlier calculations.

Shows :class:`app.monitors_state.SavedMonitors` and passes the choices back; names are shown as
escaped text. The *share* checkbox is offered only to a principal with ``share_monitors`` (the
store checks it again on every save and delete).
"""

from __future__ import annotations

from typing import Any

import panel as pn

from .monitors_state import SavedMonitors
from .state import MonitorState
from .views import StateView, _alert, _show, esc


class MonitorsView(StateView):
    """Open, delete and save named monitors; show an earlier calculation."""

    def __init__(self, state: MonitorState, **params: Any):
        super().__init__(state, **params)
        self.saved = SavedMonitors(state)
        self.choice = pn.widgets.Select(options={}, css_classes=["monitor-list"])
        self.open = pn.widgets.Button(button_type="primary", css_classes=["monitor-open"])
        self.delete = pn.widgets.Button(button_type="light", css_classes=["monitor-delete"])
        self.name = pn.widgets.TextInput(max_length=100, css_classes=["monitor-name"])
        self.shared = pn.widgets.Checkbox(css_classes=["monitor-shared"])
        self.save = pn.widgets.Button(button_type="light", css_classes=["monitor-save"])
        self.history = pn.widgets.Select(options={}, css_classes=["history-list"])
        self.show = pn.widgets.Button(button_type="light", css_classes=["history-show"])
        self.message = pn.pane.HTML("", visible=False, css_classes=["monitor-message"])
        self.error = _alert("danger", "monitor-error")
        self.open.on_click(self._open)
        self.delete.on_click(self._delete)
        self.save.on_click(self._save)
        self.show.on_click(self._show_calculation)
        self.saved.param.watch(lambda *e: self.relabel(), ["monitors", "history"])
        self.saved.param.watch(lambda *e: self._messages(), ["message", "error"])
        state.param.watch(lambda *e: self._busy(), "busy")
        self.relabel()

    def relabel(self) -> None:
        tr = self.t
        options = self.saved.monitor_options()
        self.choice.options = options or {tr("monitor_none"): None}
        self.choice.name = tr("monitor_saved_list")
        self.open.name, self.delete.name = tr("monitor_open"), tr("monitor_delete")
        self.open.disabled = self.delete.disabled = not options
        self.name.name = tr("monitor_name")
        self.shared.name = tr("monitor_shared")
        self.save.name = tr("monitor_save")
        history = self.saved.history_options()
        self.history.options = history or {tr("history_none"): None}
        self.history.name = tr("history")
        self.show.name = tr("history_show")
        self.show.disabled = not history
        self._messages()

    def _messages(self) -> None:
        s = self.saved
        self.message.object = f"<small>{esc(s.message)}</small>"
        self.message.visible = bool(s.message)
        _show(self.error, s.error)

    def _busy(self) -> None:
        for b in (self.open, self.show, self.save, self.delete):
            b.loading = self.state.busy

    async def _open(self, event: Any) -> None:
        if self.choice.value:
            await self.saved.open_async(*self.choice.value)

    def _delete(self, event: Any) -> None:
        if self.choice.value:
            self.saved.delete(*self.choice.value)

    def _save(self, event: Any) -> None:
        shared = bool(self.shared.value) and self.state.principal.can_share_monitors
        if self.saved.save(self.name.value_input or self.name.value, shared=shared):
            self.name.value = ""

    def _show_calculation(self, event: Any) -> None:
        if self.history.value is not None:
            self.saved.show_calculation(self.history.value)

    def __panel__(self) -> pn.viewable.Viewable:
        share = [self.shared] if self.state.principal.can_share_monitors else []
        return pn.Column(
            self.choice,
            pn.Row(self.open, self.delete),
            self.name,
            *share,
            self.save,
            self.message,
            self.error,
            self.history,
            self.show,
            sizing_mode="stretch_width",
        )


__all__ = ["MonitorsView"]
