"""The migrations build a database from themselves alone: they name no more of the application
than Django must write into them (the fields' classes, and the callables and validators the
fields name), and a data step runs only code written in the migration itself. A migration
that imported a service or another migration would change when that code changes, and a new
database would be built by today's code instead of the schema's history.

Squashed migrations name, in `replaces`, the migrations they stand for, so that a database
migrated with the old files is recognised as up to date."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

import motherline
from motherline.vault import backup

SRC = Path(motherline.__file__).resolve().parent
MIGRATIONS = sorted(p for p in SRC.glob("*/migrations/*.py") if p.stem != "__init__")
OURS = {p.parent.parent.name for p in MIGRATIONS}


def _dotted(value: Any) -> str | None:
    """The import path of a class or function from the application, else None."""
    target = value if callable(value) and hasattr(value, "__qualname__") else type(value)
    module = getattr(target, "__module__", "")
    if not module.startswith("motherline."):
        return None
    return f"{module}.{target.__qualname__}"


def referenced_by_fields() -> set[str]:
    """What a migration may name of the application: what the models' fields name (their
    class, default, validators, upload_to), since makemigrations writes those in."""
    allowed = set()
    for model in apps.get_models():
        for field in model._meta.get_fields(include_hidden=True):
            if not hasattr(field, "deconstruct"):
                continue
            _name, _path, _args, kwargs = field.deconstruct()
            values = [field, kwargs.get("default"), kwargs.get("upload_to")]
            values += list(kwargs.get("validators", []))
            allowed |= {d for d in map(_dotted, values) if d}
    return allowed


def _chain(node: ast.AST) -> str | None:
    """`a.b.c` of an attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _allowed_import(module: str, allowed: set[str]) -> bool:
    """`motherline.vault.fields`, a `motherline.<app>.models` module, or a name from either
    that a field names; nothing else of the application, and no `importlib`."""
    if module.split(".")[0] == "importlib":
        return False
    if module.split(".")[0] != "motherline":
        return True
    return module == "motherline.vault.fields" or _a_models_module(module) or module in allowed


def _a_models_module(dotted: str) -> bool:
    """`motherline.<app>.models` itself (the module a field's callable is imported from)."""
    parts = dotted.split(".")
    return len(parts) == 3 and parts[0] == "motherline" and parts[2] == "models"


def problems(path: Path, allowed: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    found = []
    inner: set[int] = set()  # the parts of a chain already checked whole
    for node in ast.walk(tree):
        line = f"{path.parent.parent.name}/{path.name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            imported = []
        found += [f"{line}: imports {m}" for m in imported if not _allowed_import(m, allowed)]
        if isinstance(node, ast.Name) and node.id in ("__import__", "importlib"):
            found.append(f"{line}: {node.id}")
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            chain = _chain(node)
            if chain and chain.startswith("motherline."):
                value = node.value
                while isinstance(value, ast.Attribute):
                    inner.add(id(value))
                    value = value.value
                if not (_a_models_module(chain) or chain in allowed):
                    found.append(f"{line}: names {chain}, which no field of the models names")
        if isinstance(node, ast.Call) and _chain(node.func) in (
            "migrations.RunPython",
            "RunPython",
        ):
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg != "elidable")]:
                if _chain(arg) == "migrations.RunPython.noop":
                    continue
                if not (isinstance(arg, ast.Name) and arg.id in functions):
                    found.append(
                        f"{line}: RunPython runs {ast.unparse(arg)}, not a function of the "
                        "migration itself"
                    )
    return found


def test_there_are_migrations_to_check():
    assert len(MIGRATIONS) >= len(OURS) >= 10


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_a_migration_names_only_what_its_fields_need(path):
    assert problems(path, referenced_by_fields()) == []


def test_the_check_finds_application_code_in_a_migration(tmp_path):
    """The check itself: each way a migration could run the application's code is found."""
    bad = tmp_path / "people" / "migrations" / "0009_bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "import importlib\n"
        "import motherline.people.models\n"
        "from motherline.vault import rewrite\n"
        "from motherline.vault.fields import EncryptedTextField\n"
        "from django.db import migrations\n"
        "from motherline.people.services import admit\n"
        "def forwards(apps, schema_editor):\n"
        "    rewrite.encrypt_rows(apps)\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.RunPython(forwards, migrations.RunPython.noop),\n"
        "        migrations.RunPython(admit),\n"
        "        migrations.RunPython(motherline.people.models.new_woman_reference),\n"
        "        migrations.RunPython(motherline.people.models.Woman.save),\n"
        "    ]\n"
    )
    text = "\n".join(problems(bad, referenced_by_fields()))
    assert "imports importlib" in text
    assert "imports motherline.vault.rewrite" in text
    assert "imports motherline.people.services.admit" in text
    assert "RunPython runs admit" in text
    assert "names motherline.people.models.Woman.save" in text
    # A field's own class and a field's default are what makemigrations writes: allowed.
    assert "EncryptedTextField" not in text
    assert "new_woman_reference, which" not in text
    assert "RunPython runs forwards" not in text


def _squashed() -> list[Any]:
    executor = MigrationExecutor(connection)
    return [
        executor.loader.disk_migrations[key]
        for key in sorted(executor.loader.disk_migrations)
        if key[0] in OURS and executor.loader.disk_migrations[key].replaces
    ]


def test_no_migration_replaces_a_name_still_on_disk(db):
    """A migration named like one it replaces would be taken for applied, or replace itself."""
    on_disk = set(MigrationExecutor(connection).loader.disk_migrations)
    for migration in _squashed():
        assert not set(map(tuple, migration.replaces)) & on_disk, migration


def test_a_database_migrated_with_the_replaced_migrations_is_up_to_date(db):
    """As a database migrated before the squash: the old names recorded, the new ones not.
    Every migration of the application is then applied, and migrate has nothing to do; a
    backup names the same migrations as a new instance's, so either restores into the other."""
    recorder = MigrationRecorder(connection)
    new_instance = backup.applied_migrations()
    squashed = _squashed()
    assert squashed, "the migrations name what they replace"
    ours = recorder.migration_qs.filter(app__in=OURS)
    ours.delete()
    for migration in squashed:
        for app, name in migration.replaces:
            recorder.record_applied(app, name)

    executor = MigrationExecutor(connection)
    planned = executor.migration_plan(executor.loader.graph.leaf_nodes())
    assert [m.name for m, _backwards in planned] == []
    on_disk = {key for key in executor.loader.disk_migrations if key[0] in OURS}
    assert on_disk <= set(executor.loader.applied_migrations)
    assert backup.applied_migrations() == new_instance
    # migrate records the new names beside the old: still the same migrations.
    executor.loader.check_consistent_history(connection)
    executor.check_replacements()
    assert {(app, name) for app, name in recorder.applied_migrations()} >= on_disk
    assert backup.applied_migrations() == new_instance
