"""Targets, projections, abatement measures and the least-cost pathway (docs/pathway.md).

The core of issue 4's pathway part: frames and typed records in, frames and typed records
out, no file I/O. ``sources`` (base emissions and selectors), ``targets`` (templates and
trajectories), ``projection`` (business as usual, peak year), ``measures`` (measure records
and the MACC), ``optimize`` (the HiGHS model) and ``charts`` (plotly figures).
"""
