"""The bundled examples (``src/dualcarbon/examples/<name>/``): their names, found from the package, so
a new example folder appears in ``dualcarbon init --example``, the API and the dashboard at once."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from dualcarbon.i18n import catalogue

FOLDER = resources.files("dualcarbon").joinpath("examples")


@cache
def names() -> tuple[str, ...]:
    """The examples' names (folder names holding a ``dualcarbon.toml``), sorted."""
    return tuple(sorted(f.name for f in FOLDER.iterdir() if f.is_dir() and f.joinpath("dualcarbon.toml").is_file()))


def title(name: str, lang: str) -> str:
    """An example's display name in ``lang``: the catalogue's ``web.example.<name>``, else the name of its
    ``[organization]`` (``name_en`` in English when given), else the folder's name."""
    text = catalogue(lang).get(f"web.example.{name}")
    if text:
        return text
    with FOLDER.joinpath(name, "dualcarbon.toml").open("rb") as fh:
        org = tomllib.load(fh).get("organization") or {}
    return (lang == "en" and org.get("name_en")) or org.get("name") or name


@cache
def projects() -> tuple[str, ...]:
    """The examples a stored project can start from (API, dashboard): every example but the groups
    (``[group]``, docs/groups.md), whose entities are project folders of their own that ``dualcarbon run``
    consolidates from the command line."""
    from dualcarbon.project.group import is_group

    with resources.as_file(FOLDER) as folder:
        return tuple(name for name in names() if not is_group(folder / name))
