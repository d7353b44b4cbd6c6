"""A free TCP port on the loopback interface (kept here for the benchmarks' imports)."""

from __future__ import annotations

from tests.support.ports import free_port

__all__ = ["free_port"]
