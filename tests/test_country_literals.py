"""A country lives in its pack: no Cambodia ("KH", "KH-12") or Khmer ("km", `*_km`) literal in
the code or the templates. Allowed: the packs (data), the translation catalogues (locale/),
the migrations (they record the schema as it was), the names of the interface languages in
settings (LANGUAGE_NAMES, LANGUAGES), and the tests."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import motherline

SRC = Path(motherline.__file__).resolve().parent
# (file relative to src/motherline, the settings it may name a language in)
ALLOWED_ASSIGNMENTS = {("settings.py", "LANGUAGE_NAMES"), ("settings.py", "LANGUAGES")}
SKIPPED_DIRECTORIES = {"migrations", "locale", "packs", "static"}
COUNTRY_VALUE = re.compile(r"^(km|KH|kh|KH-[A-Z0-9-]+)$")
COUNTRY_NAME = re.compile(r"(^|_)(km|kh)$")
TEMPLATE_LITERAL = re.compile(
    r"""(["'](km|KH)["']|lang\(km\)|lang=["']?km\b|\bKH\b|\bKH-[A-Z0-9]|\w+_km\b)"""
)


def _skipped(path: Path, root: Path) -> bool:
    return bool(SKIPPED_DIRECTORIES & set(path.relative_to(root).parts[:-1]))


def python_literals(path: Path, relative: str) -> list[str]:
    """Each country literal of a Python file as "file:line: what"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            if any((relative, name) in ALLOWED_ASSIGNMENTS for name in names):
                allowed |= {id(child) for child in ast.walk(node.value)}
    found = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and COUNTRY_VALUE.match(node.value):
            found.append(f"{relative}:{node.lineno}: {node.value!r}")
        name = (
            node.id
            if isinstance(node, ast.Name)
            else node.attr
            if isinstance(node, ast.Attribute)
            else node.arg
            if isinstance(node, (ast.arg, ast.keyword)) and node.arg
            else node.name
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))
            else ""
        )
        if name and COUNTRY_NAME.search(name):
            found.append(f"{relative}:{getattr(node, 'lineno', 0)}: name {name}")
    return found


def template_literals(path: Path, relative: str) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in TEMPLATE_LITERAL.finditer(line):
            found.append(f"{relative}:{number}: {match.group(0)}")
    return found


def country_literals(root: Path = SRC) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or _skipped(path, root):
            continue
        relative = str(path.relative_to(root))
        if path.suffix == ".py":
            found += python_literals(path, relative)
        elif path.suffix in (".html", ".txt"):
            found += template_literals(path, relative)
    return found


def test_no_country_literal_outside_the_packs():
    assert country_literals() == []


def test_the_scan_finds_a_literal_added_to_the_code(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        'LANGUAGE = "km"\nHOME = ("en", "KH")\ndef f(title_km): return "KH-12"\n'
    )
    (tmp_path / "app" / "page.html").write_text('<p lang="km">{{ case.narrative_km }}</p>\n')
    (tmp_path / "settings.py").write_text('LANGUAGE_NAMES = {"km": "Khmer"}\nX = "km"\n')
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001.py").write_text('OLD = "title_km"\n')

    found = country_literals(tmp_path)

    assert sorted(found) == [
        'app/page.html:1: lang="km',
        "app/page.html:1: narrative_km",
        "app/views.py:1: 'km'",
        "app/views.py:2: 'KH'",
        "app/views.py:3: 'KH-12'",
        "app/views.py:3: name title_km",
        "settings.py:2: 'km'",
    ]
