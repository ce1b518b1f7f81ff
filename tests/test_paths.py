"""Runtime paths: one small module owns them, and no module reaches up to the console script."""

from __future__ import annotations

import ast
import subprocess
import sys

from widgets import paths

from .conftest import REPO


def test_var_dir_follows_the_environment(tmp_path, monkeypatch):
    """Is COURSE_VAR_DIR where runtime files go, and var/ of the checkout without it?"""
    monkeypatch.setenv("COURSE_VAR_DIR", str(tmp_path / "elsewhere"))
    assert paths.var_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("COURSE_VAR_DIR")
    assert paths.var_dir() == REPO / "var"


def test_no_module_of_the_package_imports_the_console_script():
    """Does any module of widgets/ import widgets.cli (a low room reaching up to the top)?"""
    offenders = []
    modules = sorted((REPO / "widgets").rglob("*.py"))
    assert len(modules) > 20, "the package's modules were not found"
    for module in modules:
        if module.name == "cli.py" and module.parent.name == "widgets":
            continue
        package = module.relative_to(REPO).with_suffix("").parts[:-1]
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = package[: len(package) - node.level + 1] if node.level else ()
            target = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            names = [alias.name for alias in node.names]
            if target == "widgets.cli" or (target == "widgets" and "cli" in names):
                offenders.append(str(module.relative_to(REPO)))
    assert offenders == []


def test_keys_are_kept_without_loading_the_console_script(tmp_path):
    """Do the facilitator and pseudonym keys find their folder without importing widgets.cli?"""
    code = (
        "import sys\n"
        "from widgets.keys import facilitator_key\n"
        "from widgets.export.pseudonym import pseudonym_key\n"
        "facilitator_key(); pseudonym_key()\n"
        "print('widgets.cli' in sys.modules)\n"
    )
    env = {"COURSE_VAR_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == [
        "facilitator-key",
        "pseudonym-key",
    ]
