"""The layers of ../shared/design.md, checked on the source: the library never imports Panel,
and no module of the library or the app imports another that imports it back (no import
circles, also not through imports inside functions; imports only for type checking do not
count)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("aandacht", "app")


def _imports(path: Path, package: str) -> set[str]:
    """The modules of our packages that ``path`` imports when it runs (anywhere in the file,
    except under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    out = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package if node.level == 1 else ""
                if node.module:
                    out.add(f"{base}.{node.module}".strip("."))
                else:
                    out.update(f"{base}.{a.name}" for a in node.names)
            elif node.module:
                out.add(node.module)
                out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _graph() -> dict[str, set[str]]:
    mods = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            mods[name] = _imports(path, package)
    return {m: {d for d in deps if d in mods and d != m} for m, deps in mods.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_checker_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    graph = _graph()
    # the package's own __init__ re-exports its modules: that is not a circle of layers
    graph = {m: deps - set(PACKAGES) for m, deps in graph.items() if m not in PACKAGES}
    assert _circles(graph) == []


@pytest.mark.parametrize("path", sorted((ROOT / "aandacht").glob("*.py")), ids=lambda p: p.name)
def test_the_library_never_imports_panel(path):
    names = _imports(path, "aandacht")
    assert not {n for n in names if n.split(".")[0] in ("panel", "bokeh", "app")}
