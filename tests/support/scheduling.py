"""The xdist scheduler of `--dist loadgroup` (see `pytest_xdist_make_scheduler` in
tests/conftest.py): xdist's own scheduling by scope, where a browser module is one scope and
every other test is a scope of its own."""

from __future__ import annotations

from typing import Final

from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

BROWSER_MODULES: Final = "tests/browser/"


class BrowserModuleScheduling(LoadScopeScheduling):  # type: ignore[misc]
    """Scopes are handed out largest first (xdist sorts them by their number of tests): the
    browser modules, the longest units of work, start at once on both workers, and the
    thousand single tests even the workers out at the end."""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(BROWSER_MODULES):
            return nodeid.split("::", 1)[0]
        return nodeid
