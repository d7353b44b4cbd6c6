"""A free TCP port on the loopback interface and the command serving a Streamlit script there
(kept here for the benchmarks' imports)."""

from __future__ import annotations

from tests.support.ports import free_port, streamlit_command

__all__ = ["free_port", "streamlit_command"]
