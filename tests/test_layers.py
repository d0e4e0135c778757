"""Packages import in one direction.

config <- storage <- core <- {flows, access} <- office <- {admin_web, bot}: a package imports
only packages below it, never a sibling of its own level; `bot`, the process itself, mounts the
web. Every import statement counts, lazy ones inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEVEL = {
    "config": 0,
    "storage": 1,
    "core": 2,
    "flows": 3,
    "access": 3,
    "office": 4,
    "admin_web": 5,
    "bot": 5,
}
# The process wires the officers' web into its HTTP server.
ALSO_ALLOWED = {("bot", "admin_web")}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & LEVEL.keys()


def edges_against_the_order() -> list[str]:
    wrong = []
    for package, level in LEVEL.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for target in imported_packages(path) - {package}:
                if LEVEL[target] < level or (package, target) in ALSO_ALLOWED:
                    continue
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    return wrong


def test_every_top_level_package_has_a_level():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert packages - {"tests", "bench"} == set(LEVEL)


def test_no_package_imports_one_above_or_beside_it():
    assert edges_against_the_order() == []


@pytest.mark.parametrize(
    ("source", "target"), [("flows", "access"), ("access", "flows"), ("core", "flows")]
)
def test_the_check_sees_an_edge_against_the_order(tmp_path, source, target):
    module = tmp_path / "m.py"
    module.write_text(f"def f():\n    from {target}.x import y\n", encoding="utf-8")
    assert target in imported_packages(module)
    assert not LEVEL[target] < LEVEL[source]
