"""The dashboard's test harness: the real server (uvicorn, the API app with its runner) in a thread
on a free port of 127.0.0.1, over a fresh store; and helpers a test uses to drive the pages."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI

from dualcarbon.api import ServerConfig, create_app
from dualcarbon.store import Store
from dualcarbon.store.accounts import hash_password

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples"
SETUP_TOKEN = "dcs_web-test-setup-token"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
PASSWORD = "瓦片 tiles 2024 long"  # every person's password in the browser tests
# how the pages write t CO2e (dualcarbon.figures): whole tonnes from 100 t (12,346), 2 decimals below (99.76)
CO2E = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d{3})$|^-?\d{1,2}\.\d{2}$")
ROUNDING_T = 0.5  # the most a figure shown in a table is from the exact value


@dataclass
class Served:
    """A running server: its base URL and its app (whose store a test may fill directly)."""

    url: str
    app: FastAPI

    @property
    def store(self) -> Store:
        return self.app.state.store


@contextmanager
def serve(location: str, **config) -> Iterator[Served]:
    """``dualcarbon serve``'s app over the store at ``location``, until the block ends.

    The listening socket is bound before the server thread starts, so a request made at once waits
    in the socket's backlog until the app has started (no polling for readiness).
    """
    # one upload worker, not the server's two: each is a process that imports the readers (about 2 CPU s)
    app = create_app(ServerConfig(store=location, setup_token=SETUP_TOKEN, **({"upload_workers": 1} | config)))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=30))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=90)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"


def is_local(url: str) -> bool:
    """Whether a URL the page asked for stays on this machine (or in the page: data:, blob:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


def ready(page, view: str, lang: str | None = None, timeout_ms: int = 60_000) -> None:
    """Wait until the view ``view`` (the page's data-view) has finished drawing, in ``lang`` if given."""
    selector = f'.page[data-view="{view}"][data-ready="true"]'
    if lang:
        selector += f'[data-lang="{lang}"]'
    page.wait_for_selector(selector, timeout=timeout_ms)


def tab_ready(page, tab: str, lang: str | None = None, timeout_ms: int = 60_000) -> None:
    """Wait until a run's tab (inventory, neutrality, pathway) has finished drawing."""
    lang_part = f'[data-lang="{lang}"]' if lang else ""
    page.wait_for_selector(
        f'.page[data-view="run"][data-ready="true"]{lang_part} .tab-body[data-tab="{tab}"]', timeout=timeout_ms
    )


def person(server: Served, organisation: str, name: str, login: str) -> tuple[dict, dict, str]:
    """An organisation whose admin signs in with ``login`` and ``PASSWORD`` (as `dualcarbon org create
    --login` makes one): (organisation, admin, the admin's API token)."""
    return server.store.create_organisation(organisation, name, None, login, hash_password(PASSWORD))


def log_in(page, url: str, login: str, password: str = PASSWORD) -> None:
    """Sign in on the login page with a name and a password, as a person does."""
    page.goto(f"{url}/app/#/login")
    ready(page, "login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("[data-testid=password-login-form] button[type=submit]")
    ready(page, "projects")


def log_in_with_token(page, url: str, token: str) -> None:
    """Paste an API token into the login page's second form (for scripts' users and testing)."""
    page.goto(f"{url}/app/#/login")
    ready(page, "login")
    page.click("[data-testid=token-login] summary")
    page.fill("#token", token)
    page.click("[data-testid=login-form] button[type=submit]")
    ready(page, "projects")


def tonnes(text: str) -> float:
    """A figure as the page shows it (whole tonnes from 100 t, else 2 decimals; thousands separators)
    read back as a number; it is within ``ROUNDING_T`` of the exact value."""
    text = text.strip()
    assert CO2E.match(text), f"not a figure in t CO2e as the pages write it: {text!r}"
    return float(text.replace(",", ""))


def cells(page, rows_selector: str, attribute: str, key: str) -> dict[str, str]:
    """``{row's attribute: text of its cell data-key=key}`` for the rows a selector finds."""
    return page.eval_on_selector_all(
        rows_selector,
        "(rows, [attribute, key]) => Object.fromEntries(rows.map((r) => "
        "[r.getAttribute(attribute), r.querySelector(`td[data-key='${key}']`).textContent]))",
        [attribute, key],
    )
