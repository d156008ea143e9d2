"""What the dashboard's routes serve, without a browser: the page and its strict
Content-Security-Policy, its files (all local, cached for good under a content hash, compressed,
revalidated by ETag), plotly.js from the plotly package, and the strings of both languages, every
key the scripts ask for included."""

from __future__ import annotations

import gzip
import re
import warnings

import pytest

with warnings.catch_warnings():  # starlette's TestClient announces a move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from dualcarbon.api import ServerConfig, create_app
from dualcarbon.i18n import catalogue, languages
from dualcarbon.project import examples
from dualcarbon.web import assets

URL = re.compile(r"https?://", re.IGNORECASE)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(ServerConfig(store=str(tmp_path_factory.mktemp("store") / "store.duckdb")))
    with TestClient(app) as made:
        yield made


def test_the_root_leads_to_the_dashboard_page(client):
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 307 and answer.headers["location"] == "/app/"
    assert client.get("/app", follow_redirects=False).headers["location"] == "/app/"
    page = client.get("/app/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp and "connect-src 'self'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert page.headers["cache-control"] == "no-cache" and page.headers["x-frame-options"] == "DENY"
    assert client.head("/app/").status_code == 200


def test_every_resource_the_page_names_is_on_this_server(client):
    html = client.get("/app/").text
    assert not URL.search(html)
    version = assets.version()
    referenced = re.findall(r'(?:src|href|data-i18n|data-plotly)="([^"]+)"', html)
    assert f"/app/static/{version}/app.css" in referenced and f"/app/static/{version}/js/main.js" in referenced
    for path in referenced:
        if path.startswith(("#", "data:")) or path.endswith("/"):
            continue
        assert path.startswith("/app/"), path
        assert client.get(path).status_code == 200, path
    for path, asset in assets.static_files().items():  # the scripts and styles name no other site
        assert not URL.search(asset.data.decode("utf-8")), path
        assert client.get(f"/app/static/{version}/{path}").status_code == 200


def test_files_are_cached_for_good_under_their_hash_and_revalidated(client):
    version = assets.version()
    script = client.get(f"/app/static/{version}/js/main.js", headers={"Accept-Encoding": "identity"})
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["content-type"].startswith("text/javascript")
    assert (
        client.get(f"/app/static/{version}/js/main.js", headers={"If-None-Match": script.headers["etag"]}).status_code
        == 304
    )
    stale = client.get("/app/static/0000000000000000/js/main.js")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    missing = client.get(f"/app/static/{version}/js/nothing.js")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get(f"/app/static/{version}/..%2F..%2Fapi%2Fhealth").status_code == 404


def test_plotly_comes_from_the_installed_plotly_package_compressed(client):
    import plotly.offline

    version, _ = assets.plotly_js()
    raw = client.get(f"/app/vendor/plotly-{version}.min.js", headers={"Accept-Encoding": "gzip"})
    assert raw.status_code == 200 and raw.headers["content-encoding"] == "gzip"
    assert raw.headers["cache-control"].endswith("immutable")
    assert raw.content == plotly.offline.get_plotlyjs().encode("utf-8")  # httpx decompresses
    plain = client.get(f"/app/vendor/plotly-{version}.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw.content
    assert len(assets.plotly_js()[1].gzipped) < len(plain.content) / 2
    assert gzip.decompress(assets.plotly_js()[1].gzipped) == plain.content


def test_both_languages_have_every_string_the_scripts_use(client):
    version = assets.version()
    used: set[str] = set()
    for path, asset in assets.static_files().items():
        if path.endswith(".js"):
            used |= set(re.findall(r'\bt\("([\w.-]+)"', asset.data.decode("utf-8")))
    assert len(used) > 150
    # keys built from identifiers: each value the API can give has its string
    used |= {
        f"web.{prefix}.{value}"
        for prefix, values in {
            "kind": ["settings", "activities", "credits", "factors"],
            "status": ["queued", "running", "succeeded", "failed"],
            "step": ["load", "compute", "report", "write", "store"],
            "role": ["viewer", "editor", "admin"],
            "tab": ["inventory", "neutrality", "pathway"],
            "lang": languages(),
            "example": examples.names(),
            "scope2": ["location", "market", "both"],
            "severity": ["mandatory", "advisory"],
        }.items()
        for value in values
    }
    for lang in languages():
        messages = client.get(f"/app/i18n/{version}/{lang}.json").json()["messages"]
        assert sorted(used - set(messages)) == [], lang
        assert (
            messages["category.ghgp_scope3.3.1"] == {"zh": "外购商品和服务", "en": "Purchased goods and services"}[lang]
        )
        assert messages["gas.CH4"] == {"zh": "甲烷", "en": "Methane"}[lang]
        assert all(messages[k] == catalogue(lang)[k] for k in messages if k.startswith("web.") and k in catalogue(lang))
        # every bundled example is named, from the catalogue or from its own dualcarbon.toml
        assert {k.removeprefix("web.example.") for k in messages if k.startswith("web.example.")} == set(
            examples.names()
        )
        assert (
            messages["web.example.daxing-district"]
            == {"zh": "大兴区（北京，区域清单）", "en": "Daxing District (Beijing, territory)"}[lang]
        )
    assert client.get(f"/app/i18n/{version}/fr.json").status_code == 404


def _group_tables(folder) -> str:
    """``[group]`` when the example's dualcarbon.toml has a ``[group]`` table (its entities), else nothing."""
    text = folder.joinpath("dualcarbon.toml").read_text(encoding="utf-8")
    return "[group]" if "[[group.entities]]" in text or "\n[group]" in text else ""


def test_the_page_offers_every_bundled_example(client):
    """The examples list is the package's example folders, so a new example appears without code changes; but for
    the groups (``[group]``, docs/groups.md), whose entities are project folders consolidated from the CLI."""
    from importlib import resources

    from dualcarbon.api.schemas import ProjectCreate

    folder = resources.files("dualcarbon").joinpath("examples")
    on_disk = sorted(
        f.name
        for f in folder.iterdir()
        if f.is_dir() and f.joinpath("dualcarbon.toml").is_file() and "[group]" not in _group_tables(f)
    )
    assert "daxing-district" in on_disk and "dairy-group" not in on_disk
    offered = re.search(r'data-examples="([^"]*)"', client.get("/app/").text).group(1).split(",")
    assert offered == on_disk
    assert ProjectCreate(name="d", example="daxing-district").example == "daxing-district"
    with pytest.raises(
        ValueError, match="expected a bundled example, one of: carbon-neutral-etf, cement-plant, cement-product, dairy"
    ):
        ProjectCreate(name="d", example="no-such-example")
