"""The HTML drift report in a real browser: Debian's chromium, headless, with the network
blocked, renders every column row and decodes every inline plot."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mlops_gitops.monitoring import detect_drift, write_report
from mlops_gitops.monitoring.report import HTML_FILE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="SKIPPED LOUDLY: chromium is not installed (Debian package `chromium`; "
    ".ci/test.sh installs it)",
)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.figures: list[str] = []
        self.sources: list[tuple[str, str]] = []
        self.body: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-column" in found:
            self.rows.append(found["data-column"] or "")
        if tag == "figure":
            self.figures.append(found.get("data-column") or "")
        if tag == "body":
            self.body = found
        for name in ("src", "href"):
            if found.get(name):
                self.sources.append((tag, found[name] or ""))


def parse(html: str) -> _Collect:
    collect = _Collect()
    collect.feed(html)
    return collect


def test_report_is_one_file_that_loads_nothing_from_anywhere(tmp_path: Path, small) -> None:
    result = detect_drift(*small)
    paths = write_report(result, tmp_path)
    html = (tmp_path / HTML_FILE).read_text()
    assert tmp_path / HTML_FILE in paths
    page = parse(html)
    assert sorted(page.rows) == sorted(c.name for c in result.columns)
    assert page.figures  # every column with a histogram has its plot
    assert all(src.startswith("data:image/png;base64,") for _, src in page.sources)
    assert not re.search(r"<link|@import|url\(|https?://", html)
    assert "default-src 'none'" in html


@needs_chromium
def test_chromium_renders_every_row_and_every_image_offline(tmp_path: Path, small) -> None:
    result = detect_drift(*small)
    write_report(result, tmp_path / "report")
    page = tmp_path / "report" / HTML_FILE
    assert CHROMIUM is not None
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            # nothing may come from a network: every host resolves nowhere, every proxy is dead
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = parse(done.stdout)
    assert sorted(dom.rows) == sorted(c.name for c in result.columns)
    expected = sum(1 for c in result.columns if c.histogram is not None)
    assert expected > 0 and len(dom.figures) == expected
    # the page's own script counted the decoded images (naturalWidth > 0) after load
    assert dom.body.get("data-images-loaded") == f"{expected}/{expected}"
    verdict = re.search(r'id="verdict">([^<]+)<', done.stdout)
    assert verdict is not None and verdict.group(1) == result.headline()
