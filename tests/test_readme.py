"""The README and docs/ send a newcomer only to places inside the clone."""

from __future__ import annotations

import re

from .conftest import REPO

LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE_PATH = re.compile(r"`(\.\./[^`\s]+)`")


def pages() -> list:
    found = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    assert len(found) >= 3, "README.md and docs/*.md were not found"
    return found


def test_every_relative_link_resolves_inside_the_clone():
    """Does each relative link in README.md and docs/*.md name a file that is in the clone?"""
    broken = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        targets = [t for t in LINK.findall(text) if not re.match(r"^(https?:|mailto:|#)", t)]
        targets += CODE_PATH.findall(text)  # a path to read, even when it is not a link
        for target in targets:
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.is_relative_to(REPO) or not path.exists():
                broken.append(f"{page.relative_to(REPO)}: {target}")
    assert broken == []


def test_the_readme_points_to_the_architecture_page():
    """Does the README link the architecture page, and is that page in the clone?"""
    assert "](docs/architecture.md)" in (REPO / "README.md").read_text(encoding="utf-8")
    assert (REPO / "docs" / "architecture.md").is_file()
