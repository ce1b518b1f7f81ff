"""environment.yml (conda / Binder) must match pyproject.toml, the source of dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import REPO


def requirement(spec: str) -> tuple[str, str]:
    """``psycopg[binary]>=3.2`` -> (``psycopg``, ``>=3.2``); names compared case-insensitively."""
    match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", spec.strip())
    return match.group(1).lower().replace("_", "-"), match.group(3).replace(" ", "")


def test_environment_matches_pyproject():
    """Does environment.yml list every runtime dependency with the same version range?"""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = dict(requirement(s) for s in project["dependencies"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = dict(
        requirement(s.replace("=", "==", 1) if re.match(r"^[\w\-]+=[^=<>]", s) else s)
        for s in env["dependencies"]
        if isinstance(s, str)
    )
    assert len(wanted) >= 10
    missing = {name: spec for name, spec in wanted.items() if name not in conda}
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    different = {n: (s, conda[n]) for n, s in wanted.items() if conda[n] != s}
    assert not different, f"version ranges differ (pyproject, environment.yml): {different}"
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section, "Binder must install the course package itself"
    assert "conda-forge" in env["channels"]
