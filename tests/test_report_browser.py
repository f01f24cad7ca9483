"""index.html as a real browser renders it: headless Chromium loads the page from disk, shows
every row and figure and decodes every image (skipped when no Chromium is on PATH)."""

from __future__ import annotations

import os
import re
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
    # grouped by paper: every claim once
    assert sorted(rows) == [c["id"] for c in doc["claims"]]
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


def test_exact_values_are_shown_without_interval_or_band_in_chromium(tmp_path):
    """The rendered section of an exact bound (one deterministic run) shows no interval and no
    Monte Carlo band; its screenshot is kept next to the report for a reader to look at."""
    directory = tmp_path / "report"
    directory.mkdir()
    write_demo_report(directory)
    exe = browser()
    page = (directory / "index.html").as_uri()
    done = headless(exe, tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom", page)
    assert done.returncode == 0, done.stderr[-2000:]
    start = done.stdout.index('id="claim-demo.bound.exact"')
    end = done.stdout.find("<section", start)
    section = done.stdout[start : end if end > 0 else None]
    assert "exact values" in section
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<img[^>]*>", "", section))
    assert "95%" not in text and "Monte Carlo" not in text, text
    assert not re.search(r"(?<!no )band", text), text
    # the section alone, with the page's own stylesheet, for the screenshot
    html = (directory / "index.html").read_text()
    head = html[: html.index("<body")]
    html_start = html.rindex("<section", 0, html.index('id="claim-demo.bound.exact"'))
    html_end = html.find("</section>", html_start) + len("</section>")
    alone = directory / "exact-bound.html"
    alone.write_text(f"{head}<body><main>{html[html_start:html_end]}</main></body></html>")
    shot = directory / "exact-bound.png"
    done = headless(
        exe,
        tmp_path / "profile",
        "--window-size=1280,1400",
        f"--screenshot={shot}",
        alone.as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes().startswith(PNG_SIGNATURE)
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels[..., :3].std() > 0.05  # the section was drawn, not a blank page
