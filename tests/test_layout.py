"""The house as the README draws it: every package it names exists, every package that exists is named, and no
module has grown past the size where it should be split (shared/STYLE.md: about 400 lines)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400


def _readme_tree() -> set[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    names: set[str] = set()
    parent = ""
    for line in block.splitlines():
        match = re.match(r"^( *)([\w.]+/)\s", line + " ")
        if not match:
            continue
        indent, name = match.groups()
        if indent:
            names.add(parent + name)
        else:
            parent = name
            names.add(name)
    return names


def _packages() -> set[str]:
    """Top-level Python packages and their sub-packages (tests and migrations aside)."""
    found = set()
    for init in ROOT.glob("*/__init__.py"):
        if init.parent.name not in {"tests", "migrations"}:
            found.add(init.parent.name + "/")
    for init in ROOT.glob("*/*/__init__.py"):
        if init.parent.parent.name not in {"tests", "migrations", ".venv"}:
            found.add(f"{init.parent.parent.name}/{init.parent.name}/")
    return found


def test_the_readme_names_every_package_and_nothing_that_does_not_exist():
    tree = _readme_tree()
    assert _packages() - tree == set(), "packages missing from the README's layout"
    for name in tree:
        assert (ROOT / name).is_dir(), f"the README names {name}, which does not exist"


def test_no_module_is_over_400_lines():
    big = {
        str(path.relative_to(ROOT)): n
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", "migrations"} & set(path.relative_to(ROOT).parts)
        and (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert big == {}
