"""The connection doctor: can Lead Lens work with this Convertr enterprise, and what differs?

Usage::

    python -m lib.cli doctor               # a table on stdout (lib/cli/doctor.py)
    python -m lib.cli doctor --json FILE   # the same report as JSON, for a support ticket

It uses the app's own settings (``CONVERTR_BASE_URL``, ``CONVERTR_USERNAME``,
``CONVERTR_PASSWORD`` or ``CONVERTR_TOKEN``, ``CONVERTR_STATUS_CODES``, from the environment
and then from ``.streamlit/secrets.toml``; without a base URL the embedded sandbox). It signs
in, sends ONE small request (one item per page, or one item) to every endpoint the app reads,
through the client's own code path, and GETs a surely missing lead to see how the server
spells errors. For each endpoint it shows the HTTP status, the time, the ``hydra:`` spelling,
whether the collection is counted (``totalItems``) or partially paginated, the filters the
server advertises (``search``) against the filters the app sends, and the fields whose shape
differed from the models. Then it names the API Platform dialect it infers and, for each gap,
what the app does about it.

Exit 0 when the app can work (gaps that only reduce a feature are warnings), 1 with a one-line
reason on stderr when it cannot: no sign-in, an essential endpoint (``users/me``,
``campaigns``, ``leads``, ``leads/{id}``) failing, or a lead the models cannot read.

Neither the table nor the JSON holds a password, a token, a username or any lead value: only
endpoint and field names, statuses, shapes and timings (paths are shown as templates, so not
even ids appear). The doctor never writes: every probe is a GET.
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import pydantic

from lib.convertr.client import ConvertrClient, HydraCollection, HydraSpelling
from lib.convertr.constants import API_PREFIX, PROBE_ITEMS_PER_PAGE
from lib.convertr.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConvertrError,
    ErrorBodyStyle,
    ResponseFormatError,
    TransportError,
)
from lib.convertr.models import (
    ApiModel,
    Campaign,
    CampaignLink,
    CampaignProcessrJob,
    CampaignPublisher,
    FormatWarning,
    Lead,
    LeadData,
    LeadEditableField,
    LeadNote,
    LeadStatisticsChronology,
    LogEntry,
    ProcessrJobLead,
    Publisher,
    Relation,
    Statistic,
    StatusCodes,
    User,
    describe_shape,
    describe_type,
    parse_context,
)

EXIT_WORKS: Final = 0
EXIT_CANNOT_WORK: Final = 1
REPORT_VERSION: Final = 1
"""Version of the JSON report's layout (bump when a key changes meaning)."""
SECRETS_FILES: Final = (
    Path.home() / ".streamlit" / "secrets.toml",
    Path(".streamlit") / "secrets.toml",
)
"""Where Streamlit reads secrets from, in the order it merges them (the project's file wins)."""
MISSING_LEAD_ID: Final = 0
"""No platform numbers an item 0, so ``leads/0`` provokes a 404 whose body shows the error
style."""

Scope = Literal["none", "campaign", "lead", "publisher"]
"""Which id found earlier narrows a probe (the first campaign, the newest lead, its
publisher)."""
Severity = Literal["info", "warning", "fatal"]
"""``info``: the app adapts and nothing is lost; ``warning``: a feature is reduced;
``fatal``: the app cannot work."""
Outcome = Literal["ok", "empty", "error", "unparseable", "skipped"]

ModelT = TypeVar("ModelT", bound=ApiModel)


# -- what the app uses: THE table ---------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A filter the app sends to an endpoint (as ``client.py`` spells it), and what the app
    does when the server does not offer it."""

    filter: str
    without: str


@dataclass(frozen=True)
class Endpoint:
    """An endpoint the app reads, how the doctor probes it, and what depends on it."""

    name: str
    """Shown in the report: ``leads``, ``leads/{id}``, ``logs (provider)``."""
    resource: str
    """The path below ``/api/v4`` (``{id}`` for an item)."""
    kind: Literal["collection", "item"]
    model: type[ApiModel]
    feature: str
    """What the app shows from it (the consequence of a failure names it)."""
    essential: bool = False
    """Without it the app cannot work at all."""
    scope: Scope = "none"
    """The id the probe is narrowed by (collections) or fetches (items)."""
    narrow: str | None = None
    """The filter carrying the scope's id, as the app sends it."""
    owner: str | None = None
    """The item's relation (or ``id``) that must point to the scope's id when the server
    applied ``narrow``."""
    params: tuple[tuple[str, str], ...] = ()
    """Other parameters the app sends with every request (an order, a log type)."""
    needs: tuple[Need, ...] = ()
    finds: Scope = "none"
    """The id this probe discovers for later probes."""

    @property
    def path_template(self) -> str:
        return f"{API_PREFIX}/{self.resource}"


def _narrowing(name: str, what: str) -> Need:
    """A filter that narrows a list to one lead's or campaign's rows."""
    return Need(name, f"the app sends it anyway; if the server ignores it, {what}")


