"""The layers hold: domain < db < {printing, sync, messaging} < services < bridge < {ui, cli};
no cycles.

The import graph is read from the source (every import, also those inside functions), so a
break shows here before it shows at run time. docs/architecture.md has the same table.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"

# What each layer may import of the app (besides itself and the foundation modules).
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "db": {"domain", "db"},
    "printing": {"domain", "printing"},
    "sync": {"domain", "db", "sync"},
    # messages to members through a provider (Solapi): the outbox's sending side
    "messaging": {"domain", "db", "messaging"},
    "services": {"domain", "db", "printing", "sync", "messaging", "services"},
    # the POS bridge (local API, receipt tap) sits on the services, under the UI and the CLI
    "bridge": {"domain", "printing", "services", "bridge"},
    "ui": {"domain", "printing", "services", "bridge", "ui"},
    "cli": {"domain", "printing", "services", "bridge", "cli"},
}
# Any layer may import these: the package, its resources, the texts, and the crash log
# (app.crash imports only the standard library, so the UI's about box can show its folder),
# and app.worker, the one background loop the sync and the message workers are made of
# (threads, standard library only: not a rule, so not the domain; not storage, so not db).
FOUNDATION = {"app", "app.resources", "app.i18n", "app.crash", "app.worker"}
# The entry points sit above every layer; no layer imports them.
TOP_LEVEL = {"app.launch", "app.__main__"}
# Third-party packages a layer may not import (the first dotted part of the name).
SQL = {"sqlalchemy", "alembic", "psycopg"}
QT = {"PySide6", "shiboken6"}
FORBIDDEN_PACKAGES: dict[str, set[str]] = {
    "domain": SQL | QT,
    "db": QT,
    "printing": SQL | QT,
    "sync": QT,
    "messaging": QT,
    "services": QT,
    "bridge": SQL | QT,
    "ui": SQL,
    "cli": QT,
}
# Named exceptions, each with its reason.
EXCEPTIONS: dict[str, set[str]] = {
    # printing on a Qt printer (QPrinter/QPdfWriter) is printing's one Qt module
    "app.printing.qt": {"PySide6"},
}
# The CLI tells a database that is down from one that refused, by SQLAlchemy's exceptions.
CLI_SQL_ALLOWED = {"sqlalchemy.exc"}
# The domain's own pure third-party libraries.
# (issue 19: the Korean calendar; pure date arithmetic and tables, no I/O)
DOMAIN_THIRD_PARTY = {"phonenumbers", "korean_lunar_calendar", "holidays"}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (an app module resolved to a file, else the dotted name)
    line: int
    top: bool  # at module level (runs on import), not inside a function


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(APP.rglob("*.py")) if ".venv" not in p.parts}


MODULES = all_modules()


def _resolve(name: str) -> str:
    """An app name to the module file that holds it (a name inside a module is its module)."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rsplit(".", 1)[0]


def imports_of(module: str, path: Path, source: str | None = None) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    function_nodes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            function_nodes.update(id(child) for child in ast.walk(node) if child is not node)
    out: list[Import] = []
    for node in ast.walk(tree):
        top = id(node) not in function_nodes
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                target = _resolve(name) if name.split(".")[0] == "app" else name
                out.append(Import(module, target, node.lineno, top))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(module, path).split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            if stem.split(".")[0] != "app":
                out.append(Import(module, stem, node.lineno, top))
                continue
            for alias in node.names:
                candidate = f"{stem}.{alias.name}"
                target = candidate if candidate in MODULES else _resolve(stem)
                out.append(Import(module, target, node.lineno, top))
    return out


GRAPH = {module: imports_of(module, path) for module, path in MODULES.items()}


def layer_of(module: str) -> str | None:
    if module in FOUNDATION or module in TOP_LEVEL:
        return None
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def _is_foundation(target: str) -> bool:
    return any(target == f or target.startswith(f + ".") for f in FOUNDATION - {"app"}) or (
        target == "app"
    )


def layer_breaks() -> list[str]:
    breaks: list[str] = []
    for module, edges in GRAPH.items():
        layer = layer_of(module)
        if layer is None:
            continue
        for edge in edges:
            where = f"{MODULES[module].relative_to(ROOT)}:{edge.line}: {module} -> {edge.target}"
            top_package = edge.target.split(".")[0]
            if top_package == "app":
                if _is_foundation(edge.target) or edge.target in TOP_LEVEL:
                    if edge.target in TOP_LEVEL:
                        breaks.append(f"{where} (entry points import layers, not the reverse)")
                    continue
                target_layer = layer_of(edge.target)
                if target_layer is not None and target_layer not in ALLOWED[layer]:
                    breaks.append(f"{where} ({layer} may not import {target_layer})")
                continue
            if top_package in EXCEPTIONS.get(module, set()):
                continue
            if layer == "cli" and any(
                edge.target == n or edge.target.startswith(n + ".") for n in CLI_SQL_ALLOWED
            ):
                continue
            if top_package in FORBIDDEN_PACKAGES[layer]:
                breaks.append(f"{where} ({layer} may not import {top_package})")
            elif (
                layer == "domain"
                and top_package not in sys.stdlib_module_names
                and top_package not in DOMAIN_THIRD_PARTY
                and top_package != "__future__"
            ):
                breaks.append(f"{where} (the domain imports only pure libraries)")
    return breaks


