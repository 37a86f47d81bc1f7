"""The engine that executes runs: see `app.engine.core` for how it finds work."""

from app.engine.core import Engine

__all__ = ["Engine"]
