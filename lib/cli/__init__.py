"""The command line of Lead Lens: ``python -m lib.cli COMMAND …`` (``python -m lib.convertr``
is the same entry point, kept for scripts and scheduled jobs).

Commands::

    dossier LEAD_ID [--out FILE] [--stats]   a lead's dossier as JSON
    doctor [--json FILE]                     can the app work with this enterprise?
    evidence LEAD_ID --out FILE.zip          a lead's evidence pack
    verify FILE.zip                          check a pack or report against its manifest
    audit CAMPAIGN_ID ... [--from] [--to] [--out FILE.zip] [--json]
                                             a campaign audit (findings, clusters, publishers)

Connection settings come from ``CONVERTR_BASE_URL``, ``CONVERTR_USERNAME``,
``CONVERTR_PASSWORD`` or ``CONVERTR_TOKEN``; without a base URL the embedded sandbox is used
as ``analyst@sandbox.test``. ``CONVERTR_REQUEST_DEADLINE`` and ``CONVERTR_DOSSIER_DEADLINE``
bound the wait, in seconds.

Exit codes: 0 the dossier is complete; 3 it is partial (the JSON is written, and each part
that failed is named on stderr, one line each); 1 failure (one line on stderr, no JSON).

The CLI sits on top: it may import anything (`lib.connect`, the client, the views, the
evidence pack), and nothing imports it. A command is one module of this package with
``NAME`` (the module's own name), ``HELP``, ``add_arguments(parser)`` and ``run(args, env) ->
exit code``, plus one line in `COMMANDS`; only the command that runs is imported, and
`lib.cli.common.guarded` runs it, so no command repeats the error handling.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Final, cast

from lib.cli.common import Command, guarded

PROG: Final = "python -m lib.cli"
"""The name the usage shows (``python -m lib.convertr`` is the same entry point)."""

COMMANDS: Final[tuple[str, ...]] = (
    "lib.cli.dossier",
    "lib.cli.doctor",
    "lib.cli.evidence",
    "lib.cli.verify",
    "lib.cli.audit",
)
"""Every command's module, in the order ``--help`` lists them: add a command here. The
module's last name is the command's (``lib.cli.audit`` is ``audit``)."""


def command_name(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def load(module: str) -> Command:
    """A command's module, imported now (only the command that runs is imported, so one
    command's libraries never slow another's start)."""
    command = cast(Command, importlib.import_module(module))
    if command_name(module) != command.NAME:
        raise RuntimeError(f"expected {module} to name its command {command_name(module)!r}")
    return command


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the command line (its first word), or None (``--help``)."""
    return next((word for word in argv if not word.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv``, only the command it names is imported (the others are
    listed by name), else every command (``--help`` shows each one's help)."""
    chosen = None if argv is None else _chosen(argv)
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        name = command_name(module)
        if chosen is not None and name != chosen:
            subparsers.add_parser(name)
            continue
        command = load(module)
        command.add_arguments(subparsers.add_parser(name, help=command.HELP))
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Parse ``argv``, run the command under the one error guard, return its exit code.
    ``env`` None reads the process environment (and, for the doctor, the secrets files)."""
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(words).parse_args(words)
    command = load(next(module for module in COMMANDS if command_name(module) == args.command))
    return guarded(command.run, args, os.environ if env is None else env)
