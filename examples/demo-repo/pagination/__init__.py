"""A tiny pagination library (the CodeMonkeys demo repository)."""

from .core import page_count, page_slice

__all__ = ["page_count", "page_slice"]
