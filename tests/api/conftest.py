"""The ``world`` fixture of the API tests (see apiworld.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stores
from apiworld import World, world_on


@pytest.fixture(scope="module", params=stores.BACKENDS)
def world(request, tmp_path_factory) -> Iterator[World]:
    with world_on(request.param, tmp_path_factory.mktemp("store")) as made:
        yield made
