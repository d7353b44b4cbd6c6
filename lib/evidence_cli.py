"""The evidence commands of ``python -m lib.convertr``: build a lead's pack, verify a pack.

``evidence LEAD_ID --out FILE.zip`` loads the dossier with the connection settings of the
environment (as the ``dossier`` command does), builds the evidence pack, writes it and prints
one line on stdout with the pack's size and SHA-256 (worth recording apart from the pack: the
manifest shows its files agree with each other, not who made them). Exit
codes as ``dossier``: 0 complete, 3 partial (the pack is written; each missing part is named on
stderr, one line each), 1 failure (one line on stderr, nothing written).

``verify FILE.zip`` checks a pack against its manifest: exit 0 when every file matches (one
line on stdout), 1 with one line per problem on stderr.

This module sits above `lib/views` (the pack is made of the views), so `lib.convertr.cli` only
registers these commands and imports the pack's code when one of them runs.
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

EXIT_VERIFIED: Final = 0
EXIT_PROBLEMS: Final = 1
SEARCHED_BY_EMAIL_ONLY: Final = ("fingerprint", "ip", "telephone")
"""The dossier holds the leads with the same email only; the other signals need the `leads`
filters, which the command does not query."""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``evidence`` and ``verify``; each sets ``run(args, env) -> exit code``."""
    evidence = commands.add_parser("evidence", help="write a lead's evidence pack (ZIP)")
    evidence.add_argument("lead_id", type=int, metavar="LEAD_ID")
    evidence.add_argument("--out", type=Path, required=True, help="the ZIP file to write")
    evidence.add_argument(
        "--zone", default=None, help="time zone of the report's times (default UTC)"
    )
    evidence.add_argument(
        "--stats", action="store_true", help="print request count and wall time to stderr"
    )
    evidence.set_defaults(run=run_evidence)
    verify = commands.add_parser("verify", help="check an evidence pack against its manifest")
    verify.add_argument("pack", type=Path, metavar="FILE.zip")
    verify.set_defaults(run=run_verify)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _write_atomically(path: Path, data: bytes) -> None:
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


def run_evidence(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Load the lead's dossier, build its pack and write it (exit 0, 3 or 1)."""
    from lib.convertr.cli import EXIT_COMPLETE, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_PARTIAL
    from lib.convertr.client import ConvertrClient
    from lib.convertr.config import ClientConfig
    from lib.convertr.dossier import load_dossier
    from lib.convertr.errors import ConvertrError
    from lib.evidence import PackAuthor, build_evidence_pack, sha256_hex
    from lib.presentation import resolve_timezone
    from lib.views.signals import signal_clusters

    try:
        with ConvertrClient(ClientConfig.from_env(env)) as client:
            started = time.perf_counter()
            dossier = load_dossier(client, args.lead_id)
            author = PackAuthor.of(client.current_user())
            signals = signal_clusters(
                dossier.lead,
                dossier.associated_leads or [],
                not_searched=SEARCHED_BY_EMAIL_ONLY,
            )
            pack = build_evidence_pack(
                dossier,
                author=author,
                source=client.base_url_display,
                generated_at=datetime.now(UTC).replace(microsecond=0),
                zone=resolve_timezone(args.zone),
                signals=signals,
            )
            _write_atomically(args.out, pack)
            # The pack's own hash, to record elsewhere (a ticket): the manifest proves the
            # files agree with each other, this proves the pack is the one generated.
            print(f"wrote {args.out}: {len(pack):,} bytes, sha256 {sha256_hex(pack)}")
            if args.stats:
                elapsed = time.perf_counter() - started
                print(
                    f"lead {args.lead_id}: {client.request_count} requests (login included), "
                    f"{elapsed * 1000:.0f} ms for the pack ({len(pack):,} bytes)",
                    file=sys.stderr,
                )
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


def run_verify(args: argparse.Namespace, _env: Mapping[str, str]) -> int:
    """Check the pack against its manifest (exit 0 verified, 1 with a line per problem)."""
    from lib.evidence import verification_lines, verify_pack

    result = verify_pack(args.pack)
    if result.ok:
        manifest = result.manifest or {}
        author = manifest.get("generated_by") or {}
        print(
            f"verified: {args.pack}: {result.checked} files match the manifest "
            f"(lead {manifest.get('lead_id')}, generated by {author.get('email', '?')} "
            f"at {manifest.get('generated_at')} from {manifest.get('source')})"
        )
        return EXIT_VERIFIED
    for line in verification_lines(result):
        print(_one_line(line), file=sys.stderr)
    return EXIT_PROBLEMS
