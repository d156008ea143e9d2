"""The bundled examples' runs for the untranslated-text tests, made once per session (tests/exampleruns.py)."""

from __future__ import annotations

import pytest
from exampleruns import example_outputs


class _Runs:
    """``runs[(example, lang)]``: the example's outputs in ``lang``, made when first asked for."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._factory = tmp_path_factory

    def __getitem__(self, key: tuple[str, str]) -> dict:
        return example_outputs(self._factory, *key)


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> _Runs:
    """Each example copied and run in zh (with report.pdf) and in en, and planned (``pathway``)."""
    return _Runs(tmp_path_factory)
