"""lib/evidence.py: the evidence pack's contents, its safety, its manifest and verification."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lib.convertr import ConvertrClient, load_dossier
from lib.convertr.dossier import LeadDossier
from lib.evidence import (
    CONTENT_SECURITY_POLICY,
    MANIFEST_NAME,
    PackAuthor,
    build_evidence_pack,
    evidence_files,
    pack_file_name,
    verify_pack,
)
from lib.views.signals import Signals, signal_clusters
from tests.support.workbench_models import (
    make_dossier,
    make_lead,
    permission_denied,
    story_parts,
    value,
)

AUTHOR = PackAuthor(email="ana@example.com", name="Ana Lyst", role="analyst")
WHEN = datetime(2026, 5, 2, 10, 30, 15, tzinfo=UTC)
HOSTILE_SCRIPT = "<script>alert('x')</script>"
HOSTILE_IMAGE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKDOWN = "**bold** [link](javascript:alert(1))"
PHOTO = "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="


def pack_of(dossier: LeadDossier, signals: Signals | None = None) -> bytes:
    return build_evidence_pack(
        dossier, author=AUTHOR, source="Sandbox", generated_at=WHEN, signals=signals
    )


def files_of(pack: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes], extra: list[tuple[str, bytes]] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        for name, data in extra or []:
            archive.writestr(name, data)
    return buffer.getvalue()


def hostile_dossier() -> LeadDossier:
    lead = make_lead(firstName=HOSTILE_SCRIPT, lastName=HOSTILE_IMAGE, company=FORMULA)
    parts = story_parts()
    parts["lead_data"] = [
        value(1, "firstName", HOSTILE_SCRIPT, "captured"),
        value(2, "company", FORMULA, "captured"),
        value(3, "note", MARKDOWN, "captured"),
        value(4, "fullcontact.photo", PHOTO, "enrichment", provider="Full Contact"),
        value(
            5,
            "evil",
            "</td></tr></table><script src=https://evil.example/x.js></script>",
            "captured",
        ),
    ]
    return make_dossier(lead, **parts)


class _Tags(HTMLParser):
    """Every start tag and its attributes, as a browser would parse the report."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parsed_tags(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(document)
    return parser.tags


# -- contents --------------------------------------------------------------------------------


def test_the_pack_holds_report_dossier_tables_and_a_manifest_that_verifies() -> None:
    dossier = make_dossier()
    pack = pack_of(dossier)
    files = files_of(pack)
    assert list(files) == [
        "report.html",
        "dossier.json",
        "tables/profile.csv",
        "tables/timeline.csv",
        "tables/jobs.csv",
        "tables/processr-logs.csv",
        "tables/provider-logs.csv",
        "tables/notes.csv",
        "manifest.json",
    ]
    assert json.loads(files["dossier.json"]) == json.loads(dossier.to_json())
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest["generated_by"] == {
        "email": "ana@example.com",
        "name": "Ana Lyst",
        "role": "analyst",
    }
    assert (manifest["lead_id"], manifest["source"]) == (1, "Sandbox")
    assert manifest["generated_at"] == "2026-05-02T10:30:15Z"
    assert manifest["missing_parts"] == {}
    assert [item["name"] for item in manifest["files"]] == list(files)[:-1]
    result = verify_pack(pack)
    assert result.ok and result.checked == len(files) - 1 and result.problems == ()
    assert pack == pack_of(dossier), "the same inputs give the same bytes"
    assert pack_file_name(1, WHEN) == "lead-1-evidence-20260502T103015Z.zip"


def test_the_report_tells_the_whole_story() -> None:
    signals = signal_clusters(make_lead(ip="10.0.0.1"), [make_lead(2, 2, ip="10.0.0.1")])
    report = files_of(pack_of(make_dossier(), signals=signals))["report.html"].decode()
    for heading in (
        "Status",
        "Profile and provenance",
        "Timeline",
        "Job details",
        "Processr logs",
        "Provider answers",
        "Notes",
        "Signals: the same person elsewhere",
    ):
        assert f"<h2>{heading}</h2>" in report
    assert "Caution: 85 of 100 points (85%)" in report
    assert "Generated by Ana Lyst &lt;ana@example.com&gt; on 02 May 2026 10:30:15" in report
    assert "Edited by Ana Admin at 01 May 2026 10:00:00: cto → CTO." in report
    assert "2 leads from the same IP address in the same second on 2 campaigns" in report
    assert "&quot;execution_time&quot;: 4200" in report  # the provider answer, indented JSON
    assert "Not in this pack" not in report
    assert "tables/signals.csv" in files_of(pack_of(make_dossier(), signals=signals))
    assert "<h2>Associated Campaigns</h2>" in report
    assert "were not loaded for this pack" in report, "this dossier has no associated parts"


