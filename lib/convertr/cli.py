"""Command line: ``python -m lib.convertr dossier LEAD_ID [--out FILE] [--stats]``,
``doctor [--json FILE]`` (see lib.convertr.doctor), ``evidence LEAD_ID --out FILE.zip`` and
``verify FILE.zip`` (see ``lib/evidence_cli.py``).

Connection settings come from ``CONVERTR_BASE_URL``, ``CONVERTR_USERNAME``,
``CONVERTR_PASSWORD`` or ``CONVERTR_TOKEN``; without a base URL the embedded sandbox is used
as ``analyst@sandbox.test``. ``CONVERTR_REQUEST_DEADLINE`` and ``CONVERTR_DOSSIER_DEADLINE``
bound the wait, in seconds.

Exit codes: 0 the dossier is complete; 3 it is partial (the JSON is written, and each part
that failed is named on stderr, one line each); 1 failure (one line on stderr, no JSON).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from lib.convertr.client import ConvertrClient
from lib.convertr.config import ClientConfig
from lib.convertr.dossier import LeadDossier, load_dossier
from lib.convertr.errors import ConvertrError

EXIT_COMPLETE: Final = 0
EXIT_FAILURE: Final = 1
EXIT_PARTIAL: Final = 3
"""Some parts failed: distinct from 1 (nothing written) and 2 (argparse's usage error)."""
EXIT_INTERRUPTED: Final = 130
"""Ctrl-C, as shells report a process ended by SIGINT."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.convertr",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    dossier = commands.add_parser("dossier", help="write a lead's dossier as JSON")
    dossier.add_argument("lead_id", type=int, metavar="LEAD_ID")
    dossier.add_argument("--out", type=Path, help="write to this file instead of stdout")
    dossier.add_argument(
        "--stats", action="store_true", help="print request count and wall time to stderr"
    )
    dossier.add_argument("--campaign", type=int, help="the lead's campaign id, if known")
    dossier.add_argument("--email", help="the lead's email, if known")
    doctor = commands.add_parser("doctor", help="check the connection: every endpoint the app uses")
    doctor.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the report (no secrets)"
    )
    # evidence / verify sit above lib/views (the pack is made of them): registered here, their
    # code imported only when one runs.
    from lib.evidence_cli import add_commands

    add_commands(commands)
    return parser


def _one_line(text: object) -> str:
    # A server's description may span lines (a 422 lists one violation per line).
    return " ".join(str(text).split())


def _write_dossier(args: argparse.Namespace, env: Mapping[str, str]) -> LeadDossier:
    config = ClientConfig.from_env(env)
    with ConvertrClient(config) as client:
        started = time.perf_counter()
        dossier = load_dossier(client, args.lead_id, args.campaign, args.email)
        elapsed = time.perf_counter() - started
        text = dossier.to_json()
        if args.out is None:
            sys.stdout.write(text + "\n")
        else:
            args.out.write_text(text + "\n", encoding="utf-8")
        if args.stats:
            print(
                f"lead {args.lead_id}: {client.request_count} requests "
                f"(login included), {elapsed * 1000:.0f} ms for the dossier",
                file=sys.stderr,
            )
    return dossier


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "doctor":
        from lib.convertr import doctor

        return doctor.main(args.json, env)
    command = getattr(args, "run", None)  # a command registered with its own runner
    if command is not None:
        return int(command(args, os.environ if env is None else env))
    try:
        dossier = _write_dossier(args, os.environ if env is None else env)
    except (ConvertrError, OSError) as error:
        print("error: " + _one_line(error), file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        # A bug, not a Convertr failure: still one line, never a traceback.
        print(f"error: unexpected {type(error).__name__}: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILURE
    if dossier.errors:
        for part, part_error in dossier.errors.items():
            print(f"partial: {part}: {_one_line(part_error)}", file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_COMPLETE
