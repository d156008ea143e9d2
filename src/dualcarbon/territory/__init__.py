"""Territories (districts, cities, provinces): GPC and IPCC classification and totals (docs/territory.md)."""
