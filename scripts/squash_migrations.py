"""Squash every app's migrations into fresh ones made from the models.

    PYTHONPATH=src python scripts/squash_migrations.py [OLD_REV]

OLD_REV (default `main`) is the commit whose migrations existing databases were migrated
with. The script deletes every migration file except those marked `# squash: keep` (written
by hand: what the models cannot say), runs `makemigrations -n squashed`, and then:

- gives each generated migration `replaces` = every migration of its app at OLD_REV, less
  those a kept migration replaces, so that a database migrated with the old files is
  recognised as up to date (Django marks a squashed migration applied when all it replaces
  are);
- drops the application's mixins from the generated models' `bases` (they add methods only,
  which no migration needs), so a migration imports no more of the application than the
  fields' classes and the callables they name;
- points each kept migration at the last generated migration of its app.

Run it from the repository's root on a clean tree, then `git add -A src/motherline` and check:
`makemigrations --check`, `pytest tests/test_migrations.py`.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

APPS = Path("src/motherline")
KEEP = "# squash: keep"
NAME = "squashed"


def old_migrations(rev: str) -> dict[str, list[str]]:
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev, "--", str(APPS)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    found: dict[str, list[str]] = defaultdict(list)
    for path in map(Path, listed):
        if path.parent.name == "migrations" and path.suffix == ".py" and path.stem != "__init__":
            found[path.parent.parent.name].append(path.stem)
    return {app: sorted(names) for app, names in found.items()}


def kept_replaces(text: str) -> set[str]:
    """The old names a kept migration's `replaces` lists."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["replaces"]:
            return {name for _app, name in ast.literal_eval(node.value)}
    return set()


def main(rev: str) -> None:
    old = old_migrations(rev)
    # Kept migrations are set aside while makemigrations runs: they depend on generated ones.
    kept: dict[str, dict[Path, str]] = defaultdict(dict)
    for path in sorted(APPS.glob("*/migrations/*.py")):
        if path.stem == "__init__":
            continue
        text = path.read_text()
        if KEEP in text:
            kept[path.parent.parent.name][path] = text
        path.unlink()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemigrations",
            "-n",
            NAME,
            "--settings=motherline.settings",
        ],
        check=True,
    )
    for app_dir in sorted(APPS.glob("*/migrations")):
        app = app_dir.parent.name
        generated = sorted(app_dir.glob(f"*_{NAME}.py"))
        if not generated:
            continue
        taken = {p.stem for p in kept[app]}
        for text in kept[app].values():
            taken |= kept_replaces(text)
        replaced = [name for name in old.get(app, []) if name not in taken]
        clash = {p.stem for p in generated} & set(replaced)
        if clash:
            sys.exit(f"{app}: a new migration has an old one's name: {sorted(clash)}")
        for path in generated:
            text = path.read_text()
            if replaced:
                listed = "".join(f"        ({app!r}, {name!r}),\n" for name in replaced)
                text = text.replace(
                    "class Migration(migrations.Migration):\n",
                    f"class Migration(migrations.Migration):\n\n    replaces = [\n{listed}    ]\n",
                    1,
                )
            text = re.sub(r"\n\s*bases=\((motherline\.[\w.]+, )+models\.Model\),", "", text)
            for module in set(re.findall(r"^import (motherline\.[\w.]+)$", text, re.M)):
                if text.count(module + ".") == 0:
                    text = text.replace(f"import {module}\n", "")
            path.write_text(text)
        last = generated[-1].stem
        for path, text in kept.pop(app, {}).items():
            path.write_text(
                re.sub(
                    r"dependencies = \[[^\]]*\]",
                    f'dependencies = [("{app}", "{last}")]',
                    text,
                    count=1,
                )
            )
    for app, files in kept.items():
        sys.exit(f"{app}: kept migrations but no model to migrate: {sorted(map(str, files))}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "main")
