"""Uncertainty of inventories and product footprints (IPCC 2006 Vol 1 ch 3; ISO 14067:2018 6.4.6)."""
