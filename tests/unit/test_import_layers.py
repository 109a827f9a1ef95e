"""The modules under include/ import each other in layers: no module reaches itself again.

Every ``import`` counts, wherever it stands (a function-level import still ties the two modules
together: moving it into a function hides a circle, it does not remove it). Only imports under
``if TYPE_CHECKING:`` are left out, since they never run.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "include"


def module_names(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name -> file of every module under include/ (a package is its __init__.py)."""
    names = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST):
    """Every Import / ImportFrom below ``node``, except the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                if isinstance(other, ast.Import | ast.ImportFrom):
                    yield other
                yield from _imports(other)
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _imports(child)


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` if it is a module of include/, else the nearest package or module above it that is."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of include/ that module ``name`` (in ``path``) imports."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = package[: len(package) - node.level + 1] if node.level else []
            base_name = ".".join([*base, *(node.module.split(".") if node.module else [])])
            # ``from include.x import y`` imports the module include.x.y when there is one, else a name of include.x
            targets = [
                f"{base_name}.{alias.name}" if f"{base_name}.{alias.name}" in modules else base_name
                for alias in node.names
            ]
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                known = _known(target, modules)
                if known is not None and known != name:
                    found.add(known)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = module_names(root)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: every group of two or more modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return sorted(groups)


def _shortest_path(graph: dict[str, set[str]], members: set[str], start: str, end: str) -> list[str]:
    came_from = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & members):
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    path = [end]
    while path[-1] != start:
        path.append(came_from[path[-1]])
    return path[::-1]


def describe_circle(graph: dict[str, set[str]], group: list[str]) -> str:
    """The group as one walk of imports through every member and back: "a -> b -> a"."""
    members = set(group)
    walk = [group[0]]
    for target in [*group[1:], group[0]]:
        if target not in walk[1:] or target == group[0]:
            walk += _shortest_path(graph, members, walk[-1], target)[1:]
    return " -> ".join(walk)


def test_the_walk_reads_every_kind_of_import(tmp_path):
    package = tmp_path / PACKAGE / "pkg"
    package.mkdir(parents=True)
    (tmp_path / PACKAGE / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from include.pkg.low import helper\n")
    (package / "low.py").write_text("def helper(): ...\n")
    (package / "mid.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import low\n"
        "if TYPE_CHECKING:\n    from include.pkg import top\n"
        "def later():\n    from .top import run\n"
    )
    (package / "top.py").write_text("import include.pkg\nfrom include.pkg.mid import later\ndef run(): ...\n")

    graph = import_graph(tmp_path)

    assert graph["include.pkg"] == {"include.pkg.low"}
    assert graph["include.pkg.mid"] == {"include.pkg.low", "include.pkg.top"}
    assert graph["include.pkg.top"] == {"include.pkg", "include.pkg.mid"}
    assert strongly_connected(graph) == [["include.pkg.mid", "include.pkg.top"]]
    assert describe_circle(graph, ["include.pkg.mid", "include.pkg.top"]) == (
        "include.pkg.mid -> include.pkg.top -> include.pkg.mid"
    )


def test_no_module_under_include_imports_itself_through_others():
    graph = import_graph()
    circles = [describe_circle(graph, group) for group in strongly_connected(graph)]

    assert not circles, "import circles under include/:\n" + "\n".join(circles)
