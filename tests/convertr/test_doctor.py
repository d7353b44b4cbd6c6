"""The connection doctor: against the sandbox, against hand-written servers in each API
Platform dialect (httpx.MockTransport), its exit codes, and its report's lack of secrets and
lead values."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from lib.cli import main as cli_main
from lib.connect import connect, injected, sandbox_at, sandbox_config, sandbox_transport
from lib.convertr import ClientConfig, ConvertrClient
from lib.convertr.doctor import ENDPOINTS, DoctorReport, read_secrets_files, run_doctor
from lib.sandbox.dialects import DIALECTS as SANDBOX_DIALECTS
from tests.convertr.fakes import (
    BASE_URL,
    PASSWORD,
    READY_TOKEN,
    SECRETS,
    Sleeps,
    login_ok,
)

FIXTURES = Path(__file__).parent / "fixtures"
LD_JSON = {"content-type": "application/ld+json; charset=utf-8"}
PROBLEM_JSON = {"content-type": "application/problem+json; charset=utf-8"}
LEAD_ID = 167457
USERNAME = "ana.identifiable@acme.test"

NEEDED: dict[str, list[str]] = {
    endpoint.name: [need.filter for need in endpoint.needs] for endpoint in ENDPOINTS
}
"""What a server that supports everything the app sends advertises, per endpoint."""


def published_lead(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = json.loads((FIXTURES / "published_lead.json").read_text("utf-8"))
    item.update(copy.deepcopy(changes))
    return item


def published_items() -> dict[str, dict[str, Any]]:
    items: dict[str, dict[str, Any]] = json.loads(
        (FIXTURES / "published_items.json").read_text("utf-8")
    )
    return items


@dataclass(frozen=True)
class ApiDialect:
    """How one API Platform generation spells collections and errors."""

    generation: str
    prefix: str
    error_fixture: str
    error_headers: dict[str, str]
    partial: bool
    error_style: str


DIALECTS = {
    "2.x": ApiDialect("2.x", "hydra:", "error_404_api_platform_2.json", LD_JSON, False, "hydra"),
    "3.x": ApiDialect(
        "3.x", "hydra:", "error_404_api_platform_3.json", PROBLEM_JSON, False, "problem"
    ),
    "4.x": ApiDialect("4.x", "", "error_404_api_platform_4.json", LD_JSON, True, "problem"),
}


@dataclass
class PublishedApi:
    """A fake enterprise in one dialect serving one published item per endpoint; the test
    changes what it needs (refused login, missing endpoints, forbidden ones, odd items)."""

    dialect: ApiDialect
    lead: dict[str, Any] = field(default_factory=published_lead)
    items: dict[str, dict[str, Any]] = field(default_factory=published_items)
    advertised: dict[str, list[str]] | None = field(default_factory=lambda: copy.deepcopy(NEEDED))
    forbidden: dict[str, str] = field(default_factory=dict)
    """Endpoint name -> the server's reason for a 403."""
    missing: set[str] = field(default_factory=set)
    """Endpoint names that answer 404."""
    refuse_login: bool = False
    requests: list[httpx.Request] = field(default_factory=list)

    def error(self, status: int, reason: str) -> httpx.Response:
        body = json.loads((FIXTURES / self.dialect.error_fixture).read_text("utf-8"))
        for key in ("hydra:description", "detail", "description"):
            if key in body:
                body[key] = reason
        if "status" in body:
            body["status"] = status
        return httpx.Response(status, json=body, headers=self.dialect.error_headers)

    def collection(self, name: str, members: list[dict[str, Any]]) -> dict[str, Any]:
        prefix, path = self.dialect.prefix, f"/api/v4/{name.split(' ')[0]}"
        body: dict[str, Any] = {
            "@context": "/api/v4/contexts/Thing",
            "@id": path,
            "@type": f"{prefix}Collection",
            f"{prefix}member": members,
        }
        view: dict[str, Any] = {"@id": f"{path}?page=1", "@type": f"{prefix}PartialCollectionView"}
        if self.dialect.partial:
            # Partial pagination: no total, and a next link while the page is full.
            view[f"{prefix}next"] = f"{path}?itemsPerPage=1&page=2"
        else:
            body[f"{prefix}totalItems"] = len(members)
        body[f"{prefix}view"] = view
        if self.advertised is not None and name in self.advertised:
            body[f"{prefix}search"] = {
                "@type": f"{prefix}IriTemplate",
                f"{prefix}template": f"{path}{{?{','.join(self.advertised[name])}}}",
                f"{prefix}variableRepresentation": "BasicRepresentation",
                f"{prefix}mapping": [
                    {"@type": "IriTemplateMapping", "variable": variable, "required": False}
                    for variable in self.advertised[name]
                ],
            }
        return body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/api/login":
            if self.refuse_login:
                return httpx.Response(
                    400,
                    json={
                        "error": "invalid_grant",
                        "error_description": "Invalid username and password combination",
                    },
                )
            return login_ok()
        resource = path.removeprefix("/api/v4/")
        name = resource
        if resource == "logs":
            name = f"logs ({request.url.params.get('type')})"
        elif resource.startswith(("leads/", "campaigns/")) and resource != "users/me":
            name = resource.split("/")[0] + "/{id}"
        if name in self.missing:
            return self.error(404, "No route found")
        if name in self.forbidden:
            return self.error(403, self.forbidden[name])
        if name == "users/me":
            return httpx.Response(200, json=self.items["users/me"], headers=LD_JSON)
        if name == "leads/{id}":
            if resource != f"leads/{LEAD_ID}":
                return self.error(404, "Not Found")
            return httpx.Response(200, json=self.lead, headers=LD_JSON)
        if name == "campaigns/{id}":
            return httpx.Response(200, json=self.items["campaigns"], headers=LD_JSON)
        members = [self.lead] if name == "leads" else [self.items[name]]
        return httpx.Response(200, json=self.collection(name, members), headers=LD_JSON)


