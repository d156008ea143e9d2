"""Chromium for the tests that print report.pdf: found, or the test is skipped on a developer's machine
without it, and fails under CI, whose .ci/run installs it; and the one Chromium that every browser test
of a test session drives (``browser``): Playwright's sync API allows one running instance per thread,
so a second ``sync_playwright()`` in the same worker fails ("Sync API inside the asyncio loop")."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dualcarbon.report import pdf


def engine_or_skip() -> str:
    """The Chromium executable that prints report.pdf."""
    try:
        return pdf.find_engine()
    except pdf.PdfEngineMissing:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium (see .ci/run)")
        pytest.skip("no Chromium: apt-get install chromium fonts-noto-cjk")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """Chromium from Debian's package (.ci/run installs it); skipped only outside CI when missing."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (.ci/run installs chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()
