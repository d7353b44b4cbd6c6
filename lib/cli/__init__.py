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
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args, env) -> exit code``, plus one
line in `COMMANDS`; `lib.cli.common.guarded` runs it, so no command repeats the error handling.
"""

from __future__ import annotations

import argparse
import importlib
import os
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
"""Every command's module, in the order ``--help`` lists them: add a command here."""


def commands() -> dict[str, Command]:
    """The registered commands by name."""
    found = (cast(Command, importlib.import_module(name)) for name in COMMANDS)
    return {command.NAME: command for command in found}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in commands().values():
        command.add_arguments(subparsers.add_parser(command.NAME, help=command.HELP))
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Parse ``argv``, run the command under the one error guard, return its exit code.
    ``env`` None reads the process environment (and, for the doctor, the secrets files)."""
    args = build_parser().parse_args(argv)
    command = commands()[args.command]
    return guarded(command.run, args, os.environ if env is None else env)
