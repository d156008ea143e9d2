"""A real browser for the dashboard's tests: Debian's Chromium, headless, driven by Playwright's sync
API (never a browser Playwright downloads). Every page records the requests it makes and its script
errors; a test fails if any request left this machine, or a script failed or broke the page's
Content-Security-Policy."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner
from webserver import EXAMPLES, is_local


class PageWatch:
    """What a page did that a test must see fail: requests off this machine, script errors."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []

    def outside(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def page(browser, watch: PageWatch):
    """A fresh browser context (no storage, Chinese locale) and page, watched by ``watch``."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.on("request", lambda request: watch.requests.append(request.url))
    new = context.new_page()
    new.set_default_timeout(30_000)
    new.on("pageerror", lambda error: watch.errors.append(f"script error: {error}"))

    def console(message) -> None:
        text = message.text
        # An API answering 404 or 422 is logged by Chromium as a failed resource: the pages show those.
        if "Content Security Policy" in text or (message.type == "error" and "Failed to load resource" not in text):
            watch.errors.append(f"console {message.type}: {text}")

    new.on("console", console)
    yield new
    context.close()
    assert watch.requests, "the page made no request at all: the watch is not recording"
    assert watch.outside() == [], f"requests left this machine: {watch.outside()}"
    assert watch.errors == [], watch.errors


@pytest.fixture(scope="session")
def cli_dairy(tmp_path_factory) -> dict[str, bytes]:
    """The dairy example run by the CLI in English: its outputs by file name."""
    from dualcarbon.cli import app as cli

    root = tmp_path_factory.mktemp("cli-dairy") / "dairy"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(root), "--example", "dairy"]).exit_code == 0
    result = runner.invoke(cli, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    outputs = {p.name: p.read_bytes() for p in (root / "out").iterdir()}
    assert json.loads(outputs["summary.json"])["totals"]["total_location"] > 0
    assert (EXAMPLES / "dairy" / "activities.csv").is_file()
    return outputs
