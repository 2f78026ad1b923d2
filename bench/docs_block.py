"""Writing a benchmark's results into ``docs/performance.md``, between its two markers.

>>> import tempfile
>>> doc = Path(tempfile.mkdtemp()) / "performance.md"
>>> write_block("demo", "| a | 1 |", doc=doc, heading="## Demo", quiet=True)
>>> write_block("demo", "| a | 2 |", doc=doc, quiet=True)  # the block is replaced, not added
>>> print(doc.read_text())
# Performance
<BLANKLINE>
## Demo
<BLANKLINE>
<!-- demo:begin -->
| a | 2 |
<!-- demo:end -->
<BLANKLINE>
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "performance.md"


def write_block(
    name: str,
    block: str,
    *,
    doc: Path = DOCS,
    heading: str = "",
    create: bool = True,
    quiet: bool = False,
) -> None:
    """Put ``block`` between ``<!-- name:begin -->`` and ``<!-- name:end -->`` in ``doc``.

    Without the markers they are added at the end, under ``heading`` (a heading line and any
    text before the table); ``create=False`` refuses instead (a section that must exist).
    """
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    if begin not in text or end not in text:
        if not create:
            raise SystemExit(f"{doc}: no {begin} marker")
        lead = f"{heading}\n\n" if heading else ""
        text = text.rstrip() + f"\n\n{lead}{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{begin}\n{block}\n{end}{tail}", encoding="utf-8")
    if not quiet:
        where = doc.relative_to(ROOT) if doc.is_relative_to(ROOT) else doc
        print(f"wrote the results into {where}")