ENDPOINTS: Final[tuple[Endpoint, ...]] = (
    Endpoint(
        "users/me",
        "users/me",
        "item",
        User,
        "every page (who is signed in, what the role may do)",
        essential=True,
    ),
    Endpoint(
        "campaigns",
        "campaigns",
        "collection",
        Campaign,
        "the Campaigns page",
        essential=True,
        params=(("order[name]", "asc"),),
        finds="campaign",
        needs=(
            Need("order[name]", "campaigns come in the server's order, not by name"),
            Need("name", "the Campaigns page's search may not narrow the list"),
            Need("status[]", "the Campaigns page's status filter may not narrow the list"),
            _narrowing("id[]", "Associated Campaigns may list other campaigns"),
        ),
    ),
    Endpoint(
        "leads",
        "leads",
        "collection",
        Lead,
        "the Leads page",
        essential=True,
        scope="campaign",
        narrow="campaign.id",
        owner="campaign",
        params=(("order[createdTs]", "desc"),),
        finds="lead",
        needs=(
            _narrowing("campaign.id", "the Leads page may show other campaigns' leads"),
            Need("order[createdTs]", "leads come in the server's order, not newest first"),
            Need("processrStatus[]", "the Leads page hides the status filter"),
            Need("delivered", "the Leads page hides the delivered filter"),
            Need("createdTs[after]", "the Leads page hides the start of the date range"),
            Need("createdTs[before]", "the Leads page hides the end of the date range"),
            Need("search", "the Leads page hides the search box"),
            _narrowing("email", "Associated Campaigns may list other people's leads"),
        ),
    ),
    Endpoint(
        "leads/{id}", "leads/{id}", "item", Lead, "the Lead page", essential=True, scope="lead"
    ),
    Endpoint(
        "campaigns/{id}",
        "campaigns/{id}",
        "item",
        Campaign,
        "the Lead page's campaign details",
        scope="campaign",
    ),
    Endpoint(
        "lead-datas",
        "lead-datas",
        "collection",
        LeadData,
        "the Lead page's Profile tab (captured, derived, enriched and edited values)",
        scope="lead",
        narrow="lead.id",
        owner="lead",
        needs=(_narrowing("lead.id", "the Profile tab may show other leads' values"),),
    ),
    Endpoint(
        "lead-notes",
        "lead-notes",
        "collection",
        LeadNote,
        "the Lead page's Notes tab",
        scope="lead",
        narrow="lead.id",
        owner="lead",
        needs=(_narrowing("lead.id", "the Notes tab may show other leads' notes"),),
    ),
    Endpoint(
        "processr-job-leads",
        "processr-job-leads",
        "collection",
        ProcessrJobLead,
        "the Lead page's Job Details tab (job results)",
        scope="lead",
        narrow="lead.id",
        owner="lead",
        needs=(_narrowing("lead.id", "Job Details may show other leads' results"),),
    ),
    Endpoint(
        "logs (processr)",
        "logs",
        "collection",
        LogEntry,
        "the Lead page's Processr Logs tab",
        scope="lead",
        narrow="lead.id",
        owner="lead",
        params=(("type", "processr"),),
        needs=(
            _narrowing("lead.id", "the Processr Logs tab may show other leads' logs"),
            Need("type", "the Processr Logs tab may mix in provider logs"),
        ),
    ),
    Endpoint(
        "logs (provider)",
        "logs",
        "collection",
        LogEntry,
        "the Lead page's Provider Logs tab",
        scope="lead",
        narrow="lead.id",
        owner="lead",
        params=(("type", "provider"),),
        needs=(
            _narrowing("lead.id", "the Provider Logs tab may show other leads' logs"),
            Need("type", "the Provider Logs tab may mix in processr logs"),
        ),
    ),
    Endpoint(
        "campaign-processr-jobs",
        "campaign-processr-jobs",
        "collection",
        CampaignProcessrJob,
        "the Lead page's Job Details tab (the campaign's jobs)",
        scope="campaign",
        narrow="campaign.id[]",
        owner="campaign",
        needs=(_narrowing("campaign.id[]", "Job Details may list other campaigns' jobs"),),
    ),
    Endpoint(
        "lead-editable-fields",
        "lead-editable-fields",
        "collection",
        LeadEditableField,
        "the Lead page's Edit Data tab",
        scope="campaign",
        narrow="campaign.id",
        needs=(_narrowing("campaign.id", "Edit Data may offer other campaigns' fields"),),
    ),
    Endpoint(
        "campaign-publishers",
        "campaign-publishers",
        "collection",
        CampaignPublisher,
        "the Generator name and Associated Campaigns' publishers",
        scope="campaign",
        narrow="campaign.id[]",
        owner="campaign",
        needs=(
            _narrowing("campaign.id[]", "Associated Campaigns may count other contracts"),
            _narrowing("campaign.id", "the Generator may be named from another campaign"),
        ),
    ),
    Endpoint(
        "statistics",
        "statistics",
        "collection",
        Statistic,
        "Associated Campaigns' statistics",
        scope="campaign",
        narrow="campaign.id[]",
        owner="campaign",
        needs=(_narrowing("campaign.id[]", "Associated Campaigns may sum other campaigns"),),
    ),
    Endpoint(
        "lead-statistics-chronologies",
        "lead-statistics-chronologies",
        "collection",
        LeadStatisticsChronology,
        "Associated Campaigns' lead charts",
        scope="campaign",
        narrow="campaign.id[]",
        owner="campaign",
        needs=(
            _narrowing("campaign.id[]", "the charts may sum other campaigns"),
            Need("date[after]", "a chart's date range is cut by the app after loading all days"),
            Need("date[before]", "a chart's date range is cut by the app after loading all days"),
        ),
    ),
    Endpoint(
        "campaign-links",
        "campaign-links",
        "collection",
        CampaignLink,
        "Associated Campaigns' tracking links",
        scope="campaign",
        narrow="campaign.id[]",
        owner="campaign",
        needs=(_narrowing("campaign.id[]", "links of other campaigns may be listed"),),
    ),
    Endpoint(
        "publishers",
        "publishers",
        "collection",
        Publisher,
        "publisher names by id",
        scope="publisher",
        narrow="id[]",
        owner="id",
        needs=(_narrowing("id[]", "publisher names may be looked up among others"),),
    ),
)
"""Every endpoint the app reads (client.py, dossier.py), in probe order: the campaigns and
leads probes find the ids the later probes are narrowed by."""


