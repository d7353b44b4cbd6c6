"""What every command of the CLI shares: exit codes, the one error guard and one-line text.

A command never ends in a traceback: `guarded` turns a Convertr failure, a file error, Ctrl-C
or a bug into one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import Final, Protocol

from lib.convertr.dossier import LeadDossier
from lib.convertr.errors import ConvertrError
from lib.convertr.errors import single_line as one_line

__all__ = [
    "EXIT_COMPLETE",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_PARTIAL",
    "Command",
    "guarded",
    "one_line",
    "report_partial",
]

EXIT_COMPLETE: Final = 0
EXIT_FAILURE: Final = 1
EXIT_PARTIAL: Final = 3
"""Some parts failed: distinct from 1 (nothing written) and 2 (argparse's usage error)."""
EXIT_INTERRUPTED: Final = 130
"""Ctrl-C, as shells report a process ended by SIGINT."""

Run = Callable[[argparse.Namespace, Mapping[str, str]], int]
"""A command's body: its parsed arguments and the environment in, an exit code out."""


class Command(Protocol):
    """A command module: ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args, env)``
    (see `lib.cli.COMMANDS`)."""

    NAME: str
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, env: Mapping[str, str]) -> int: ...


def error(text: object) -> None:
    """One line on stderr: ``error: …`` (a server's description may span lines)."""
    print("error: " + one_line(text), file=sys.stderr)


def guarded(run: Run, args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """``run(args, env)``, with every failure one line on stderr: a Convertr or file error
    and a bug exit 1, Ctrl-C exits 130."""
    try:
        return run(args, env)
    except (ConvertrError, OSError) as failure:
        error(failure)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as failure:
        # A bug, not a Convertr failure: still one line, never a traceback.
        error(f"unexpected {type(failure).__name__}: {one_line(failure)}")
        return EXIT_FAILURE


def report_partial(dossier: LeadDossier) -> int:
    """Name each part that failed on stderr (one line each): exit 3 if any did, else 0."""
    if not dossier.errors:
        return EXIT_COMPLETE
    for part, part_error in dossier.errors.items():
        print(f"partial: {part}: {one_line(part_error)}", file=sys.stderr)
    return EXIT_PARTIAL
