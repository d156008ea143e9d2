"""Chromium for the tests that print report.pdf: found, or the test is skipped on a developer's machine
without it, and fails under CI, whose .ci/run installs it."""

from __future__ import annotations

import os

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
