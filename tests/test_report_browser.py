"""The bureau's report, rendered by a real browser: charts drawn, text there, printable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _browser import CHROMIUM, png_pixels, run_chromium
from volunteer_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
BAR = (0x25, 0x63, 0xA8)  # the charts' bar colour


def _sample_report(folder: Path) -> Path:
    page = folder / "report.html"
    files = [EXAMPLES / "records.jsonl", EXAMPLES / "profiles.jsonl"]
    files += sorted((EXAMPLES / "community").glob("*.jsonl"))
    status = main(["report", *map(str, files), "--as-of", "2026-06-30", "-o", str(page)])
    assert status == 1  # records.jsonl holds bad lines on purpose; the report is written
    return page


def _bar_bands(width: int, height: int, channels: int, pixels: bytes) -> list[tuple[int, int]]:
    """Vertical bands (first row, last row) holding bar-coloured pixels, gaps under 30 rows merged."""
    rows = []
    for y in range(height):
        line = pixels[y * width * channels : (y + 1) * width * channels]
        hits = sum(
            1
            for x in range(0, width * channels, channels * 3)
            if abs(line[x] - BAR[0]) < 12 and abs(line[x + 1] - BAR[1]) < 12
            and abs(line[x + 2] - BAR[2]) < 12
        )  # fmt: skip
        if hits >= 2:
            rows.append(y)
    bands: list[tuple[int, int]] = []
    for y in rows:
        if bands and y - bands[-1][1] < 30:
            bands[-1] = (bands[-1][0], y)
        else:
            bands.append((y, y))
    return bands


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (CI installs it)",
)
class TestReportInBrowser:
    def test_screenshot_shows_the_charts(self, tmp_path: Path) -> None:
        """Three chart regions hold drawn bars; the DOM has the figures; it prints to PDF."""
        page = _sample_report(tmp_path)
        shot = tmp_path / "report.png"
        run_chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=900,1500",
                     page.as_uri())  # fmt: skip
        width, height, channels, pixels = png_pixels(shot.read_bytes())
        assert (width, height) == (900, 1500)
        dark = sum(1 for i in range(0, len(pixels), channels * 7) if pixels[i] < 100)
        assert dark > 2000, "the screenshot is blank"
        charts = [b for b in _bar_bands(width, height, channels, pixels) if b[1] - b[0] >= 40]
        assert len(charts) >= 3, f"expected the month, region and star charts, found {charts}"
        dom = run_chromium(tmp_path / "profile", "--dump-dom", page.as_uri()).stdout.decode()
        for needle in ("志愿服务统计报告", "按月服务时长", "按地区服务时长", "星级分布", "兴隆台区",
                       "2026-06-30", "check_in", "administrator"):  # fmt: skip
            assert needle in dom
        assert dom.count("<rect") > 30
        pdf = tmp_path / "report.pdf"
        run_chromium(tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                     page.as_uri())  # fmt: skip
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 2

    def test_blank_page_is_detected(self, tmp_path: Path) -> None:
        """The band check can fail: a page without charts has no bar bands."""
        page = tmp_path / "blank.html"
        page.write_text("<!DOCTYPE html><html><body><h1>empty</h1></body></html>", "utf-8")
        shot = tmp_path / "blank.png"
        run_chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=900,600",
                     page.as_uri())  # fmt: skip
        assert _bar_bands(*png_pixels(shot.read_bytes())) == []
