"""Expected cadence (B2) on tiny literal data with hand-worked expectations."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aandacht import DataError, Selection, calculate, from_frames
from aandacht.cadence import (
    cadence_status,
    cadence_targets,
    empty_cadence,
    overdue_first,
    read_cadence,
    validate_cadence,
    write_cadence,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-03-31"


def build():
    rel = pd.DataFrame(
        {
            "relation_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "name": ["Een", "Twee", "Drie", "Vier", "Vijf", "Zes"],
        }
    )
    groups = pd.DataFrame(
        {
            "relation_id": ["R1", "R2", "R2", "R3", "R4", "R5"],
            "group": ["top", "top", "dealers", "dealers", "top", "top"],
        }
    )
    users = pd.DataFrame({"user_id": ["JdV"]})
    # last contact moments: R1 14 days ago, R2 15, R3 43, R4 never, R5 42 (an invoice later is
    # not a contact moment), R6 100 days ago
    ev = pd.DataFrame(
        [
            ("E1", "R1", "JdV", "2026-03-17 23:59:59", "history", "added", None),
            ("E2", "R2", "JdV", "2026-03-16 08:00:00", "history", "added", None),
            ("E3", "R3", "JdV", "2026-02-16 08:00:00", "history", "added", None),
            ("E4", "R5", "JdV", "2026-02-17 08:00:00", "note", "added", None),
            ("E5", "R5", "JdV", "2026-03-30 08:00:00", "sales", "invoice_added", "10"),
            ("E6", "R6", "JdV", "2025-12-21 08:00:00", "history", "added", None),
        ],
        columns=["event_id", "relation_id", "user_id", "timestamp", "source", "action", "amount"],
    )
    return from_frames({"relations": rel, "relation_groups": groups, "users": users, "events": ev})


SETTINGS = pd.DataFrame(
    {
        "scope": ["b_group", "b_group", "relation"],
        "key": ["top", "dealers", "R6"],
        "ideal_days": [14, 30, 90],
        "max_days": [42, 35, 120],
    }
)


@pytest.fixture(scope="module")
def ds():
    return build()


@pytest.fixture(scope="module")
def status(ds):
    res = calculate(ds, Selection(as_of=AS_OF))
    return cadence_status(ds, res, SETTINGS).set_index("relation_id")


def test_targets_relation_beats_group_and_strictest_group(ds):
    extra = pd.concat(
        [
            SETTINGS,
            pd.DataFrame([{"scope": "relation", "key": "R1", "ideal_days": 60, "max_days": 60}]),
        ]
    )
    tg = cadence_targets(ds, extra).set_index("relation_id")
    # R1's own setting beats the group's, even when it is less strict
    assert tg.loc["R1", ["ideal_days", "max_days", "target_from"]].tolist() == [60, 60, "relation"]
    # R2 is in top (14/42) and dealers (30/35): the strictest of each
    assert tg.loc["R2", ["ideal_days", "max_days"]].tolist() == [14, 35]
    assert tg.loc["R2", "target_from"] == "dealers, top"
    assert tg.loc["R3", ["ideal_days", "max_days", "target_from"]].tolist() == [30, 35, "dealers"]
    assert tg.loc["R6", "target_from"] == "relation"


def test_status_and_ratio(status):
    r1 = status.loc["R1"]  # 14 days since, ideal 14: just in time
    assert (r1.dgn, r1.overdue_ratio, r1.status, r1.overdue) == (14, 0.0, "ok", False)
    r2 = status.loc["R2"]  # 15 days, ideal 14, max 35
    assert (r2.dgn, r2.days_overdue, r2.status) == (15, 1, "overdue")
    assert r2.overdue_ratio == pytest.approx(1 / 14)
    r3 = status.loc["R3"]  # 43 days, ideal 30, max 35
    assert (r3.status, r3.overdue_ratio) == ("beyond_max", pytest.approx(13 / 30))
    r4 = status.loc["R4"]
    assert r4.status == "never" and math.isinf(r4.overdue_ratio) and r4.dgn is pd.NA
    r5 = status.loc["R5"]  # 42 days = max: overdue, not beyond (the invoice does not count)
    assert (r5.dgn, r5.status, r5.overdue_ratio) == (42, "overdue", 2.0)
    r6 = status.loc["R6"]  # 100 days, own setting 90/120
    assert (r6.status, r6.overdue_ratio) == ("overdue", pytest.approx(10 / 90))


def test_no_target(ds):
    res = calculate(ds, Selection(as_of=AS_OF))
    st = cadence_status(ds, res, empty_cadence()).set_index("relation_id")
    assert (st.status == "no_target").all() and st.overdue_ratio.isna().all()
    assert not st.overdue.any()


def test_overdue_first(status):
    order = overdue_first(status.reset_index())
    # never (inf), R5 2.0, R3 13/30, R6 10/90, R2 1/14, R1 0
    assert order.relation_id.tolist() == ["R4", "R5", "R3", "R6", "R2", "R1"]
    only = overdue_first(status.reset_index(), only_overdue=True)
    assert only.relation_id.tolist() == ["R4", "R5", "R3", "R6", "R2"]


def test_validation_reports_every_bad_row():
    bad = pd.DataFrame(
        {
            "scope": ["b_group", "team", "relation", "relation", "b_group"],
            "key": ["top", "x", "", "R1", "top"],
            "ideal_days": [14, 7, 7, "abc", 14],
            "max_days": [10, 7, 7, 20, 42],
        }
    )
    with pytest.raises(DataError) as exc:
        validate_cadence(bad)
    text = str(exc.value)
    assert "row 2, column 'max_days'" in text  # max below ideal
    assert "row 3, column 'scope'" in text
    assert "row 4, column 'key'" in text
    assert "row 5, column 'ideal_days'" in text
    assert "row 6, column 'key'" in text and "already has a cadence in row 2" in text
    with pytest.raises(DataError, match="missing column"):
        validate_cadence(pd.DataFrame({"scope": ["b_group"]}))


def test_unknown_keys_are_reported(ds):
    with pytest.raises(DataError, match="B-group 'nobody' is not in the data set"):
        cadence_targets(ds, [{"scope": "b_group", "key": "nobody", "ideal_days": 1, "max_days": 2}])


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_write_and_read_back(tmp_path, suffix):
    path = write_cadence(SETTINGS, tmp_path / f"cadence{suffix}")
    back = read_cadence(path)
    pd.testing.assert_frame_equal(back, validate_cadence(SETTINGS))
    if suffix == ".json":
        assert json.loads(path.read_text())["cadence"][0]["key"] == "top"


def test_read_bad_files(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_cadence(tmp_path / "none.csv")
    p = tmp_path / "bad.json"
    p.write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        read_cadence(p)
    p.write_text("[]")
    assert read_cadence(p).empty


def test_the_column_rule_gives_each_row_the_status_of_the_row_rule():
    """cadence_status works on whole columns; each row gets what the one-row rule gives."""
    from aandacht.cadence import _status, _statuses

    vals = [None, 0, 1, 5, 10, 14, 20, 42, 50, 100]
    rows = [
        (d, i, m)
        for d in vals
        for i in [None, 1, 7, 14, 30]
        for m in ([None] if i is None else [1, 7, 14, 42, 60])
    ]
    cols = [pd.Series(pd.array([r[k] for r in rows], dtype="Int64")) for k in range(3)]
    ratios, statuses = _statuses(*cols)
    for k in range(len(rows)):
        ratio, status = _status(cols[0][k], cols[1][k], cols[2][k])
        assert statuses[k] == status, rows[k]
        assert (np.isnan(ratio) and np.isnan(ratios[k])) or ratios[k] == ratio, rows[k]
