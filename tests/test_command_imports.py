"""No module imports a management command, not even another command: what two commands
share lives in a module of its own (`core.commands`, `accounts.commands`). The import
contract cannot see an import between two commands (both are its forbidden modules)."""

import ast
from pathlib import Path

import motherline

SRC = Path(motherline.__file__).parent


def _imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_no_module_imports_a_management_command() -> None:
    offending = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in sorted(SRC.rglob("*.py"))
        for name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if ".management.commands." in name
    ]
    assert offending == []


def test_the_check_sees_such_an_import() -> None:
    tree = ast.parse("from motherline.worklist.management.commands.worklist import table\n")
    assert _imported(tree) == ["motherline.worklist.management.commands.worklist"]
