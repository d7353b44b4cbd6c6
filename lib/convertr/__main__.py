"""``python -m lib.convertr``: the CLI's first entry point, kept as an alias of ``python -m
lib.cli`` (see lib.cli) so scripts, docs and scheduled jobs keep working.

It runs the CLI's ``__main__`` rather than importing it: the client package stays below the
CLI, which nothing imports."""

from __future__ import annotations

import runpy

runpy.run_module("lib.cli", run_name="__main__", alter_sys=True)
