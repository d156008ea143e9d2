"""``report.pdf``: the HTML report printed by headless Chromium.

The charts are the report's inline SVG, so the PDF holds the same charts as ``report.html``; Chromium
lays out Chinese text with the system's CJK fonts (Debian ``fonts-noto-cjk``). It is started
with no network (background services off, every host name unresolvable) on a copy of the
document in a temporary folder, with a fresh profile, and prints A4 pages as the report's
``@page`` rules say (page numbers in the bottom margin, the headings as PDF bookmarks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from dualcarbon.errors import DualCarbonError

ENGINE_ENV = "DUALCARBON_CHROMIUM"  # path of a Chromium or Chrome executable, if not on PATH
EXECUTABLES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
INSTALL_HINT = (
    "install Chromium and CJK fonts (Debian/Ubuntu: apt-get install chromium fonts-noto-cjk), "
    f"or set {ENGINE_ENV} to a Chromium or Chrome executable"
)
TIMEOUT_S = 180
# Width of the printable area of A4 with the report's 14 mm side margins (182 mm at 96 px/in):
# the charts are laid out at the width they are printed at.
WINDOW = "688,1000"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    f"--window-size={WINDOW}",
    "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
    "--run-all-compositor-stages-before-draw",
]


class PdfEngineMissing(DualCarbonError, RuntimeError):
    """Raised when ``--pdf`` is asked for and no Chromium executable is found."""

    def __init__(self, searched: list[str], kept: bool = False):
        self.searched, self.kept = searched, kept
        why = (
            "the output folder holds a report.pdf of an earlier run, which is printed again with the new report "
            "(--no-pdf removes it instead); "
            if kept
            else ""
        )
        super().__init__(
            f"{why}PDF output needs headless Chromium; none found (looked for {', '.join(searched)}): {INSTALL_HINT}"
        )


class PdfRenderError(DualCarbonError, RuntimeError):
    """Raised when Chromium ran but wrote no PDF (its exit code and last output lines are kept)."""

    def __init__(self, returncode: int | None, output: str):
        self.returncode, self.output = returncode, output
        tail = "\n".join(output.strip().splitlines()[-5:])
        super().__init__(f"Chromium wrote no PDF (exit code {returncode}): {tail}")


def find_engine() -> str:
    """The Chromium executable: ``$DUALCARBON_CHROMIUM``, else the first of ``EXECUTABLES`` on PATH."""
    configured = os.environ.get(ENGINE_ENV)
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise PdfEngineMissing([f"{ENGINE_ENV}={configured}"])
        return found
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfEngineMissing(EXECUTABLES)


def engine_available() -> bool:
    """Whether report.pdf can be printed here: a Chromium executable is found (``find_engine``)."""
    try:
        find_engine()
    except PdfEngineMissing:
        return False
    return True


def cjk_font_installed() -> bool | None:
    """Whether fontconfig knows a font for Chinese (None when ``fc-list`` itself is not installed)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60, check=False)
    return bool(listed.stdout.strip())


def html_to_pdf(html: str, engine: str | None = None, timeout_s: float = TIMEOUT_S) -> bytes:
    """The PDF of a self-contained HTML document, printed by headless Chromium."""
    executable = engine or find_engine()
    with tempfile.TemporaryDirectory(prefix="dualcarbon-pdf-") as folder:
        tmp = Path(folder)
        page, pdf = tmp / "report.html", tmp / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [executable, *FLAGS, f"--user-data-dir={tmp / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=timeout_s,
                check=False,
                env=os.environ | {"HOME": str(tmp)},
            )  # (a profile and caches of its own)
        except subprocess.TimeoutExpired as exc:
            raise PdfRenderError(None, f"no PDF after {timeout_s:.0f} s") from exc
        data = pdf.read_bytes() if pdf.is_file() else b""
        if not data.startswith(b"%PDF"):
            raise PdfRenderError(done.returncode, done.stderr or done.stdout)
        return data
