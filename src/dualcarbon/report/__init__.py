"""Reports of an inventory: a self-contained HTML document (``report.html``)."""

from dualcarbon.report.html import render_report

__all__ = ["render_report"]
