"""The evidence pack: one ZIP that proves what Lead Lens showed about a lead, and its check.

The pack holds a self-contained printable HTML report (profile with provenance, status
explanation, timeline, jobs, logs, provider answers, notes, signals), the dossier as JSON, a
CSV per table and ``manifest.json``: who generated it, when, from which source, and the
SHA-256 of every other file. `verify_pack` checks a pack against its manifest.

The report is built for hostile content: every value is HTML-escaped (a lead's ``<script>``
is text), it loads nothing (no script, no remote image, font or style: inline CSS, and a
Content-Security-Policy that forbids the rest), and the only image is a Full Contact photo
that is a ``data:`` URI. CSV cells that a spreadsheet would run as formulas are neutralised
(`presentation.csv_bytes`).

A pack holds exactly what the user who built it could see: it is made only from the dossier
that user loaded, so a part the user may not read (a masked user's provider logs) is absent,
and the report and the manifest say so.

Pure except for writing bytes: no Streamlit, no request.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import lzma
import math
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd

from lib.convertr.dossier import PARTS, LeadDossier
from lib.convertr.errors import PermissionDeniedError
from lib.convertr.models import User
from lib.presentation import (
    csv_bytes,
    delivery_label,
    display_text,
    format_count,
    pretty_message,
)
from lib.views.lead import (
    associated_campaigns,
    generator_name,
    job_table,
    log_table,
    note_table,
    profile_panel,
    score_explanation,
    social_profile,
)
from lib.views.provenance import Provenance, provenance_frame, value_provenance
from lib.views.signals import Signals, signals_frame
from lib.views.timeline import Timeline, build_timeline, precise_timestamp, timeline_frame

PACK_FORMAT: Final = "lead-lens-evidence-pack"
PACK_VERSION: Final = 1
AUDIT_REPORT_FORMAT: Final = "lead-lens-audit-report"
"""The campaign audit's report (`lib.audit_report`) uses this manifest too, under its name."""
MANIFEST_FORMATS: Final = frozenset({PACK_FORMAT, AUDIT_REPORT_FORMAT})
"""Manifests `verify_pack` checks."""
MANIFEST_NAME: Final = "manifest.json"
REPORT_NAME: Final = "report.html"
DOSSIER_NAME: Final = "dossier.json"
TABLES_FOLDER: Final = "tables/"
HASH_CHUNK: Final = 1 << 16
MAX_MANIFEST_BYTES: Final = 4 * 1024 * 1024
"""The largest manifest `verify_pack` reads (a real one lists a dozen files in a few KiB): a
bigger one is refused from its size in the ZIP directory, and never read past this bound
whatever that directory claims, so memory stays bounded."""
MAX_PACK_MEMBERS: Final = 10_000
"""The most files a pack may hold before `verify_pack` refuses to look further."""
UNREADABLE_MEMBER: Final = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # an unknown compression method
    RuntimeError,  # an encrypted member (zipfile asks for a password)
    OSError,
    lzma.LZMAError,
    ValueError,
)
"""What reading a damaged, encrypted or strangely compressed ZIP member can raise."""
SAFE_PHOTO_PREFIX: Final = "data:image/"
"""The report shows the Full Contact photo only inline: it must not load anything."""
FILE_MODE: Final = 0o644 << 16
"""Unix permissions of every file in the ZIP (rw-r--r--)."""
CONTENT_SECURITY_POLICY: Final = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""The report may show inline images and its own inline style, nothing else: even a value
that escaped the escaping could not load or run anything."""

REPORT_CELL_LIMIT: Final = 300
"""Characters of one table cell the report shows; longer values are cut (with a note)."""
SHORTENED: Final = "whole in the CSV and dossier.json"
REPORT_PROFILE_COLUMNS: Final = ["Field", "Value", "Source", "Detail", "Flag"]
"""The report's profile table (the CSV also has By and When, which the detail states)."""

REPORT_STYLE: Final = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2433;
       margin: 2rem auto; max-width: 1100px; padding: 0 1rem; font-size: 13px; }
