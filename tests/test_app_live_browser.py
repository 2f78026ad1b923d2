"""Live updates in a served dashboard (B13), in a real browser.

An events file dropped into the data folder of the running server shows up in the open page
without a reload: the relation's total in the grid rises and the live line says how many new
contact moments came in. A bad file is reported on the page with its file, row and column while
the dashboard keeps taking in the good files that follow.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)
HEADER = "event_id,relation_id,user_id,timestamp,source,action,channel\n"


def _drop(folder: Path, name: str, rows: list[str]) -> None:
    tmp = folder / f".{name}.part"  # written under another name, then renamed, as a CRM would
    tmp.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    tmp.rename(folder / name)


def _total_cell(app: Page, relation: str):
    row = app.locator(".grid .tabulator-row", has_text=relation)
    return row.locator(".tabulator-cell[tabulator-field='total']")


def test_a_dropped_events_file_shows_without_a_reload(app: Page, served) -> None:
    _, data, _, baseline = served
    folder = Path(data)
    res = baseline.result
    rel = str(res["relation_id"].iloc[0])
    before = int(res.loc[res["relation_id"] == rel, "total"].iloc[0])
    user = str(pd.read_csv(folder / "users.csv")["user_id"].iloc[0])
    as_of = baseline.settings["selection"]["as_of"]

    # only this relation in the grid (its place may change when its total does)
    filt = app.locator(".grid .tabulator-col[tabulator-field='relation_id'] input")
    filt.click()
    filt.press_sequentially(rel)
    filt.press("Enter")
    expect(app.locator(".grid .tabulator-row")).to_have_count(1)
    expect(_total_cell(app, rel)).to_have_text(str(before))
    expect(app.locator(".live-text")).to_have_text("live · wacht op nieuwe contactmomenten")

    rows = [f"LIVE-{i},{rel},{user},{as_of} 0{i}:15,note,added,visit" for i in range(4)]
    _drop(folder, "events-2026-10-31T1305.csv", rows)
    expect(_total_cell(app, rel)).to_have_text(str(before + 4))
    expect(app.locator(".live-text")).to_contain_text("live · laatste update ")
    expect(app.locator(".live-text")).to_contain_text("4 nieuwe contactmomenten")

    # a bad file: reported on the page (file, row, column), nothing of it counted
    _drop(
        folder,
        "events-2026-10-31T1310.csv",
        [
            f"BAD-1,{rel},{user},{as_of} 09:00,note,added,visit",
            f"BAD-2,R99999,{user},{as_of},x,y,z",
        ],
    )
    problems = app.locator(".live-problems")
    expect(problems).to_contain_text("events-2026-10-31T1310.csv")
    expect(problems).to_contain_text("R99999")
    expect(problems).to_contain_text("relation_id")
    expect(_total_cell(app, rel)).to_have_text(str(before + 4))

    # the feed keeps working: the next good file is counted
    _drop(folder, "events-2026-10-31T1315.csv", [f"LIVE-9,{rel},{user},{as_of} 10:00,note,added,"])
    expect(_total_cell(app, rel)).to_have_text(str(before + 5))
    expect(app.locator(".live-text")).to_contain_text("1 nieuw contactmoment")

    # switched off for this session: a new file waits until Live is on again
    app.locator(".live-switch").click()
    expect(app.locator(".live-text")).to_contain_text("live uit")
    _drop(folder, "events-2026-10-31T1320.csv", [f"LIVE-10,{rel},{user},{as_of} 11:00,note,added,"])
    app.wait_for_timeout(3000)
    expect(_total_cell(app, rel)).to_have_text(str(before + 5))
    app.locator(".live-switch").click()
    expect(_total_cell(app, rel)).to_have_text(str(before + 6))
