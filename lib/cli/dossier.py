"""``dossier LEAD_ID [--out FILE] [--stats] [--campaign ID] [--email EMAIL]``: a lead's
dossier as JSON on stdout or in a file; exit 0 complete, 3 partial (each failed part named on
stderr), 1 failure (one line on stderr, no JSON)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from lib.cli.common import report_partial
from lib.connect import config_from_env, connect
from lib.convertr.dossier import load_dossier

NAME: Final = "dossier"
HELP: Final = "write a lead's dossier as JSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lead_id", type=int, metavar="LEAD_ID")
    parser.add_argument("--out", type=Path, help="write to this file instead of stdout")
    parser.add_argument(
        "--stats", action="store_true", help="print request count and wall time to stderr"
    )
    parser.add_argument("--campaign", type=int, help="the lead's campaign id, if known")
    parser.add_argument("--email", help="the lead's email, if known")


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    with connect(config_from_env(env)) as client:
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
    return report_partial(dossier)
