"""Permissions (S13), enforced in the library: relations, contact details, revenue, employees.

Hand-worked on the tiny data set (``tests/tiny.py``, as_of 2026-03-31):

* JdV's contact moments: R1 (March 2026) and R3 (quote 2025-12-24; the invoice of 2026-03-25 is
  no contact moment) → JdV's own relations over 365 days are R1 and R3, over 30 days only R1.
* PB's: R1 (note) and R2 (helpdesk) → R1, R2.
* B-group ``top customers`` = R1, R2.
* Groups: ``inside sales`` = JdV, PB (2 members); department ``Marketing`` = MK only (1 member).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from tiny import dataset

import aandacht
from aandacht import access, monitors
from aandacht.access import (
    AccessConfigError,
    PermissionDenied,
    is_contact_column,
    is_revenue_column,
    local_principal,
    parse_access,
    principal_for,
)
from aandacht.i18n import t
from aandacht.service import Session

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-31"
MARCH = {"period_from": "2026-03-01", "period_to": "2026-03-31", "as_of": AS_OF}

CONFIG = {
    "roles": {
        "recent": {"relations": "own", "own_days": 30, "contact_details": True},
        "top": {"relations": {"b_groups": ["top customers"]}},
        "me_only": {"relations": "all", "users": "self"},
    },
    "users": {
        "jan@example.nl": {"user_id": "JdV", "roles": ["account_manager"], "aliases": ["JDV"]},
        "jan.sales@example.nl": {"user_id": "JdV", "roles": ["account_manager", "sales_monitor"]},
        "petra@example.nl": {"user_id": "PB", "roles": ["viewer"]},
        "boss@example.nl": {"user_id": "AS", "roles": ["manager"]},
        "recent@example.nl": {"user_id": "JdV", "roles": ["recent"]},
        "top@example.nl": {"roles": ["top"]},
        "self@example.nl": {"user_id": "JdV", "roles": ["me_only"]},
        "admin@example.nl": {"roles": ["admin"]},
    },
}


@pytest.fixture(scope="module")
def ds():
    return dataset()


@pytest.fixture(scope="module")
def config():
    return parse_access(CONFIG, "test config")


@pytest.fixture(scope="module")
def who(config):
    return {login.split("@")[0]: config.principal(login) for login in CONFIG["users"]}


def sel(**kw) -> aandacht.Selection:
    return aandacht.Selection(**{**MARCH, **kw})


# --- configuration -----------------------------------------------------------------------------


def test_principals_combine_their_roles(who):
    jan, jan_sales, petra, boss = who["jan"], who["jan.sales"], who["petra"], who["boss"]
    assert (jan.user_id, jan.roles, jan.own_days, jan.all_relations) == (
        "JdV",
        ("account_manager",),
        365,
        False,
    )
    assert jan.can_see_contact_details and not jan.can_see_revenue and not jan.can_see_employees
    assert jan_sales.can_see_revenue and not jan_sales.all_relations  # sales_monitor adds revenue
    assert petra.all_relations and not petra.can_see_contact_details and not petra.can_see_revenue
    assert boss.can_see_employees and boss.can_share_monitors and not boss.can_see_revenue
    assert who["self"].users == "self"
    assert "own relations (365 days)" in jan.describe() and "contact details" in jan.describe()
    assert petra.describe().endswith("counts only")
    with pytest.raises(dataclasses.FrozenInstanceError):
        jan.can_see_revenue = True  # type: ignore[misc]


def test_logins_are_case_insensitive_and_aliases_work(config):
    assert config.principal("  Jan@Example.NL ").user_id == "JdV"
    assert config.principal("jdv").login == "jdv"
    assert config.principal("jdv").roles == ("account_manager",)


def test_unknown_login_is_refused_unless_there_are_default_roles(config):
    with pytest.raises(PermissionDenied, match="not in test config"):
        config.principal("stranger@example.nl")
    open_config = parse_access({**CONFIG, "default_roles": ["viewer"]})
    p = open_config.principal("stranger@example.nl")
    assert p.roles == ("viewer",) and p.user_id is None and not p.can_see_revenue


@pytest.mark.parametrize(
    "doc, message",
    [
        ({"users": {"a": {"roles": ["boss"]}}}, "unknown role(s) boss"),
        ({"users": {"a": {"roles": []}}}, "at least one role"),
        ({"users": {"a": {"roles": ["viewer"], "colour": "red"}}}, "unknown key(s) colour"),
        ({"users": {"a": {"roles": ["viewer"], "password": "x"}}}, "secrets do not belong"),
        ({"oauth_secret": "abc"}, "secrets do not belong"),
        ({"roles": {"r": {"revenue": "yes"}}}, "roles.r.revenue must be true or false"),
        ({"roles": {"r": {"relations": "some"}}}, "roles.r.relations must be"),
        ({"roles": {"r": {"users": "others"}}}, "must be all or self"),
        ({"users": {"a": {"roles": ["viewer"], "aliases": ["A"]}}}, "listed twice"),
        ({"version": 2}, "version 2"),
    ],
)
def test_bad_configurations_say_what_is_wrong(doc, message):
    with pytest.raises(AccessConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_access(doc, "access.yaml")


def test_example_configuration_loads_and_matches_the_sample_data(monkeypatch):
    path = ROOT / "docs" / "examples" / "access.yaml"
    monkeypatch.setenv("AANDACHT_ACCESS", str(path))
    config = access.load_access()
    assert config is not None and config.source == str(path)
    jan = config.principal("JDV")
    assert jan.can_see_revenue and jan.b_groups == ("top customers",) and jan.user_id == "JdV"
    assert config.principal("stagiair@example.nl").users == "self"
    assert config.principal("directie@example.nl").all_relations
    assert config.check(aandacht.load(ROOT / "data_samples")) == []


def test_load_access_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("AANDACHT_ACCESS", raising=False)
    assert access.load_access() is None
    with pytest.raises(AccessConfigError, match="not found"):
        access.load_access(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("users: [unclosed\n")
    with pytest.raises(AccessConfigError, match="cannot read"):
        access.load_access(bad)
    bad.write_text(yaml.safe_dump({"users": {"a": {"user_id": "XX", "roles": ["viewer"]}}}))
    problems = access.load_access(bad).check(dataset())
    assert problems == [f"{bad}: a: user_id 'XX' is not a user"]


def test_principal_for_fails_closed(config, monkeypatch):
    monkeypatch.delenv("AANDACHT_REQUIRE_LOGIN", raising=False)
    assert principal_for(None, None) == local_principal()  # local, no log-in: everything
    assert principal_for(None, None).local
    with pytest.raises(PermissionDenied, match="requires a log-in"):
        principal_for(None, config)
    with pytest.raises(PermissionDenied, match="no access configuration"):
        principal_for("jan@example.nl", None)
    assert principal_for("jan@example.nl", config).user_id == "JdV"
    monkeypatch.setenv("AANDACHT_REQUIRE_LOGIN", "1")
    with pytest.raises(PermissionDenied, match="requires a log-in"):
        principal_for(None, None)


def test_secrets_only_from_the_environment(monkeypatch):
    monkeypatch.delenv("AANDACHT_COOKIE_SECRET", raising=False)
    with pytest.raises(AccessConfigError, match=r"\$AANDACHT_COOKIE_SECRET is not set"):
        access.secret_from_env("AANDACHT_COOKIE_SECRET")
    monkeypatch.setenv("AANDACHT_COOKIE_SECRET", "short")
    with pytest.raises(AccessConfigError, match="shorter than 16"):
        access.secret_from_env("AANDACHT_COOKIE_SECRET")
    monkeypatch.setenv("AANDACHT_COOKIE_SECRET", "x" * 40)
    assert access.secret_from_env("AANDACHT_COOKIE_SECRET") == "x" * 40


def test_permission_denied_is_clear_and_is_a_permission_error():
    err = PermissionDenied("piet", "revenue", "it is shown only to the sales_monitor role")
    assert isinstance(err, aandacht.AandachtError) and isinstance(err, PermissionError)
    assert str(err) == "piet may not see revenue: it is shown only to the sales_monitor role"
    assert (err.login, err.what) == ("piet", "revenue")
    import pickle

    assert str(pickle.loads(pickle.dumps(err))) == str(err)


# --- revenue -----------------------------------------------------------------------------------


REVENUE = ["orders", "invoices", "revenue"]


def test_no_revenue_columns_without_the_role(ds, who):
    for name in ("jan", "petra", "boss", "top"):
        res = Session(ds, who[name]).calculate(sel())
        assert not [c for c in res.columns if is_revenue_column(c)], name
        assert not set(REVENUE) & set(res.columns)
        assert res.attrs["revenue"] is None and res.attrs["principal"] == who[name].login


@pytest.mark.parametrize("basis", ["orders", "invoices", "both"])
def test_asking_for_revenue_without_the_role_is_refused(ds, who, basis):
    with pytest.raises(PermissionDenied) as exc:
        Session(ds, who["petra"]).calculate(sel(revenue=basis))
    assert str(exc.value) == (
        f"petra@example.nl may not see revenue ({basis}): it is shown only to the "
        "sales_monitor role"
    )


def test_sales_monitor_gets_the_library_s_revenue(ds, who):
    res = Session(ds, who["jan.sales"]).calculate(sel(revenue="both"))
    full = aandacht.calculate(ds, sel(revenue="both"))
    expected = full[full.relation_id.isin(["R1", "R3"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(res, expected)
    assert res.set_index("relation_id").revenue.to_dict() == {"R1": 2001.0, "R3": 250.0}
    admin = Session(ds, who["admin"]).calculate(sel(revenue="both"))
    pd.testing.assert_frame_equal(admin, full)


def test_sales_view_only_with_the_role(ds, who):
    res = Session(ds, who["admin"]).calculate(sel(revenue="both"))
    with pytest.raises(PermissionDenied, match="may not see the sales view"):
        Session(ds, who["boss"]).sales_view(res)
    view = Session(ds, who["admin"]).sales_view(res)
    assert view.total_revenue == pytest.approx(2251.0)


def test_a_stored_result_with_revenue_is_stripped_for_others(ds, who):
    stored = aandacht.calculate(ds, sel(revenue="both"))
    for name in ("petra", "boss"):
        shown = Session(ds, who[name]).result(stored)
        assert not [c for c in shown.columns if is_revenue_column(c)]
        assert shown.attrs["revenue"] is None
        assert len(shown) == 4
    assert "revenue" in stored.columns and stored.attrs["revenue"] == "both"  # not modified
    mine = Session(ds, who["jan.sales"]).result(stored)
    assert mine.relation_id.tolist() == ["R1", "R3"] and "revenue" in mine.columns


def test_revenue_column_names_in_every_language():
    for key in (
        "col_revenue",
        "col_orders",
        "col_invoices",
        "col_amount",
        "col_abc_class",
        "col_expected_contacts",
        "col_contact_gap",
    ):
        for lang in ("nl", "en"):
            assert is_revenue_column(t(key, lang)), (key, lang)
    for key in ("col_total", "col_sales", "col_sales_dgn", "col_name", "col_dgn"):
        for lang in ("nl", "en"):
            assert not is_revenue_column(t(key, lang)), (key, lang)
    assert is_contact_column(t("col_subject", "nl")) and is_contact_column("last_subject")
    assert not is_contact_column("channel") and not is_contact_column(t("col_channel", "en"))


# --- relations ---------------------------------------------------------------------------------


def test_own_relations_are_those_with_recent_contact(ds, who):
    assert access.visible_relations(ds, who["jan"], AS_OF) == {"R1", "R3"}
    assert access.visible_relations(ds, who["recent"], AS_OF) == {"R1"}  # 30 days
    assert access.visible_relations(ds, who["jan"], "2026-02-01") == {"R3"}  # R1: from 02-28
    assert access.visible_relations(ds, who["jan"], "2025-12-01") == set()
    assert access.visible_relations(ds, who["top"], AS_OF) == {"R1", "R2"}
    assert access.visible_relations(ds, who["petra"], AS_OF) is None  # all


def test_calculation_measures_only_visible_relations(ds, who):
    full = aandacht.calculate(ds, sel())
    for name, ids in (("jan", ["R1", "R3"]), ("top", ["R1", "R2"]), ("recent", ["R1"])):
        res = Session(ds, who[name]).calculate(sel())
        expected = full[full.relation_id.isin(ids)].reset_index(drop=True)
        pd.testing.assert_frame_equal(res, expected)
        assert res.attrs["restricted"] and res.attrs["n_relations"] == len(ids)
    res = Session(ds, who["jan"]).calculate(sel(b_group="top customers"))
    assert res.relation_id.tolist() == ["R1"]
    assert res.attrs["b_group"] == "top customers" and res.attrs["restricted"]
    res = Session(ds, who["jan"]).calculate(sel(relations=("R3", "R4")))
    assert res.relation_id.tolist() == ["R3"] and res.attrs["relations_selected"]
    res = Session(ds, who["jan"]).calculate(sel(relations=("R4",)))
    assert res.empty and res.attrs["restricted"]
    res = Session(ds, who["jan"]).calculate(sel(relations=("R1",)))
    assert res.relation_id.tolist() == ["R1"] and not res.attrs["restricted"]
    everything = Session(ds, who["petra"]).calculate(sel())
    pd.testing.assert_frame_equal(everything, full, check_like=False)
    assert not everything.attrs["restricted"]


def test_timeline_of_an_invisible_relation_is_refused(ds, who):
    with pytest.raises(PermissionDenied, match="may not see relation R2: it is not one of"):
        Session(ds, who["jan"]).timeline("R2", as_of=AS_OF)
    assert len(Session(ds, who["jan"]).timeline("R3", as_of=AS_OF)) == 2


def test_stored_result_rows_are_limited_to_visible_relations(ds, who):
    stored = aandacht.calculate(ds, sel())
    shown = Session(ds, who["top"]).result(stored)
    assert shown.relation_id.tolist() == ["R1", "R2"] and shown.attrs["n_relations"] == 2


# --- contact details ---------------------------------------------------------------------------


def test_timeline_without_contact_details_has_no_subject_or_body(ds, who):
    tl = Session(ds, who["petra"]).timeline("R1", as_of=AS_OF)
    full = aandacht.timeline(ds, "R1", as_of=AS_OF)
    assert "subject" not in tl.columns and "body" not in tl.columns  # gone, not blanked
    assert "amount" not in tl.columns  # no revenue either
    assert tl.event_id.tolist() == full.event_id.tolist()  # every event is still there
    assert tl.counted.tolist() == full.counted.tolist()

    tl = Session(ds, who["jan"]).timeline("R1", as_of=AS_OF)
    assert {"subject", "body"} <= set(tl.columns) and "amount" not in tl.columns
    tl = Session(ds, who["jan.sales"]).timeline("R1", as_of=AS_OF)
    assert list(tl.columns) == list(full.columns)


def test_redact_removes_contact_details_from_nested_answers(who):
    answer = {
        "relation_id": "R1",
        "last_group_email": {"timestamp": "2026-03-01", "subject": "Offer", "body": "Dear…"},
        "helpdesk_calls": pd.DataFrame({"call": ["E10"], "subject": ["x"], "last_body": ["y"]}),
        "top_customer": {"revenue": 10.0, "too_little": False},
    }
    out = access.redact(answer, who["petra"])
    assert out["last_group_email"] == {"timestamp": "2026-03-01"}
    assert list(out["helpdesk_calls"].columns) == ["call"]
    assert out["top_customer"] == {"too_little": False}
    assert access.redact(answer, who["admin"])["last_group_email"]["body"] == "Dear…"


def test_catchup_report_without_contact_details_and_amounts(ds, who):
    rep = Session(ds, who["jan"]).catchup_report(None, "2026-03-01", as_of=AS_OF)
    assert set(rep.events.relation_id) <= {"R1", "R3"} and len(rep.events) > 0
    assert "subject" in rep.events.columns  # account managers see contact details
    assert "amount" not in rep.events.columns  # but no amounts
    with pytest.raises(PermissionDenied, match="no CRM user_id"):
        Session(ds, who["top"]).catchup_report(None, "2026-03-01", as_of=AS_OF)
    with pytest.raises(PermissionDenied, match="catch-up report of PB"):
        Session(ds, who["jan"]).catchup_report("PB", "2026-03-01", as_of=AS_OF)


# --- figures per employee ----------------------------------------------------------------------


def test_one_colleague_s_figures_need_the_permission(ds, who):
    petra = who["petra"]
    with pytest.raises(PermissionDenied, match=r"figures of employee\(s\) JdV"):
        Session(ds, petra).calculate(sel(users=("JdV",)))
    with pytest.raises(PermissionDenied, match=r"figures of employee\(s\) JdV"):
        Session(ds, petra).calculate(sel(users=("PB", "JdV")))
    own = Session(ds, petra).calculate(sel(users=("PB",)))  # one's own figures
    assert own.total.sum() == aandacht.calculate(ds, sel(users=("PB",))).total.sum()
    assert len(Session(ds, petra).calculate(sel(user_group="inside sales"))) == 4
    with pytest.raises(PermissionDenied, match="'Marketing'.*1 member"):
        Session(ds, petra).calculate(sel(user_group="Marketing"))
    boss = Session(ds, who["boss"]).calculate(sel(users=("JdV",)))
    pd.testing.assert_frame_equal(boss, aandacht.calculate(ds, sel(users=("JdV",))))
    with pytest.raises(PermissionDenied, match="figures of employee"):
        Session(ds, petra).timeline("R1", users=["JdV"], as_of=AS_OF)


def test_role_with_users_self_counts_only_own_figures(ds, who):
    me = who["self"]
    res = Session(ds, me).calculate(sel())
    assert res.attrs["users"] == ["JdV"]
    assert res.total.sum() == aandacht.calculate(ds, sel(users=("JdV",))).total.sum()
    with pytest.raises(PermissionDenied, match="only one's own figures"):
        Session(ds, me).calculate(sel(user_group="inside sales"))
    with pytest.raises(PermissionDenied, match="only one's own figures"):
        Session(ds, me).result(aandacht.calculate(ds, sel()))  # all users' figures


def test_stored_result_of_one_employee_is_refused(ds, who):
    stored = aandacht.calculate(ds, sel(users=("JdV",)))
    with pytest.raises(PermissionDenied, match="JdV"):
        Session(ds, who["petra"]).result(stored)
    assert len(Session(ds, who["boss"]).result(stored)) == 4


def test_who_matrices_and_handover_need_the_permission(ds, who):
    s = sel()
    for method in ("contacts_per_employee", "employee_relation_matrix", "single_point_of_contact"):
        with pytest.raises(PermissionDenied, match="figures per employee"):
            getattr(Session(ds, who["jan"]), method)(s)
        assert len(getattr(Session(ds, who["boss"]), method)(s)) > 0
    m = Session(ds, who["boss"]).employee_relation_matrix(s)
    assert "JdV" in m.columns
    with pytest.raises(PermissionDenied, match="hand-over report"):
        Session(ds, who["jan"]).handover_report("JdV", as_of=AS_OF)
    rep = Session(ds, who["boss"]).handover_report("JdV", as_of=AS_OF)
    assert set(rep.relations.relation_id) == {"R1", "R3"}
    assert "open_quote_amount" not in rep.relations.columns  # a manager sees no amounts
    assert "amount" not in rep.open_quotes.columns
    assert "last_subject" in rep.relations.columns


def test_department_matrix_counts_only_visible_relations(ds, who):
    s = sel()
    res = Session(ds, who["jan"]).calculate(s)
    m = Session(ds, who["jan"]).department_band_matrix(res, s)
    assert int(m["total"].sum()) == int(res.total.sum())
    full = aandacht.calculate(ds, s)
    assert int(m["total"].sum()) < int(full.total.sum())


# --- exports -----------------------------------------------------------------------------------


def _cells(path: Path) -> tuple[list[str], list[object]]:
    wb = openpyxl.load_workbook(path)
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    return wb.sheetnames, values


def _app_like_sheets(result: pd.DataFrame, lang: str = "nl") -> dict[str, pd.DataFrame]:
    """Sheets as the dashboard builds them: translated titles, a summary, an excluded list."""
    from aandacht.sales import sales_view

    table = result.copy()
    cols = ["relation_id", "name", "total", "dgn"]
    sheets = {}
    if "revenue" in table.columns:
        sv = sales_view(table)
        table = pd.concat([table, sv.table.drop(columns=["relation_id", "revenue"])], axis=1)
        cols += ["orders", "invoices", "revenue", "revenue_per_contact", "attention_index"]
        cols += ["sales_band", "sales_area", "abc_class"]
        summary = sv.bands[["band", "count", "revenue", "revenue_share"]]
        sheets[t("sheet_summary", lang)] = summary.rename(
            columns={c: t(f"col_{c}", lang) for c in summary.columns}
        )
        sheets[t("sheet_excluded", lang)] = sv.excluded[["relation_id", "name", "total"]]
    rel = table[cols].rename(columns={c: t(f"col_{c}", lang) for c in cols})
    return {t("sheet_relations", lang): rel, **sheets}


def test_export_has_no_revenue_without_the_role(ds, who, tmp_path):
    full = Session(ds, who["admin"]).calculate(sel(revenue="both"))
    money = {float(v) for c in REVENUE for v in full[c] if v}
    assert money == {1000.5, 2001.0, 250.0}

    # belt: sheets that do hold revenue (built for an admin) lose it for a viewer
    sheets = _app_like_sheets(full)
    assert t("col_revenue", "nl") in sheets[t("sheet_relations", "nl")].columns
    path = Session(ds, who["petra"]).export_xlsx(tmp_path / "viewer.xlsx", sheets)
    names, values = _cells(path)
    assert t("sheet_excluded", "nl") not in names
    assert not [v for v in values if isinstance(v, str) and is_revenue_column(v)]
    numbers = {float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)}
    assert not numbers & money, numbers & money
    assert not any(isinstance(v, float) and not math.isnan(v) and v % 1 for v in values)

    # braces: the viewer's own calculation never had any
    mine = Session(ds, who["petra"]).calculate(sel())
    path = Session(ds, who["petra"]).export_xlsx(tmp_path / "mine.xlsx", _app_like_sheets(mine))
    names, values = _cells(path)
    assert names == [t("sheet_relations", "nl")]
    assert not {float(v) for v in values if isinstance(v, int | float)} & money

    # the sales monitor gets everything
    path = Session(ds, who["admin"]).export_xlsx(tmp_path / "admin.xlsx", sheets)
    names, values = _cells(path)
    assert t("sheet_excluded", "nl") in names and money <= {
        float(v) for v in values if isinstance(v, int | float)
    }


def test_export_without_contact_details(ds, who, tmp_path):
    tl = aandacht.timeline(ds, "R1", as_of=AS_OF)
    tl.loc[tl.index[0], "subject"] = "Vertrouwelijk gesprek"
    en = tl.rename(columns={"subject": t("col_subject", "en"), "body": t("col_body", "en")})
    path = Session(ds, who["petra"]).export_xlsx(tmp_path / "t.xlsx", {"a": tl, "b": en})
    _, values = _cells(path)
    assert "Vertrouwelijk gesprek" not in values
    assert not [v for v in values if isinstance(v, str) and is_contact_column(v)]
    path = Session(ds, who["jan"]).export_xlsx(tmp_path / "t2.xlsx", {"a": tl})
    assert "Vertrouwelijk gesprek" in _cells(path)[1]


# --- shared monitors ---------------------------------------------------------------------------


def test_shared_monitors_need_the_permission(who, tmp_path):
    store = monitors.MonitorStore(tmp_path)
    mine = monitors.Monitor("mine", owner="jan@example.nl")
    store.save_monitor(mine, by=who["jan"])
    with pytest.raises(PermissionDenied, match="shared monitors are changed only"):
        store.save_monitor(monitors.Monitor("team"), by=who["jan"])
    with pytest.raises(PermissionDenied, match="of jan@example.nl"):
        store.save_monitor(dataclasses.replace(mine, description="x"), by=who["petra"])
    store.save_monitor(monitors.Monitor("team"), by=who["boss"])
    with pytest.raises(PermissionDenied):
        store.delete_monitor("team", None, by=who["jan"])
    assert store.delete_monitor("team", None, by=who["boss"])
    # a shared monitor with a revenue basis, opened by someone without the role
    m = monitors.Monitor("omzet", revenue="both")
    assert m.selection(AS_OF, revenue=who["petra"].can_see_revenue).revenue is None


# --- docstring examples ------------------------------------------------------------------------


def test_today_is_the_default_as_of_for_own_relations(ds, who, monkeypatch):
    # nothing in the tiny data set is within 365 days of a far future "today"
    class Future(dt.date):
        @classmethod
        def today(cls):
            return dt.date(2030, 1, 1)

    monkeypatch.setattr(access.dt, "date", Future)
    assert access.visible_relations(ds, who["jan"]) == set()


# --- the same rules in PostgreSQL --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("PG_URL"), reason="PG_URL is not set")
def test_the_same_permissions_in_postgres():
    from aandacht.database import write_tables

    duck = aandacht.load(ROOT / "data_samples")
    tables = {
        "relations": duck.relations,
        "relation_groups": duck.relation_groups,
        "users": duck.users,
        "user_groups": duck.user_groups,
        "events": duck.events.drop("_row").to_pandas(),
    }
    write_tables(os.environ["PG_URL"], tables, replace=True)
    pg = aandacht.load(os.environ["PG_URL"])
    config = access.load_access(ROOT / "docs" / "examples" / "access.yaml")
    s = aandacht.Selection(as_of="2026-10-31", revenue="both")
    for login in ("jan.devries@example.nl", "sanne.vandijk@example.nl", "directie@example.nl"):
        p = config.principal(login)
        assert access.visible_relations(pg, p, "2026-10-31") == access.visible_relations(
            duck, p, "2026-10-31"
        )
        sel = s if p.can_see_revenue else dataclasses.replace(s, revenue=None)
        a = Session(duck, p).calculate(sel)
        b = Session(pg, p).calculate(sel)
        assert a.relation_id.tolist() == b.relation_id.tolist(), login
        assert a.total.tolist() == b.total.tolist(), login
        assert list(a.columns) == list(b.columns), login
        if p.can_see_revenue:
            assert a.revenue.round(2).tolist() == b.revenue.round(2).tolist()