# -- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Something that differs from what the app expects, and what the app does about it."""

    severity: Severity
    endpoint: str
    message: str
    """``what differs → what the app does``, one line."""

    def to_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "endpoint": self.endpoint, "message": self.message}


@dataclass(frozen=True)
class Probe:
    """One request the doctor sent and what its answer showed (names and shapes only)."""

    endpoint: str
    path: str
    """The path template (``/api/v4/leads/{id}``): ids are not shown."""
    outcome: Outcome
    status: int | None = None
    """HTTP status, None when no answer came (or the probe was skipped)."""
    elapsed_ms: float | None = None
    spelling: HydraSpelling | None = None
    """``hydra:`` or ``""`` for a collection; None for an item."""
    counted: bool | None = None
    """Whether the collection sends ``totalItems`` (False: partial pagination)."""
    advertised: frozenset[str] | None = None
    """Filters in the collection's ``search`` mapping; None when it advertises none."""
    needed: tuple[str, ...] = ()
    warnings: tuple[FormatWarning, ...] = ()
    error: str | None = None
    """What failed, one line: the error kind and the server's reason, or the field that
    could not be read (never a value)."""
    error_style: ErrorBodyStyle | None = None

    @property
    def missing_filters(self) -> tuple[str, ...]:
        """Needed filters the server does not advertise (none when it advertises nothing)."""
        if self.advertised is None:
            return ()
        return tuple(name for name in self.needed if name not in self.advertised)

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "path": self.path,
            "outcome": self.outcome,
            "status": self.status,
            "elapsed_ms": None if self.elapsed_ms is None else round(self.elapsed_ms, 1),
            "spelling": None if self.spelling is None else (self.spelling or "unprefixed"),
            "counted": self.counted,
            "filters_advertised": None if self.advertised is None else sorted(self.advertised),
            "filters_needed": list(self.needed),
            "filters_missing": list(self.missing_filters),
            "format_warnings": [
                {"model": w.model, "field": w.field, "expected": w.expected} for w in self.warnings
            ],
            "error": self.error,
            "error_style": self.error_style,
        }


@dataclass(frozen=True)
class Dialect:
    """The API Platform generation the answers point to (an inference: a GET cannot see
    which status validation failures get, so that part follows from the generation)."""

    generation: str
    """``2.x``, ``3.x``, ``4.x`` or ``unknown``."""
    spelling: HydraSpelling | Literal["mixed"] | None
    error_style: ErrorBodyStyle | None
    partial_pagination: bool | None
    violation_status: int | None
    """400 (2.x) or 422 (3.x and later), as the generation implies; not probed."""

    @property
    def label(self) -> str:
        facts = []
        if self.spelling is not None:
            facts.append(
                {"hydra:": "hydra:", "": "no prefix", "mixed": "mixed prefixes"}[self.spelling]
            )
        if self.error_style == "problem":
            facts.append("problem+json")
        elif self.error_style == "hydra":
            facts.append("hydra:Error")
        if self.violation_status is not None:
            facts.append(f"{self.violation_status} violations expected")
        name = "API Platform " + self.generation if self.generation != "unknown" else "unknown"
        return f"{name} ({', '.join(facts)})" if facts else name

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "generation": self.generation,
            "spelling": None if self.spelling is None else (self.spelling or "unprefixed"),
            "error_style": self.error_style,
            "partial_pagination": self.partial_pagination,
            "violation_status": self.violation_status,
        }