def enterprise_config(**changes: Any) -> ClientConfig:
    settings: dict[str, Any] = {
        "base_url": BASE_URL,
        "username": USERNAME,
        "password": SecretStr(PASSWORD),
    }
    settings.update(changes)
    return ClientConfig(**settings)


def client_for(api: PublishedApi, config: ClientConfig | None = None) -> ConvertrClient:
    return ConvertrClient(
        config or enterprise_config(),
        transport=httpx.MockTransport(api),
        sleep=Sleeps(),
        clock=lambda: 0.0,
    )


def doctor_of(api: PublishedApi) -> DoctorReport:
    with client_for(api) as client:
        return run_doctor(client)


def gap_messages(report: DoctorReport, severity: str | None = None) -> list[str]:
    return [
        f"{gap.endpoint}: {gap.message}"
        for gap in report.gaps
        if severity is None or gap.severity == severity
    ]


def probe_of(report: DoctorReport, name: str) -> Any:
    (probe,) = [probe for probe in report.probes if probe.endpoint == name]
    return probe


# -- the sandbox ---------------------------------------------------------------------------------


@pytest.fixture
def sandbox_env(sandbox_db: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    return {"LEADLENS_SANDBOX_DB": str(sandbox_db)}


def test_against_the_sandbox_everything_works(
    sandbox_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_path = tmp_path / "doctor.json"
    started = time.perf_counter()
    assert cli_main(["doctor", "--json", str(report_path)], env={}) == 0
    elapsed = time.perf_counter() - started
    captured = capsys.readouterr()
    assert captured.err == ""
    out = captured.out
    assert out.startswith("Lead Lens connection doctor: Sandbox\nSign-in: OK")
    for endpoint in ENDPOINTS:
        assert f"\n{endpoint.name} " in out, f"{endpoint.name} is not in the table"
    assert "Dialect: API Platform 2.x (hydra:, hydra:Error" in out
    assert "Result: the app can work (0 warnings)" in out
    assert "warning " not in out and "fatal " not in out

    report = json.loads(report_path.read_text("utf-8"))
    assert report["can_work"] is True and report["reason"] is None
    assert report["sign_in"]["ok"] is True and report["role"] == "analyst"
    assert report["status_encoding"] == "codes", "the sandbox speaks Convertr's published shape"
    assert report["dialect"]["generation"] == "2.x"
    assert report["dialect"]["partial_pagination"] is False
    probes = {probe["endpoint"]: probe for probe in report["endpoints"]}
    assert set(probes) == {endpoint.name for endpoint in ENDPOINTS} | {"leads/{id} (missing)"}
    assert all(probes[e.name]["outcome"] == "ok" for e in ENDPOINTS), "every probe found an item"
    assert probes["leads"]["spelling"] == "hydra:" and probes["leads"]["counted"] is True
    assert probes["leads/{id} (missing)"]["status"] == 404
    assert probes["leads/{id} (missing)"]["error_style"] == "hydra"
    assert report["requests"] == len(ENDPOINTS) + 2, "login, one request per endpoint, the 404"
    assert elapsed < 5, f"the doctor took {elapsed:.1f} s against the in-process sandbox"


SANDBOX_GENERATIONS: dict[str, tuple[str, str, bool]] = {
    "convertr": ("2.x", "codes", False),
    "api-platform-3": ("3.x", "codes", False),
    "api-platform-4": ("4.x", "codes", False),
    "partial": ("4.x", "codes", True),
    "tidy": ("2.x", "labels", False),
}
"""Sandbox dialect -> (generation the doctor names, status encoding, partial pagination)."""


@pytest.mark.parametrize("dialect", sorted(SANDBOX_DIALECTS))
def test_against_the_sandbox_in_every_dialect_everything_works(
    dialect: str, sandbox_db: Path
) -> None:
    transport = sandbox_transport(sandbox_db, dialect=dialect)
    with connect(sandbox_config(), transport_factory=lambda _config: transport) as client:
        report = run_doctor(client)
    generation, encoding, partial = SANDBOX_GENERATIONS[dialect]
    assert report.can_work and report.exit_code == 0
    assert gap_messages(report, "warning") == [] and gap_messages(report, "fatal") == []
    assert all(probe.outcome == "ok" for probe in report.probes if probe.status != 404)
    found = report.dialect
    assert found is not None
    assert (found.generation, report.status_encoding, found.partial_pagination) == (
        generation,
        encoding,
        partial,
    )


def test_the_masked_sandbox_user_gets_a_403_explained(sandbox_db: Path) -> None:
    with connect(
        sandbox_config("masked@sandbox.test"), transport_factory=sandbox_at(sandbox_db)
    ) as c:
        report = run_doctor(c)
    assert report.can_work and report.exit_code == 0
    assert probe_of(report, "logs (provider)").status == 403
    (message,) = [m for m in gap_messages(report, "warning") if m.startswith("logs (provider)")]
    assert "403 on logs (provider)" in message
    assert "the Lead page's Provider Logs tab explains the role cannot see it" in message


# -- every dialect, through hand-written fixtures ------------------------------------------------


@pytest.mark.parametrize("generation", list(DIALECTS))
def test_every_dialect_works_and_is_named(generation: str) -> None:
    dialect = DIALECTS[generation]
    report = doctor_of(PublishedApi(dialect))
    assert report.can_work and report.exit_code == 0, report.reason
    assert report.dialect is not None
    assert report.dialect.generation == generation
    assert report.dialect.spelling == dialect.prefix
    assert report.dialect.error_style == dialect.error_style
    assert report.dialect.partial_pagination is dialect.partial
    assert report.dialect.violation_status == (400 if generation == "2.x" else 422)
    assert report.dialect.label.startswith(f"API Platform {generation} (")
    assert all(probe.outcome == "ok" for probe in report.probes), [
        (probe.endpoint, probe.error) for probe in report.probes if probe.outcome != "ok"
    ]
    for probe in report.probes:
        assert probe.missing_filters == ()
    # The published lead speaks codes: the status filter must send codes.
    assert report.status_encoding == "codes"
    assert any("server uses codes → the app sends codes" in m for m in gap_messages(report))
    partial_gap = "leads: no totalItems (partial pagination) → the Leads page pages by the next"
    assert any(m.startswith(partial_gap) for m in gap_messages(report)) is dialect.partial


def test_the_2x_dialect_label() -> None:
    report = doctor_of(PublishedApi(DIALECTS["2.x"]))
    assert report.dialect is not None
    assert report.dialect.label == "API Platform 2.x (hydra:, hydra:Error, 400 violations expected)"


def test_filters_the_server_does_not_advertise_are_named_with_what_the_app_does() -> None:
    api = PublishedApi(DIALECTS["4.x"])
    assert api.advertised is not None
    api.advertised["leads"] = ["campaign.id", "campaign.id[]", "order[createdTs]", "email"]
    report = doctor_of(api)
    assert report.can_work
    leads = probe_of(report, "leads")
    assert leads.missing_filters == (
        "processrStatus[]",
        "delivered",
        "createdTs[after]",
        "createdTs[before]",
        "search",
    )
    warnings = gap_messages(report, "warning")
    assert "leads: filter search not advertised → the Leads page hides the search box" in warnings
    assert (
        "leads: filter processrStatus[] not advertised → the Leads page hides the status filter"
        in warnings
    )


def test_a_server_without_search_mappings_is_said_once() -> None:
    api = PublishedApi(DIALECTS["2.x"], advertised=None)
    report = doctor_of(api)
    infos = [m for m in gap_messages(report, "info") if "no search mapping" in m]
    assert len(infos) == 1 and infos[0].startswith("campaigns, leads, lead-datas")


def test_fields_in_an_unexpected_shape_are_named_with_their_expected_shape() -> None:
    api = PublishedApi(DIALECTS["3.x"], lead=published_lead(advertiserPayout={"amount": "1"}))
    report = doctor_of(api)
    assert report.can_work
    (warning,) = probe_of(report, "leads").warnings
    assert (warning.model, warning.field) == ("Lead", "advertiserPayout")
    assert any(
        m.startswith(
            "leads, leads/{id}: Lead.advertiserPayout differs from the model (expected a decimal"
        )
        for m in gap_messages(report, "warning")
    )


def test_a_forbidden_endpoint_is_a_warning_with_the_servers_reason() -> None:
    api = PublishedApi(
        DIALECTS["3.x"], forbidden={"logs (provider)": "Your role cannot see provider logs."}
    )
    report = doctor_of(api)
    assert report.can_work
    (message,) = [m for m in gap_messages(report, "warning") if "403" in m]
    assert "Your role cannot see provider logs." in message
    assert "Provider Logs tab explains the role cannot see it" in message


def test_a_missing_optional_endpoint_is_a_warning() -> None:
    api = PublishedApi(DIALECTS["4.x"], missing={"lead-statistics-chronologies"})
    report = doctor_of(api)
    assert report.can_work
    assert probe_of(report, "lead-statistics-chronologies").status == 404
    assert any(
        m.startswith("lead-statistics-chronologies: lead-statistics-chronologies 404")
        and "Associated Campaigns' lead charts shows the error" in m
        for m in gap_messages(report, "warning")
    )


def test_a_filter_the_server_ignores_is_noticed() -> None:
    api = PublishedApi(DIALECTS["2.x"])
    api.items["lead-notes"]["lead"] = "/api/v4/leads/999"
    report = doctor_of(api)
    assert any(
        m.startswith("lead-notes: filter lead.id was not applied")
        for m in gap_messages(report, "warning")
    )


def test_an_unknown_status_code_is_a_warning() -> None:
    report = doctor_of(PublishedApi(DIALECTS["2.x"], lead=published_lead(processrStatus=4242)))
    assert report.can_work
    assert any("status code 4242 is in no table" in m for m in gap_messages(report, "warning"))


# -- when the app cannot work --------------------------------------------------------------------


def run_cli(
    api: PublishedApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str] | None = None,
) -> tuple[int, str, str, str]:
    """The doctor's command line against ``api``: exit code, stdout, stderr, the JSON."""
    report_path = tmp_path / "report.json"
    settings = env or {
        "CONVERTR_BASE_URL": BASE_URL,
        "CONVERTR_USERNAME": USERNAME,
        "CONVERTR_PASSWORD": PASSWORD,
    }

    with injected(lambda _config: httpx.MockTransport(api), sleep=Sleeps(), clock=lambda: 0.0):
        code = cli_main(["doctor", "--json", str(report_path)], env=settings)
    captured = capsys.readouterr()
    return code, captured.out, captured.err, report_path.read_text("utf-8")


def test_a_refused_login_is_exit_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = PublishedApi(DIALECTS["2.x"], refuse_login=True)
    code, out, err, report = run_cli(api, tmp_path, capsys)
    assert code == 1 and out == ""
    assert err == (
        "error: cannot sign in: InvalidCredentialsError: "
        "Convertr rejected the username or password.\n"
    )
    data = json.loads(report)
    assert data["can_work"] is False and data["sign_in"]["ok"] is False
    assert data["sign_in"]["error_kind"] == "InvalidCredentialsError"
    assert data["endpoints"] == []
    assert len(api.requests) == 1, "nothing is probed without a sign-in"
    for text in (out, err, report):
        assert PASSWORD not in text and USERNAME not in text


def test_an_unreachable_server_is_exit_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    attempts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    env = {"CONVERTR_BASE_URL": BASE_URL, "CONVERTR_TOKEN": READY_TOKEN}
    with injected(lambda _config: httpx.MockTransport(refuse), sleep=Sleeps(), max_retries=0):
        assert cli_main(["doctor"], env=env) == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("error: users/me failed (no usable answer): ConnectError")
    assert READY_TOKEN not in captured.out + captured.err
    assert len(attempts) == 1, "without an answer the doctor stops after the first probe"
    assert "the other endpoints were not probed after users/me: ConnectError" in captured.out


def test_a_refused_token_stops_the_run_with_one_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = PublishedApi(DIALECTS["4.x"])
    refused = {"code": 401, "message": "Invalid JWT Token"}
    api.items["users/me"] = refused

    def answer(request: httpx.Request) -> httpx.Response:
        api.requests.append(request)
        return httpx.Response(401, json=refused)

    env = {"CONVERTR_BASE_URL": BASE_URL, "CONVERTR_TOKEN": READY_TOKEN}
    with injected(lambda _config: httpx.MockTransport(answer)):
        code = cli_main(["doctor"], env=env)
    captured = capsys.readouterr()
    assert code == 1 and len(api.requests) == 1
    assert captured.err == (
        "error: users/me failed (401): AuthenticationError: The Convertr session is not valid "
        "(Invalid JWT Token). Sign in again. → every page (who is signed in, what the role may "
        "do) cannot work\n"
    )
    assert READY_TOKEN not in captured.out + captured.err


@pytest.mark.parametrize(
    ("missing", "reason_start"),
    [
        ("leads", "leads failed (404): NotFoundError"),
        ("users/me", "users/me failed (404): NotFoundError"),
        ("campaigns", "campaigns failed (404): NotFoundError"),
    ],
)
def test_an_essential_endpoint_missing_is_exit_1(
    missing: str, reason_start: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = PublishedApi(DIALECTS["3.x"], missing={missing})
    code, out, err, report = run_cli(api, tmp_path, capsys)
    assert code == 1
    assert err.startswith(f"error: {reason_start}") and err.count("\n") == 1
    assert "cannot work" in err
    assert "Result: the app cannot work" in out
    assert json.loads(report)["reason"] == err.removeprefix("error: ").rstrip("\n")


# -- no secrets, no lead values ------------------------------------------------------------------

HOSTILE = {
    "firstName": "Zelda-7c1e",
    "lastName": "<script>alert('x')</script>",
    "email": "zelda.7c1e@victim.example",
    "telephone": "+44 7700 900123",
    "company": '=HYPERLINK("http://evil.example","click")',
    "jobTitle": "مرحبا 👋🏽 ceo-7c1e",
    "ip": "198.51.100.77",
    "postcode": "ZZ9 7CE",
    "fingerprint": "fp-7c1e-unique",
    "emailHash": "hash-7c1e-unique",
}
"""Identifiable or hostile lead values: none may appear in the doctor's output."""


def hostile_api(generation: str) -> PublishedApi:
    lead = published_lead(
        **HOSTILE,
        # a non-essential field in an odd shape: the warning may name it, not its value
        advertiserPayout={"secret-amount-7c1e": "payout-7c1e"},
        leadData=[{"@id": "/api/v4/lead-datas/1", "name": "notes", "value": "note-7c1e-private"}],
    )
    api = PublishedApi(
        DIALECTS[generation],
        lead=lead,
        forbidden={"logs (provider)": "Masked users cannot see provider logs."},
        missing={"campaigns/{id}"},
    )
    api.items["lead-datas"]["value"] = "value-7c1e-private"
    api.items["logs (provider)"]["message"] = '{"email": "zelda.7c1e@victim.example"}'
    api.items["lead-notes"]["oldValue"] = "old-7c1e-private"
    api.items["users/me"]["email"] = "support.7c1e@acme.test"
    api.items["users/me"]["name"] = "Agent 7c1e"
    return api


def leaked(texts: Iterable[str], values: Iterable[str]) -> list[str]:
    return [value for value in values for text in texts if value in text]


SECRET_MARKERS = (*SECRETS, USERNAME, "7c1e", *HOSTILE.values(), str(LEAD_ID), "campaigns/12")
"""Secrets, the username, lead values, and ids (paths are shown as templates)."""


@pytest.mark.parametrize("generation", list(DIALECTS))
def test_the_report_holds_no_secret_and_no_lead_value(
    generation: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err, report = run_cli(hostile_api(generation), tmp_path, capsys)
    assert code == 0, err
    assert "Lead.advertiserPayout" in out and "Lead.advertiserPayout" in report
    assert "Masked users cannot see provider logs." in out, "the server's reason is kept"
    assert "campaigns/{id} 404" in out
    assert leaked([out, err, report], SECRET_MARKERS) == []


def test_an_unreadable_lead_is_exit_1_and_still_shows_no_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = hostile_api("4.x")
    api.lead["campaign"] = "campaign-of-zelda-7c1e"
    code, out, err, report = run_cli(api, tmp_path, capsys)
    assert code == 1
    assert err.startswith("error: leads cannot be read: unreadable: Lead.campaign: expected ")
    assert "got a string" in err
    assert json.loads(report)["can_work"] is False
    assert leaked([out, err, report], SECRET_MARKERS) == []


def test_a_token_is_never_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    api = hostile_api("2.x")
    env = {"CONVERTR_BASE_URL": BASE_URL, "CONVERTR_TOKEN": READY_TOKEN}
    code, out, err, report = run_cli(api, tmp_path, capsys, env)
    assert code == 0, err
    assert "Sign-in: an API token is configured" in out
    assert not any(request.url.path == "/api/login" for request in api.requests)
    assert leaked([out, err, report], SECRET_MARKERS) == []


# -- settings ------------------------------------------------------------------------------------


def test_secrets_files_are_read_in_order_and_a_bad_one_is_named(tmp_path: Path) -> None:
    first, second, absent = tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "none.toml"
    first.write_text('CONVERTR_BASE_URL = "https://one.cvtr.io"\nCONVERTR_TOKEN = "t1"\n')
    second.write_text('CONVERTR_BASE_URL = "https://two.cvtr.io"\n')
    assert read_secrets_files([first, absent, second]) == {
        "CONVERTR_BASE_URL": "https://two.cvtr.io",
        "CONVERTR_TOKEN": "t1",
    }
    broken = tmp_path / "broken.toml"
    broken.write_text("CONVERTR_TOKEN = \n")
    from lib.convertr.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=r"broken\.toml: expected a readable TOML"):
        read_secrets_files([broken])


def test_every_endpoint_the_client_reads_is_in_the_table() -> None:
    """The doctor follows the one endpoint table: every resource is probed, every filter the
    client sends to it is checked, and the client spells no path or filter of its own."""
    import re

    from lib.convertr import endpoints

    probed = {endpoint.resource.removesuffix("/{id}") for endpoint in ENDPOINTS}
    assert {resource.name for resource in endpoints.RESOURCES} - probed == set()
    for resource in endpoints.RESOURCES:
        checked = {
            need.filter
            for endpoint in ENDPOINTS
            if endpoint.resource == resource.name
            for need in endpoint.needs
        }
        assert set(resource.filters) - checked == set(), resource.name
    from lib.convertr import client as client_module

    source = Path(client_module.__file__).read_text("utf-8")
    assert not re.findall(r'API_PREFIX|"/api/v4|"[a-z]+\.id(?:\[\])?"', source)
