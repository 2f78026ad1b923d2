"""The docstring examples run (they use the bundled sample data)."""

import doctest
import importlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = [
    "aandacht",
    "aandacht.engine",
    "aandacht.load",
    "aandacht.rules",
    "aandacht.selection",
    "aandacht.export",
    "aandacht.bands",
    "aandacht.sales",
    "aandacht.summary",
    "aandacht.service",
    "aandacht.counting",
    "aandacht.i18n",
    "aandacht.privacy",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name, monkeypatch):
    monkeypatch.chdir(ROOT)  # examples load "data_samples"
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
    assert os.path.isdir(ROOT / "data_samples")
