"""The documentation site builds strictly, works from disk, and none of its links is broken."""

from __future__ import annotations

import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None,
    reason="mkdocs is not installed (the docs extra)",
)


class _Links(HTMLParser):
    """Collects every href/src and every element id of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src"):
                self.links.append(value)
            if name == "id":
                self.ids.add(value)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built with ``mkdocs build --strict`` (a warning fails the build)."""
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(  # noqa: S603  # this environment's mkdocs
        [str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _pages(site: Path) -> dict[Path, _Links]:
    parsed = {}
    for page in site.rglob("*.html"):
        links = _Links()
        links.feed(page.read_text(encoding="utf-8"))
        parsed[page] = links
    return parsed


def broken_links(site: Path) -> list[str]:
    """Relative links of the site whose file, or #fragment on that file, does not exist."""
    pages = _pages(site)
    broken = []
    for page, links in pages.items():
        if page.name == "404.html":  # served at any depth, so its links are absolute
            continue
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {link}")
                continue
            anchors = pages[target].ids if target in pages else None
            if parts.fragment and anchors is not None and unquote(parts.fragment) not in anchors:
                broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    return broken


def test_every_internal_link_resolves(site: Path) -> None:
    """Every relative href/src names a file of the site, and every #fragment an id on it."""
    assert broken_links(site) == []


def test_the_link_check_finds_broken_links(tmp_path: Path) -> None:
    """A missing page and a missing anchor are both reported; good links are not."""
    (tmp_path / "a.html").write_text(
        '<h1 id="top">A</h1><a href="b.html#top">ok</a><a href="b.html#nope">x</a>'
        '<a href="gone.html">y</a><a href="https://example.org/">z</a>'
    )
    (tmp_path / "b.html").write_text('<h1 id="top">B</h1><a href="a.html">back</a>')
    assert broken_links(tmp_path) == ["a.html: b.html#nope (no such anchor)", "a.html: gone.html"]


def test_site_works_from_disk(site: Path) -> None:
    """Pages are files (not directories) and search works without a server (offline plugin)."""
    assert (site / "getting-started.html").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "search" in index
    assert (site / "search" / "search_index.js").is_file()  # loaded by a <script>, no fetch


def test_api_reference_is_generated(site: Path) -> None:
    """The API reference is rendered from the docstrings (mkdocstrings)."""
    reference = (site / "reference" / "core.html").read_text(encoding="utf-8")
    assert 'id="railguard.Failure"' in reference
    assert "Stable machine code, unique across the catalog." in reference


def test_no_escaped_pipes_render(site: Path) -> None:
    """Table cells show `Failure | None`, never a literal backslash before the bar."""
    for page in site.rglob("*.html"):
        assert "\\|" not in page.read_text(encoding="utf-8"), page
