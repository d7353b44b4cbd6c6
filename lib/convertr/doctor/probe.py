"""The doctor's probes: sign in, send one small GET to every endpoint of the table through
the client's own code path, provoke a 404, and turn what came into a `DoctorReport`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final, Literal, TypeVar

import pydantic

from lib.convertr.client import ConvertrClient
from lib.convertr.constants import API_PREFIX, PROBE_ITEMS_PER_PAGE
from lib.convertr.doctor.reading import (
    dialect_gaps,
    differing_field_gaps,
    read_dialect,
    status_gaps,
)
from lib.convertr.doctor.report import (
    DoctorReport,
    Gap,
    Probe,
    SignIn,
)
from lib.convertr.doctor.table import (
    ENDPOINTS,
    Endpoint,
    Scope,
    Severity,
)
from lib.convertr.endpoints import (
    LEADS,
)
from lib.convertr.errors import (
    APIError,
    AuthenticationError,
    ConvertrError,
    ErrorBodyStyle,
    ResponseFormatError,
    TransportError,
)
from lib.convertr.hydra import HydraCollection
from lib.convertr.models import (
    ApiModel,
    Campaign,
    Lead,
    Relation,
    StatusCodes,
    User,
    describe_shape,
    describe_type,
    parse_context,
)

MISSING_LEAD_ID: Final = 0
"""No platform numbers an item 0, so ``leads/0`` provokes a 404 whose body shows the error
style."""

ModelT = TypeVar("ModelT", bound=ApiModel)


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
        self.gaps.extend(differing_field_gaps(self.differing))
        self.gaps.extend(status_gaps(self.client.status_encoding, self.lead))

    def probe_error_style(self) -> None:
        """GET a surely missing lead: its 404 body shows how the server spells errors."""
        name = "leads/{id} (missing)"
        template = f"{API_PREFIX}/{LEADS.item_template}"
        started = time.perf_counter()
        try:
            self.client.request_json("GET", LEADS.item(MISSING_LEAD_ID))
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
    dialect = read_dialect(doctor.probes)
    doctor.gaps.extend(dialect_gaps(dialect, doctor.probes, doctor.unadvertised))
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
