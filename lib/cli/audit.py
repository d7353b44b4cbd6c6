"""``audit CAMPAIGN_ID [CAMPAIGN_ID ...] [--from DATE] [--to DATE] [--out FILE.zip] [--json]``:
a campaign audit for scheduled runs and outside tests.

The leads go into the user's snapshot (refreshed with the look-back when one covers the
window), every signal runs, and the result is printed (`--json`: issue 19's object) and/or
written as the audit report ZIP. Exit 0 complete; 3 partial (a date window or a signal could
not run: one line each on stderr, the output still written); 1 failure (one line, no output).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from lib.audit.fetch import FetchResult, fetch_scope
from lib.audit.run import AuditResult, AuditScope, run_audit
from lib.audit.settings import AuditSettings
from lib.audit.snapshot import Snapshot, audit_directory, sweep_expired
from lib.audit_report import build_audit_report
from lib.cli.common import EXIT_COMPLETE, EXIT_FAILURE, EXIT_PARTIAL, error, one_line
from lib.connect import config_from_env, connect, source_name
from lib.evidence import PackAuthor

NAME: Final = "audit"
HELP: Final = "audit every lead of one or more campaigns (findings, clusters, publishers)"
DEFAULT_DAYS: Final = 30
MASKED_ROLE: Final = "masked"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _campaign(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise argparse.ArgumentTypeError(
            f"expected a campaign id (a positive number), got {text!r}"
        )
    return int(text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("campaigns", type=_campaign, nargs="+", metavar="CAMPAIGN_ID")
    parser.add_argument(
        "--from",
        dest="window_from",
        type=_date,
        metavar="YYYY-MM-DD",
        help=f"first capture day (default: {DEFAULT_DAYS} days before --to)",
    )
    parser.add_argument(
        "--to",
        dest="window_to",
        type=_date,
        metavar="YYYY-MM-DD",
        help="last capture day, inclusive (default: today, UTC)",
    )
    parser.add_argument("--out", type=Path, help="write the audit report ZIP here")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument(
        "--sub-windows",
        type=int,
        default=AuditSettings().sub_windows,
        help="date windows fetched at once (default %(default)s)",
    )


def _partial_lines(fetched: FetchResult, result: AuditResult) -> list[str]:
    lines = [f"window {failure.line()}" for failure in fetched.failures]
    if fetched.cancelled or fetched.timed_out:
        lines.append(f"fetch: {fetched.summary()}")
    lines += [f"signal {outcome.signal}: {outcome.skipped}" for outcome in result.skipped]
    lines += [f"signal {note}" for note in fetched.notes]
    return lines


def _summary(result: AuditResult, fetched: FetchResult) -> str:
    flagged = result.flagged_leads()
    lines = [
        f"{result.leads:,} leads audited ({fetched.summary()})",
        f"{len(flagged):,} flagged by a strong finding; payout at risk "
        f"{result.payout_at_risk():,.2f}; {len(result.clusters):,} identity clusters",
    ]
    for outcome in result.outcomes:
        state = outcome.skipped or f"{len(outcome.findings):,} findings"
        lines.append(f"  {outcome.signal}: {state}")
    return "\n".join(lines)


def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    now = dt.datetime.now(dt.UTC)
    window_to: dt.date = args.window_to or now.date()
    window_from: dt.date = args.window_from or window_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if window_from > window_to:
        error(f"expected --from on or before --to, got {window_from} after {window_to}")
        return EXIT_FAILURE
    if args.sub_windows < 1:
        error(f"expected --sub-windows of at least 1, got {args.sub_windows}")
        return EXIT_FAILURE
    settings = AuditSettings(sub_windows=args.sub_windows)
    scope = AuditScope(tuple(dict.fromkeys(args.campaigns)), window_from, window_to)
    config = config_from_env(env)
    directory = audit_directory(env)
    sweep_expired(settings.snapshot_ttl_hours, directory=directory)
    with connect(config) as client:
        user = client.current_user()
        for campaign in scope.campaigns:
            client.campaign(campaign)  # a campaign the user cannot see fails here, clearly
        source = source_name(config)
        snapshot = Snapshot.open(
            source, user.email, masked=user.role == MASKED_ROLE, directory=directory
        )
        try:
            info = snapshot.info()
            covers = (
                info.complete and info.window_from is not None and info.window_from <= window_from
            )
            fetched = fetch_scope(client, snapshot, scope, settings, now=now, refresh=covers)
            result = run_audit(snapshot, scope, settings, now=now)
        finally:
            snapshot.close()
    partial = _partial_lines(fetched, result)
    if args.out is not None:
        args.out.write_bytes(
            build_audit_report(
                result,
                author=PackAuthor.of(user),
                source=source,
                generated_at=now,
                fetch_summary=fetched.summary(),
                partial={str(index): line for index, line in enumerate(partial, start=1)},
            )
        )
    if args.json:
        sys.stdout.write(json.dumps(result.to_json_dict(), ensure_ascii=False) + "\n")
    else:
        print(_summary(result, fetched))
    for line in partial:
        print("partial: " + one_line(line), file=sys.stderr)
    return EXIT_PARTIAL if partial else EXIT_COMPLETE
