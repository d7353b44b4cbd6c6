"""Command line: `python -m lib.sandbox serve|seed` (serve the sandbox, or (re)create its DB)."""

from __future__ import annotations

import argparse
import resource
import sys
from collections.abc import Sequence
from pathlib import Path

from lib.sandbox.app import create_app
from lib.sandbox.db import default_db_path
from lib.sandbox.dialects import DEFAULT_DIALECT, DIALECTS
from lib.sandbox.seed import DEFAULT_LEADS, DEFAULT_SEED, ensure_database, seed_database
from lib.sandbox.serving import SERVER_THREADS, make_server

EXIT_FAILURE = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sandbox API over HTTP (waitress)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--db", type=Path, default=None, help="database (seeded if missing)")
    serve.add_argument("--latency-ms", type=int, default=0, help="delay added to /api/v4/*")
    serve.add_argument("--fail-rate", type=float, default=0.0, help="share of 503 answers")
    serve.add_argument("--threads", type=int, default=SERVER_THREADS)
    serve.add_argument(
        "--dialect",
        choices=sorted(DIALECTS),
        default=DEFAULT_DIALECT.name,
        help="how the API speaks (docs/api.md, Dialects)",
    )
    seed = commands.add_parser("seed", help="(re)create a demo database")
    seed.add_argument("--db", type=Path, default=None)
    seed.add_argument("--leads", type=int, default=DEFAULT_LEADS)
    seed.add_argument("--seed", type=int, default=DEFAULT_SEED)
    return parser


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (ValueError, OSError) as error:
        # A bad option value, a busy port or an unwritable path: one line, not a traceback.
        print(f"python -m lib.sandbox {args.command}: error: {error}", file=sys.stderr)
        return EXIT_FAILURE


def _run(args: argparse.Namespace) -> int:
    if args.command == "seed":
        report = seed_database(args.db or default_db_path(), leads=args.leads, seed=args.seed)
        print(f"seeded {report.db_path}")
        print(
            f"campaigns={report.campaigns} publishers={report.publishers} leads={report.leads}"
            f" lead_datas={report.lead_datas} job_results={report.job_results}"
            f" logs={report.logs} notes={report.notes}"
        )
        print(f"elapsed={report.elapsed_seconds:.2f}s peak_rss={_peak_rss_mib():.1f}MiB")
        return 0
    db_path = ensure_database(args.db or default_db_path())
    app = create_app(
        db_path, latency_ms=args.latency_ms, fail_rate=args.fail_rate, dialect=args.dialect
    )
    server = make_server(app, args.host, args.port, args.threads)
    # Printed once the socket is bound: a script waiting for this line can connect at once.
    print(
        f"Lead Lens sandbox on http://{args.host}:{args.port}"
        f" (db {db_path}, dialect {args.dialect})",
        flush=True,
    )
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
