"""The dashboard's state for a logged-in principal (issue 7), without a browser.

Permissions come from the principal and go through :mod:`aandacht.access`; saved monitors and
the calculation history are per login (:class:`aandacht.monitors.MonitorStore`); uploads are
size-limited; a refused log-in and an unreachable database get a plain page.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_app_state import AS_OF

import aandacht
from aandacht import access
from aandacht.monitors import Monitor, MonitorStore
from aandacht.selection import MAX_SELECTION_BYTES
from aandacht.service import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import auth  # noqa: E402
from app.monitors_state import SavedMonitors, apply_monitor, monitor_of  # noqa: E402
from app.state import MonitorState  # noqa: E402

CONFIG = access.parse_access(
    {
        "users": {
            "directie@example.nl": {"roles": ["viewer", "sales_monitor"]},
            "kijker@example.nl": {"roles": ["viewer"]},
            "jan@example.nl": {"user_id": "JdV", "roles": ["account_manager"]},
            "chef@example.nl": {"user_id": "HD", "roles": ["manager"]},
        }
    }
)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> str:
    from test_app_state import write_data

    return str(write_data(tmp_path_factory.mktemp("crm")))


@pytest.fixture()
def folder(tmp_path) -> str:
    return str(tmp_path / "store")


def session(data: str, folder: str, login: str, **params) -> MonitorState:
    principal = CONFIG.principal(login)
    return MonitorState(data, store_folder=folder, as_of=AS_OF, principal=principal, **params)


def test_local_principal_when_nobody_logs_in(data, folder):
    s = MonitorState(data, store_folder=folder, as_of=AS_OF)
    assert s.principal.local and not s.hosted and s.principal.can_see_revenue
    assert auth.session_principal(user=None).local  # no log-in, no access.yaml


def test_permissions_come_from_the_principal_not_from_settings(data, folder):
    s = session(data, folder, "kijker@example.nl", sales_permission=True)
    assert s.hosted and not s.sales_permission and not s.has_revenue()
    assert s.selection().revenue is None
    assert "revenue" not in s.result.columns and "orders" not in s.result.columns
    s.sales_permission = True  # what a forged widget message could do: still nothing
    assert s.sales is None and s.selection().revenue is None
    with pytest.raises(access.PermissionDenied):  # the library refuses even if asked directly
        s._compute(aandacht.Selection(as_of=AS_OF, revenue="both"))
    boss = session(data, folder, "directie@example.nl")
    assert boss.sales_permission and boss.has_revenue() and boss.sales is not None


def test_timeline_and_export_without_revenue_or_contact_details(data, folder, tmp_path):
    s = session(data, folder, "kijker@example.nl")
    from app.timeline_view import TimelineState

    s.timeline_row = 0
    tl = TimelineState(s)
    events = tl.events
    assert len(events) and "subject" not in events.columns and "amount" not in events.columns
    path = s.export_xlsx(tmp_path / "kijker.xlsx")
    wb = openpyxl.load_workbook(path)
    assert "Uitgesloten" not in wb.sheetnames
    cells = [str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v]
    assert not [c for c in cells if "omzet" in c.lower() or "revenue" in c.lower()]


def test_own_relations_only(data, folder):
    s = session(data, folder, "jan@example.nl")
    visible = access.visible_relations(s.data, s.principal, AS_OF)
    assert set(s.result.relation_id) == set(visible) and len(visible) < 124
    outside = sorted(set(s.data.relations.relation_id) - set(visible))[0]
    s.result = pd.concat([s.result, s.result.iloc[:1].assign(relation_id=outside)])
    from app.timeline_view import TimelineState

    s.timeline_row = len(s.result) - 1
    tl = TimelineState(s)
    assert "may not see relation" in tl.error and tl.events is None


def test_latest_calculation_per_login(data, folder):
    boss = session(data, folder, "directie@example.nl")
    boss.relation_mode, boss.b_group = "b_group", "top customers"
    assert boss.calculate()
    viewer = session(data, folder, "kijker@example.nl")  # not the boss's latest
    assert viewer.settings["ui"]["relation_mode"] == "all"
    assert "revenue" not in viewer.result.columns
    again = session(data, folder, "directie@example.nl")
    assert again.settings["ui"]["b_group"] == "top customers" and again.has_revenue()
    store = MonitorStore(folder)
    assert {c.owner for c in store.history(data)} == {"directie@example.nl", "kijker@example.nl"}


def test_a_stored_result_is_shown_through_the_access_rules(data, folder):
    boss = session(data, folder, "directie@example.nl")
    store = MonitorStore(folder)
    latest = store.latest_calculation(data, owner="directie@example.nl")
    assert "revenue" in latest.result.columns
    # the same login, without sales_monitor today: the stored revenue is not shown
    demoted = access.parse_access({"users": {"directie@example.nl": {"roles": ["viewer"]}}})
    s = MonitorState(
        data, store_folder=folder, as_of=AS_OF, principal=demoted.principal("directie@example.nl")
    )
    assert s.calculated_at == boss.calculated_at  # the stored one, not a new calculation
    assert "revenue" not in s.result.columns and not s.has_revenue()


def test_save_open_delete_monitors(data, folder):
    s = session(data, folder, "jan@example.nl")
    saved = SavedMonitors(s)
    s.user_mode, s.user = "user", "JdV"
    s.period_preset = "last_month"
    s.strategy, s.thresholds = "quantile", [0.1, 0.3, 0.6, 0.9]
    assert saved.save("Mijn maand")
    assert [m.name for m in saved.monitors] == ["Mijn maand"]
    m = saved.monitors[0]
    assert (m.owner, m.users, m.period, m.strategy) == (
        "jan@example.nl",
        ("JdV",),
        "last_month",
        "quantile",
    )
    assert not saved.save("Iedereen", shared=True)  # account_manager may not share
    assert "shared monitors" in saved.error

    s.user_mode, s.period_preset, s.strategy = "all", "last_12_months", "relative"
    assert saved.open("jan@example.nl", "Mijn maand")
    assert (s.user_mode, s.user, s.period_preset, s.strategy) == (
        "user",
        "JdV",
        "last_month",
        "quantile",
    )
    assert s.thresholds == [0.1, 0.3, 0.6, 0.9] and s.monitor_name == "Mijn maand"
    expected = Session(s.data, s.principal).calculate(monitor_of(s, "x").selection(AS_OF))
    pd.testing.assert_frame_equal(s.result, expected, check_dtype=False)
    latest = MonitorStore(folder).latest_calculation(data, owner="jan@example.nl")
    assert latest.monitor == "Mijn maand" and saved.history[0].monitor == "Mijn maand"

    other = SavedMonitors(session(data, folder, "kijker@example.nl"))
    assert other.monitors == []  # someone else's monitors are not listed …
    assert not other.open("jan@example.nl", "Mijn maand")  # … nor opened
    assert not other.delete("jan@example.nl", "Mijn maand")
    assert saved.delete("jan@example.nl", "Mijn maand") and saved.monitors == []


def test_shared_monitors_and_history(data, folder):
    chef = SavedMonitors(session(data, folder, "chef@example.nl"))
    chef.state.relation_mode, chef.state.b_group = "b_group", "top customers"
    assert chef.save("Top", shared=True)
    jan = SavedMonitors(session(data, folder, "jan@example.nl"))
    assert [(m.owner, m.name) for m in jan.monitors] == [(None, "Top")]
    assert "Top (gedeeld)" in jan.monitor_options()
    assert jan.open(None, "Top")  # opened with jan's own permissions: his relations only
    visible = access.visible_relations(jan.state.data, jan.state.principal, AS_OF)
    assert set(jan.state.result.relation_id) <= set(visible)
    assert not jan.delete(None, "Top")  # only with share_monitors
    first = jan.history[-1].id
    assert jan.show_calculation(first)
    assert jan.state.monitor_name is None and jan.state.settings["ui"]["relation_mode"] == "all"
    assert not chef.show_calculation(jan.history[0].id)  # another login's calculation


def test_apply_monitor_with_a_period_rule_in_days(data, folder):
    s = session(data, folder, "chef@example.nl")
    apply_monitor(s, Monitor("90", owner="chef@example.nl", period="last_90_days"))
    assert s.period_preset == "custom" and (s.period_to - s.period_from).days == 89


def test_selection_upload_is_size_limited_and_never_a_path(data, folder):
    s = session(data, folder, "chef@example.nl")
    big = b"R00001\n" * (MAX_SELECTION_BYTES // 7 + 1)
    assert not s.load_selection_file(big, "../../etc/passwd")
    assert "te groot" in s.selection_error and s.selection_codes is None
    assert s.selection_file == "passwd"
    assert s.load_selection_file(b"relation_id\nR00002\n", "C:\\Users\\x\\sel.csv")
    assert s.selection_codes == ("R00002",) and s.selection_file == "sel.csv"


def test_refused_log_in_gets_a_plain_page(monkeypatch, tmp_path):
    cfg = tmp_path / "access.yaml"
    cfg.write_text("users:\n  kijker@example.nl: {roles: [viewer]}\n")
    monkeypatch.setenv("AANDACHT_ACCESS", str(cfg))
    assert auth.session_principal("Kijker@Example.nl").login == "kijker@example.nl"
    with pytest.raises(access.PermissionDenied) as refused:
        auth.session_principal("vreemde@example.nl")
    with pytest.raises(access.PermissionDenied):
        auth.session_principal(None)  # access.yaml but no log-in: refused
    page = auth.refused_page(refused.value)
    html = page.main[0].object
    assert "Geen toegang" in html and "access.yaml" in html and "Traceback" not in html
    cfg.write_text("users:\n  x@example.nl: {roles: [viewer], password: geheim}\n")
    with pytest.raises(access.AccessConfigError) as bad:
        auth.session_principal("x@example.nl")
    assert "geheim" not in auth.refused_page(bad.value).main[0].object


def test_unreachable_database_gets_a_page_without_password(monkeypatch):
    from app.app import error_page

    url = "postgres://aandacht:geheim@127.0.0.1:1/crm"
    monkeypatch.setenv("AANDACHT_DATA", url)
    with pytest.raises(aandacht.AandachtError) as exc:
        aandacht.load(url)
    html = error_page(exc.value).main[0].object
    assert "cannot connect to the database" in html and "127.0.0.1:1/crm" in html
    assert "geheim" not in html


@pytest.mark.parametrize("arg", [["--num-procs", "2"], ["--num-procs=2"]])
def test_serve_hosted_refuses_several_processes_on_one_port(arg):
    """A page's websocket could reach another process than its session's: refused, exit 2."""
    import subprocess

    out = subprocess.run(
        [str(ROOT / "scripts" / "serve-hosted.sh"), "--port", "1", *arg],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 2, out
    assert "--num-procs is not supported" in out.stderr
    assert "sticky sessions" in out.stderr
