"""Who is using this session: Panel's log-in mapped to a :class:`aandacht.access.Principal`.

The log-in itself is Panel's (``panel serve --basic-auth …`` or ``--oauth-provider …``, see
``docs/hosting.md``); Panel hands the logged-in identity to the app as ``pn.state.user``. Once per
session :func:`session_principal` turns it into a principal with
:func:`aandacht.access.principal_for` and the access configuration (``$AANDACHT_ACCESS``):

* no log-in and no access configuration → the local principal (``make app``: everything);
* a log-in that the configuration does not know, log-in without configuration, or a server with
  ``AANDACHT_REQUIRE_LOGIN=1`` and no log-in → :class:`~aandacht.access.PermissionDenied`, shown
  as a plain page by :func:`refused_page` (no dashboard, no data loaded, no traceback).

What the principal may see is enforced by the library's :class:`aandacht.Session`, which the state
(:mod:`app.state`) calls with ``state.principal``; this module only finds out who is asking.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import panel as pn

from aandacht import access
from aandacht.i18n import t

from .views import alert_html, esc

#: libpq waits for an unreachable database server without limit unless told otherwise.
CONNECT_TIMEOUT_S = "10"

#: Seconds a session is kept after its page closed (for a reload or a short network break);
#: ``$AANDACHT_CLOSED_SESSION_GRACE`` overrides it.
CLOSED_SESSION_GRACE_S = 30.0

log = logging.getLogger("aandacht.sessions")


def expire_when_closed(doc: Any = None, grace: float | None = None, every_ms: int = 5000) -> bool:
    """Let the server discard this session soon after its page closed.

    Bokeh has one setting for two things: how long a new session waits for its page to connect,
    and how long a session is kept after its page closed (``--unused-session-lifetime``).
    ``scripts/serve-hosted.sh`` sets it to 5 minutes, because under load pages connect late; that
    also kept every closed page's session (its widgets, tables and result: some 13 MB each) for
    5 minutes. This check, every ``every_ms``, asks the server to discard the session once its
    page has been connected and has been gone for ``grace`` seconds; Bokeh then discards it at
    its next round (``--check-unused-sessions``). A page that never connected is left to the
    lifetime setting. False when there is no server session (a notebook, a test's document).
    """
    doc = doc if doc is not None else pn.state.curdoc
    context = getattr(doc, "session_context", None)
    if context is None or not hasattr(context, "session"):
        return False
    if grace is None:
        grace = float(os.environ.get("AANDACHT_CLOSED_SESSION_GRACE", CLOSED_SESSION_GRACE_S))
    seen = {"connected": False, "asked": False}

    def check() -> None:
        session = context.session
        if session is None or seen["asked"]:
            return
        if session.connection_count > 0:
            seen["connected"] = True
        elif seen["connected"] and session.milliseconds_since_last_unsubscribe > grace * 1000:
            seen["asked"] = True
            session.request_expiration()
            log.info("page of session %s closed over %.0f s ago: discarding it", session.id, grace)

    doc.add_periodic_callback(check, every_ms)
    return True


def session_user() -> str | None:
    """The identity Panel's log-in reports for this session (``None`` without log-in)."""
    user = pn.state.user if pn.state.curdoc is not None else None
    if user in (None, "", "guest"):
        return None
    return str(user)


def session_principal(user: str | None = None) -> access.Principal:
    """The principal of this session: the log-in (default ``pn.state.user``) and the access
    configuration (``$AANDACHT_ACCESS``, read for every new session so edits apply at once).

    Raises
    ------
    aandacht.access.PermissionDenied
        When this session may not see the dashboard.
    aandacht.access.AccessConfigError
        When the access configuration cannot be used (refused as well: nothing is shown).
    """
    if user is None:
        user = session_user()
    return access.principal_for(user, access.load_access())


def shown_data(data: str) -> str:
    """A data set's name for a page: a database URL without its password."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", str(data))


def harden_environment() -> None:
    """Process-wide defaults: a database that does not answer fails after 10 s, not never; the
    library's messages (``aandacht.*`` loggers: live updates, sessions let go) in the server
    log from level INFO on (the root logger's level, WARNING, would hide them)."""
    os.environ.setdefault("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT_S)
    ours = logging.getLogger("aandacht")
    ours.setLevel(logging.INFO)
    if not ours.handlers and not logging.getLogger().handlers:  # Bokeh's serve has one on root
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        ours.addHandler(handler)


def _page(title: str, body: str, css: str) -> pn.template.BootstrapTemplate:
    return pn.template.BootstrapTemplate(
        title=title,
        main=[pn.pane.HTML(body, css_classes=[css], sizing_mode="stretch_width")],
    )


def refused_page(exc: Exception, lang: str = "nl") -> pn.template.BootstrapTemplate:
    """A plain page saying that this log-in has no access (and how to get it)."""
    if isinstance(exc, access.PermissionDenied):
        text = t("no_access", lang, reason=exc.why)
    else:
        text = t("access_config_error", lang, error=str(exc))
    logout = ""
    if session_user() is not None:
        logout = f'<p><a class="logout" href="logout">{esc(t("logout", lang))}</a></p>'
    body = (
        f"<h3>{esc(t('no_access_title', lang))}</h3>{alert_html(text)}"
        f"<p>{esc(t('no_access_hint', lang))}</p>{logout}"
    )
    return _page(t("app_title", lang), body, "access-refused")


def user_badge(principal: access.Principal, lang: str = "nl") -> str:
    """Header HTML: who is logged in and a log-out link; empty for the local principal."""
    if principal.local:
        return ""
    who = principal.name or principal.login
    return (
        '<span class="logged-in" style="color: white; margin-left: 2em">'
        f"{esc(t('logged_in_as', lang, who=who))} · "
        f'<a class="logout" href="logout" style="color: white">{esc(t("logout", lang))}</a>'
        "</span>"
    )


def serve(create_app: Any, error_page: Any) -> None:
    """Build this session's page: refused, the data error page, or the dashboard."""
    from aandacht.errors import AandachtError

    from .state import default_state

    harden_environment()
    try:
        principal = session_principal()
    except (access.PermissionDenied, access.AccessConfigError) as exc:
        page = refused_page(exc)
    else:
        try:
            page = create_app(default_state(principal=principal))
        except (AandachtError, OSError) as exc:
            page = error_page(exc)
    title = t("app_title", "nl")
    page.servable(title=title)
    expire_when_closed()
    # Panel names the browser tab after a template's own title when it has one, and ignores
    # servable's; the dashboard's template has an empty one (its header shows a translated title),
    # which would leave the tab at "Panel Application". Name the document itself.
    if pn.state.curdoc is not None:
        pn.state.curdoc.title = title


__all__ = [
    "CLOSED_SESSION_GRACE_S",
    "expire_when_closed",
    "harden_environment",
    "refused_page",
    "serve",
    "session_principal",
    "session_user",
    "shown_data",
    "user_badge",
]
