"""The web dashboard (docs/web.md): a small single page in plain JavaScript, served by the API's own
app at ``/app/``, that calls the ``/api/`` endpoints with the user's bearer token. Every file it
loads, plotly.js included, comes from this package: the pages need no network."""

from dualcarbon.web.routes import mount

__all__ = ["mount"]
