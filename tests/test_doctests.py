"""Every docstring example runs: each module of the library (and the app's map plot) whose
source holds an example is found by itself, so a new module's examples run without a list.

Examples load the bundled sample data (``aandacht.load("data_samples")``); the load is made
once for the whole run (the examples do not change the data set).
"""

import doctest
import functools
import importlib
from pathlib import Path

import pytest

import aandacht

ROOT = Path(__file__).resolve().parents[1]
_load = aandacht.load


def _with_examples() -> list[str]:
    names = []
    for folder, package in ((ROOT / "aandacht", "aandacht"), (ROOT / "app", "app")):
        for path in sorted(folder.glob("*.py")):
            if ">>>" in path.read_text(encoding="utf-8"):
                stem = path.stem
                names.append(package if stem == "__init__" else f"{package}.{stem}")
    return names


MODULES = _with_examples()


@functools.lru_cache
def _cached(source, *args, **kwargs):
    return _load(source, *args, **kwargs)


def _load_once(source, *args, **kwargs):
    try:
        return _cached(source, *args, **kwargs)
    except TypeError:  # an argument that cannot be a cache key (a DataFrame, a connection)
        return _load(source, *args, **kwargs)


def test_the_modules_are_found():
    assert {"aandacht.engine", "aandacht.access", "aandacht.i18n", "app.map_plot"} <= set(MODULES)
    assert len(MODULES) >= 25


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples load "data_samples"
    monkeypatch.syspath_prepend(str(ROOT))  # app.map_plot
    monkeypatch.setattr(aandacht, "load", _load_once)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"no examples found in {name}"
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
