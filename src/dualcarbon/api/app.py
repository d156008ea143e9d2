"""The HTTP API's application: ``create_app(config)`` builds it over a store, with the background
runner, the size limit on request bodies, CORS (closed unless origins are given), the error shape
and the docs served from local files."""

from __future__ import annotations

import hashlib
import logging
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from dualcarbon import __version__
from dualcarbon.api import errors, uploads
from dualcarbon.api.limits import BodyLimit
from dualcarbon.api.routes import accounts, assurance, collection, compare, factors, inputs, projects, runs, sessions
from dualcarbon.api.runner import Runner
from dualcarbon.project import intake
from dualcarbon.store import Store, clean_scratch, scratch_folder
from dualcarbon.web import mount as mount_dashboard
from dualcarbon.workers import Sandbox

if TYPE_CHECKING:
    from dualcarbon.factors.library import FactorLibrary

DESCRIPTION = """dualcarbon (双碳): GHG inventories and carbon neutrality over HTTP.

Every route under `/api/` but `/api/health`, the sign-up, the sign-in and setting a password with a one-time
code takes `Authorization: Bearer dct_…` (scripts) or the session cookie of `POST /api/session` (people; with
the header `X-CSRF-Token` on POST, PUT, PATCH and DELETE).
Errors share one shape: `{"error": {"code", "message", "problems"?}}`. See docs/api.md."""
MiB = 1024 * 1024
log = logging.getLogger("dualcarbon.api")


@dataclass
class ServerConfig:
    """How the server behaves; `dualcarbon serve` fills it from its options."""

    store: str
    max_upload_bytes: int = 50 * MiB
    cors_origins: list[str] = field(default_factory=list)
    open_signup: bool = False
    workers: int = 1
    setup_token: str | None = None  # accepted once by POST /api/organisations while the store has no organisation
    # Checking one upload, in a worker process: its rows, address space and time at most (the server's
    # limits: a project's settings cannot raise them), and how many uploads are checked at once.
    max_upload_rows: int = 5_000_000
    upload_memory_bytes: int = 2048 * MiB
    upload_seconds: float = 60.0
    upload_workers: int = 2
    scratch: str | None = None  # temporary files; default: beside the store (store.scratch_folder)

    def upload_limits(self) -> uploads.UploadLimits:
        return uploads.UploadLimits(self.max_upload_rows, self.upload_memory_bytes, self.upload_seconds)


class LibraryCache:
    """The bundled factor library, loaded once on first use (one library object per server)."""

    def __init__(self) -> None:
        self._library: FactorLibrary | None = None
        self._lock = threading.Lock()

    def __call__(self) -> FactorLibrary:
        with self._lock:
            if self._library is None:
                from dualcarbon.factors.library import FactorLibrary

                self._library = FactorLibrary.load()
            return self._library


def create_app(config: ServerConfig, store: Store | None = None) -> FastAPI:
    """The API over ``store`` (opened from ``config.store`` when not given; closed with the app then)."""
    own_store = store is None
    store = store or Store.open(config.store)
    scratch = Path(config.scratch) if config.scratch else scratch_folder(store.db.location)
    runner = Runner(store, config.workers, scratch=scratch)
    sandbox = Sandbox(config.upload_workers, config.upload_memory_bytes, config.upload_seconds, warm=intake.warm)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        left = clean_scratch(scratch)  # what a killed server left: run folders, uploads being checked
        if left:
            log.warning("removed %d temporary folder(s) left in %s by an earlier server", left, scratch)
        sandbox.start()
        runner.start()
        try:
            yield
        finally:
            runner.stop()
            sandbox.stop()
            if own_store:
                store.close()

    app = FastAPI(
        title="dualcarbon API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.config = config
    app.state.store = store
    app.state.runner = runner
    app.state.sandbox = sandbox
    app.state.scratch = scratch
    app.state.library = LibraryCache()
    app.state.signup_lock = threading.Lock()
    app.state.setup_token_sha256 = (
        hashlib.sha256(config.setup_token.encode()).hexdigest() if config.setup_token else None
    )

    def signup_mode() -> str:
        if config.open_signup:
            return "open"
        if app.state.setup_token_sha256 and store.count_organisations() == 0:
            return "setup_token"
        return "closed"

    app.state.signup_mode = signup_mode
    errors.install(app)
    for router in (
        accounts.router,
        sessions.router,
        projects.router,
        runs.router,
        compare.router,
        assurance.router,
        factors.router,
        inputs.router,
        collection.router,
    ):
        app.include_router(router)
    _docs(app)
    mount_dashboard(app)  # the web dashboard at /app/ (docs/web.md)
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"],
            expose_headers=["Location"],
        )
    app.add_middleware(BodyLimit, max_bytes=config.max_upload_bytes + MiB)  # room for the multipart envelope
    return app


def _docs(app: FastAPI) -> None:
    """Swagger UI at /docs from files shipped in a Python package: nothing is fetched from a CDN."""
    assets = resources.files("fastapi_offline").joinpath("static")
    app.mount("/docs/assets", StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json",
            title="dualcarbon API",
            swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
            swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs/assets/favicon.png",
        )
