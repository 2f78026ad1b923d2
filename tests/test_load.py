"""Loading, mapping files and bad input: every error names the file, row, column and value."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from tiny import tables, write_csv_folder

from aandacht import DataError, MappingError, Selection, calculate, load, timeline
from aandacht.load import ROW

ROOT = Path(__file__).resolve().parents[1]
DUTCH = ROOT / "docs" / "examples" / "dutch_export"


def load_error(folder) -> DataError:
    with pytest.raises(DataError) as exc:
        load(folder)
    return exc.value


def test_csv_folder_round_trip(tmp_path):
    ds = load(write_csv_folder(tmp_path / "d"))
    assert len(ds.relations) == 4 and len(ds.users) == 4
    assert int(ds.events.count().to_pandas()) == 16
    assert ds.b_group_names() == ["top customers"]
    assert "inside sales" in ds.group_names() and "Service" in ds.group_names()
    assert ds.users["active"].tolist() == [True, True, True, False]


def test_parquet_events_and_xlsx(tmp_path):
    folder = write_csv_folder(tmp_path / "p")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    ev["amount"] = pd.to_numeric(ev["amount"])
    (folder / "events.csv").unlink()
    ev.to_parquet(folder / "events.parquet")
    a = calculate(load(folder), Selection(as_of="2026-03-31", revenue="both"))
    # the same data set as one workbook
    xlsx = tmp_path / "crm.xlsx"
    with pd.ExcelWriter(xlsx) as w:
        for name, df in tables().items():
            df.to_excel(w, sheet_name=name, index=False)
    b = calculate(load(xlsx), Selection(as_of="2026-03-31", revenue="both"))
    c = calculate(
        load(write_csv_folder(tmp_path / "c")), Selection(as_of="2026-03-31", revenue="both")
    )
    cols = ["relation_id", "total", "dgn", "history", "sales", "helpdesk", "revenue"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    pd.testing.assert_frame_equal(a[cols], c[cols])


def test_dutch_export_through_mapping_file():
    ds = load(DUTCH, DUTCH / "mapping.yaml")
    assert ds.relations.relation_id.tolist() == ["1001", "1002", "1003"]
    assert ds.relations.name[0] == "Café De Gouden Leeuw"  # cp1252 decoded
    assert ds.users.set_index("user_id").active.to_dict() == {"JdV": True, "PB": True, "OS": False}
    res = calculate(
        ds, Selection(as_of="2026-03-31", period_from="2026-03-01", revenue="both")
    ).set_index("relation_id")
    # 1001: history, note, e-mail out, quote, order count (5); the invoice does not
    assert res.loc["1001", "total"] == 5 and res.loc["1001", "history"] == 2
    assert res.loc["1001", "revenue"] == pytest.approx(1250.00 + 1512.50)  # decimal commas
    # 1002: the call counts once (closed does not); the old history is before the period
    assert res.loc["1002", "total"] == 1 and res.loc["1002", "dgn"] == 21
    # department as a group, by its Dutch name
    sales = calculate(ds, Selection(as_of="2026-03-31", user_group="Verkoop"))
    assert sales.set_index("relation_id").loc["1002", "dgn"] == 75  # OS, 15 Jan
    tl = timeline(ds, "1003")
    assert tl.subject.tolist() == ["Anfrage Ersatzteile – €-Preis"]
    assert tl.timestamp.tolist() == [pd.Timestamp("2026-03-20 09:00")]


def test_dutch_export_without_mapping_says_what_to_do(tmp_path):
    folder = tmp_path / "nl"
    shutil.copytree(DUTCH, folder)
    (folder / "events.csv").write_bytes((DUTCH / "Contactmomenten.csv").read_bytes())
    (folder / "relations.csv").write_bytes((DUTCH / "Relaties.csv").read_bytes())
    (folder / "users.csv").write_bytes((DUTCH / "Medewerkers.csv").read_bytes())
    err = load_error(folder)
    text = str(err)
    assert "cp1252" in text and "relations.csv" in text


def test_missing_table_and_column(tmp_path):
    folder = write_csv_folder(tmp_path / "d")
    (folder / "users.csv").unlink()
    err = load_error(folder)
    assert "table 'users' is missing" in str(err)
    folder = write_csv_folder(tmp_path / "e")
    ev = pd.read_csv(folder / "events.csv", dtype=str).drop(columns=["timestamp"])
    ev.to_csv(folder / "events.csv", index=False)
    err = load_error(folder)
    (p,) = err.problems
    assert p.file.endswith("events.csv") and p.column == "timestamp" and p.row == 1
    assert "tables.events.columns.timestamp" in str(p)


def test_duplicate_ids(tmp_path):
    t = tables()
    t["relations"].loc[3, "relation_id"] = "R1"
    t["events"].loc[5, "event_id"] = "E01"
    err = load_error(write_csv_folder(tmp_path / "d", t))
    by_file = {(Path(p.file).name, p.column, p.row) for p in err.problems}
    assert ("relations.csv", "relation_id", 5) in by_file  # header is row 1
    assert ("events.csv", "event_id", 2) in by_file and ("events.csv", "event_id", 7) in by_file


def test_unknown_relation_and_user(tmp_path):
    t = tables()
    t["events"].loc[2, "relation_id"] = "R999"
    t["events"].loc[4, "user_id"] = "ZZ"
    err = load_error(write_csv_folder(tmp_path / "d", t))
    msgs = {(p.row, p.column, p.value): p.message for p in err.problems}
    assert msgs[(4, "relation_id", "R999")] == "relation_id R999 is not in relations"
    assert msgs[(6, "user_id", "ZZ")] == "user_id ZZ is not in users"


def test_unparseable_date_and_amount(tmp_path):
    t = tables()
    t["events"].loc[0, "timestamp"] = "32-13-2026"
    t["events"].loc[7, "amount"] = "1.000,50"
    err = load_error(write_csv_folder(tmp_path / "d", t))
    found = {(p.row, p.column, p.value) for p in err.problems}
    assert (2, "timestamp", "32-13-2026") in found
    assert (9, "amount", "1.000,50") in found
    assert "csv.decimal" in str(err)


def test_unknown_source_and_action(tmp_path):
    t = tables()
    t["events"].loc[0, "source"] = "Historie"
    t["events"].loc[1, "action"] = "deleted"
    t["events"].loc[2, "direction"] = "sideways"
    err = load_error(write_csv_folder(tmp_path / "d", t))
    found = {(p.row, p.column, p.value, p.message) for p in err.problems}
    assert (2, "source", "Historie", "unknown source") in found
    assert (3, "action", "deleted", "unknown action for this source") in found
    assert (4, "direction", "sideways", "unknown direction") in found
    assert "tables.events.values.source" in str(err)


def test_required_value_empty(tmp_path):
    t = tables()
    t["events"].loc[3, "user_id"] = ""
    t["relations"].loc[1, "name"] = None
    err = load_error(write_csv_folder(tmp_path / "d", t))
    found = {(Path(p.file).name, p.row, p.column) for p in err.problems}
    assert ("events.csv", 5, "user_id") in found and ("relations.csv", 3, "name") in found


def test_nothing_dropped_all_problems_reported(tmp_path):
    t = tables()
    for i in range(5):
        t["events"].loc[i, "source"] = "bogus"
    err = load_error(write_csv_folder(tmp_path / "d", t))
    assert sorted(p.row for p in err.problems if p.column == "source") == [2, 3, 4, 5, 6]


def test_parquet_problems_have_row_numbers(tmp_path):
    folder = write_csv_folder(tmp_path / "p")
    ev = pd.read_csv(folder / "events.csv", dtype=str)
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    ev["amount"] = pd.to_numeric(ev["amount"])
    ev.loc[9, "relation_id"] = "R404"
    (folder / "events.csv").unlink()
    ev.to_parquet(folder / "events.parquet")
    (p,) = load_error(folder).problems
    assert p.file.endswith("events.parquet") and p.row == 10 and p.value == "R404"


def test_bad_mapping_files(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("tables:\n  event:\n    file: x.csv\n")
    with pytest.raises(MappingError, match="unknown table; use one of"):
        load(DUTCH, m)
    m.write_text("tables:\n  events:\n    columns: {when: Datum}\n")
    with pytest.raises(MappingError, match="not a column of events"):
        load(DUTCH, m)
    m.write_text("csv: {encoding: klingon}\n")
    with pytest.raises(MappingError, match="not a known encoding"):
        load(DUTCH, m)


def test_row_column_is_kept_for_messages_only():
    from tiny import dataset

    ds = dataset()
    assert ROW in ds.events.columns  # carried for error messages
    assert ROW not in ds.relations.columns


def test_database_url_counts_in_the_database(tmp_path):
    import duckdb

    t = tables()
    t["events"]["timestamp"] = pd.to_datetime(t["events"]["timestamp"])
    t["events"]["amount"] = pd.to_numeric(t["events"]["amount"])
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as c:
        for name, df in t.items():
            c.register("frame", df)
            c.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            c.unregister("frame")
    sel = Selection(as_of="2026-03-31", period_from="2026-03-01", revenue="both")
    from_db = calculate(load(f"duckdb:///{db}"), sel)
    from_files = calculate(load(write_csv_folder(tmp_path / "f")), sel)
    cols = [
        "relation_id",
        "total",
        "dgn",
        "history",
        "correspondence",
        "sales",
        "helpdesk",
        "revenue",
    ]
    pd.testing.assert_frame_equal(from_db[cols], from_files[cols])


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(DataError, match=r"postgres://u:\*\*\*@.*cannot connect") as exc:
        load("postgres://u:secret@127.0.0.1:1/nothing")
    assert "secret" not in str(exc.value)


def _timeline_stamps(folder, mapping=None) -> list[str]:
    tl = timeline(load(folder, mapping, workspace=False), "R1")
    return tl["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S").tolist()


def test_timestamps_with_offsets_are_dutch_time_in_csv_and_parquet(tmp_path):
    t = tables()
    ev = t["events"].iloc[:4].copy()  # R1's first events
    # winter and summer offsets in one file, UTC ('Z'), and one without an offset
    ev["timestamp"] = [
        "2026-03-01T00:30:00+01:00",
        "2026-07-01T09:00:00+02:00",
        "2026-03-02T09:00:00Z",
        "2026-03-03 14:00:00",
    ]
    t["events"] = ev
    folder = write_csv_folder(tmp_path / "csv", t)
    want = [
        "2026-03-01 00:30:00",
        "2026-03-02 10:00:00",
        "2026-03-03 14:00:00",
        "2026-07-01 09:00:00",
    ]
    assert _timeline_stamps(folder) == want
    # the same moments in a time-zone-aware Parquet column (stored as UTC)
    ev = ev.copy()
    ev["timestamp"] = pd.to_datetime(ev["timestamp"], utc=True, format="ISO8601")
    ev.loc[3, "timestamp"] = pd.Timestamp("2026-03-03 14:00:00", tz="Europe/Amsterdam")
    ev["amount"] = pd.to_numeric(ev["amount"])
    (folder / "events.csv").unlink()
    ev.to_parquet(folder / "events.parquet")
    assert _timeline_stamps(folder) == want


def test_dayfirst_mapping_still_reads_iso_dates_as_iso(tmp_path):
    t = tables()
    ev = t["events"].iloc[:3].copy()
    ev["timestamp"] = ["01-03-2026 10:00", "2026-03-02 10:00", "2026-03-03T10:00:00+01:00"]
    t["events"] = ev
    folder = write_csv_folder(tmp_path / "d", t)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("csv:\n  dayfirst: true\n")
    assert _timeline_stamps(folder, mapping) == [
        "2026-03-01 10:00:00",
        "2026-03-02 10:00:00",
        "2026-03-03 10:00:00",
    ]


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_events_csv_in_chunks_gives_the_same_data_and_messages(tmp_path, monkeypatch, chunk):
    import importlib

    reading = importlib.import_module("aandacht.reading")

    t = tables()
    folder = write_csv_folder(tmp_path / "ok", t)
    whole = load(folder, workspace=False)
    monkeypatch.setattr(reading, "CSV_CHUNK_ROWS", chunk)
    chunks = []
    conform = reading._conform_chunk

    def counted(df, *args, **kw):
        if args[0] == "events":
            chunks.append(len(df))
        return conform(df, *args, **kw)

    monkeypatch.setattr(reading, "_conform_chunk", counted)
    chunked = load(folder, workspace=False)
    assert chunks and max(chunks) <= chunk  # really read in chunks of that size
    monkeypatch.setattr(reading, "_conform_chunk", conform)
    a = whole.events.order_by(ROW).to_pandas()
    b = chunked.events.order_by(ROW).to_pandas()
    pd.testing.assert_frame_equal(a, b)
    assert b[ROW].tolist() == list(range(2, len(t["events"]) + 2))
    # bad values in many chunks: the same 50 listed, the rest counted, with the file's rows
    ev = pd.concat([t["events"]] * 8, ignore_index=True)
    ev["event_id"] = [f"E{i:03d}" for i in range(len(ev))]
    ev.loc[ev.index % 2 == 0, "timestamp"] = "gisteren"
    ev.loc[5, "amount"] = "veel"
    t["events"] = ev
    bad = write_csv_folder(tmp_path / "bad", t)
    monkeypatch.setattr(reading, "CSV_CHUNK_ROWS", 10**6)
    expected = load_error(bad).problems
    monkeypatch.setattr(reading, "CSV_CHUNK_ROWS", chunk)
    assert load_error(bad).problems == expected
    assert len(expected) == 52  # 50 timestamps, "14 more rows like this", the amount
    assert (expected[0].row, expected[0].value) == (2, "gisteren")
    assert expected[49].row == 100 and expected[50].message == "14 more rows like this"
    assert (expected[51].row, expected[51].column, expected[51].value) == (7, "amount", "veel")


def test_events_csv_with_a_header_only(tmp_path):
    t = tables()
    t["events"] = t["events"].iloc[:0]
    ds = load(write_csv_folder(tmp_path / "d", t), workspace=False)
    assert int(ds.events.count().to_pandas()) == 0
    assert calculate(ds, Selection(as_of="2026-03-31"))["total"].sum() == 0


def test_no_duckdb_progress_bar_when_stderr_is_not_a_terminal():
    import aandacht

    ds = aandacht.load("data_samples")
    setting = "SELECT current_setting('enable_progress_bar')"
    assert ds.con.con.execute(setting).fetchone()[0] is False


def _broken(tmp_path, name, change):
    import tiny

    folder = tiny.write_csv_folder(tmp_path / name)
    events = folder / "events.csv"
    events.write_bytes(change(events.read_bytes()))
    return folder


@pytest.mark.parametrize(
    "name, change, expected",
    [
        # cut in half by bytes: the last row lacks fields
        ("cut", lambda b: b[: len(b) // 2], r"row \d+: the row has \d+ fields, the header 9"),
        # a quote that never closes: said so, once, with the row it opens in
        ("quote", lambda b: b.replace(b"\nE03,", b'\n"E03,', 1), r"row 4: a quote .* never closed"),
        # not finite numbers are no amounts
        (
            "inf",
            lambda b: b.replace(b",,\nE03", b",inf,\nE03", 1),
            r"column 'amount': not an amount",
        ),
        # a NUL byte in a text value
        (
            "nul",
            lambda b: b.replace(b"E03,R1", b"E03,R\x001", 1),
            r"column 'relation_id': contains a control",
        ),
    ],
)
def test_bad_csv_rows_are_problems_in_validate_and_calculate(tmp_path, name, change, expected):
    import re

    from aandacht.cli import main

    folder = _broken(tmp_path, name, change)
    with pytest.raises(DataError) as err:
        load(folder)
    text = str(err.value)
    assert re.search(expected, text), text
    assert "events.csv" in text
    if name == "quote":
        assert "is empty" not in text  # not 20 misleading messages
    # the command line agrees: validate and calculate both exit 2 with the same message
    for cmd in ("validate", "calculate"):
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stderr(buf):
            assert main([cmd, "--data", str(folder), "--output", str(tmp_path / "o.csv")]
                        if cmd == "calculate" else [cmd, "--data", str(folder)]) == 2  # fmt: skip
        assert re.search(expected, buf.getvalue()), buf.getvalue()


def test_non_finite_amounts_in_parquet_are_problems(tmp_path):
    import numpy as np
    import tiny

    folder = tiny.write_csv_folder(tmp_path / "pq")
    ev = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    ev["amount"] = pd.to_numeric(ev["amount"].replace("", None)).astype("float64")
    ev.loc[2, "amount"] = np.inf
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    (folder / "events.csv").unlink()
    ev.to_parquet(folder / "events.parquet", index=False)
    with pytest.raises(DataError, match=r"row 3, column 'amount': not an amount"):
        load(folder)


def test_control_characters_in_parquet_text_are_problems(tmp_path):
    """A Parquet file's text is not parsed as a CSV file's is: the free-text columns are checked
    for control characters at load (and would make every Excel export fail)."""
    import tiny

    folder = tiny.write_csv_folder(tmp_path / "pq")
    ev = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    ev["amount"] = pd.to_numeric(ev["amount"].replace("", None)).astype("float64")
    ev["timestamp"] = pd.to_datetime(ev["timestamp"])
    ev["subject"] = "fine"
    ev.loc[1, "subject"] = "bad\x00subject"
    ev["reference"] = None
    ev.loc[3, "reference"] = "ref\x07"
    (folder / "events.csv").unlink()
    ev.to_parquet(folder / "events.parquet", index=False)
    with pytest.raises(DataError) as err:
        load(folder, workspace=False)
    found = {(p.row, p.column, p.value) for p in err.value.problems}
    assert found == {(2, "subject", "bad\x00subject"), (4, "reference", "ref\x07")}
    assert all(p.file.endswith("events.parquet") for p in err.value.problems)
    assert "control character" in str(err.value)
    # tab, line feed and carriage return are text
    ev.loc[1, "subject"] = "two\tcolumns\r\nand lines"
    ev.loc[3, "reference"] = "ref"
    ev.to_parquet(folder / "events.parquet", index=False)
    assert int(load(folder, workspace=False).events.count().execute()) == len(ev)
