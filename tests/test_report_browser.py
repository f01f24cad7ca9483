"""index.html as a real browser renders it: headless Chromium loads the page from disk, shows
every row and figure and decodes every image (skipped when no Chromium is on PATH)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from report_demo import parse, write_demo_report

from proofs_checks.results import read_results

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Injected into a copy of the page only (the report itself runs no script): after load, record
# how many images the browser actually decoded.
PROBE = (
    "<script>window.addEventListener('load', () => document.body.setAttribute("
    "'data-decoded', [...document.images].filter(i => i.complete && i.naturalWidth > 0)"
    ".length));</script>"
)


def browser() -> str | None:
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def headless(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [exe, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(profile)},
    )


@pytest.mark.skipif(
    browser() is None,
    reason="no headless Chromium on PATH (apt-get install chromium); the rendered-page check "
    "was skipped",
)
def test_page_renders_in_headless_chromium(tmp_path):
    directory = tmp_path / "report"
    directory.mkdir()
    write_demo_report(directory)
    doc = read_results(directory / "results.json")
    exe = browser()
    probe = directory / "probe.html"
    probe.write_text((directory / "index.html").read_text().replace("</body>", PROBE + "</body>"))
    try:
        done = headless(
            exe, tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()
        )
    finally:
        probe.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
    dom = parse(done.stdout)
    rows = [a["data-claim"] for a in dom.find("tr") if "data-claim" in a]
    assert rows == [c["id"] for c in doc["claims"]]
    assert dom.find("table", id="summary-table", **{"class": "summary"})
    figures_shown = {a["alt"] for a in dom.find("img", **{"class": "figure"})}
    assert figures_shown == {f"Figure: {c['id']}" for c in doc["claims"] if c["figure"]}
    (body,) = dom.find("body")
    assert int(body["data-decoded"]) == len(dom.find("img")) > len(figures_shown)

    shot = tmp_path / "page.png"
    done = headless(
        exe,
        tmp_path / "profile",
        "--window-size=1280,2000",
        f"--screenshot={shot}",
        (directory / "index.html").as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    png = shot.read_bytes()
    assert png.startswith(PNG_SIGNATURE) and int.from_bytes(png[16:20], "big") == 1280
