"""Every relative link in the repository's Markdown files points at a file that is in it.

The specification under ``shared/spec/`` lives outside the repository (issue 15, item 8): a
document that names it sends a reader of a clone to a file they do not have.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _markdown_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / f for f in out]


def test_relative_markdown_links_resolve():
    broken = []
    for path in _markdown_files():
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, mailto:, …
                continue
            if not (path.parent / target).exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
    assert broken == []


def test_no_document_names_a_file_outside_the_repository():
    hits = [
        f"{path.relative_to(ROOT)}: {m}"
        for path in _markdown_files()
        for m in re.findall(r"shared/spec/[\w./-]+", path.read_text(encoding="utf-8"))
    ]
    assert hits == []