def test_the_report_has_the_associated_campaigns_with_counts_written_whole() -> None:
    from lib.convertr.models import Campaign, Statistic

    other = Campaign.model_validate(
        {"id": 2, "name": "Spring webinar", "status": "Live", "currency": "GBP",
         "maxScore": 100, "capped": False, "createdTs": datetime(2026, 1, 1, tzinfo=UTC)}
    )  # fmt: skip
    figures = Statistic.model_validate(
        {"id": 2, "campaign": "/api/v4/campaigns/2", "total": 1366, "valid": 1000,
         "caution": 0, "invalid": 366, "test": 0, "delivered": 0, "billable": 0,
         "overAllocated": 0}
    )  # fmt: skip
    dossier = make_dossier(
        associated_leads=[make_lead(2, 2)],
        associated_campaigns=[other],
        associated_statistics=[figures],
        associated_publishers=[],
        associated_links=[],
    )
    report = files_of(pack_of(dossier))["report.html"].decode()
    section = report.split("<h2>Associated Campaigns</h2>")[1].split("<h2>")[0]
    assert "Spring webinar" in section
    assert "1,366" in section and "1366" not in section


# -- hostile values --------------------------------------------------------------------------


def test_hostile_values_are_inert_and_the_report_loads_nothing() -> None:
    files = files_of(pack_of(hostile_dossier()))
    report = files["report.html"].decode()
    tags = parsed_tags(report)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "link", "iframe", "object", "embed", "base", "form"}
    for tag, attributes in tags:
        assert not any(name.startswith("on") for name in attributes), tag
        assert "href" not in attributes, tag
        if "src" in attributes:
            assert (tag, attributes["src"]) == ("img", PHOTO)
    assert [tag for tag, _ in tags].count("img") == 1
    assert f'content="{CONTENT_SECURITY_POLICY}"' in report
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in report
    assert "&lt;img src=x onerror=alert(1)&gt;" in report
    assert "**bold** [link](javascript:alert(1))" in report  # markdown is not rendered: text
    assert (
        "url(" not in report
        and "@import" not in report
        and "http://" not in report.split("<body>")[0]
    )


def test_an_unsafe_photo_is_not_shown() -> None:
    parts = story_parts()
    parts["lead_data"] = [
        value(
            4,
            "fullcontact.photo",
            "https://evil.example/p.png",
            "enrichment",
            provider="Full Contact",
        ),
    ]
    report = files_of(pack_of(make_dossier(**parts)))["report.html"].decode()
    assert all(tag != "img" for tag, _ in parsed_tags(report))