@dataclass(frozen=True)
class SignIn:
    ok: bool
    method: Literal["password", "token"]
    elapsed_ms: float | None = None
    error_kind: str | None = None
    """The error class (``InvalidCredentialsError``, ``ConnectError``, ...)."""
    message: str | None = None
    """Its one-line user message (never the password, token or username)."""

    @property
    def line(self) -> str:
        how = "username and password" if self.method == "password" else "an API token"
        if self.ok and self.method == "token":
            return "Sign-in: an API token is configured (users/me below shows if it is accepted)"
        if self.ok:
            took = "" if self.elapsed_ms is None else f", {self.elapsed_ms:.0f} ms"
            return f"Sign-in: OK (with {how}{took})"
        return f"Sign-in: FAILED (with {how}): {self.error_kind}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "method": self.method,
            "elapsed_ms": None if self.elapsed_ms is None else round(self.elapsed_ms, 1),
            "error_kind": self.error_kind,
            "message": self.message,
        }


@dataclass(frozen=True)
class DoctorReport:
    """What the doctor found: safe to attach to a support ticket."""

    target: str
    """``Sandbox`` or the enterprise's base URL."""
    sign_in: SignIn
    role: str | None = None
    permissions: tuple[str, ...] = ()
    probes: tuple[Probe, ...] = ()
    dialect: Dialect | None = None
    status_encoding: str | None = None
    gaps: tuple[Gap, ...] = ()
    requests: int = 0
    elapsed_ms: float = 0.0

    @property
    def fatal(self) -> tuple[Gap, ...]:
        return tuple(gap for gap in self.gaps if gap.severity == "fatal")

    @property
    def can_work(self) -> bool:
        return self.sign_in.ok and not self.fatal

    @property
    def reason(self) -> str | None:
        """Why the app cannot work, one line (None when it can)."""
        if not self.sign_in.ok:
            return f"cannot sign in: {self.sign_in.error_kind}: {self.sign_in.message}"
        if self.fatal:
            return self.fatal[0].message
        return None

    @property
    def exit_code(self) -> int:
        return EXIT_WORKS if self.can_work else EXIT_CANNOT_WORK

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": "lead-lens connection doctor",
            "version": REPORT_VERSION,
            "target": self.target,
            "can_work": self.can_work,
            "reason": self.reason,
            "sign_in": self.sign_in.to_dict(),
            "role": self.role,
            "permissions": list(self.permissions),
            "dialect": None if self.dialect is None else self.dialect.to_dict(),
            "status_encoding": self.status_encoding,
            "endpoints": [probe.to_dict() for probe in self.probes],
            "gaps": [gap.to_dict() for gap in self.gaps],
            "requests": self.requests,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


# -- probing -------------------------------------------------------------------------------------


