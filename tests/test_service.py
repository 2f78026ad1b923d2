"""The service layer: one shared DataService per data set, one Session per principal.

Permissions hold in every method (a property test over random principals searches every
output for revenue and contact content); the cache shares what is the same for everyone and
never hands out a frame that another caller can change; concurrent sessions on one engine
connection get the same answers as one at a time.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aandacht
from aandacht import access
from aandacht.access import PermissionDenied, Principal
from aandacht.service import DataService, Session

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples"
AS_OF = "2026-10-31"
SEL = aandacht.Selection(as_of=AS_OF, period_from="2026-05-01", period_to=AS_OF)


@pytest.fixture(scope="module")
def service() -> DataService:
    return DataService(aandacht.load(SAMPLE), SAMPLE)


def test_one_service_per_source():
    DataService.forget(SAMPLE)
    a = DataService.for_source(SAMPLE)
    assert DataService.for_source(str(SAMPLE)) is a
    DataService.forget(SAMPLE)
    assert DataService.for_source(SAMPLE) is not a
    DataService.forget(SAMPLE)


def test_local_session_is_the_library(service):
    s = service.session()
    assert s.local and s.may("revenue")
    sel = aandacht.Selection(as_of=AS_OF, revenue="both")
    pd.testing.assert_frame_equal(
        s.calculate(sel).drop(columns=[]), aandacht.calculate(service.data, sel)
    )


def test_results_are_cached_and_copied(service, monkeypatch):
    calls = []
    real = access._secure_calculate
    monkeypatch.setattr(
        access, "_secure_calculate", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    service.invalidate()
    viewer = Principal("anna", all_relations=True)
    colleague = Principal("bert", all_relations=True)  # the same scope: the same table
    a = service.session(viewer).calculate(SEL)
    a.loc[0, "total"] = -1  # a caller changing its copy changes nothing for others
    a["name"] = "changed"
    a.iloc[1, a.columns.get_loc("last_user")] = "changed"
    a.attrs["as_of"] = "1999-01-01"
    b = service.session(colleague).calculate(SEL)
    assert len(calls) == 1 and b.loc[0, "total"] != -1
    assert "changed" not in set(b["name"]) and b["last_user"].iloc[1] != "changed"
    assert b.attrs["as_of"] == AS_OF
    assert a.attrs["principal"] == "anna" and b.attrs["principal"] == "bert"
    # another scope, another selection or newer data: counted again
    service.session(Principal("carla", b_groups=("top customers",))).calculate(SEL)
    service.session(viewer).calculate(aandacht.Selection(as_of=AS_OF, user_group="Sales"))
    service.invalidate()
    service.session(viewer).calculate(SEL)
    assert len(calls) == 4


def test_restricted_principal_sees_only_its_relations(service):
    p = Principal("carla", b_groups=("top customers",))
    s = service.session(p)
    visible = s.visible_relations(AS_OF)
    assert visible and len(visible) < len(service.data.relations)
    assert set(s.calculate(SEL).relation_id) <= visible
    assert set(s.trends(SEL).relation_id) <= visible
    assert set(s.two_way(SEL).relation_id) <= visible
    outside = sorted(set(service.data.relations.relation_id) - visible)[0]
    with pytest.raises(PermissionDenied):
        s.timeline(outside, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        s.activity_per_month(outside, end=AS_OF)
    inside = sorted(visible)[0]
    assert len(s.activity_per_month(inside, end=AS_OF))


def test_answers_local_as_me_and_logged_in_as_oneself(service):
    rid = service.data.relations.relation_id.iloc[3]
    local = service.session().answers(rid, "2026-09-01", me="JdV", as_of=AS_OF)
    expected = aandacht.answers.answers(service.data, rid, "JdV", "2026-09-01", as_of=AS_OF)
    assert local.keys() == expected.keys()
    nobody = service.session(Principal("anna", all_relations=True))
    with pytest.raises(PermissionDenied, match="no CRM user_id"):
        nobody.answers(rid, "2026-09-01", me="JdV", as_of=AS_OF)


def test_concurrent_sessions_get_what_one_at_a_time_gets(service):
    service.invalidate()
    sels = [aandacht.Selection(as_of=AS_OF, user_group=g) for g in service.data.group_names()[:4]]
    serial = [aandacht.calculate(service.data, s) for s in sels]
    out: dict[int, pd.DataFrame] = {}
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            s = service.session(Principal(f"u{i}", all_relations=True, can_see_revenue=True))
            out[i] = s.calculate(sels[i % len(sels)])
            s.trends(sels[i % len(sels)])
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, df in out.items():
        pd.testing.assert_frame_equal(df, serial[i % len(sels)], check_like=False)


# ----------------------------------------------------------------------------------------------
# no leak, whatever the principal


def _frames(obj):
    if isinstance(obj, pd.DataFrame):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _frames(v)
    elif hasattr(obj, "__dataclass_fields__"):
        for name in obj.__dataclass_fields__:
            yield from _frames(getattr(obj, name))


def _leaks(obj, principal: Principal) -> list[str]:
    found = []
    for df in _frames(obj):
        for c in df.columns:
            if not principal.can_see_revenue and access.is_revenue_column(c):
                found.append(c)
            if not principal.can_see_contact_details and access.is_contact_column(c):
                found.append(c)
    return found


def _read_book(path: Path, id_title: str) -> dict[str, pd.DataFrame]:
    """The sheets of a written workbook, as frames (the relation id column named ``id_title``
    in every sheet that has it first)."""
    from openpyxl import load_workbook

    out = {}
    for ws in load_workbook(path, read_only=True).worksheets:
        rows = list(ws.values)
        df = pd.DataFrame(rows[1:], columns=rows[0]) if rows else pd.DataFrame()
        if len(df.columns) and df.columns[0] in ("relation_id", "Relatiecode"):
            df = df.rename(columns={df.columns[0]: id_title})
        elif "Code" in df.columns:  # the title of relation_id in a monitor's export
            df = df.rename(columns={"Code": id_title})
        out[ws.title] = df
    return out


PRINCIPALS = st.builds(
    Principal,
    login=st.just("probe"),
    user_id=st.sampled_from([None, "JdV", "RJ"]),
    all_relations=st.booleans(),
    own_days=st.sampled_from([None, 90, 365]),
    b_groups=st.sampled_from([(), ("top customers",)]),
    can_see_contact_details=st.booleans(),
    can_see_revenue=st.booleans(),
    can_see_employees=st.booleans(),
    users=st.sampled_from(["all", "self"]),
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(p=PRINCIPALS, revenue=st.sampled_from([None, "both"]))
def test_no_method_shows_what_the_principal_may_not_see(service, p, revenue, tmp_path_factory):
    s = Session(service, p)
    sel = aandacht.Selection(as_of=AS_OF, period_from="2026-05-01", revenue=revenue)
    rid = service.data.relations.relation_id.iloc[0]
    # what a caller may hand in: everything, as the local (unrestricted) session has it
    full = service.session().calculate(aandacht.Selection(as_of=AS_OF, revenue="both"))
    titled = full.rename(columns={"revenue": "Omzet (€)", "name": "Naam"})
    book = tmp_path_factory.mktemp("export") / "x.xlsx"
    from aandacht.bands import classify
    from aandacht.cadence import empty_cadence

    # a monitor's grid table as the local dashboard has it: every column, the sales view's too
    everything = service.session().sales_view(full)
    table = full.assign(sales_area_key=everything.table["sales_area"].to_numpy())
    banding = classify(full["total"], "relative")
    settings_ = {"selection": sel.to_dict(), "data": "crm", "strategy": "relative"}
    settings_ |= {"thresholds": None, "calculated_at": None, "privacy": False}

    calls = {
        "calculate": lambda: s.calculate(sel),
        "result": lambda: s.result(full),
        "sales_view": lambda: s.sales_view(full),
        "timeline": lambda: s.timeline(rid, as_of=AS_OF),
        "activity_per_month": lambda: s.activity_per_month(rid, end=AS_OF),
        "answers": lambda: s.answers(rid, "2026-09-01", me="JdV", as_of=AS_OF),
        "trends": lambda: s.trends(sel),
        "two_way": lambda: s.two_way(sel),
        "attention_drops": lambda: s.attention_drops(sel, revenue="both"),
        "cadence_status": lambda: s.cadence_status(full, empty_cadence()),
        "department_band_matrix": lambda: s.department_band_matrix(full, sel),
        "employee_relation_matrix": lambda: s.employee_relation_matrix(sel),
        "contacts_per_employee": lambda: s.contacts_per_employee(sel),
        "single_point_of_contact": lambda: s.single_point_of_contact(sel),
        "handover_report": lambda: s.handover_report("JdV", as_of=AS_OF),
        "catchup_report": lambda: s.catchup_report("JdV", "2026-10-01", as_of=AS_OF),
        "export_xlsx": lambda: _read_book(
            s.export_xlsx(book, {"Relaties": full, "Relations": titled}), "relation_id"
        ),
        "export_monitor": lambda: _read_book(
            s.export_monitor(book, table, banding, everything, revenue="both", **settings_),
            "relation_id",
        ),
    }
    # every public method that gives data is probed: a new one must be added here
    public = {n for n in dir(Session) if not n.startswith("_") and callable(getattr(Session, n))}
    assert public - {"may", "visible_relations"} == set(calls)
    visible = s.visible_relations(AS_OF)
    for name, call in calls.items():
        try:
            out = call()
        except (PermissionDenied, aandacht.SelectionError):
            continue  # refused is fine; shown is checked
        assert not _leaks(out, p), (name, _leaks(out, p))
        if visible is not None:
            for df in _frames(out):
                if "relation_id" in df.columns:
                    assert set(df.relation_id.astype(str)) <= visible, name
    if revenue and not p.can_see_revenue:
        with pytest.raises(PermissionDenied):
            s.calculate(sel)


def test_a_monitor_export_is_cut_to_the_principal_before_it_is_titled(service, tmp_path):
    # the grid table in canonical columns goes in; what the principal may not see is taken
    # out by name before any title is made: revenue, the sales view's sheets, other relations
    from aandacht.bands import classify
    from aandacht.i18n import t
    from aandacht.privacy import pseudonymise

    sel = aandacht.Selection(as_of=AS_OF, revenue="both")
    full = service.session().calculate(sel)
    sales = service.session().sales_view(full)
    table = full.assign(sales_area_key=sales.table["sales_area"].to_numpy())
    banding = classify(full["total"], "relative")
    settings_ = {"selection": sel.to_dict(), "data": "crm", "strategy": "relative"}
    settings_ |= {"thresholds": None, "calculated_at": None, "revenue": "both"}

    def book(session, name, table=table, privacy=False, rows=None):
        path = session.export_monitor(
            tmp_path / name, table, banding, sales, rows=rows, privacy=privacy, **settings_
        )
        return _read_book(path, "relation_id")

    everything = book(service.session(), "all.xlsx")
    assert t("col_revenue", "nl") in everything[t("sheet_relations", "nl")].columns
    assert t("sheet_excluded", "nl") in everything  # the sales view's left-out relations
    assert len(everything[t("sheet_relations", "nl")]) == len(table)

    no_sales = book(Session(service, Principal("ann", can_see_revenue=False)), "ann.xlsx")
    assert t("sheet_excluded", "nl") not in no_sales
    for name, df in no_sales.items():
        assert not [c for c in df.columns if access.is_revenue_column(c)], name
    settings_rows = no_sales[t("sheet_settings", "nl")].astype(str).to_string()
    assert "both" not in settings_rows and t("set_revenue", "nl") not in settings_rows

    one_group = Session(service, Principal("carla", b_groups=("top customers",)))
    visible = one_group.visible_relations(AS_OF)
    rows = book(one_group, "carla.xlsx")[t("sheet_relations", "nl")]
    assert 0 < len(rows) == len(visible) < len(table)
    assert set(rows["relation_id"]) == visible
    # in privacy mode the codes are pseudonyms: the grid's (already visible) rows all stay
    own = table[table["relation_id"].isin(visible)].reset_index(drop=True)
    shown = book(one_group, "p.xlsx", table=pseudonymise(own), privacy=True)
    assert len(shown[t("sheet_relations", "nl")]) == len(own)
    picked = book(one_group, "picked.xlsx", table=own, rows=[0, 2])
    assert len(picked[t("sheet_relations", "nl")]) == 2


def test_a_watermark_says_what_of_the_data_a_result_counted(tmp_path):
    import json
    import shutil

    folder = tmp_path / "crm"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("README.md"))
    service = DataService(aandacht.load(folder), folder)
    first = service.watermark(service.session().calculate(SEL))
    assert first == {"extra_files": [], "events_batch": 0, "data_updated_at": None}
    assert service.same_data(first) and service.same_data(None)
    extra = folder / "events-1.csv"
    extra.write_text(
        "event_id,relation_id,user_id,timestamp,source,action,channel\n"
        "X-1,R00001,LV,2026-10-30 10:00,note,added,visit\n",
        encoding="utf-8",
    )
    service.take_in(extra)
    assert not service.same_data(first)  # a result stored before the file: counted again
    mark = service.watermark(service.session().calculate(SEL))
    assert mark["extra_files"] == ["events-1.csv"] and mark["events_batch"] == 1
    assert mark["data_updated_at"] is not None and service.same_data(mark)
    assert json.loads(json.dumps(mark)) == mark  # stored with the settings as JSON


def test_a_pseudonymised_sheet_keeps_the_principals_own_rows(service, tmp_path):
    """export_xlsx cuts sheets to the visible relations also when their codes are pseudonyms
    (privacy mode): the principal's own rows stay, the others go; a sheet mixing codes and
    pseudonyms is matched by code only."""
    from aandacht.privacy import pseudonymise

    carla = Session(service, Principal("carla", b_groups=("top customers",)))
    visible = carla.visible_relations(AS_OF)
    full = service.session().calculate(aandacht.Selection(as_of=AS_OF))[["relation_id", "total"]]
    hidden = pseudonymise(full)  # every relation, in privacy mode
    mixed = pd.concat([full.head(3), hidden.tail(3)], ignore_index=True)
    path = carla.export_xlsx(tmp_path / "p.xlsx", {"all": hidden, "mixed": mixed})
    book = _read_book(path, "relation_id")
    own = pseudonymise(full[full["relation_id"].isin(visible)])
    assert 0 < len(book["all"]) == len(visible) < len(full)
    assert sorted(book["all"]["relation_id"]) == sorted(own["relation_id"])
    assert set(book["mixed"]["relation_id"]) <= visible