def test_every_csv_neutralises_formulas() -> None:
    files = files_of(pack_of(hostile_dossier()))
    profile = files["tables/profile.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in profile
    for name, data in files.items():
        if name.endswith(".csv"):
            text = data.decode("utf-8-sig")
            assert ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text, name
            assert not any(line.startswith("=") for line in text.splitlines()), name


# -- a masked user and missing parts ---------------------------------------------------------


def test_a_part_the_user_may_not_see_is_absent_and_the_report_says_so() -> None:
    dossier = make_dossier(errors={"provider_logs": permission_denied()})
    pack = pack_of(dossier)
    files = files_of(pack)
    assert "tables/provider-logs.csv" not in files
    assert json.loads(files["dossier.json"])["provider_logs"] is None
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest["missing_parts"] == {"provider_logs": "Masked users may not see provider logs"}
    report = files["report.html"].decode()
    assert (
        "Provider logs: not included: the user who generated this pack may not see them "
        "(Masked users may not see provider logs)"
    ) in report
    assert "BriteVerify answered" not in report
    assert verify_pack(pack).ok


# -- verification ----------------------------------------------------------------------------


@pytest.fixture
def pack() -> bytes:
    return pack_of(make_dossier())


def test_a_changed_file_fails_verification(pack: bytes) -> None:
    files = files_of(pack)
    files["tables/jobs.csv"] = files["tables/jobs.csv"].replace(b"Failed", b"Passed")
    result = verify_pack(rezip(files))
    assert not result.ok
    assert [(problem.kind, problem.name) for problem in result.problems] == [
        ("changed", "tables/jobs.csv")
    ]
    assert str(result.problems[0]).startswith("changed: tables/jobs.csv: expected sha256 ")


def test_a_removed_or_added_file_fails_verification(pack: bytes) -> None:
    files = files_of(pack)
    del files["report.html"]
    result = verify_pack(rezip(files))
    assert [(problem.kind, problem.name) for problem in result.problems] == [
        ("missing", "report.html")
    ]
    result = verify_pack(rezip(files_of(pack), [("tables/extra.csv", b"a,b\n")]))
    assert [str(problem) for problem in result.problems] == [
        "extra: tables/extra.csv: not listed in the manifest"
    ]


def test_a_second_file_of_the_same_name_fails_verification(pack: bytes) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        tampered = rezip(files_of(pack), [("report.html", b"<p>forged</p>")])
    kinds = {problem.kind for problem in verify_pack(tampered).problems}
    assert "duplicate" in kinds


def test_a_forged_manifest_or_none_fails_verification(pack: bytes) -> None:
    files = files_of(pack)
    manifest = json.loads(files[MANIFEST_NAME])
    manifest["files"][0]["sha256"] = "0" * 64
    files[MANIFEST_NAME] = json.dumps(manifest).encode()
    assert [problem.kind for problem in verify_pack(rezip(files)).problems] == ["changed"]
    files[MANIFEST_NAME] = b"{not json"
    assert [problem.kind for problem in verify_pack(rezip(files)).problems] == ["manifest"]
    files[MANIFEST_NAME] = b'{"format": "something else", "files": []}'
    assert "expected a lead-lens-evidence-pack manifest" in str(
        verify_pack(rezip(files)).problems[0]
    )
    del files[MANIFEST_NAME]
    assert [str(problem) for problem in verify_pack(rezip(files)).problems] == [
        "missing: manifest.json: no manifest"
    ]


def test_bytes_damaged_inside_the_zip_or_not_a_zip_fail_verification(
    pack: bytes, tmp_path: Path
) -> None:
    start = pack.index(b"report.html") + 40  # inside the report's compressed data
    damaged = pack[:start] + bytes([pack[start] ^ 0xFF]) + pack[start + 1 :]
    assert not verify_pack(damaged).ok
    result = verify_pack(b"not a zip")
    assert [problem.kind for problem in result.problems] == ["unreadable"]
    path = tmp_path / "pack.zip"
    path.write_bytes(pack)
    assert verify_pack(path).ok and verify_pack(str(path)).ok
    assert not verify_pack(tmp_path / "missing.zip").ok


# -- the sandbox's lead 100001 ---------------------------------------------------------------


@pytest.fixture
def sandbox(sandbox_db: Path) -> Iterator[Callable[[str], ConvertrClient]]:
    from lib.connect import connect, sandbox_at, sandbox_config

    clients: list[ConvertrClient] = []

    def build(username: str) -> ConvertrClient:
        client = connect(sandbox_config(username), transport_factory=sandbox_at(sandbox_db))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


def test_the_pack_of_lead_100001_builds_from_the_sandbox_and_verifies(
    sandbox: Callable[[str], ConvertrClient],
) -> None:
    """(Its time, under 2 s, is a row of `make bench`: `benchmarks.evidence`.)"""
    client = sandbox("analyst@sandbox.test")
    dossier = load_dossier(client, 100001)
    author = PackAuthor.of(client.current_user())
    signals = signal_clusters(dossier.lead, dossier.associated_leads or [])
    pack = build_evidence_pack(
        dossier, author=author, source=client.base_url_display, generated_at=WHEN, signals=signals
    )
    result = verify_pack(pack)
    assert result.ok and result.manifest is not None
    assert result.manifest["generated_by"]["email"] == "analyst@sandbox.test"
    assert result.manifest["source"] == "Sandbox"


def test_a_masked_users_pack_holds_only_what_they_may_see(
    sandbox: Callable[[str], ConvertrClient],
) -> None:
    client = sandbox("masked@sandbox.test")
    dossier = load_dossier(client, 100001)
    files = evidence_files(
        dossier, author=PackAuthor.of(client.current_user()), source="Sandbox", generated_at=WHEN
    )
    assert "tables/provider-logs.csv" not in files
    manifest = json.loads(files[MANIFEST_NAME])
    assert list(manifest["missing_parts"]) == ["provider_logs"]
    assert manifest["generated_by"]["role"] == "masked"
    report = files["report.html"].decode()
    assert (
        "Provider logs: not included: the user who generated this pack may not see them" in report
    )
