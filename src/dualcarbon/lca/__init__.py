"""Product footprints on a matrix LCA engine (ISO 14067:2018; ISO 14044:2006 4.3, the matrix method)."""