def _milliseconds(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _error_summary(error: ConvertrError) -> str:
    """The error's kind and one-line user message. ``str(error)`` is never used: a format
    error's details quote the value that failed, which may be a lead's."""
    return f"{type(error).__name__}: {error.user_message}"


def _expected_of(model: type[ApiModel], key: str) -> str:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return describe_type(info.annotation)
    return "a known field"


def _item_failure(model: type[ApiModel], data: object, codes: StatusCodes) -> str | None:
    """The first field of ``data`` the model cannot read, named with its expected and actual
    shape (never the value), or None when it reads."""
    try:
        model.model_validate(data, context=parse_context(codes))
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        location = [str(part) for part in first["loc"]]
        where = ".".join(location) or "(the item)"
        got = "nothing" if first["type"] == "missing" else describe_shape(first.get("input"))
        if len(location) != 1:
            # Inside an embedded item: its own field's expected shape is not the model's.
            return f"{model.__name__}.{where}: got {got} ({first['type']})"
        return f"{model.__name__}.{where}: expected {_expected_of(model, where)}, got {got}"
    return None


def _owner_id(item: ApiModel, owner: str) -> int | None:
    """The id ``item`` points to through ``owner`` (a relation, or ``id`` itself)."""
    value = getattr(item, owner, None)
    if isinstance(value, Relation):
        return value.id
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Doctor:
    """One run: the client, the ids found so far, and the probes and gaps recorded."""

    def __init__(self, client: ConvertrClient) -> None:
        self.client = client
        self.ids: dict[Scope, int] = {}
        self.probes: list[Probe] = []
        self.gaps: list[Gap] = []
        self.lead: Lead | None = None
        self.user: User | None = None
        self.unadvertised: list[str] = []
        """Collections that advertise no filters (no ``search`` mapping)."""
        self.stopped: str | None = None
        """Why the run stopped early (no answer, or the session was refused)."""
        self.differing: dict[tuple[str, str, str], list[str]] = {}
        """(model, field, expected shape) -> the endpoints whose answers differed there."""

    def gap(self, severity: Severity, endpoint: str, message: str) -> None:
        self.gaps.append(Gap(severity, endpoint, message))

    # A probe ---------------------------------------------------------------------------------

    def url_and_params(
        self, endpoint: Endpoint, *, narrowed: bool = True
    ) -> tuple[str, list[tuple[str, str | int]]] | None:
        """The URL and query of the probe, or None when it needs an id nobody found."""
        params: list[tuple[str, str | int]] = list(endpoint.params)
        scope_id = self.ids.get(endpoint.scope) if narrowed else None
        if endpoint.kind == "item":
            if endpoint.scope == "none":
                return endpoint.path_template, params
            if scope_id is None:
                return None
            return endpoint.path_template.replace("{id}", str(scope_id)), params
        if endpoint.narrow is not None and scope_id is not None:
            params.insert(0, (endpoint.narrow, scope_id))
        return endpoint.path_template, params

    def probe(self, endpoint: Endpoint, *, narrowed: bool = True) -> list[ApiModel]:
        """Send the endpoint's one request through the client, record what came, and return
        the items read."""
        target = self.url_and_params(endpoint, narrowed=narrowed)
        needed = tuple(need.filter for need in endpoint.needs)
        if target is None:
            self.probes.append(
                Probe(endpoint.name, endpoint.path_template, "skipped", needed=needed)
            )
            self.gap(
                "info",
                endpoint.name,
                f"not probed: no {endpoint.scope} was found to ask for",
            )
            return []
        url, params = target
        started = time.perf_counter()
        try:
            items = self.fetch(endpoint.model, endpoint.kind, url, params)
        except ResponseFormatError:
            elapsed = _milliseconds(started)
            detail = self.describe_unreadable(endpoint, url, params)
            self.record_failure(endpoint, needed, elapsed, None, detail, None)
            return []
        except ConvertrError as error:
            elapsed = _milliseconds(started)
            status = error.status if isinstance(error, APIError) else None
            style = error.body_style if isinstance(error, APIError) else None
            self.record_failure(endpoint, needed, elapsed, status, _error_summary(error), style)
            if isinstance(error, TransportError | AuthenticationError):
                # No answer, or the session refused: every other probe would fail the same
                # way (each after its retries), so the run stops here.
                self.stopped = f"{endpoint.name}: {_error_summary(error)}"
            return []
        elapsed = _milliseconds(started)
        shape = self.client.collection_shape(url) if endpoint.kind == "collection" else None
        warnings = tuple(dict.fromkeys(w for item in items for w in item.format_warnings))
        probe = Probe(
            endpoint.name,
            endpoint.path_template,
            "ok" if items else "empty",
            status=200,
            elapsed_ms=elapsed,
            spelling=shape.spelling if shape else None,
            counted=shape.counted if shape else None,
            advertised=shape.filters if shape else None,
            needed=needed,
            warnings=warnings,
        )
        self.probes.append(probe)
        self.note_answer(endpoint, probe, items, narrowed=narrowed)
        return items

    def fetch(
        self,
        model: type[ModelT],
        kind: Literal["collection", "item"],
        url: str,
        params: Sequence[tuple[str, str | int]],
    ) -> list[ModelT]:
        if kind == "item":
            return [self.client.get_item(model, url)]
        page = self.client.page(model, url, params, items_per_page=PROBE_ITEMS_PER_PAGE)
        return list(page.items)

    def describe_unreadable(
        self, endpoint: Endpoint, url: str, params: Sequence[tuple[str, str | int]]
    ) -> str:
        """Which field could not be read, from a second read of the raw answer (the client's
        own message quotes the failing value, which may be a lead's)."""
        query = [*params, ("itemsPerPage", PROBE_ITEMS_PER_PAGE)]
        try:
            raw = self.client.request_json(
                "GET", url, params=query if endpoint.kind == "collection" else None
            )
            members = (
                HydraCollection(raw, method="GET", path=endpoint.path_template).members
                if endpoint.kind == "collection"
                else [raw]
            )
        except ResponseFormatError as error:
            # Not JSON, or not a collection: the message names content types and keys only,
            # but an item's path holds its id.
            return "ResponseFormatError: " + " ".join(
                str(error).replace(url, endpoint.path_template).split()
            )
        except ConvertrError as error:
            return _error_summary(error)
        for member in members:
            failure = _item_failure(endpoint.model, member, self.client.status_codes)
            if failure is not None:
                return f"unreadable: {failure}"
        return "unreadable: the answer did not match the model"

    def record_failure(
        self,
        endpoint: Endpoint,
        needed: tuple[str, ...],
        elapsed: float,
        status: int | None,
        detail: str,
        style: ErrorBodyStyle | None,
    ) -> None:
        unreadable = detail.startswith(("unreadable", "ResponseFormatError"))
        # An unreadable collection was read as a collection before its items failed, so its
        # shape is this answer's; after an error status it would be an earlier probe's.
        shape = self.client.collection_shape(endpoint.path_template) if unreadable else None
        self.probes.append(
            Probe(
                endpoint.name,
                endpoint.path_template,
                "unparseable" if unreadable else "error",
                status=status if status is not None else (200 if unreadable else None),
                elapsed_ms=elapsed,
                spelling=shape.spelling if shape and endpoint.kind == "collection" else None,
                counted=shape.counted if shape and endpoint.kind == "collection" else None,
                advertised=shape.filters if shape and endpoint.kind == "collection" else None,
                needed=needed,
                error=detail,
                error_style=style,
            )
        )
        answered = f"{status}" if status is not None else "no usable answer"
        if endpoint.essential:
            what = "cannot be read" if unreadable else f"failed ({answered})"
            self.gap(
                "fatal",
                endpoint.name,
                f"{endpoint.name} {what}: {detail} → {endpoint.feature} cannot work",
            )
        elif status == 403:
            self.gap(
                "warning",
                endpoint.name,
                f"403 on {endpoint.name} ({detail}) → {endpoint.feature} explains the role "
                "cannot see it; the rest works",
            )
        else:
            self.gap(
                "warning",
                endpoint.name,
                f"{endpoint.name} {answered}: {detail} → {endpoint.feature} shows the error; "
                "the rest works",
            )

    # What an answer shows ----------------------------------------------------------------------

    def note_answer(
        self, endpoint: Endpoint, probe: Probe, items: list[ApiModel], *, narrowed: bool
    ) -> None:
        if items and isinstance(items[0], User):
            self.user = items[0]
        if endpoint.finds != "none" and items:
            self.found(endpoint.finds, items[0])
        self.note_filters(endpoint, probe)
        self.note_narrowing(endpoint, items, narrowed=narrowed)
        for warning in probe.warnings:
            key = (warning.model, warning.field, warning.expected)
            self.differing.setdefault(key, []).append(endpoint.name)
        if endpoint.name == "leads" and probe.counted is False:
            # The Leads page handles it fully (Previous/Next); only the count is not shown.
            self.gap(
                "info",
                endpoint.name,
                "no totalItems (partial pagination) → the Leads page pages by the next link "
                '("page 3", Next/Previous, no page count)',
            )

    def found(self, scope: Scope, item: ApiModel) -> None:
        if isinstance(item, Lead):
            self.lead = item
            self.ids["lead"] = item.id
            # The lead's own campaign surely has data; the first campaign by name may not.
            self.ids["campaign"] = item.campaign_id
            if item.publisher_id is not None:
                self.ids["publisher"] = item.publisher_id
        elif isinstance(item, Campaign):
            self.ids.setdefault("campaign", item.id)
        else:
            raise TypeError(f"expected a Lead or a Campaign to find {scope} ids, got {item!r}")

    def note_filters(self, endpoint: Endpoint, probe: Probe) -> None:
        if endpoint.kind == "item" or not endpoint.needs:
            return
        if probe.advertised is None:
            # Said once for all such endpoints (see note_dialect), not once per endpoint.
            self.unadvertised.append(endpoint.name)
            return
        for need in endpoint.needs:
            if need.filter not in probe.advertised:
                self.gap(
                    "warning",
                    endpoint.name,
                    f"filter {need.filter} not advertised → {need.without}",
                )

    def note_narrowing(self, endpoint: Endpoint, items: list[ApiModel], *, narrowed: bool) -> None:
        """A server that ignores the narrowing filter answers items of other leads/campaigns."""
        scope_id = self.ids.get(endpoint.scope)
        if not narrowed or endpoint.owner is None or endpoint.narrow is None or scope_id is None:
            return
        owners = {_owner_id(item, endpoint.owner) for item in items} - {None}
        if owners - {scope_id}:
            self.gap(
                "warning",
                endpoint.name,
                f"filter {endpoint.narrow} was not applied (an item of another {endpoint.scope} "
                f"came) → {endpoint.feature} may show rows that are not this {endpoint.scope}'s",
            )

    # The run -------------------------------------------------------------------------------------

    def run_probes(self) -> None:
        for endpoint in ENDPOINTS:
            if self.stopped is not None:
                self.probes.append(
                    Probe(
                        endpoint.name,
                        endpoint.path_template,
                        "skipped",
                        needed=tuple(need.filter for need in endpoint.needs),
                    )
                )
                continue
            items = self.probe(endpoint)
            if endpoint.finds == "lead" and not items and self.probes[-1].outcome == "empty":
                # The first campaign may have no leads: one more request, over all campaigns,
                # finds a lead to probe the item endpoints with.
                self.probes.pop()
                items = self.probe(endpoint, narrowed=False)
                if not items:
                    self.gap(
                        "warning",
                        endpoint.name,
                        "no lead found → the lead's shape and the Lead page's endpoints "
                        "cannot be checked",
                    )
        if self.stopped is not None:
            self.gap("info", "all", f"the other endpoints were not probed after {self.stopped}")
        else:
            self.probe_error_style()
        self.note_differing_fields()
        self.note_status_encoding()

    def probe_error_style(self) -> None:
        """GET a surely missing lead: its 404 body shows how the server spells errors."""
        name = "leads/{id} (missing)"
        template = f"{API_PREFIX}/leads/{{id}}"
        started = time.perf_counter()
        try:
            self.client.request_json("GET", f"{API_PREFIX}/leads/{MISSING_LEAD_ID}")
        except APIError as error:
            self.probes.append(
                Probe(
                    name,
                    template,
                    "ok" if error.status == 404 else "error",
                    status=error.status,
                    elapsed_ms=_milliseconds(started),
                    error_style=error.body_style,
                )
            )
            if error.body_style == "none":
                self.gap(
                    "warning",
                    name,
                    "errors come without a JSON body → the app shows generic messages "
                    "without the server's reason",
                )
            return
        except ConvertrError as error:
            self.probes.append(
                Probe(
                    name,
                    template,
                    "error",
                    elapsed_ms=_milliseconds(started),
                    error=_error_summary(error),
                )
            )
            return
        self.probes.append(
            Probe(name, template, "ok", status=200, elapsed_ms=_milliseconds(started))
        )
        self.gap("info", name, "a missing lead answered 200 → the error style is unknown")

    def note_status_encoding(self) -> None:
        encoding = self.client.status_encoding
        if encoding == "codes":
            self.gap(
                "info",
                "leads",
                "status filter: server uses codes → the app sends codes (1000 is public, "
                "1001-1003 assumed: set CONVERTR_STATUS_CODES if a filter looks wrong)",
            )
        elif encoding == "labels":
            self.gap("info", "leads", "status filter: server uses labels → the app sends labels")
        if self.lead is not None:
            status = self.lead.status
            if status.source == "derived":
                self.gap(
                    "warning",
                    "leads",
                    f"status code {status.raw} is in no table → its label is derived from the "
                    "score and marked as derived; set CONVERTR_STATUS_CODES",
                )
            elif status.source == "assumed":
                self.gap(
                    "info",
                    "leads",
                    f"status code {status.raw} has an assumed meaning ({status.label}) → "
                    "confirm it, or set CONVERTR_STATUS_CODES",
                )

    def dialect(self) -> Dialect:
        collections = [probe for probe in self.probes if probe.spelling is not None]
        spellings = {probe.spelling for probe in collections}
        spelling: HydraSpelling | Literal["mixed"] | None
        if not spellings:
            spelling = None
        elif len(spellings) == 1:
            spelling = collections[0].spelling
        else:
            spelling = "mixed"
        styles = [probe.error_style for probe in self.probes if probe.error_style is not None]
        error_style = styles[-1] if styles else None  # the missing-lead probe comes last
        counted = [probe.counted for probe in collections if probe.counted is not None]
        partial = (not all(counted)) if counted else None
        if spelling == "":
            generation = "4.x"
        elif spelling == "hydra:" and error_style == "problem":
            generation = "3.x"
        elif spelling == "hydra:" and error_style == "hydra":
            generation = "2.x"
        else:
            generation = "unknown"
        violations = {"2.x": 400, "3.x": 422, "4.x": 422}.get(generation)
        return Dialect(generation, spelling, error_style, partial, violations)

    def note_differing_fields(self) -> None:
        """One gap per field whose shape differed, naming every endpoint it came from (the
        lead's fields come twice: in the collection and as an item)."""
        for (model, field_name, expected), endpoints in self.differing.items():
            self.gap(
                "warning",
                ", ".join(dict.fromkeys(endpoints)),
                f"{model}.{field_name} differs from the model (expected {expected}) → kept as "
                "sent and listed under the Lead page's format warnings",
            )

    def note_dialect(self, dialect: Dialect) -> None:
        if self.unadvertised:
            self.gap(
                "info",
                ", ".join(self.unadvertised),
                "no search mapping advertised → the app cannot check which filters the server "
                "supports, so it sends the documented ones",
            )
        if dialect.partial_pagination:
            partial = [
                probe.endpoint
                for probe in self.probes
                if probe.counted is False and probe.endpoint != "leads"
            ]
            if partial:
                self.gap(
                    "info",
                    ", ".join(partial),
                    "no totalItems (partial pagination) → the app reads these lists by "
                    "following next links",
                )
        if dialect.spelling == "mixed":
            self.gap("info", "collections", "some collections use hydra:, others not → both read")
        if dialect.error_style == "problem":
            self.gap("info", "errors", "errors as problem+json → the app reads title and detail")


# -- running -------------------------------------------------------------------------------------


def sign_in(client: ConvertrClient) -> SignIn:
    # The client uses a configured token before it logs in with a password.
    method: Literal["password", "token"] = "token" if client.config.token else "password"
    started = time.perf_counter()
    try:
        client.authenticate()
    except ConvertrError as error:
        return SignIn(
            ok=False,
            method=method,
            elapsed_ms=_milliseconds(started),
            error_kind=type(error).__name__,
            message=error.user_message,
        )
    return SignIn(ok=True, method=method, elapsed_ms=_milliseconds(started))


def run_doctor(client: ConvertrClient) -> DoctorReport:
    """Sign in, probe every endpoint the app reads, and say what differs (see the module
    docstring). Never raises a ConvertrError: every failure is part of the report."""
    started = time.perf_counter()
    signed_in = sign_in(client)
    if not signed_in.ok:
        return DoctorReport(
            target=client.base_url_display,
            sign_in=signed_in,
            requests=client.request_count,
            elapsed_ms=_milliseconds(started),
        )
    doctor = _Doctor(client)
    doctor.run_probes()
    dialect = doctor.dialect()
    doctor.note_dialect(dialect)
    user = doctor.user
    return DoctorReport(
        target=client.base_url_display,
        sign_in=signed_in,
        role=user.role if user else None,
        permissions=user.permissions if user else (),
        probes=tuple(doctor.probes),
        dialect=dialect,
        status_encoding=client.status_encoding,
        gaps=tuple(doctor.gaps),
        requests=client.request_count,
        elapsed_ms=_milliseconds(started),
    )


# -- output --------------------------------------------------------------------------------------

SEVERITY_ORDER: Final[Mapping[Severity, int]] = {"fatal": 0, "warning": 1, "info": 2}
TABLE_HEADER: Final = ("endpoint", "status", "ms", "spelling", "paging", "filters", "shape")


def _filters_cell(probe: Probe) -> str:
    if not probe.needed or probe.outcome == "skipped":
        return "-"
    if probe.advertised is None:
        return "none advertised" if probe.outcome != "error" else "-"
    missing = len(probe.missing_filters)
    if not missing:
        return f"all {len(probe.needed)} advertised"
    return f"{missing} of {len(probe.needed)} missing"


def _shape_cell(probe: Probe) -> str:
    if probe.outcome == "unparseable":
        return "UNREADABLE"
    if probe.warnings:
        count = len(probe.warnings)
        return f"{count} field{'s differ' if count > 1 else ' differs'}"
    if probe.outcome == "ok" and probe.error_style is not None:
        return f"error body: {probe.error_style}"
    return {"ok": "ok", "empty": "no item", "error": "-", "skipped": "-"}.get(probe.outcome, "-")


def _row(probe: Probe) -> tuple[str, ...]:
    status = "skipped" if probe.outcome == "skipped" else str(probe.status or "-")
    spelling = {None: "-", "hydra:": "hydra:", "": "none"}[probe.spelling]
    paging = {None: "-", True: "counted", False: "partial"}[probe.counted]
    took = "-" if probe.elapsed_ms is None else f"{probe.elapsed_ms:.0f}"
    return (
        probe.endpoint,
        status,
        took,
        spelling,
        paging,
        _filters_cell(probe),
        _shape_cell(probe),
    )


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    numeric = {1, 2}  # status and ms read better right-aligned
    return [
        "  ".join(
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def render_text(report: DoctorReport) -> str:
    """The report as a terminal table, then the dialect, the gaps and the verdict."""
    lines = [f"Lead Lens connection doctor: {report.target}", report.sign_in.line]
    if report.role is not None:
        shown = ", ".join(report.permissions) or "no permissions listed"
        lines.append(f"Role: {report.role} ({shown})")
    if report.probes:
        lines += ["", *_table([TABLE_HEADER, *(_row(probe) for probe in report.probes)])]
    if report.dialect is not None:
        partial = {None: "unknown", True: "yes", False: "no"}[report.dialect.partial_pagination]
        lines += [
            "",
            f"Dialect: {report.dialect.label}; partial pagination: {partial}",
            "  (the violation status follows from the generation: the doctor only reads, and "
            "the app reads violations at 400 and 422 alike)",
        ]
        lines.append(f"Lead statuses: {report.status_encoding or 'unknown (no lead read)'}")
    if report.gaps:
        lines += ["", "Gaps and what the app does:"]
        for gap in sorted(report.gaps, key=lambda gap: SEVERITY_ORDER[gap.severity]):
            lines.append(f"  {gap.severity:<8} {gap.endpoint}: {gap.message}")
    warnings = sum(1 for gap in report.gaps if gap.severity == "warning")
    verdict = (
        f"the app can work ({warnings} warning{'' if warnings == 1 else 's'})"
        if report.can_work
        else f"the app cannot work: {report.reason}"
    )
    lines += [
        "",
        f"Result: {verdict}. {report.requests} requests in {report.elapsed_ms:.0f} ms.",
    ]
    return "\n".join(lines) + "\n"


def read_secrets_files(paths: Iterable[Path] = SECRETS_FILES) -> dict[str, Any]:
    """The settings of Streamlit's ``secrets.toml`` files that exist (later files win), so the
    doctor checks the same settings as the app."""
    merged: dict[str, Any] = {}
    for path in paths:
        if not path.is_file():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigurationError(
                f"{path}: expected a readable TOML secrets file, got {type(error).__name__}: "
                f"{error}"
            ) from None
    return merged
