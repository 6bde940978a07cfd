"""Check the code's shape (issue rules 1-3 and 10) by reading the AST; run by tests/test_shape.py.

    python -m tests.shape            # the whole project
    python -m tests.shape events/registration badges   # only what lies under these folders

1. no import circle between modules, nor between the top-level packages (app, events, badges); the composition
   root (``app/__init__.py``, which registers the features) and imports under ``if TYPE_CHECKING:`` are left out,
   and a module that imports a sibling (``from .board import Board``) does not depend on the package it is in;
2. no import of the project's own modules inside a function; a third-party library may load lazily only if it is
   one of LAZY (heavy and optional) and the line says why in a comment;
3. no module uses another module's ``_private`` names;
10. no source file over 400 lines, no function over 60 lines.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "events", "badges")
COMPOSITION_ROOT = "app"
FLOOR = "app"  # what everything stands on: imports of it never make a package circle's fault
LAZY = {"weasyprint", "ortools", "openpyxl", "numpy", "pandas", "pypdfium2", "pypdf", "qrcode", "PIL",
        "boto3"}  # boto3: only where documents are kept in S3
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


@dataclass(frozen=True)
class Problem:
    rule: int
    where: str
    what: str

    def __str__(self) -> str:
        return f"rule {self.rule}: {self.where}: {self.what}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            files[module_name(path)] = path
    return files


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module):
    """(import node, inside a function?) for every import that runs, TYPE_CHECKING blocks left out."""
    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if _type_checking_block(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            yield from walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                       ast.Lambda)))
    yield from walk(tree, False)


def _targets(node: ast.AST, here: str, modules: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """The project modules an import loads, each with the names it takes from it."""
    if isinstance(node, ast.Import):
        return [(alias.name, []) for alias in node.names if alias.name.split(".")[0] in PACKAGES]
    base = node.module or ""
    if node.level:
        package = here.split(".") if modules[here].name == "__init__.py" else here.split(".")[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    if base.split(".")[0] not in PACKAGES:
        return []
    found = [(base, [])]
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:  # "from package import module"
            found.append((f"{base}.{alias.name}", []))
        else:
            found[0][1].append(alias.name)
    return found


def _loaded(name: str, modules: dict[str, Path], importer: str = "") -> list[str]:
    """Importing a.b.c runs a, a.b and a.b.c; but for a module inside a.b, the packages it is inside of are
    already loading, so reaching a sibling (``from .board import Board``) is no dependency on a.b. Naming a.b
    itself (``from a.b import name``) is."""
    parts = name.split(".")
    loaded = [".".join(parts[:i]) for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules]
    return [m for m in loaded if m == name or not importer.startswith(m + ".")]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return result


def _lazy_reason(lines: list[str], node: ast.AST) -> bool:
    return "#" in lines[node.lineno - 1] or (node.lineno >= 2 and lines[node.lineno - 2].strip().startswith("#"))


def check(folders: list[str] | None = None, leave_out=()) -> list[Problem]:
    """The problems of the modules under ``folders`` (all when None). Files in ``leave_out`` (paths from the
    repository's root) are not read at all: their imports make no circle and their lines no problem."""
    modules = {name: path for name, path in source_files().items()
               if str(path.relative_to(ROOT)) not in set(leave_out)}
    wanted = [str((ROOT / f).resolve()) for f in folders or []]

    def reported(name: str) -> bool:
        return not wanted or any(str(modules[name]).startswith(w) for w in wanted)

    problems: list[Problem] = []
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        text = path.read_text()
        lines = text.splitlines()
        tree = ast.parse(text, str(path))
        where = str(path.relative_to(ROOT))
        privately_named = set()
        for node, in_function in _imports(tree):
            targets = _targets(node, name, modules)
            if in_function:
                if targets:
                    problems.append(Problem(2, f"{where}:{node.lineno}", f"imports {targets[0][0]} inside a function"))
                else:
                    top = (node.names[0].name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
                    if top not in LAZY:
                        problems.append(Problem(2, f"{where}:{node.lineno}", f"imports {top} inside a function"))
                    elif not _lazy_reason(lines, node):
                        problems.append(Problem(2, f"{where}:{node.lineno}", f"loads {top} lazily without a reason"))
            for target, names in targets:
                for loaded in _loaded(target, modules, name):
                    if loaded != name and name != COMPOSITION_ROOT:
                        graph[name].add(loaded)
                for imported in names:
                    if imported.startswith("_") and not imported.startswith("__") and target != name:
                        problems.append(Problem(3, f"{where}:{node.lineno}", f"imports {target}.{imported}"))
                if isinstance(node, ast.ImportFrom):
                    for alias in node.names:
                        if f"{target}.{alias.name}" in modules or target in modules and not names:
                            privately_named.add(alias.asname or alias.name)
                else:
                    privately_named.update(alias.asname or alias.name for alias in node.names)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in privately_named and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                problems.append(Problem(3, f"{where}:{node.lineno}", f"uses {node.value.id}.{node.attr}"))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - (node.decorator_list[0].lineno if node.decorator_list else node.lineno) + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(Problem(10, f"{where}:{node.lineno}", f"{node.name} has {length} lines"))
        if len(lines) > MAX_FILE_LINES:
            problems.append(Problem(10, where, f"{len(lines)} lines"))
    problems += _circles(graph, lambda name: reported(name))
    return [p for p in problems if p.rule == 1 or reported(_module_of(p.where, modules))]


def _circles(graph: dict[str, set[str]], reported) -> list[Problem]:
    """Rule 1, for the circles that touch a reported module: between modules, then between top-level packages
    (naming the imports to undo; imports of the floor, app, are not to blame)."""
    problems = []
    for cycle in _cycles(graph):
        if any(reported(name) for name in cycle):
            problems.append(Problem(1, cycle[0], "import circle: " + " -> ".join(cycle)))
    packages: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for name, targets in graph.items():
        for target in targets:
            if _top(name) != _top(target):
                packages[_top(name)].add(_top(target))
    for cycle in _cycles(packages):
        blamed = [(a, b) for a, targets in sorted(graph.items()) for b in sorted(targets)
                  if _top(a) != _top(b) and _top(a) in cycle and _top(b) in cycle and _top(b) != FLOOR]
        if any(reported(a) or reported(b) for a, b in blamed):
            problems.append(Problem(1, cycle[0], "package circle: " + " -> ".join(cycle) + "  (" + "; ".join(
                f"{a} -> {b}" for a, b in blamed)[:2000] + ")"))
    return problems


def _top(name: str) -> str:
    return name.split(".")[0]


def _module_of(where: str, modules: dict[str, Path]) -> str:
    path = (ROOT / where.split(":")[0]).resolve()
    for name, module_path in modules.items():
        if module_path.resolve() == path:
            return name
    return ""


def main(argv: list[str]) -> int:
    problems = check(argv or None)
    for problem in sorted(problems, key=lambda p: (p.rule, p.where)):
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
