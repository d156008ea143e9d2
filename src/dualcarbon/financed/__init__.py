"""Financed emissions of a portfolio or loan book (PCAF Part A, 2nd edition, 2022; docs/financed.md)."""