h1 { font-size: 22px; margin-bottom: .2rem; } h2 { font-size: 17px; margin-top: 2rem;
       border-bottom: 1px solid #d5dae3; padding-bottom: .2rem; }
h3 { font-size: 14px; margin-bottom: .3rem; }
.meta, .caption { color: #5b6478; } .notice { background: #fff6e0; border-left: 4px solid #e3a008;
       padding: .5rem .8rem; margin: 1rem 0; }
.flag { color: #b42318; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; table-layout: auto; }
th, td { border: 1px solid #d5dae3; padding: 3px 6px; text-align: left; vertical-align: top;
       overflow-wrap: break-word; white-space: pre-wrap; max-width: 32em; }
th { background: #f1f3f7; } pre { background: #f6f7f9; padding: .5rem; white-space: pre-wrap;
       overflow-wrap: anywhere; border: 1px solid #e3e6ec; }
.lead { display: flex; gap: 1rem; align-items: flex-start; } .lead table { flex: 1; }
.photo { width: 96px; height: 96px; border-radius: 48px; }
.status-Valid { color: #2e9e5b; } .status-Caution { color: #b7791f; }
.status-Invalid { color: #d64545; } .status-Test { color: #6b8ac9; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
       tr, pre { break-inside: avoid; } }
"""


@dataclass(frozen=True)
class PackAuthor:
    """Who generated a pack (the signed-in user)."""

    email: str
    name: str
    role: str = ""

    @classmethod
    def of(cls, user: User) -> PackAuthor:
        return cls(email=user.email, name=user.name, role=user.role)


@dataclass(frozen=True)
class PackFile:
    """One file of the pack as the manifest lists it."""

    name: str
    sha256: str
    size: int


# -- building -------------------------------------------------------------------------------


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def evidence_files(
    dossier: LeadDossier,
    *,
    author: PackAuthor,
    source: str,
    generated_at: datetime,
    zone: tzinfo = UTC,
    signals: Signals | None = None,
) -> dict[str, bytes]:
    """Every file of the pack by name, the manifest last (it lists the others' hashes)."""
    timeline = build_timeline(dossier)
    provenance = value_provenance(dossier, zone)
    tables = evidence_tables(dossier, timeline, provenance, signals, zone)
    files: dict[str, bytes] = {
        REPORT_NAME: report_html(
            dossier,
            timeline=timeline,
            provenance=provenance,
            signals=signals,
            author=author,
            source=source,
            generated_at=generated_at,
            zone=zone,
        ).encode("utf-8"),
        DOSSIER_NAME: (dossier.to_json() + "\n").encode("utf-8"),
    }
    for name, frame in tables.items():
        files[f"{TABLES_FOLDER}{name}.csv"] = csv_bytes(frame)
    manifest = pack_manifest(dossier, files, author, source, generated_at, zone)
    files[MANIFEST_NAME] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    return files


def build_evidence_pack(
    dossier: LeadDossier,
    *,
    author: PackAuthor,
    source: str,
    generated_at: datetime,
    zone: tzinfo = UTC,
    signals: Signals | None = None,
) -> bytes:
    """The pack as ZIP bytes. The same dossier, author, source and time give the same bytes
    (every entry is stamped with `generated_at`)."""
    files = evidence_files(
        dossier,
        author=author,
        source=source,
        generated_at=generated_at,
        zone=zone,
        signals=signals,
    )
    return zip_bytes(files, generated_at)


def zip_bytes(files: Mapping[str, bytes], stamp: datetime) -> bytes:
    """`files` as a deflated ZIP whose entries all carry `stamp` (UTC)."""
    moment = stamp.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=moment)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = FILE_MODE
            archive.writestr(info, data)
    return buffer.getvalue()


def pack_file_name(lead_id: int, generated_at: datetime) -> str:
    """``lead-100001-evidence-20260713T112011Z.zip``."""
    return f"lead-{lead_id}-evidence-{generated_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip"


def missing_parts(dossier: LeadDossier) -> dict[str, str]:
    """Part -> why it is not in the pack (its error's one-line message)."""
    return {part: dossier.errors[part].user_message for part in PARTS if part in dossier.errors}


def pack_manifest(
    dossier: LeadDossier,
    files: Mapping[str, bytes],
    author: PackAuthor,
    source: str,
    generated_at: datetime,
    zone: tzinfo,
) -> dict[str, Any]:
    """The manifest: the pack's who, when and whence, what is missing, each file's hash."""
    return {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "lead_id": dossier.lead_id,
        "generated_at": generated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "generated_by": {"email": author.email, "name": author.name, "role": author.role},
        "source": source,
        "timezone": str(zone),
        "missing_parts": missing_parts(dossier),
        "files": manifest_entries(files),
    }


def manifest_entries(files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    """The manifest's file list: each file's name, SHA-256 and size (the manifest excluded)."""
    return [
        {"name": name, "sha256": sha256_hex(data), "bytes": len(data)}
        for name, data in files.items()
        if name != MANIFEST_NAME
    ]


def evidence_tables(
    dossier: LeadDossier,
    timeline: Timeline,
    provenance: Sequence[Provenance],
    signals: Signals | None,
    zone: tzinfo,
) -> dict[str, pd.DataFrame]:
    """Each table of the report as a frame, by file name; a part that failed has no table
    (the manifest's ``missing_parts`` says why)."""
    tables: dict[str, pd.DataFrame] = {
        "profile": provenance_frame(provenance, zone),
        "timeline": timeline_frame(timeline.entries, zone),
    }
    if dossier.jobs is not None and dossier.job_results is not None:
        tables["jobs"] = job_table(dossier.jobs, dossier.job_results, zone).rows
    if dossier.processr_logs is not None:
        tables["processr-logs"] = log_table(dossier.processr_logs, zone, provider=False)
    if dossier.provider_logs is not None:
        tables["provider-logs"] = log_table(dossier.provider_logs, zone, provider=True)
    if dossier.notes is not None:
        tables["notes"] = note_table(dossier.notes, zone)
    if dossier.associated_leads is not None and dossier.associated_campaigns is not None:
        tables["associated-campaigns"] = associated_campaigns(dossier, zone).table
    if signals is not None:
        tables["signals"] = signals_frame(signals, zone)
    return tables


# -- the report -----------------------------------------------------------------------------


def _e(value: object) -> str:
    """Any value as inert HTML text (quotes escaped too: safe inside attributes)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(display_text(value), quote=True)


def _cell(value: object) -> str:
    """A table cell: escaped, and shortened past `REPORT_CELL_LIMIT` (a photo's data URI
    would take a page; the CSV and dossier.json keep every value whole)."""
    text = _e(value)
    if len(text) <= REPORT_CELL_LIMIT:
        return text
    raw = display_text(value)
    return _e(raw[: REPORT_CELL_LIMIT // 2]) + _e(f"… ({len(raw):,} characters; {SHORTENED})")


def html_table(frame: pd.DataFrame, *, empty: str = "Nothing recorded.") -> str:
    """A frame as an HTML table, every header and cell escaped."""
    if frame.empty:
        return f'<p class="caption">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(column)}</th>" for column in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(cell)}</td>" for cell in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(title: str, *parts: str) -> str:
    return f"<section><h2>{_e(title)}</h2>{''.join(parts)}</section>"


def _paragraph(text: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<p{attribute}>{_e(text)}</p>"


def _missing_notice(dossier: LeadDossier) -> str:
    lines = []
    for part in PARTS:
        error = dossier.errors.get(part)
        if error is None:
            continue
        label = part.replace("_", " ").capitalize()
        if isinstance(error, PermissionDeniedError):
            lines.append(
                f"{label}: not included: the user who generated this pack may not see them "
                f"({error.user_message})"
            )
        else:
            lines.append(f"{label}: could not be loaded ({error.user_message})")
    if not lines:
        return ""
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return f'<div class="notice"><strong>Not in this pack</strong><ul>{items}</ul></div>'


def _summary(dossier: LeadDossier, zone: tzinfo) -> str:
    panel = profile_panel(dossier, zone)
    lead = dossier.lead
    photo = social_profile(dossier.lead_data or []).photo_url
    image = (
        f'<img class="photo" alt="Photo" src="{_e(photo)}">'
        if photo and photo.lower().startswith(SAFE_PHOTO_PREFIX)
        else ""
    )
    rows = [
        ("Lead ID", str(lead.id)),
        ("Name", lead.full_name),
        ("Email", lead.email or ""),
        ("Company", lead.company or ""),
        ("Status", lead.processr_status),
        ("Score", f"{lead.score} / {lead.max_score}"),
        ("Delivery", delivery_label(lead.delivered)),
        ("Campaign", f"{panel.campaign_name} (#{lead.campaign_id})"),
        ("Generator", generator_name(lead, dossier.publishers or []) or ""),
        ("Form", lead.form_name or lead.form_hash or ""),
        ("Entry point", lead.entry_point or ""),
        ("Captured", precise_timestamp(lead.created_ts, zone)),
        ("IP address", lead.ip or ""),
        ("Device fingerprint", lead.fingerprint or ""),
    ]
    frame = pd.DataFrame(rows, columns=["Field", "Value"])
    return f'<div class="lead">{html_table(frame)}{image}</div>'


def _explanation(dossier: LeadDossier) -> str:
    if dossier.jobs is None or dossier.job_results is None:
        return _paragraph(
            f"{dossier.lead.processr_status} (score {dossier.lead.score} / "
            f"{dossier.lead.max_score}); the job results needed to explain it are not in "
            "this pack."
        )
    return _paragraph(score_explanation(dossier.lead, dossier.jobs, dossier.job_results))


def _profile(provenance: Sequence[Provenance], zone: tzinfo) -> str:
    frame = provenance_frame(provenance, zone)[REPORT_PROFILE_COLUMNS]
    flagged = [item for item in provenance if item.disagrees]
    caption = (
        f"{len(flagged)} value(s) disagree with their last recorded source (Flag column)."
        if flagged
        else "Every value agrees with its last recorded source."
    )
    return _paragraph(caption, "flag" if flagged else "caption") + html_table(frame)


def _provider_answers(dossier: LeadDossier, zone: tzinfo) -> str:
    if dossier.provider_logs is None:
        return _paragraph("Not in this pack (see above).", "caption")
    parts = []
    for entry in sorted(dossier.provider_logs, key=lambda item: (item.created_ts, item.id)):
        header = " · ".join(
            part
            for part in (
                precise_timestamp(entry.created_ts, zone),
                entry.level.capitalize(),
                entry.provider or "",
                entry.job_name or "",
            )
            if part
        )
        message, _language = pretty_message(entry.message)
        parts.append(f"<h3>{_e(header)}</h3><pre>{_e(message)}</pre>")
    return "".join(parts) or _paragraph("No provider was called.", "caption")


def _signals(signals: Signals | None, zone: tzinfo) -> str:
    if signals is None:
        return _paragraph("Signals were not searched for this pack.", "caption")
    parts = [_paragraph(signals.summary)]
    parts += [f"<h3>{_e(cluster.sentence)}</h3>" for cluster in signals.clusters]
    if signals.clusters:
        parts.append(html_table(signals_frame(signals, zone)))
    return "".join(parts)


def _counts_written(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole-number columns written as the app writes counts ("1,366"), for the report."""
    written = frame.copy()
    for column in ("Total", "Valid", "Caution", "Invalid", "Delivered"):
        if column in written.columns:
            written[column] = [
                "" if pd.isna(count) else format_count(int(count)) for count in written[column]
            ]
    return written


def _part_table(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return _paragraph("Not in this pack (see above).", "caption")
    return html_table(frame)


def report_html(
    dossier: LeadDossier,
    *,
    timeline: Timeline,
    provenance: Sequence[Provenance],
    signals: Signals | None,
    author: PackAuthor,
    source: str,
    generated_at: datetime,
    zone: tzinfo,
) -> str:
    """The printable report: one HTML document with inline style, loading nothing."""
    lead = dossier.lead
    generated = (
        f"Generated by {author.name} <{author.email}> on "
        f"{precise_timestamp(generated_at, zone)} ({zone}) from {source}."
    )
    jobs = (
        job_table(dossier.jobs, dossier.job_results, zone).rows
        if dossier.jobs is not None and dossier.job_results is not None
        else None
    )
    processr_logs = (
        None
        if dossier.processr_logs is None
        else log_table(dossier.processr_logs, zone, provider=False)
    )
    notes = None if dossier.notes is None else note_table(dossier.notes, zone)
    timeline_table = timeline_frame(timeline.entries, zone).drop(columns=["Tab"])
    associated = (
        _counts_written(associated_campaigns(dossier, zone).table)
        if dossier.associated_leads is not None and dossier.associated_campaigns is not None
        else None
    )
    sections = [
        _section(
            "Status",
            f'<p class="status-{_e(lead.processr_status)}"><strong>'
            f"{_e(lead.processr_status)}</strong></p>",
            _explanation(dossier),
        ),
        _section("Lead", _summary(dossier, zone)),
        _section("Profile and provenance", _profile(provenance, zone)),
        _section(
            "Timeline",
            _paragraph(timeline.missing_caption or "", "caption"),
            html_table(timeline_table),
        ),
        _section("Job details", _part_table(jobs)),
        _section("Processr logs", _part_table(processr_logs)),
        _section("Provider answers", _provider_answers(dossier, zone)),
        _section("Notes", _part_table(notes)),
        _section(
            "Associated Campaigns",
            _paragraph("Other campaigns where this lead's email was captured.", "caption")
            if associated is not None
            else "",
            _part_table(associated)
            if associated is not None
            else _paragraph("The other campaigns were not loaded for this pack.", "caption"),
        ),
        _section("Signals: the same person elsewhere", _signals(signals, zone)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Evidence pack: lead {lead.id}</title><style>{REPORT_STYLE}</style></head>"
        f"<body><h1>Evidence pack: lead {lead.id}</h1>"
        f'<p class="meta">{_e(generated)} The SHA-256 of every file of this pack is in '
        f"{MANIFEST_NAME}.</p>"
        f"{_missing_notice(dossier)}{''.join(sections)}</body></html>\n"
    )


# -- verifying ------------------------------------------------------------------------------

ProblemKind = Literal["unreadable", "manifest", "missing", "extra", "changed", "duplicate"]


@dataclass(frozen=True)
class PackProblem:
    """One reason a pack does not match its manifest."""

    kind: ProblemKind
    name: str
    """The file concerned (empty when the pack as a whole is unreadable)."""
    detail: str

    def __str__(self) -> str:
        # Names and details come from the pack: escaped, so a forged one cannot print a
        # second line ("verified: ...") or move the terminal's cursor.
        where = f"{printable(self.name)}: " if self.name else ""
        return f"{self.kind}: {where}{printable(self.detail)}"


def printable(text: object) -> str:
    """`text` on one line with every control, format or separator character escaped
    (``\\n``, ``\\x1b``, ``\\u202e``): safe to print whatever a pack holds."""
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in UNPRINTABLE_CATEGORIES
        else char
        for char in str(text)
    )


UNPRINTABLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories `printable` escapes: controls, format characters (bidi overrides),
surrogates, private and unassigned code points, line and paragraph separators."""


@dataclass(frozen=True)
class VerificationResult:
    """What `verify_pack` found: no problem means every file matches the manifest."""

    problems: tuple[PackProblem, ...]
    manifest: Mapping[str, Any] | None = None
    checked: int = 0
    """Files whose hash was compared."""
    files: tuple[PackFile, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems and self.manifest is not None


def _listed_files(manifest: object) -> tuple[PackFile, ...]:
    """The manifest's file list; raises ValueError saying what was expected."""
    if not isinstance(manifest, dict) or manifest.get("format") not in MANIFEST_FORMATS:
        raise ValueError(
            f"expected a {PACK_FORMAT} manifest (or an {AUDIT_REPORT_FORMAT} one): "
            "a JSON object with its format"
        )
    listed = manifest.get("files")
    if not isinstance(listed, list):
        raise ValueError("expected a 'files' list in the manifest")
    files = []
    for item in listed:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and isinstance(item.get("sha256"), str)
            and isinstance(item.get("bytes"), int)
        ):
            shown = repr(item)
            if len(shown) > 200:
                shown = shown[:200] + "..."
            raise ValueError(f"expected each file as name, sha256 and bytes, got {shown}")
        files.append(PackFile(item["name"], item["sha256"].lower(), item["bytes"]))
    return tuple(files)


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    with archive.open(info) as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_pack(pack: bytes | str | Path) -> VerificationResult:
    """Check every file of a pack (ZIP bytes or a path) against its manifest: a listed file
    that is missing or whose SHA-256 differs, a file the manifest does not list, a name
    present twice. Never raises for a bad pack: every problem is in the result."""
    try:
        source = io.BytesIO(pack) if isinstance(pack, bytes) else Path(pack)
        with zipfile.ZipFile(source) as archive:
            return _verify_archive(archive)
    except (*UNREADABLE_MEMBER, RecursionError, MemoryError) as error:
        problem = PackProblem("unreadable", "", f"expected a ZIP evidence pack: {error}")
        return VerificationResult((problem,))


def _read_manifest(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    """The manifest's JSON, read within `MAX_MANIFEST_BYTES`; ValueError saying why not."""
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ValueError(
            f"expected a manifest of at most {MAX_MANIFEST_BYTES:,} bytes, got {info.file_size:,}"
        )
    try:
        with archive.open(info) as stream:
            raw = stream.read(MAX_MANIFEST_BYTES + 1)
    except UNREADABLE_MEMBER as error:
        raise ValueError(f"cannot be read: {type(error).__name__}: {error}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        # The ZIP directory understated it.
        raise ValueError(f"expected a manifest of at most {MAX_MANIFEST_BYTES:,} bytes")
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("expected a manifest of plain JSON, got one nested too deeply") from None


def _verify_archive(archive: zipfile.ZipFile) -> VerificationResult:
    members = archive.infolist()
    if len(members) > MAX_PACK_MEMBERS:
        problem = PackProblem(
            "unreadable", "", f"expected at most {MAX_PACK_MEMBERS:,} files, got {len(members):,}"
        )
        return VerificationResult((problem,))
    names = [info.filename for info in members]
    problems = [
        PackProblem("duplicate", name, f"the pack holds {names.count(name)} files of this name")
        for name in dict.fromkeys(names)
        if names.count(name) > 1
    ]
    if MANIFEST_NAME not in names:
        return VerificationResult((*problems, PackProblem("missing", MANIFEST_NAME, "no manifest")))
    try:
        manifest = _read_manifest(archive, archive.getinfo(MANIFEST_NAME))
        listed = _listed_files(manifest)
    except ValueError as error:
        return VerificationResult((*problems, PackProblem("manifest", MANIFEST_NAME, str(error))))
    by_name = {info.filename: info for info in members}
    checked = 0
    for expected in listed:
        info = by_name.get(expected.name)
        if info is None:
            problems.append(PackProblem("missing", expected.name, "listed in the manifest"))
            continue
        try:
            actual = _hash_member(archive, info)
        except UNREADABLE_MEMBER as error:
            # Bytes changed inside the ZIP itself (its own checksum no longer matches), an
            # encrypted member, or a compression method this Python cannot read.
            problems.append(
                PackProblem(
                    "changed", expected.name, f"cannot be read: {type(error).__name__}: {error}"
                )
            )
            continue
        checked += 1
        if actual != expected.sha256:
            problems.append(
                PackProblem(
                    "changed",
                    expected.name,
                    f"expected sha256 {expected.sha256}, got {actual}",
                )
            )
    listed_names = {item.name for item in listed} | {MANIFEST_NAME}
    problems += [
        PackProblem("extra", name, "not listed in the manifest")
        for name in dict.fromkeys(names)
        if name not in listed_names
    ]
    return VerificationResult(tuple(problems), manifest, checked, listed)


def verification_lines(result: VerificationResult) -> Iterable[str]:
    """One line per problem (for the CLI and the page)."""
    return (str(problem) for problem in result.problems)
