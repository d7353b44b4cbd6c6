"""Command line: ``python -m lib.convertr dossier LEAD_ID [--out FILE] [--stats]`` and
``python -m lib.convertr doctor [--json FILE]`` (see lib.convertr.doctor).

Connection settings come from ``CONVERTR_BASE_URL``, ``CONVERTR_USERNAME``,
``CONVERTR_PASSWORD`` or ``CONVERTR_TOKEN``; without a base URL the embedded sandbox is used
as ``analyst@sandbox.test``. Any failure ends with one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from lib.convertr.client import ConvertrClient
from lib.convertr.config import ClientConfig
from lib.convertr.dossier import load_dossier
from lib.convertr.errors import ConvertrError

EXIT_FAILURE = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.convertr", description=__doc__)
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
    return parser


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "doctor":
        from lib.convertr import doctor

        return doctor.main(args.json, env)
    try:
        config = ClientConfig.from_env(os.environ if env is None else env)
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
    except (ConvertrError, OSError) as error:
        # A server's description may span lines (a 422 lists one violation per line).
        print("error: " + " ".join(str(error).split()), file=sys.stderr)
        return EXIT_FAILURE
    return 0