def file_edges() -> dict[str, list[str]]:
    """Module-level imports between app files (what runs when a module is first imported)."""
    return {
        m: sorted({e.target for e in es if e.top and e.target in MODULES and e.target != m})
        for m, es in GRAPH.items()
    }


def layer_edges() -> dict[str, list[str]]:
    """Every import (also inside functions) between layers: a deferred import is still a use."""
    out: dict[str, set[str]] = {layer: set() for layer in ALLOWED}
    for module, es in GRAPH.items():
        source = layer_of(module)
        for e in es:
            target = layer_of(e.target) if e.target.startswith("app") else None
            if source and target and target != source:
                out[source].add(target)
    return {k: sorted(v) for k, v in out.items()}


def strong_components(edges: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan) of more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, []):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_every_kind_of_import() -> None:
    """Relative, in-function and `from package import module` forms all resolve."""
    probe = _imports_from_source(
        "app.sync.probe",
        "from . import merge\nfrom ..db.models import Sale\nimport app.domain.money\n"
        "def later():\n    from app.services import ledger\n",
    )
    assert {(e.target, e.top) for e in probe} == {
        ("app.sync.merge", True),
        ("app.db.models", True),
        ("app.domain.money", True),
        ("app.services.ledger", False),
    }


def test_layers_import_only_downwards() -> None:
    breaks = layer_breaks()
    assert not breaks, "layer breaks:\n" + "\n".join(breaks)


def test_no_import_cycles_between_files() -> None:
    cycles = strong_components(file_edges())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_cycles_between_layers() -> None:
    """e.g. services -> printing -> services, even when one side imports inside a function."""
    cycles = strong_components(layer_edges())
    assert not cycles, "layer cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_migrations_import_no_live_code() -> None:
    """An old migration runs the same SQL forever: it imports no app code but db.base's types."""
    breaks = [
        f"{module} -> {edge.target}"
        for module, edges in GRAPH.items()
        if module.startswith("app.db.migrations.versions.")
        for edge in edges
        if edge.target.startswith("app.") and edge.target != "app.db.base"
    ]
    assert not breaks, breaks


def test_the_ui_runs_no_sql() -> None:
    breaks = [
        f"{module}:{edge.line} -> {edge.target}"
        for module, edges in GRAPH.items()
        if module.startswith("app.ui")
        for edge in edges
        if edge.target.split(".")[0] in SQL or edge.target.startswith("app.db")
    ]
    assert not breaks, breaks


@pytest.mark.parametrize(
    ("rule", "source", "expected"),
    [
        ("ui -> db", "from app.db.models import Store\n", "ui may not import db"),
        ("ui -> sqlalchemy", "def f():\n    from sqlalchemy import select\n", "sqlalchemy"),
        ("printing -> services", "from app.services.slips import SlipData\n", "services"),
        ("sync -> services", "from ..services import ledger\n", "services"),
        ("domain -> Qt", "import PySide6.QtCore\n", "PySide6"),
    ],
)
def test_the_rules_catch_each_kind_of_break(rule: str, source: str, expected: str) -> None:
    layer = rule.split(" ")[0]
    module = f"app.{layer}.probe"
    saved = dict(GRAPH)
    try:
        GRAPH[module] = _imports_from_source(module, source)
        MODULES.setdefault(module, APP / layer / "probe.py")
        assert any(expected in b for b in layer_breaks()), rule
    finally:
        GRAPH.clear()
        GRAPH.update(saved)
        MODULES.pop(module, None)


def _imports_from_source(module: str, source: str) -> list[Import]:
    """The imports of a module that is not on disk (the rules checked against made-up breaks)."""
    return imports_of(module, Path(module.replace(".", "/") + ".py"), source)


CHECK = """
import importlib, pkgutil, sys
import app
for info in pkgutil.walk_packages(app.__path__, "app."):
    if info.name.startswith(("app.ui", "app.db.migrations", "app.__main__")):
        continue
    importlib.import_module(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
assert not loaded, loaded
print("ok")
"""


def test_core_modules_never_load_qt() -> None:
    """The core knows nothing of Qt: no PySide6 is loaded outside the UI."""
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
