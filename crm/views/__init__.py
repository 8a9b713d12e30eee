"""Views of the registry, one module per area; the frame's own views live in core."""

from .core import DashboardView, health, page_not_found, permission_denied, server_error

__all__ = ["DashboardView", "health", "page_not_found", "permission_denied", "server_error"]
