"""The HTTP API (``dualcarbon serve``): a thin edge over the store and the main job (docs/api.md)."""

from dualcarbon.api.app import ServerConfig, create_app

__all__ = ["ServerConfig", "create_app"]
