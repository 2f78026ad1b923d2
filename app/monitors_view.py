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
        self.open_button = pn.widgets.Button(button_type="primary", css_classes=["monitor-open"])
        self.delete_button = pn.widgets.Button(button_type="light", css_classes=["monitor-delete"])
        self.name_input = pn.widgets.TextInput(max_length=100, css_classes=["monitor-name"])
        self.shared = pn.widgets.Checkbox(css_classes=["monitor-shared"])
        self.save_button = pn.widgets.Button(button_type="light", css_classes=["monitor-save"])
        self.history = pn.widgets.Select(options={}, css_classes=["history-list"])
        self.show_button = pn.widgets.Button(button_type="light", css_classes=["history-show"])
        self.message = pn.pane.HTML("", visible=False, css_classes=["monitor-message"])
        self.error = _alert("danger", "monitor-error")
        self.open_button.on_click(self._open)
        self.delete_button.on_click(self._delete)
        self.save_button.on_click(self._save)
        self.show_button.on_click(self._show_calculation)
        self.saved.param.watch(lambda *e: self.relabel(), ["monitors", "history"])
        self.saved.param.watch(lambda *e: self._messages(), ["message", "error"])
        state.param.watch(lambda *e: self._busy(), "busy")
        self.relabel()

    def relabel(self) -> None:
        tr = self.t
        options = self.saved.monitor_options()
        self.choice.options = options or {tr("monitor_none"): None}
        self.choice.name = tr("monitor_saved_list")
        self.open_button.name, self.delete_button.name = tr("monitor_open"), tr("monitor_delete")
        self.open_button.disabled = self.delete_button.disabled = not options
        self.name_input.name = tr("monitor_name")
        self.shared.name = tr("monitor_shared")
        self.save_button.name = tr("monitor_save")
        history = self.saved.history_options()
        self.history.options = history or {tr("history_none"): None}
        self.history.name = tr("history")
        self.show_button.name = tr("history_show")
        self.show_button.disabled = not history
        self._messages()

    def _messages(self) -> None:
        s = self.saved
        self.message.object = f"<small>{esc(s.message)}</small>"
        self.message.visible = bool(s.message)
        _show(self.error, s.error)

    def _busy(self) -> None:
        for b in (self.open_button, self.show_button, self.save_button, self.delete_button):
            b.loading = self.state.busy

    async def _open(self, event: Any) -> None:
        if self.choice.value:
            await self.saved.open_async(*self.choice.value)

    def _delete(self, event: Any) -> None:
        if self.choice.value:
            self.saved.delete(*self.choice.value)

    def _save(self, event: Any) -> None:
        shared = bool(self.shared.value) and self.state.session.may("share_monitors")
        if self.saved.save(self.name_input.value_input or self.name_input.value, shared=shared):
            self.name_input.value = ""

    def _show_calculation(self, event: Any) -> None:
        if self.history.value is not None:
            self.saved.show_calculation(self.history.value)

    def __panel__(self) -> pn.viewable.Viewable:
        share = [self.shared] if self.state.session.may("share_monitors") else []
        return pn.Column(
            self.choice,
            pn.Row(self.open_button, self.delete_button),
            self.name_input,
            *share,
            self.save_button,
            self.message,
            self.error,
            self.history,
            self.show_button,
            sizing_mode="stretch_width",
        )


__all__ = ["MonitorsView"]
