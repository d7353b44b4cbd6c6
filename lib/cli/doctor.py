"""``doctor [--json FILE]``: can Lead Lens work with this enterprise (see lib.convertr.doctor)?
The table on stdout; when the app cannot work, one line on stderr and exit 1."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from lib.cli.common import error
from lib.connect import config_from_env, connect
from lib.convertr.doctor import read_secrets_files, render_text, run_doctor

NAME: Final = "doctor"
HELP: Final = "check the connection: every endpoint the app uses"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the report (no secrets)"
    )


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """The process's own environment also reads the secrets files, so the doctor checks the
    app's settings; a given environment (tests) is the only source."""
    secrets = read_secrets_files() if env is os.environ else None
    with connect(config_from_env(env, secrets)) as client:
        report = run_doctor(client)
    if args.json is not None:
        args.json.write_text(report.to_json() + "\n", encoding="utf-8")
    if report.sign_in.ok:
        sys.stdout.write(render_text(report))
    if report.reason is not None:
        error(report.reason)
    return report.exit_code
