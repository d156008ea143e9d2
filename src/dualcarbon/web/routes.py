"""The dashboard's routes: the page at ``/app/`` and the files it loads. None of them reads data of
an organisation: the page asks ``/api/`` for that with the token the user gave it."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from dualcarbon import __version__
from dualcarbon.i18n import languages
from dualcarbon.project import examples
from dualcarbon.report.pdf import engine_available
from dualcarbon.web import assets

IMMUTABLE = "public, max-age=31536000, immutable"
# What a page may load: only this origin. Plotly sets styles on its elements, hence 'unsafe-inline'
# for styles (never for scripts).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

router = APIRouter(include_in_schema=False)
_templates = Environment(
    loader=PackageLoader("dualcarbon.web", "templates"), autoescape=True, undefined=StrictUndefined
)


def mount(app: FastAPI) -> None:
    """Serve the dashboard from ``app``: the page at ``/app/``, ``/`` leading there."""
    app.include_router(router)


def _send(request: Request, asset: assets.Asset, cache_control: str) -> Response:
    headers = {
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.data, media_type=asset.media_type, headers=headers)


@router.get("/")
def root(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/app/", status_code=307)


@router.get("/app")
def app_no_slash(request: Request) -> RedirectResponse:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/app/", status_code=307)


@router.api_route("/app/", methods=["GET", "HEAD"])
def page(request: Request) -> HTMLResponse:
    """The dashboard's one HTML page; its script draws every view."""
    root = request.scope.get("root_path", "")
    plotly_version, _ = assets.plotly_js()
    version = assets.version()
    html = _templates.get_template("index.html.j2").render(
        root=root,
        assets=f"{root}/app/static/{version}/",
        i18n=f"{root}/app/i18n/{version}/",
        plotly=f"{root}/app/vendor/plotly-{plotly_version}.min.js",
        languages=languages(),
        examples=examples.projects(),
        version=__version__,
        pdf=engine_available(),  # whether runs may print report.pdf on this server
    )
    return HTMLResponse(html, headers=PAGE_HEADERS)


@router.get("/app/static/{version}/{path:path}")
def static(version: str, path: str, request: Request) -> Response:
    """The page's own files; cached for good under the current version, revalidated under any other."""
    asset = assets.static_files().get(path)
    if asset is None:
        raise HTTPException(404, f"no file {path!r} in the dashboard")
    return _send(request, asset, IMMUTABLE if version == assets.version() else "no-cache")


@router.get("/app/i18n/{version}/{lang}.json")
def messages(version: str, lang: str, request: Request) -> Response:
    """The pages' strings in one language."""
    if lang not in languages():
        raise HTTPException(404, f"no language {lang!r}; there are: {', '.join(languages())}")
    return _send(request, assets.messages(lang), IMMUTABLE if version == assets.version() else "no-cache")


@router.get("/app/vendor/plotly-{version}.min.js")
def plotly(version: str, request: Request) -> Response:
    """plotly.js from the installed plotly package: the charts need no CDN."""
    current, asset = assets.plotly_js()
    return _send(request, asset, IMMUTABLE if version == current else "no-cache")
