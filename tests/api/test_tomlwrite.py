"""Settings sent as JSON are written as TOML that reads back to the same data."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from dualcarbon.api import tomlwrite
from dualcarbon.errors import InputError


def test_json_settings_read_back_the_same():
    data = {
        "organization": {"name": '某水泥有限公司 "北厂"', "country": "CN", "sector": "1.A.2"},
        "period": {"start": "2024-01-01", "end": "2024-12-31"},
        "method": {"gwp": "AR5", "factor_sets": ["gbt32150", "ipcc2006"], "proxy_regions": []},
        "spend": {"exchange_rates": {"CNY": {"2024": 0.14}}, "price_index_name": None},
        "neutrality": {
            "standard": "PAS2060",
            "exclusions": [
                {"category": "3.4", "reason": "未量化", "estimate_t": 1.5e4},
                {"category": "3.6", "reason": "差旅", "flag": True},
            ],
        },
        "流域": {"面积": 12},
    }
    text = tomlwrite.dumps(data)
    back = tomllib.loads(text)
    assert back["period"] == {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)}  # written as TOML dates
    back["period"] = data["period"]
    expected = {**data, "spend": {"exchange_rates": {"CNY": {"2024": 0.14}}}}  # null left out
    assert back == expected
    assert "[[neutrality.exclusions]]" in text


def test_values_toml_cannot_hold_are_refused_with_their_place():
    with pytest.raises(InputError) as caught:
        tomlwrite.dumps({"method": {"factor_sets": [["nested", {"x": 1}]]}})
    assert caught.value.problems[0].column == "method.factor_sets"
