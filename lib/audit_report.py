"""The audit report: a ZIP like the evidence pack, checked by the same `verify` command.

``report.html`` (self-contained and printable: no script, no external resource, every value
escaped), the findings as CSV (formulas neutralised) and Parquet, the clusters and the
publisher scorecard as CSV, the settings and thresholds used, and ``manifest.json`` with the
source, who, when and each file's SHA-256 (`lib.evidence`'s manifest and ZIP code).
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import pandas as pd

from lib.audit.frames import clusters_frame, findings_frame, publishers_frame
from lib.audit.run import AuditResult
from lib.evidence import (
    AUDIT_REPORT_FORMAT,
    CONTENT_SECURITY_POLICY,
    MANIFEST_NAME,
    REPORT_NAME,
    REPORT_STYLE,
    PackAuthor,
    html_table,
    manifest_entries,
    zip_bytes,
)
from lib.presentation import csv_bytes

REPORT_VERSION: Final = 1
FINDINGS_CSV: Final = "findings.csv"
FINDINGS_PARQUET: Final = "findings.parquet"
CLUSTERS_CSV: Final = "clusters.csv"
PUBLISHERS_CSV: Final = "publishers.csv"
SETTINGS_JSON: Final = "settings.json"
REPORT_ROWS_PER_SIGNAL: Final = 200
"""Findings of one signal the HTML lists; the CSV and Parquet hold them all."""


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def report_html(
    result: AuditResult, *, author: PackAuthor, source: str, generated_at: datetime
) -> str:
    scope = result.scope
    flagged = result.flagged_leads()
    share = len(flagged) / result.leads if result.leads else 0.0
    figures = pd.DataFrame(
        [
            ("Leads audited", f"{result.leads:,}"),
            ("Flagged (a strong finding)", f"{len(flagged):,} ({share:.1%})"),
            ("Payout at risk", f"{result.payout_at_risk():,.2f}"),
            ("Identity clusters", f"{len(result.clusters):,}"),
            ("Findings", f"{len(result.findings):,}"),
        ],
        columns=["Figure", "Value"],
    )
    parts = [
        f"<h1>Campaign audit: {_e(', '.join(str(c) for c in scope.campaigns))}</h1>",
        f'<p class="meta">Capture window {scope.window_from} to {scope.window_to} · source '
        f"{_e(source)} · by {_e(author.name)} ({_e(author.email)}) · generated "
        f"{generated_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC</p>",
        "<h2>Figures</h2>",
        html_table(figures),
    ]
    not_run = [outcome for outcome in result.outcomes if outcome.skipped]
    notes = [note for outcome in result.outcomes for note in outcome.notes]
    if not_run or notes:
        items = [f"{outcome.signal}: {outcome.skipped}" for outcome in not_run] + notes
        parts.append(
            '<div class="notice"><strong>Not fully checked</strong><ul>'
            + "".join(f"<li>{_e(item)}</li>" for item in items)
            + "</ul></div>"
        )
    parts.append("<h2>Findings by signal</h2>")
    for outcome in result.outcomes:
        if outcome.skipped:
            continue
        shown = outcome.findings[:REPORT_ROWS_PER_SIGNAL]
        frame = pd.DataFrame(
            [
                (
                    f.strength,
                    "new" if f.new else "",
                    len(f.lead_ids),
                    f.reason,
                    " ".join(str(lead) for lead in f.lead_ids[:20])
                    + (" …" if len(f.lead_ids) > 20 else ""),
                )
                for f in shown
            ],
            columns=["Strength", "New", "Leads", "Why", "Lead ids"],
        )
        parts.append(f"<h3>{_e(outcome.signal)} ({len(outcome.findings):,})</h3>")
        parts.append(html_table(frame, empty="No finding."))
        if len(outcome.findings) > len(shown):
            parts.append(
                f'<p class="caption">First {len(shown)} of {len(outcome.findings):,}; every '
                f"finding is in {FINDINGS_CSV}.</p>"
            )
    parts.append("<h2>Identity clusters</h2>")
    parts.append(
        html_table(clusters_frame(result).drop(columns=["edges"]).head(100), empty="No cluster.")
    )
    parts.append("<h2>Publishers against the campaign baseline</h2>")
    parts.append(html_table(publishers_frame(result), empty="No publisher."))
    parts.append("<h2>Thresholds used</h2>")
    parts.append(
        html_table(
            pd.DataFrame(sorted(result.settings.to_dict().items()), columns=["Setting", "Value"])
        )
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        f"<title>Campaign audit</title><style>{REPORT_STYLE}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )


def audit_report_files(
    result: AuditResult,
    *,
    author: PackAuthor,
    source: str,
    generated_at: datetime,
    fetch_summary: str = "",
    partial: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    findings = findings_frame(result)
    files: dict[str, bytes] = {
        REPORT_NAME: report_html(
            result, author=author, source=source, generated_at=generated_at
        ).encode("utf-8"),
        FINDINGS_CSV: csv_bytes(findings),
        FINDINGS_PARQUET: _parquet(findings),
        CLUSTERS_CSV: csv_bytes(clusters_frame(result)),
        PUBLISHERS_CSV: csv_bytes(publishers_frame(result)),
        SETTINGS_JSON: (result.settings_json() + "\n").encode(),
    }
    manifest: dict[str, Any] = {
        "format": AUDIT_REPORT_FORMAT,
        "version": REPORT_VERSION,
        "campaigns": list(result.scope.campaigns),
        "window": {
            "from": result.scope.window_from.isoformat(),
            "to": result.scope.window_to.isoformat(),
        },
        "leads": result.leads,
        "generated_at": generated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "generated_by": {"email": author.email, "name": author.name, "role": author.role},
        "source": source,
        "fetch": fetch_summary,
        "partial": dict(partial or {}),
        "files": manifest_entries(files),
    }
    files[MANIFEST_NAME] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    return files


def build_audit_report(
    result: AuditResult,
    *,
    author: PackAuthor,
    source: str,
    generated_at: datetime,
    fetch_summary: str = "",
    partial: Mapping[str, str] | None = None,
) -> bytes:
    return zip_bytes(
        audit_report_files(
            result,
            author=author,
            source=source,
            generated_at=generated_at,
            fetch_summary=fetch_summary,
            partial=partial,
        ),
        generated_at,
    )


def report_file_name(campaigns: tuple[int, ...], generated_at: datetime) -> str:
    names = "-".join(str(c) for c in campaigns[:5])
    return f"audit-{names}-{generated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip"
