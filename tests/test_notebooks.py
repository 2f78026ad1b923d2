"""The analysts' notebooks run from top to bottom on the sample data and produce their results.

Each notebook is stored as a jupytext percent script (``notebooks/*.py``). The test converts it
to a notebook, appends one cell that checks the notebook's key results and prints them as JSON,
and executes it headless with nbclient in a ``python3`` kernel, working directory
``notebooks/`` (as when the notebook is opened in Jupyter).

The ``python3`` kernel is ipykernel's own: ``pip install ipykernel`` puts its kernelspec in
``<venv>/share/jupyter/kernels/python3``, and jupyter_client starts it with the interpreter
running the tests (``sys.executable``), so a fresh ``.venv`` needs no ``ipykernel install``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120  # seconds per cell

# Appended to each notebook: assertions on its variables, then the facts the test checks.
CHECKS = {
    "01_band_tuning": """
import json
from aandacht.bands import BAND_NAMES
assert list(comparison.index) == list(STRATEGY_SET), comparison.index
assert (comparison[list(BAND_NAMES)].sum(axis=1) == len(result)).all()
assert list(band_counts.index) == list(STRATEGY_SET)
assert len(bars) == len(STRATEGY_SET)
assert set(per_band["strategy"]) == set(STRATEGY_SET)
view = tuned_view("relative", 0.25, 0.75, 1.5, 3.0)
bad = tuned_view("relative", 1.0, 0.5, 1.5, 3.0)  # not ascending: a warning, no exception
strategy_select.value = "fixed"  # the sliders follow the strategy
print(json.dumps({
    "strategies": list(comparison.index),
    "rows": len(comparison),
    "separation": {k: (None if v != v else round(v, 4))
                   for k, v in comparison["separation"].items()},
    "relations": len(result),
    "view": type(view).__name__,
    "bad": type(bad[0]).__name__,
    "fixed_sliders": [s.value for s in sliders],
    "split": change.attrs["split"],
}))
""",
    "02_client_timeline": """
import json
assert RELATION in set(candidates["relation_id"])
assert (events["relation_id"] == RELATION).all() and events["timestamp"].is_monotonic_increasing
assert (activity["total"] == activity[["history", "correspondence", "sales", "helpdesk"]]
        .sum(axis=1)).all()
assert set(history["relation_id"]) == {RELATION}
print(json.dumps({
    "relation": RELATION,
    "group": "top customers" in set(ds.relation_groups.loc[
        ds.relation_groups["relation_id"] == RELATION, "group"]),
    "area": str(candidates.set_index("relation_id").loc[RELATION, "sales_area"]),
    "events": len(events),
    "months": len(activity),
    "quarters": list(history["period"]),
    "bands": list(history["band"]),
}))
""",
}


def _execute(name: str) -> tuple[nbformat.NotebookNode, dict]:
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    nb.cells.append(nbformat.v4.new_code_cell(CHECKS[name]))
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    last = nb.cells[-1]
    text = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    return nb, json.loads(text.strip().splitlines()[-1])


def _mime_types(nb: nbformat.NotebookNode) -> set[str]:
    return {
        mime
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type in ("display_data", "execute_result")
        for mime in out.get("data", {})
    }


def _assert_clean(nb: nbformat.NotebookNode) -> None:
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors, errors
    stderr = "".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "stream" and o.name == "stderr"
    )
    assert "Traceback" not in stderr, stderr


def _without_version(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "jupytext_version:" not in line)


def test_notebook_scripts_are_paired_percent_scripts():
    names = sorted(p.stem for p in NOTEBOOKS.glob("*.py"))
    assert names == sorted(CHECKS)
    for name in names:
        path = NOTEBOOKS / f"{name}.py"
        nb = jupytext.read(path)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
        # stored as jupytext writes it, so saving from Jupyter gives no spurious diff
        text = path.read_text(encoding="utf-8")
        assert _without_version(jupytext.writes(nb, "py:percent")) == _without_version(text)
    assert not list(NOTEBOOKS.glob("*.ipynb")) or (NOTEBOOKS / ".gitignore").is_file()


def test_python3_kernel_is_the_test_interpreter():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] in ("python", "python3", sys.executable), spec.argv


@pytest.mark.notebook
@pytest.mark.slow
def test_01_band_tuning():
    nb, facts = _execute("01_band_tuning")
    _assert_clean(nb)
    assert facts["rows"] == len(facts["strategies"]) == 8
    assert facts["strategies"][0] == "relative"
    assert facts["relations"] == 400
    assert facts["split"] == "2025-10-31"
    assert facts["view"] == "Column" and facts["bad"] == "Alert"
    assert facts["fixed_sliders"] == [3, 6, 12, 24]
    assert all(s is None or -1 <= s <= 1 for s in facts["separation"].values())
    # plots and the widget panel were rendered
    mimes = _mime_types(nb)
    assert "application/vnd.holoviews_exec.v0+json" in mimes, mimes


@pytest.mark.notebook
@pytest.mark.slow
def test_02_client_timeline():
    nb, facts = _execute("02_client_timeline")
    _assert_clean(nb)
    assert facts["group"] is True
    assert facts["area"] == "insufficient"
    assert facts["events"] > 0
    assert facts["months"] >= 24
    assert facts["quarters"][0] == "2024Q4" and facts["quarters"][-1] == "2026Q4"
    assert len(facts["bands"]) == len(facts["quarters"]) == 9
    mimes = _mime_types(nb)
    assert "application/vnd.holoviews_exec.v0+json" in mimes, mimes
