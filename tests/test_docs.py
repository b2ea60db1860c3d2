"""The documents a newcomer reads: the README stays a front door, and every link in the docs leads somewhere.

The README is at most 150 lines; what it leaves out lives in data/README.md, bench/README.md, deploy/README.md
and docs/. A link to a file that was moved or renamed, or to a heading that no longer exists, fails here.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import ROOT

README_MAX_LINES = 150
SCREENSHOT_MAX_BYTES = 300_000
DOCS = [ROOT / "README.md", ROOT / "data" / "README.md", ROOT / "bench" / "README.md",
        ROOT / "deploy" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def relative_links(text: str) -> list[str]:
    """The targets of the Markdown links and images of a text that point inside the repository."""
    return [t for t in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]


def heading_slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (letters of any script kept), spaces → '-'."""
    text = heading.strip().lower().replace("`", "")
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # a '#' in a code block is not a heading
    return {heading_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def broken_links(doc: Path) -> list[str]:
    broken = []
    for target in relative_links(doc.read_text(encoding="utf-8")):
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif anchor and (path.suffix != ".md" or anchor not in anchors(path)):
            broken.append(f"{target}: no heading #{anchor} in {path.name}")
    return broken


def test_readme_is_a_front_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines (at most {README_MAX_LINES})"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc):
    assert broken_links(doc) == [], f"{doc.relative_to(ROOT)} links to what does not exist"


def test_readme_links_every_doc():
    """Each document is reachable from the front door."""
    targets = {(ROOT / t.partition("#")[0]).resolve() for t in relative_links((ROOT / "README.md").read_text("utf-8"))}
    assert [str(d.relative_to(ROOT)) for d in DOCS[1:] if d.resolve() not in targets] == []


def test_the_link_check_catches_a_missing_file_and_heading(tmp_path):
    doc = tmp_path / "x.md"
    (tmp_path / "there.md").write_text("# Là đây: the `format`\n", encoding="utf-8")
    doc.write_text("[a](there.md#là-đây-the-format) [b](gone.md) [c](there.md#nowhere) [d](https://e.org/x)\n"
                   "![e](there.md)\n", encoding="utf-8")
    assert [b.split(":")[0] for b in broken_links(doc)] == ["gone.md", "there.md#nowhere"]


def test_readme_screenshot_is_small():
    shot = ROOT / "docs" / "screenshot.png"
    assert "docs/screenshot.png" in relative_links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert shot.stat().st_size < SCREENSHOT_MAX_BYTES


def test_readme_short_layout_names_what_exists():
    """Every path in the README's "Where things are" exists (globs such as lib/charts*.py match something)."""
    block = (ROOT / "README.md").read_text(encoding="utf-8").split("## Where things are\n", 1)[1].split("```\n")[1]
    names = [n.strip() for line in block.splitlines() for n in re.split(r"\s{2,}", line)[0].split(",")]
    assert names and [n for n in names if not list(ROOT.glob(n.rstrip("/")))] == []


def test_dev_commands_in_the_docs_exist():
    """Every `./dev X` the documents name is a command of ./dev."""
    cases = set(re.findall(r"^\s+([a-z|]+)\)", (ROOT / "dev").read_text(encoding="utf-8"), flags=re.M))
    known = {c for case in cases for c in case.split("|")}
    named = {m for doc in DOCS for m in re.findall(r"\./dev ([a-z]+)", doc.read_text(encoding="utf-8"))}
    assert named and named <= known, named - known
