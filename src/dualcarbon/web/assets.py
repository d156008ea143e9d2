"""The dashboard's files: its own static files (HTML shell, CSS, JavaScript modules), plotly.js from
the installed plotly package, and the message catalogues as JSON. Everything is read from installed
packages, once, and addressed by a content hash so that browsers may cache it for good."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath

from dualcarbon.i18n import catalogue, languages
from dualcarbon.project import examples
from dualcarbon.report.territory import ipcc_names

STATIC = resources.files("dualcarbon.web").joinpath("static")
DATA = resources.files("dualcarbon.factors").joinpath("data")
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
# Catalogue keys the pages use besides their own ``web.*`` (shared with the report, same wording).
SHARED_PREFIXES = (
    "web.",
    "financed.",
    "cite.",
    "totals.",
    "scope.",
    "unit.",
    "col.",
    "section.",
    "boundary.",
    "note.",
    "neutrality.",
    "check.",
    "facility.",
    "topn.",
    "header.",
    "locale.",
    "methods.",
    "territory.",
    "gpc.",
    "ipcc.",
    "trend.",
    "report.indicator.",
    "pathway.chart.",
    "pathway.series.",
    "pathway.unit.intensity_",
    "fiscal.",  # the pathway page's plan without support
    "report.unit_note",
    "fx.gas_group.",
    "fsearch.",
    "settings_editor.",
    "rows.",
    "org.scope2_value.",
    "report.label_value",
    "term.",
    "fig.",
    "fx.",  # the gas groups the gases chart names
    "chart.",  # the charts' legends
    "report2.",  # report.pdf offered on the run pages
    "compare.",  # the run's year-on-year tab (docs/compare.md)
    "cli.item",
    "plan.",
    "intensity.",
    "product.web.",  # the product page (issue 17), with the report's labels it shares
    "product.report.",
    "product.boundary.",
    "product.claim.",
    "template.",  # the templates' download on the upload form
    "validate.",  # the problems' download
)


@dataclass(frozen=True)
class Asset:
    """One file as served: its bytes, gzip-compressed bytes (None when not worth it) and media type."""

    data: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


def _asset(data: bytes, media_type: str) -> Asset:
    packed = gzip.compress(data, compresslevel=6, mtime=0) if len(data) > 1024 else None
    if packed is not None and len(packed) >= len(data):
        packed = None
    return Asset(data, packed, media_type, f'"{hashlib.sha256(data).hexdigest()[:32]}"')


def _walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    """Every file under ``folder`` as (path relative to it, entry), in name order."""
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            yield from _walk(entry, f"{prefix}{entry.name}/")
        elif not entry.name.startswith("."):
            yield f"{prefix}{entry.name}", entry


@cache
def static_files() -> dict[str, Asset]:
    """``{relative path: Asset}`` of the dashboard's own files (``web/static``)."""
    files = {}
    for path, entry in _walk(STATIC):
        media = MEDIA_TYPES.get(PurePosixPath(path).suffix, "application/octet-stream")
        files[path] = _asset(entry.read_bytes(), media)
    return files


@cache
def plotly_js() -> tuple[str, Asset]:
    """plotly.js as bundled by the installed plotly package, and its version (for the URL)."""
    import plotly.offline

    version = plotly.offline.get_plotlyjs_version()
    return version, _asset(plotly.offline.get_plotlyjs().encode("utf-8"), MEDIA_TYPES[".js"])


@cache
def messages(lang: str) -> Asset:
    """The pages' strings in ``lang`` as JSON: the catalogue's keys the dashboard uses, plus the names
    of emission categories (``category.<scheme>.<code>``) and gases (``gas.<id>``) from the bundled
    data files, so a page names a category exactly as the report does, and of every bundled example
    (``web.example.<name>``, ``project.examples.title``)."""
    fallback = catalogue("en")
    chosen = catalogue(lang)
    texts = {k: chosen.get(k) or v for k, v in fallback.items() if k.startswith(SHARED_PREFIXES)}
    with DATA.joinpath("categories.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts[f"category.{row['scheme']}.{row['code']}"] = row[f"name_{lang}"] or row["name_en"]
    with DATA.joinpath("gases.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            texts[f"gas.{row['gas']}"] = row[f"name_{lang}"] or row["name_en"]
    for code, name in ipcc_names(lang).items():
        texts.setdefault(f"ipcc.category.{code}", name)
    for name in examples.names():
        texts[f"web.example.{name}"] = examples.title(name, lang)
    body = json.dumps({"lang": lang, "messages": texts}, ensure_ascii=False, sort_keys=True)
    return _asset(body.encode("utf-8"), MEDIA_TYPES[".json"])


@cache
def version() -> str:
    """A hash over everything the pages load but plotly.js (which has its own version): the static
    files and the catalogues. It changes whenever one of them does, so URLs carrying it never go stale."""
    digest = hashlib.sha256()
    for path, asset in static_files().items():
        digest.update(path.encode() + b"\0" + asset.etag.encode())
    for lang in languages():
        digest.update(messages(lang).etag.encode())
    return digest.hexdigest()[:16]
