"""``evidence LEAD_ID --out FILE.zip [--zone ZONE] [--stats]``: a lead's evidence pack.

Loads the dossier with the connection settings of the environment (as ``dossier`` does),
builds the evidence pack, writes it and prints one line on stdout with the pack's size and
SHA-256 (worth recording apart from the pack: the manifest shows its files agree with each
other, not who made them). Exit codes as ``dossier``: 0 complete, 3 partial (the pack is
written; each missing part is named on stderr, one line each), 1 failure (one line on stderr,
nothing written).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from lib.cli.common import EXIT_FAILURE, error, report_partial
from lib.connect import config_from_env, connect
from lib.convertr.dossier import load_dossier

NAME: Final = "evidence"
HELP: Final = "write a lead's evidence pack (ZIP)"
SEARCHED_BY_EMAIL_ONLY: Final = ("fingerprint", "ip", "telephone")
"""The dossier holds the leads with the same email only; the other signals need the `leads`
filters, which the command does not query."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lead_id", type=int, metavar="LEAD_ID")
    parser.add_argument("--out", type=Path, required=True, help="the ZIP file to write")
    parser.add_argument(
        "--zone",
        default=None,
        help="IANA time zone of the report's times (default UTC); an unknown one exits 1",
    )
    parser.add_argument(
        "--stats", action="store_true", help="print request count and wall time to stderr"
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file, so a failed write leaves no half
    pack behind."""
    written: str | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as tmp:
            written = tmp.name
            tmp.write(data)
        os.replace(written, path)
    except BaseException:
        if written is not None:
            with contextlib.suppress(OSError):
                os.unlink(written)
        raise


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Load the lead's dossier, build its pack and write it (exit 0, 3 or 1)."""
    # Imported when the command runs: the pack's views and charts would slow every command's
    # start (a scheduled `dossier` or `doctor` has no use for them).
    from lib.evidence import PackAuthor, build_evidence_pack, sha256_hex
    from lib.presentation import UnknownTimezone, parse_timezone
    from lib.views.signals import signal_clusters

    try:
        zone = UTC if args.zone is None else parse_timezone(args.zone)
    except UnknownTimezone as unknown:
        # Before signing in: a pack in the wrong zone is worse than no pack.
        error(f"--zone: {unknown}")
        return EXIT_FAILURE
    with connect(config_from_env(env)) as client:
        started = time.perf_counter()
        dossier = load_dossier(client, args.lead_id)
        author = PackAuthor.of(client.current_user())
        signals = signal_clusters(
            dossier.lead, dossier.associated_leads or [], not_searched=SEARCHED_BY_EMAIL_ONLY
        )
        pack = build_evidence_pack(
            dossier,
            author=author,
            source=client.base_url_display,
            generated_at=datetime.now(UTC).replace(microsecond=0),
            zone=zone,
            signals=signals,
        )
        write_atomically(args.out, pack)
        # The pack's own hash, to record elsewhere (a ticket): the manifest proves the files
        # agree with each other, this proves the pack is the one generated.
        print(f"wrote {args.out}: {len(pack):,} bytes, sha256 {sha256_hex(pack)}")
        if args.stats:
            elapsed = time.perf_counter() - started
            print(
                f"lead {args.lead_id}: {client.request_count} requests (login included), "
                f"{elapsed * 1000:.0f} ms for the pack ({len(pack):,} bytes)",
                file=sys.stderr,
            )
    return report_partial(dossier)
