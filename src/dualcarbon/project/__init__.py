"""Project folder I/O: reading, validation, outputs."""
