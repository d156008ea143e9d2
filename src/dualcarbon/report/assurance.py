"""The report of a locked or signed run: its stored report.html with the report number under the title,
the evidence of its inputs in the data-quality section, and (once signed) the verification block
before the footer. The stored report is never changed: these are new outputs of the run
(``report-locked.html``, ``report-verified.html``, and their PDFs when the run printed one)."""

from __future__ import annotations

import re

from dualcarbon.i18n import languages, translator
from dualcarbon.report.html import _environment

_LANG = re.compile(r'<html lang="([A-Za-z]+)')
_SUBTITLE = re.compile(r'<p class="subtitle">.*?</p>\n?', re.S)
_QUALITY = '<section id="data-quality">'
_FOOTER = "<footer>"


def report_lang(html: str) -> str:
    """The language a stored report was written in (its ``<html lang>``), English when unknown."""
    match = _LANG.search(html)
    lang = match[1].lower().split("-")[0] if match else "en"
    return lang if lang in languages() else "en"


def _insert(html: str, at: int, block: str) -> str:
    return html[:at] + block + html[at:]


def assured_report(html: str, lock: dict, evidence: list[dict], signature: dict | None = None) -> str:
    """``html`` (a stored report.html) with the blocks of assurance added.

    ``lock``: ``report_number``, ``locked_on``, ``locked_by_name``; ``evidence``: rows with ``filename``,
    ``description``, ``target`` (what it supports, as text), ``uploaded_by_name``, ``uploaded_on``,
    ``sha256``; ``signature``: ``signer_name``, ``signer_organisation``, ``signed_on``, ``statement``,
    ``covered_sha256``, ``open_findings`` and the counts ``inputs``, ``factor_sets``, ``outputs``.
    A report without the places the blocks go (a product footprint's) gets them before ``</main>``.
    """
    t = translator(report_lang(html))
    blocks = _environment().get_template("assurance.html.j2").module
    end = html.rfind("</main>")
    end = end if end >= 0 else len(html)
    if signature is not None:
        footer = html.rfind(_FOOTER)
        html = _insert(html, footer if footer >= 0 else end, str(blocks.verification(t, signature)))  # type: ignore[attr-defined]
    quality = html.find(_QUALITY)
    listing = str(blocks.evidence(t, evidence))  # type: ignore[attr-defined]
    if quality >= 0:
        html = _insert(html, html.find("</section>", quality), listing)
    else:
        html = _insert(html, html.rfind("</main>") if "</main>" in html else len(html), listing)
    subtitle = _SUBTITLE.search(html)
    number = str(blocks.number(t, lock))  # type: ignore[attr-defined]
    if subtitle:
        return _insert(html, subtitle.end(), number)
    body = html.find("<main>")
    return _insert(html, body + len("<main>") if body >= 0 else 0, number)


_DETAILS = re.compile(r"<details(?![^>]*\bopen\b)([^>]*)>")
# The print layout's own rule (sections/style.html.j2 under ``print_layout``), as report.pdf is printed.
_PRINT_RULE = "main { max-width: 182mm; margin: 0; padding: 0; }\n"


def print_variant(html: str) -> str:
    """A stored report.html laid out as ``report.pdf`` is printed from (``render_report(print_layout=True)``):
    every collapsible part open and the page as wide as A4's printable area."""
    html = _DETAILS.sub(r"<details open\1>", html)
    style = html.find("</style>")
    return html if style < 0 else _insert(html, style, _PRINT_RULE)
