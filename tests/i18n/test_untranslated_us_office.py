"""us-office: its runs in Chinese (with report.pdf) and in English hold no untranslated text (the checks
of examplechecks.py, which this file collects for its example)."""

from __future__ import annotations

import pytest
from examplechecks import (
    test_chinese_cli_output_is_chinese,
    test_chinese_pdf_is_chinese,
    test_chinese_reports_are_chinese,
    test_english_output_and_reports_hold_no_chinese,
)

__all__ = [
    "test_chinese_cli_output_is_chinese",
    "test_chinese_reports_are_chinese",
    "test_chinese_pdf_is_chinese",
    "test_english_output_and_reports_hold_no_chinese",
]


@pytest.fixture(params=["us-office"])
def example(request) -> str:
    return request.param
