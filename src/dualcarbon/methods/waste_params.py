"""IPCC 2006 Vol. 5 defaults of the waste methods, looked up once per distinct need, with their trace text.

The bundled waste table (``factors/data/ipcc2006/ipcc2006_waste_defaults.csv``, SOURCES.md §6a) keys its
rows by EFDB-derived ids (``waste/k/food_waste_sewage_sludge``) and by a free-text ``condition``; this
module names the ids each method needs and turns a published value into a number in the unit the
method expects (a percentage into a fraction), so the methods only see numbers and labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from dualcarbon.factors.ipcc_params import IpccParameters, Param

#: IPCC climate zones (``[method] climate_zone``) → how Vol. 5 Table 3.3 (k) names them in ``condition``.
CLIMATE_CONDITIONS = {
    "boreal_temperate_dry": "climate: Boreal and Temperate (MAT = 20C), Dry",
    "boreal_temperate_wet": "climate: Boreal and Temperate (MAT = 20C), Wet",
    "tropical_dry": "climate: Tropical (Mat greater than 20C) and Dry",
    "tropical_moist_wet": "climate: Tropical (Mat greater than 20C) and Wet",
}


@dataclass(frozen=True)
class Value:
    """A parameter value as a method uses it, with the factor id and the text the trace shows."""

    value: float
    factor_id: str | None
    label: str
    region: str | None = None


class WasteDefaults:
    """Look-ups of IPCC waste parameters for one project; raise LookupError with a message for people."""

    def __init__(self, params: IpccParameters, japan: IpccParameters | None = None):
        self.params = params
        # Vol. 5 Table 5.3 prints CH4 factors of incinerators measured in Japan as the defaults; the EFDB
        # files them under IPCC:Japan, which no other country's region chain reaches.
        self.japan = japan or params
        self._cache: dict[tuple, Value] = {}

    def value(
        self,
        name: str,
        key: str,
        condition: str | None = None,
        gas: str | None = None,
        note: str = "",
        unit: str | None = None,
        japan: bool = False,
    ) -> Value:
        """The parameter ``key`` as a number (``%`` → fraction), labelled ``name=value (table, note)``.

        ``unit``: the unit the method computes with (``numerator/denominator`` as published, compared
        without case and spaces); a value in another unit raises LookupError rather than being misread.
        """
        cache_key = (name, key, condition, gas, note, unit, japan)
        if cache_key not in self._cache:
            found = self._find(self.japan if japan else self.params, key, condition, gas)
            if unit is not None and _squash(found.unit) != _squash(unit):
                raise LookupError(f"{key} ({found.factor_id}) is in {found.unit}; expected {unit}")
            self._cache[cache_key] = _as_value(name, found, note)
        return self._cache[cache_key]

    def climate_value(self, name: str, key: str, zone: str, note: str) -> Value:
        """A parameter published by climate zone (Vol. 5 Table 3.3): the project's own row wins."""
        own = self.params.get(key)
        if own is not None and own.edition == "project":
            return _as_value(name, own, note)
        prefix = CLIMATE_CONDITIONS[zone]
        matches = [c for c in self.params.conditions(key) if c.startswith(prefix)]
        if not matches:
            raise LookupError(f"no IPCC parameter {key} for climate zone {zone}; add it to the project's factors/*.csv")
        return self.value(name, key, matches[0], note=f"{zone.replace('_', ' ')}, {note}" if note else zone)

    def _find(self, params: IpccParameters, key: str, condition: str | None, gas: str | None) -> Param:
        own = params.get(key, None, gas)
        if own is not None and own.edition == "project":
            return own
        found = params.get(key, condition, gas)
        if found is None:
            params.require(key, condition, gas)  # raises ParameterMissing with the regions searched
        assert found is not None
        return found


def _squash(unit: str) -> str:
    return "".join(unit.lower().split())


def _as_value(name: str, param: Param, note: str) -> Value:
    unit = param.unit_numerator.strip().lower()
    value = param.value / 100.0 if unit.startswith("%") else param.value
    where = "project factors" if param.edition == "project" else param.table
    if param.region and param.region != "GLOBAL":
        where += f", {param.region.removeprefix('IPCC:')}"
    shown = f"{param.value:g} %" if unit.startswith("%") else f"{param.value:g}"
    if param.unit_denominator or (unit and not unit.startswith(("%", "fraction"))):
        shown += f" {param.unit}"
    return Value(value, param.factor_id, f"{name}={shown} ({where}{', ' + note if note else ''})", param.region)
