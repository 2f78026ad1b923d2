"""The command line, exactly as in the contract."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from tiny import tables, write_csv_folder

from aandacht.cli import CONTRACT_COLUMNS, REVENUE_COLUMNS, main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_csv_folder(tmp_path_factory.mktemp("crm"))


def run(args, capsys):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def read(text):
    return pd.read_csv(io.StringIO(text), dtype={"relation_id": str}, keep_default_na=False)


def test_calculate_to_stdout(folder, capsys):
    code, out, err = run(
        [
            "calculate",
            "--data",
            folder,
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--as-of",
            "2026-03-31",
        ],
        capsys,
    )
    assert code == 0, err
    df = read(out)
    assert list(df.columns) == CONTRACT_COLUMNS
    assert df.relation_id.tolist() == ["R1", "R2", "R3", "R4"]
    assert df.total.tolist() == [5, 3, 0, 0]
    # dgn empty when there is none
    assert df.set_index("relation_id").loc["R4", "dgn"] == ""
    # mean 2: R1 5/2=2.5 -> much, R2 3/2=1.5 (equal to a threshold -> higher) -> much
    assert df.band.tolist() == ["much", "much", "none", "none"]


def test_calculate_with_revenue(folder, capsys):
    code, out, err = run(
        [
            "calculate",
            "--data",
            folder,
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--as-of",
            "2026-03-31",
            "--revenue",
            "both",
        ],
        capsys,
    )
    assert code == 0, err
    df = read(out).set_index("relation_id")
    assert list(df.columns) == CONTRACT_COLUMNS[1:] + REVENUE_COLUMNS
    assert float(df.loc["R1", "revenue"]) == pytest.approx(2001.0)
    assert float(df.loc["R1", "revenue_per_contact"]) == pytest.approx(2001.0 / 5)
    assert df.loc["R4", "sales_area"] == "excluded" and df.loc["R4", "revenue_per_contact"] == ""
    # R3: revenue 250 and no contacts -> index 0 -> none -> insufficient
    assert (df.loc["R3", "sales_band"], df.loc["R3", "sales_area"]) == ("none", "insufficient")
    # R2: contacts, no revenue -> infinite index -> very_much -> too_much
    assert (df.loc["R2", "sales_band"], df.loc["R2", "sales_area"]) == ("very_much", "too_much")


def test_users_group_bgroup_selection(folder, tmp_path, capsys):
    base = [
        "calculate",
        "--data",
        folder,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--as-of",
        "2026-03-31",
    ]
    code, out, _ = run([*base, "--users", "PB"], capsys)
    assert code == 0 and read(out).total.tolist() == [1, 1, 0, 0]
    code, out, _ = run([*base, "--user-group", "Sales"], capsys)
    assert code == 0 and read(out).total.tolist() == [4, 2, 0, 0]
    code, out, _ = run([*base, "--b-group", "top customers"], capsys)
    assert code == 0 and read(out).relation_id.tolist() == ["R1", "R2"]
    sel = tmp_path / "sel.csv"
    sel.write_text("relation_id\nR3\n\nR1\nR3\n")
    code, out, _ = run([*base, "--selection", sel], capsys)
    assert code == 0 and read(out).relation_id.tolist() == ["R1", "R3"]


def test_strategy_and_thresholds(folder, capsys):
    base = [
        "calculate",
        "--data",
        folder,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--as-of",
        "2026-03-31",
    ]
    code, out, _ = run([*base, "--strategy", "fixed", "--thresholds", "1,2,3,4"], capsys)
    assert code == 0 and read(out).band.tolist() == ["very_much", "much", "none", "none"]
    code, _, err = run([*base, "--strategy", "fancy"], capsys)
    assert code == 2 and "relative" in err and "natural_breaks" in err


def test_xlsx_output_is_formula_safe_with_band_fills(tmp_path, capsys):
    t = tables()
    t["relations"].loc[0, "name"] = '=HYPERLINK("http://evil.example","klik")'
    folder = write_csv_folder(tmp_path / "d", t)
    out = tmp_path / "result.xlsx"
    code, _, err = run(
        [
            "calculate",
            "--data",
            folder,
            "--as-of",
            "2026-03-31",
            "--from",
            "2026-03-01",
            "--output",
            out,
        ],
        capsys,
    )
    assert code == 0, err
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header == CONTRACT_COLUMNS
    name = ws.cell(row=2, column=2)
    assert name.data_type == "s" and name.value.startswith("=HYPERLINK")
    band = ws.cell(row=2, column=header.index("band") + 1)
    assert band.value == "much" and band.fill.start_color.rgb.endswith("2CA02C")


def test_timeline(folder, tmp_path, capsys):
    code, out, err = run(
        [
            "timeline",
            "--data",
            folder,
            "--relation",
            "R1",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
        ],
        capsys,
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["event_id"] for r in rows] == ["E01", "E05", "E06", "E07", "E08", "E09", "E03"]
    assert [r["counted"] for r in rows] == [
        "True",
        "False",
        "True",
        "True",
        "True",
        "False",
        "True",
    ]
    out_file = tmp_path / "tl.xlsx"
    code, _, _ = run(
        ["timeline", "--data", folder, "--relation", "R1", "--output", out_file], capsys
    )
    assert code == 0 and openpyxl.load_workbook(out_file).active.max_row == 10


def test_bad_input_exits_non_zero_naming_file_and_row(tmp_path, capsys):
    t = tables()
    t["events"].loc[4, "relation_id"] = "R999"
    folder = write_csv_folder(tmp_path / "bad", t)
    code, out, err = run(["calculate", "--data", folder], capsys)
    assert code != 0 and out == ""
    assert "events.csv, row 6, column 'relation_id'" in err and "R999" in err
    code, _, err = run(["calculate", "--data", tmp_path / "nope"], capsys)
    assert code != 0 and "not found" in err
    sel = tmp_path / "sel.txt"
    sel.write_text("R1\nR77\n")
    code, _, err = run(
        ["calculate", "--data", write_csv_folder(tmp_path / "ok"), "--selection", sel], capsys
    )
    assert code != 0 and "sel.txt, row 2" in err and "R77" in err
    code, _, err = run(
        ["calculate", "--data", write_csv_folder(tmp_path / "ok2"), "--users", "XX"], capsys
    )
    assert code != 0 and "unknown user" in err
    code, _, err = run(
        ["timeline", "--data", write_csv_folder(tmp_path / "ok3"), "--relation", "R404"], capsys
    )
    assert code != 0 and "R404" in err


def test_console_script_runs_as_a_process(folder):
    exe = Path(sys.executable).with_name("aandacht")
    proc = subprocess.run(
        [str(exe), "calculate", "--data", str(folder), "--as-of", "2026-03-31"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == ",".join(CONTRACT_COLUMNS)
    proc = subprocess.run(
        [str(exe), "calculate", "--data", str(folder), "--from", "xx"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "not a date" in proc.stderr


def test_count_thresholds_are_not_used_as_index_thresholds(folder, capsys):
    base = [
        "calculate",
        "--data",
        folder,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--as-of",
        "2026-03-31",
        "--revenue",
        "both",
    ]
    code, out, _ = run([*base, "--strategy", "fixed", "--thresholds", "1,2,3,4"], capsys)
    fixed = read(out).set_index("relation_id")
    code2, out2, _ = run(base, capsys)
    relative = read(out2).set_index("relation_id")
    assert code == code2 == 0
    assert fixed.sales_band.tolist() == relative.sales_band.tolist()
    code, out, _ = run([*base, "--thresholds", "0.1,0.2,0.3,0.4"], capsys)
    # R1: index = 5 * (2251/8) / 2001 = 0.703 -> >= 0.4 -> very_much
    assert read(out).set_index("relation_id").loc["R1", "sales_band"] == "very_much"


def test_all_columns_has_the_last_contact_details(folder, capsys):
    args = ["calculate", "--data", folder, "--as-of", "2026-03-31", "--from", "2026-03-01"]
    code, out, err = run([*args, "--all-columns"], capsys)
    assert code == 0, err
    df = read(out).set_index("relation_id")
    assert (df.loc["R1", "last_user"], df.loc["R1", "last_source"]) == ("PB", "note")
    code, out, err = run(args, capsys)
    assert "last_user" not in read(out).columns


def test_progress_lines_only_on_a_terminal(tmp_path):
    # in a log (stderr a file or pipe): nothing, not DuckDB's progress bar either (it is on
    # only for a terminal); on a terminal: one line per stage
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "aandacht.cli", "calculate", "--data", str(root / "data_samples"),
           "--as-of", "2026-10-31", "--revenue", "both", "--output", str(tmp_path / "r.csv")]  # fmt: skip
    quiet = subprocess.run(cmd, capture_output=True, text=True, cwd=root, check=True)
    assert quiet.stderr == ""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=secondary, cwd=root)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait() == 0
    text = seen.decode()
    for stage in ("reading the data", "counting 400 relations", "bands and the sales view",
                  "writing 400 rows", "done"):  # fmt: skip
        assert stage in text, text


def test_csv_output_neutralises_formulas_unless_raw(tmp_path):
    # CRM content is untrusted: a relation named like a formula must not run when a person
    # opens the CSV in a spreadsheet; --raw-csv writes it as it is, for programs
    import csv

    import tiny

    folder = tiny.write_csv_folder(tmp_path / "data")
    rel = folder / "relations.csv"
    rows = list(csv.reader(rel.open()))
    name_col = rows[0].index("name")
    payloads = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tTab"]
    for row, payload in zip(rows[1:], payloads, strict=False):
        row[name_col] = payload
    with rel.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out, raw = tmp_path / "r.csv", tmp_path / "raw.csv"
    args = ["calculate", "--data", str(folder), "--as-of", "2026-10-31", "--revenue", "both"]
    assert main([*args, "--output", str(out)]) == 0
    assert main([*args, "--output", str(raw), "--raw-csv"]) == 0
    safe = pd.read_csv(out, dtype={"name": str}, keep_default_na=False)
    plain = pd.read_csv(raw, dtype={"name": str}, keep_default_na=False)
    used = payloads[: len(rows) - 1]
    assert sorted(n for n in safe["name"] if n.startswith("'")) == sorted("'" + p for p in used)
    assert sorted(n for n in plain["name"] if n in used) == sorted(used)
    # numbers stay numbers: negative amounts or dgn are not text
    assert pd.api.types.is_numeric_dtype(safe["revenue"])


def test_timeline_csv_neutralises_subjects_and_bodies(tmp_path):
    import tiny

    folder = tiny.write_csv_folder(tmp_path / "data")
    ev = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
    ev.loc[0, "subject"] = "=cmd|' /C calc'!A0"
    ev.loc[0, "body"] = "@evil"
    ev.to_csv(folder / "events.csv", index=False)
    out = tmp_path / "tl.csv"
    rid = ev.loc[0, "relation_id"]
    assert main(["timeline", "--data", str(folder), "--relation", rid, "--output", str(out)]) == 0
    tl = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert "'=cmd|' /C calc'!A0" in set(tl["subject"])
    assert "'@evil" in set(tl["body"])
    assert not any(v.startswith(("=", "+", "@")) for v in tl["subject"])


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--output", "x.pdf"], "cannot write .pdf"),
        (["--output", "noextension"], "cannot write no extension"),
        (["--thresholds", "3,2,1,x"], "must be numbers separated by commas"),
    ],
)
def test_bad_output_and_thresholds_exit_2_before_any_work(tmp_path, capsys, extra, message):
    argv = ["calculate", "--data", str(tmp_path / "nothing-here"), *extra]
    # the data folder does not exist: the option is refused first, with exit code 2
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not (tmp_path / "x.pdf").exists()


def test_engine_pyspark_without_pyspark_says_what_to_install(tmp_path, monkeypatch, capsys):
    """Without the optional Spark install, --engine pyspark exits 2 and names the install."""
    write_csv_folder(tmp_path, tables())
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    assert main(["validate", "--data", str(tmp_path), "--engine", "pyspark"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'aandacht[spark]'" in err and "Java 17" in err


def test_unknown_engine_is_refused(tmp_path):
    import aandacht

    write_csv_folder(tmp_path, tables())
    with pytest.raises(ValueError, match="engine 'spark'"):
        aandacht.load(tmp_path, engine="spark")
    with pytest.raises(SystemExit):
        main(["validate", "--data", str(tmp_path), "--engine", "spark"])


def test_xlsx_holds_text_with_control_characters(tmp_path):
    """Text from a database may hold control characters that no worksheet can: each is shown as
    U+FFFD and the workbook is written (openpyxl would refuse the whole file)."""
    from openpyxl import load_workbook

    from aandacht.export import write_xlsx

    out = tmp_path / "x.xlsx"
    frame = pd.DataFrame({"subject": ["a\x00b\x07c", "tab\tand\nline", "=1+1\x01"]})
    write_xlsx(out, {"Timeline": frame})
    ws = load_workbook(out)["Timeline"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == [
        "a\ufffdb\ufffdc",
        "tab\tand\nline",
        "=1+1\ufffd",
    ]
    assert ws.cell(row=4, column=1).data_type == "s"  # still text, never a formula
