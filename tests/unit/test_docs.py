"""The README is a short front door and the docs pages it links hold the reference; every link resolves in the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = REPO / "docs"
README_MAX_BYTES = 15 * 1024

# `](target)` or `](target "title")`: the target of an inline markdown link or image.
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def doc_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def markdown_files() -> list[Path]:
    return [README, *doc_pages()]


def relative_links(markdown: Path) -> list[str]:
    """Targets of the file's links outside code blocks, minus web addresses and same-page anchors."""
    text = FENCE.sub("", markdown.read_text(encoding="utf-8"))
    targets = [match.group(1) for match in LINK.finditer(text)]
    return [t for t in targets if not t.startswith(("http://", "https://", "mailto:", "#"))]


def test_there_are_docs_pages() -> None:
    assert README.is_file()
    assert doc_pages(), "docs/ holds no .md page"


def test_the_readme_is_at_most_15_kib() -> None:
    size = README.stat().st_size
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes, over {README_MAX_BYTES}"


@pytest.mark.parametrize("markdown", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_page_points_outside_the_repository(markdown: Path) -> None:
    text = markdown.read_text(encoding="utf-8")
    assert "../shared" not in text, f"{markdown.name} points at ../shared, outside the repository"
    assert "/work/" not in text, f"{markdown.name} names a path of the machine it was written on"


@pytest.mark.parametrize("markdown", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_points_at_a_file_in_the_repository(markdown: Path) -> None:
    broken = []
    for target in relative_links(markdown):
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (markdown.parent / path).resolve()
        if not resolved.is_relative_to(REPO) or not resolved.exists():
            broken.append(target)
    assert not broken, f"{markdown.relative_to(REPO)} links to missing or outside files: {broken}"


def github_anchors(markdown: Path) -> set[str]:
    """The anchors GitHub makes of the file's headings: lower-cased, punctuation dropped, spaces made hyphens."""
    text = FENCE.sub("", markdown.read_text(encoding="utf-8"))
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("markdown", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_anchor_into_a_page_names_one_of_its_headings(markdown: Path) -> None:
    text = FENCE.sub("", markdown.read_text(encoding="utf-8"))
    targets = [match.group(1) for match in LINK.finditer(text) if not match.group(1).startswith(("http:", "https:"))]
    broken = []
    for target in targets:
        path, _, anchor = target.partition("#")
        page = markdown if not path else (markdown.parent / path).resolve()
        if anchor and page.suffix == ".md" and page.is_file() and anchor not in github_anchors(page):
            broken.append(target)
    assert not broken, f"{markdown.relative_to(REPO)} links to headings that do not exist: {broken}"


def test_the_readme_links_every_docs_page() -> None:
    linked = {(README.parent / target.split("#", 1)[0]).resolve() for target in relative_links(README)}
    missing = [page.name for page in doc_pages() if page.resolve() not in linked]
    assert not missing, f"README.md does not link to docs pages: {missing}"


def test_the_readme_shows_the_console_screenshot() -> None:
    assert "docs/console.png" in relative_links(README)
    assert (DOCS / "console.png").is_file()


def test_the_readme_benchmark_table_is_copied_from_benchmarks_md_and_names_its_run() -> None:
    readme = README.read_text(encoding="utf-8")
    benchmarks = (REPO / "BENCHMARKS.md").read_text(encoding="utf-8")
    date = re.search(r"`make bench` on (\d{4}-\d{2}-\d{2})", benchmarks)
    assert date, "BENCHMARKS.md's header no longer names the date of its run"
    section = re.search(r"^## Benchmarks\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert section, "README.md has no Benchmarks section"
    assert f"from `make bench`, {date.group(1)}" in section.group(1).lower(), "the table does not name its run's date"
    rows = [line for line in section.group(1).splitlines() if line.startswith("|") and not line.startswith("|---")]
    assert len(rows) > 1, "README's Benchmarks section has no table"
    missing = [row for row in rows if row not in benchmarks.splitlines()]
    assert not missing, f"README benchmark rows not in BENCHMARKS.md: {missing}"


def test_the_benchmark_table_can_be_rebuilt_from_the_raw_figures_without_measuring_again() -> None:
    from benchmarks.__main__ import recorded, render

    report = (REPO / "BENCHMARKS.md").read_text(encoding="utf-8")
    results, command, date, machine = recorded(report)
    assert command == "make bench" and "devserver_http" in results
    assert render(results, command, date, machine) == report, "BENCHMARKS.md is not what its own raw figures render"
