"""Disclosure exports: the fields of CDP, ESRS E1, IFRS S2 and the Chinese exchanges' guidelines,
filled from a run's outputs (docs/disclosure.md)."""
