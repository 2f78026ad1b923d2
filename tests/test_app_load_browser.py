"""A small load test in the test suite: 5 concurrent logged-in sessions (``bench/load_test.py``;
``make loadtest`` runs 20). No errors, no request off the machine, and every session's grid is
the library's result for its own selection, also after the others calculated."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

pytestmark = pytest.mark.browser


def test_five_concurrent_sessions_each_see_their_own_selection():
    from load_test import load_test

    out = load_test(sessions=5, data=str(ROOT / "data_samples"), timeout=150)
    assert out["problems"] == []
    assert out["completed"] == 5
