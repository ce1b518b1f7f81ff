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


# -- Binder (repo2docker) -------------------------------------------------------------------

BINDER_BADGE = re.compile(r"https://mybinder\.org/v2/gh/[^)\s]+")


def test_binder_reads_the_root_files():
    """repo2docker ignores environment.yml and postBuild at the root if a binder/ folder exists."""
    assert (REPO / "environment.yml").is_file()
    for folder in ("binder", ".binder"):
        assert not (REPO / folder).exists(), f"{folder}/ would hide the root Binder files"


def test_binder_python_is_pinned_to_a_supported_version():
    """repo2docker needs an explicit python=X.Y, and it must satisfy requires-python."""
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins = [s for s in env["dependencies"] if isinstance(s, str) and re.match(r"^python\s*=", s)]
    assert len(pins) == 1, f"environment.yml must pin python=X.Y once, found {pins}"
    version = tuple(int(p) for p in re.findall(r"\d+", pins[0])[:2])
    assert len(version) == 2, pins[0]
    required = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(p) for p in re.findall(r"\d+", required)[:2])
    assert required.startswith(">=") and version >= minimum, (pins[0], required)


def test_binder_post_build_prepares_the_database():
    """Binder's image must hold a migrated store, or the course page asks for `course db upgrade`."""
    script = REPO / "postBuild"
    assert script.is_file(), "postBuild is missing"
    assert script.stat().st_mode & 0o111, "postBuild must be executable (git keeps the mode)"
    text = script.read_text()
    assert text.startswith("#!"), "postBuild needs a shebang"
    assert "set -e" in text, "a failing step must fail the Binder build"
    assert "course db upgrade" in text


def test_readme_binder_badge_opens_the_course_in_voila():
    """The README's Binder link opens an existing notebook through Voilà."""
    from urllib.parse import parse_qs, unquote, urlparse

    links = BINDER_BADGE.findall((REPO / "README.md").read_text())
    assert links, "README.md has no mybinder.org link"
    for link in links:
        query = parse_qs(urlparse(link).query)
        assert "urlpath" in query, f"{link} does not say which page to open"
        path = unquote(query["urlpath"][0])
        assert path.startswith("voila/render/"), f"{link} does not open Voilà"
        notebook = REPO / path.removeprefix("voila/render/").split("?")[0]
        assert notebook.is_file(), f"{link} opens {notebook}, which does not exist"
