"""thermal-plant: its runs in Chinese (with report.pdf) and in English hold no untranslated text (the checks
of examplechecks.py, which this file collects for its example)."""

import pytest
from examplechecks import *  # noqa: F403 - the checks, collected here for this example


@pytest.fixture(params=["thermal-plant"])
def example(request) -> str:
    return request.param
