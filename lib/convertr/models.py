"""Typed models of the v4 API resources (pydantic v2), as described in docs/api.md.

Models ignore fields they do not know and accept both the camelCase names of the API and the
snake_case attribute names. They read what real API Platform servers send, not only a tidy
reading of the docs (``docs/api.md``, "Real responses"):

- every relation is a ``Relation``: an IRI string or an embedded object with ``@id`` (its
  ``@type``, ``name`` and other keys kept), or null; id properties (``lead.campaign_id``)
  work either way;
- ``""`` counts as no value: None where a field is optional, the default where it has one;
- a field that is not essential (it has a default) and arrives in an unexpected shape does not
  fail the item: its value is kept raw (``model.unparsed``) and a ``FormatWarning`` (names and
  shapes only, never the value) is recorded (``model.format_warnings``). A required field
  (``id``, a lead's ``campaign``) in the wrong shape is a ``ResponseFormatError``;
- a lead's ``processrStatus`` is kept raw (an integer code or a label) and resolved to a label
  in ONE place, ``StatusCodes.resolve``.

Closed sets the public sources state are ``Literal``s; the sets docs/api.md assumed are open.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import (
    Annotated,
    Any,
    Final,
    Generic,
    Literal,
    Self,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
)

import pydantic
import pydantic_core
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo, ModelPrivateAttr
from pydantic_core import PydanticUndefined

from lib.convertr.constants import STATUS_CAUTION_SHARE

_IRI_ID = re.compile(r"/(\d+)/?$")
_IRI_STARTS: Final = ("/", "http://", "https://")


def iri_id(iri: str) -> int:
    """The numeric id at the end of an IRI such as ``/api/v4/leads/167457``."""
    match = _IRI_ID.search(iri)
    if match is None:
        raise ValueError(f"expected an IRI ending in a numeric id, got {iri!r}")
    return int(match.group(1))


# Closed sets: the public sources state them, or the client's own requests and logic depend on
# them. A value outside them is a ResponseFormatError naming the field.
ProcessrStatus = Literal["Valid", "Invalid", "Caution", "Test"]
PROCESSR_STATUSES: Final[tuple[ProcessrStatus, ...]] = get_args(ProcessrStatus)
JobResult = Literal["passed", "failed"]
LogType = Literal["processr", "provider"]
ContractType = Literal["CPL", "Fixed"]
ContractStatus = Literal["Unsigned", "Active", "Inactive"]

# Open sets: docs/api.md assumed these values, and a real enterprise may send others (another
# provider, a new channel or log level). Any string is accepted, so one unexpected value does
# not hide a whole lead; the comments list the values the sandbox sends.
CampaignStatus = str
"""Live, Paused, Completed, Draft."""
Role = str
"""admin, analyst, viewer, masked (permissions come from `User.permissions`)."""
LeadChannel = str
"""form, api, link (the sandbox's plain channel names; a real lead embeds a Channel)."""
LeadDataSource = str
"""captured, derived, enrichment, transform, edited."""
Provider = str
"""BriteVerify, NeverBounce, Full Contact."""
JobCategory = str
"""quality, transform, enrichment, integration."""
LogLevel = str
"""debug, info, warning, error."""
NoteType = str
"""status, delivery, contract, data."""
EditableFieldType = str
"""text, email, number, date, choice; any other type is edited as text."""


# -- relations -------------------------------------------------------------------------------


def _relation_input(value: object) -> object:
    """An IRI string becomes ``{"@id": iri}``; anything else is validated as an object."""
    if isinstance(value, str):
        if not value.startswith(_IRI_STARTS):
            raise ValueError("expected an IRI (a path or URL) or an object with '@id'")
        return {"@id": value}
    return value


class Relation(BaseModel):
    """A link to another resource: an IRI, or an embedded object with ``@id``.

    Which of the two a real endpoint sends depends on its serialization groups (Convertr's
    published lead embeds ``channel`` and ``qaResult`` but links ``campaign`` by IRI), so every
    model reads both. An embedded object's ``@type``, ``name`` and other keys are kept
    (``model_extra``).
    """

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    iri: str = Field(alias="@id")
    """The IRI, e.g. ``/api/v4/campaigns/3`` (escaped slashes are already decoded)."""
    type: str | None = Field(default=None, alias="@type")
    """The embedded object's ``@type`` (None for a bare IRI)."""
    name: str | None = None
    """The embedded object's name, e.g. a channel's ``Network`` (None for a bare IRI)."""

    @model_validator(mode="before")
    @classmethod
    def _from_iri(cls, value: object) -> object:
        return _relation_input(value)

    @property
    def id(self) -> int | None:
        """The numeric id at the end of the IRI, or None when the IRI has none."""
        match = _IRI_ID.search(self.iri)
        return int(match.group(1)) if match else None

    @property
    def embedded(self) -> bool:
        """Whether the server embedded the object (rather than sending only its IRI)."""
        return self.type is not None or self.name is not None or bool(self.model_extra)


def _require_numeric_id(relation: Relation) -> Relation:
    if relation.id is None:
        raise ValueError("expected an IRI ending in a numeric id")
    return relation


IdRelation = Annotated[Relation, AfterValidator(_require_numeric_id)]
"""A relation whose numeric id the client uses (``campaign_id``, ``lead_id``, ...)."""


def _relation_id(relation: Relation) -> int:
    """The id of a relation validated as ``IdRelation`` (so it has one)."""
    relation_id = relation.id
    if relation_id is None:  # unreachable after validation; keeps the type exact
        raise ValueError(f"expected an IRI ending in a numeric id, got {relation.iri!r}")
    return relation_id


def _optional_relation_id(relation: Relation | None) -> int | None:
    return None if relation is None else relation.id


def _name_of_embedded(value: object) -> object:
    """A plain name, or the ``name`` of an embedded object (its IRI when it has no name)."""
    if isinstance(value, Mapping):
        name = value.get("name")
        return name if name is not None else value.get("@id")
    return value


def _number_as_text(value: object) -> object:
    """Lead values are text; a server that sends a number as a number still means the text."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    return value


EmbeddedName = Annotated[str | None, BeforeValidator(_name_of_embedded)]
"""A name sent as a string or as an embedded object with ``name``."""
Text = Annotated[str | None, BeforeValidator(_number_as_text)]
"""A lead value: text, with numbers read as their text."""


# -- format warnings -------------------------------------------------------------------------


@dataclass(frozen=True)
class FormatWarning:
    """A non-essential field whose value had an unexpected shape and was kept raw.

    Names and shapes only, never the value: a warning can go into a support ticket.
    """

    model: str
    """The model, e.g. ``Lead``."""
    field: str
    """The field as the API names it, e.g. ``publisherPayout``."""
    expected: str
    """What the model reads, e.g. ``a decimal number or null``."""
    got: str
    """The shape that came, e.g. ``an object with keys ['amount', 'currency']``."""

    def __str__(self) -> str:
        return f"{self.model}.{self.field}: expected {self.expected}, got {self.got} (kept as sent)"


FORMAT_WARNINGS_CONTEXT: Final = "format_warnings"
"""Validation-context key of a list that collects every FormatWarning of one parse."""
STATUS_CODES_CONTEXT: Final = "status_codes"
"""Validation-context key of the ``StatusCodes`` a lead's status is resolved with."""

_TYPE_NAMES: Final[Mapping[object, str]] = {
    type(None): "null",
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    Decimal: "a decimal number or string",
    dt.date: "a date",
    dt.datetime: "a timestamp",
    AwareDatetime: "a timestamp with an offset",
    Any: "any value",
}


def describe_type(annotation: object) -> str:
    """What a field reads, in words (``a string or null``), for format warnings."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return describe_type(args[0])
    if origin in (Union, types.UnionType):
        return " or ".join(dict.fromkeys(describe_type(arg) for arg in args))
    if origin is Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin in (tuple, list):
        return f"a list of ({describe_type(args[0])})" if args else "a list"
    if annotation in _TYPE_NAMES:
        return _TYPE_NAMES[annotation]
    if isinstance(annotation, type) and issubclass(annotation, Relation):
        return "an IRI or an object with '@id'"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"a {annotation.__name__} object"
    return getattr(annotation, "__name__", str(annotation))


def describe_shape(value: object) -> str:
    """The shape of a JSON value without the value itself (``a list of 3 items``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if value == "" else "a string"
    if isinstance(value, Sequence):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, Mapping):
        keys = sorted(str(key) for key in value)
        shown = keys[:8] + (["..."] if len(keys) > 8 else [])
        return f"an object with keys {shown}"
    return type(value).__name__


@dataclass(frozen=True)
class _FieldSlot:
    name: str
    info: FieldInfo
    allows_none: bool


@functools.cache
def _field_slots(model: type[BaseModel]) -> Mapping[str, _FieldSlot]:
    """Input key (alias or attribute name) -> field, per model class."""
    slots: dict[str, _FieldSlot] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        allows_none = annotation is None or type(None) in get_args(annotation)
        slot = _FieldSlot(name, info, allows_none)
        slots[name] = slot
        if info.alias:
            slots[info.alias] = slot
    return slots


def _without_blanks(model: type[BaseModel], data: Mapping[str, Any]) -> Mapping[str, Any]:
    """``""`` as no value: None where the field is optional, its default where it has one
    (a required field keeps ``""``, which a string field accepts and any other rejects)."""
    if "" not in data.values():
        return data
    slots = _field_slots(model)
    blanks = [
        key
        for key, value in data.items()
        if value == ""
        and isinstance(value, str)
        and key in slots
        and not slots[key].info.is_required()
    ]
    if not blanks:
        return data
    cleaned = dict(data)
    for key in blanks:
        if slots[key].allows_none:
            cleaned[key] = None
        else:
            del cleaned[key]
    return cleaned


def _non_essential_failures(
    model: type[BaseModel], data: Mapping[str, Any], error: pydantic.ValidationError
) -> list[str] | None:
    """The input keys whose fields failed and may fall back to their default, or None when an
    essential (required) field or the item as a whole failed."""
    slots = _field_slots(model)
    keys: list[str] = []
    for problem in error.errors():
        location = problem["loc"]
        key = location[0] if location else None
        if not isinstance(key, str) or key not in slots or key not in data:
            return None
        if slots[key].info.is_required():
            return None
        if key not in keys:
            keys.append(key)
    return keys


def _private_attributes_setup(model: type[BaseModel]) -> Callable[[BaseModel, Any], None]:
    """``model_post_init`` giving each private attribute its default, in order, as
    pydantic's own setup does: an immutable default as it is, a factory called, anything
    else through pydantic (which copies it)."""
    plain: list[tuple[str, object]] = []
    """(name, default) of the common cases: None, (), or a factory taking no data."""
    for name, attribute in model.__private_attributes__.items():
        default: object = attribute.default
        factory = attribute.default_factory
        if factory is not None and not attribute.default_factory_takes_validated_data:
            plain.append((name, _Factory(cast(Callable[[], Any], factory))))
        elif factory is None and (default is None or (type(default) is tuple and not default)):
            plain.append((name, default))
        else:
            plain.append((name, attribute))

    def setup(self: BaseModel, _context: Any, /) -> None:
        if getattr(self, "__pydantic_private__", None) is not None:
            return
        private: dict[str, Any] = {}
        for name, default in plain:
            if type(default) is _Factory:
                private[name] = default.make()
            elif isinstance(default, ModelPrivateAttr):
                value = default.get_default(
                    call_default_factory=True, validated_data={**self.__dict__, **private}
                )
                if value is not PydanticUndefined:
                    private[name] = value
            else:
                private[name] = default
        object.__setattr__(self, "__pydantic_private__", private)

    return setup


@dataclass(frozen=True)
class _Factory:
    make: Callable[[], Any]


class ApiModel(BaseModel):
    """Base of every resource model: tolerant of extra fields and of unexpected shapes in
    non-essential fields, camelCase aliases."""

    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, alias_generator=to_camel, frozen=True
    )

    _format_warnings: tuple[FormatWarning, ...] = PrivateAttr(default=())
    _unparsed: dict[str, Any] = PrivateAttr(default_factory=dict)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # pydantic wraps ``model_post_init`` again at every level of subclassing, so a
        # Statistic set up its private attributes four times over: once is enough.
        cls.model_post_init = _private_attributes_setup(cls)  # type: ignore[method-assign]

    @model_validator(mode="wrap")
    @classmethod
    def _tolerate_unexpected_shapes(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        # A plain dict is what JSON gives; anything else (a model instance, an object with
        # attributes) is validated as it is.
        if type(data) is not dict:
            return handler(data)
        data = _without_blanks(cls, data)
        try:
            return handler(data)
        except pydantic.ValidationError as error:
            failed = _non_essential_failures(cls, data, error)
            if failed is None:
                raise
        # Validated again without the failed keys, so those fields take their defaults; a
        # failure now is a real one and propagates.
        model = handler({key: value for key, value in data.items() if key not in failed})
        slots = _field_slots(cls)
        warnings = tuple(
            FormatWarning(
                model=cls.__name__,
                field=key,
                expected=describe_type(slots[key].info.annotation),
                got=describe_shape(data[key]),
            )
            for key in failed
        )
        model._format_warnings = warnings
        model._unparsed = {slots[key].name: data[key] for key in failed}
        collector = (
            info.context.get(FORMAT_WARNINGS_CONTEXT) if isinstance(info.context, dict) else None
        )
        if isinstance(collector, list):
            collector.extend(warnings)
        return model

    @property
    def format_warnings(self) -> tuple[FormatWarning, ...]:
        """This item's fields (and its embedded items' fields) that came in an unexpected
        shape and were kept raw."""
        nested: list[FormatWarning] = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if isinstance(item, ApiModel):
                    nested.extend(item.format_warnings)
        return self._format_warnings + tuple(nested)

    @property
    def unparsed(self) -> Mapping[str, Any]:
        """Attribute name -> the raw value of each field that came in an unexpected shape
        (the attribute itself then holds its default)."""
        return dict(self._unparsed)


ApiModelT = TypeVar("ApiModelT", bound=ApiModel)

_TOLERANT_VALIDATOR: Final = "ApiModel._tolerate_unexpected_shapes"
"""Qualified name of the tolerant wrap validator, as it appears in the core schemas."""


def _without_tolerance(node: Any) -> Any:
    """A copy of a core schema with every tolerant wrap validator replaced by the schema it
    wraps (keeping its ``ref``, which other parts of the schema may point to)."""
    if isinstance(node, list):
        return [_without_tolerance(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "function-wrap":
        function = node.get("function")
        wrapped = function.get("function") if isinstance(function, dict) else None
        if getattr(wrapped, "__qualname__", None) == _TOLERANT_VALIDATOR:
            inner = _without_tolerance(node["schema"])
            if "ref" not in node:
                return inner
            if isinstance(inner, dict) and "ref" not in inner:
                return {**inner, "ref": node["ref"]}
            # Two refs cannot share one node: keep this wrap (still correct, only slower).
            return {**node, "schema": inner}
    return {key: _without_tolerance(value) for key, value in node.items()}


@functools.cache
def _strict_list_validator(model: type[ApiModel]) -> pydantic_core.SchemaValidator:
    schema = {
        "type": "list",
        "items_schema": _without_tolerance(model.__pydantic_core_schema__),
    }
    return pydantic_core.SchemaValidator(schema)


def validate_strictly(
    model: type[ApiModelT], items: list[Any], context: dict[str, Any] | None = None
) -> list[ApiModelT]:
    """Items validated in one call, without the tolerance of ``ApiModel``: the fast path of
    reading a collection.

    For items that hold no empty string anywhere (``""`` would become None or a default) the
    result is exactly what ``model.model_validate`` gives each item when nothing is kept raw:
    the same core schema minus the tolerant wrap. An item the tolerant path would have kept
    partly raw fails here with a ``pydantic.ValidationError``; the caller then validates the
    items tolerantly, one by one. Three times faster on a page of small items.
    """
    validated: list[ApiModelT] = _strict_list_validator(model).validate_python(
        items, context=context
    )
    return validated


class Resource(ApiModel):
    """An item with an IRI and a numeric id."""

    iri: str | None = Field(default=None, alias="@id")
    """The item's IRI, e.g. ``/api/v4/leads/167457``."""
    id: int


# -- lead status -----------------------------------------------------------------------------

StatusSource = Literal["label", "known", "assumed", "configured", "derived"]
"""Where a lead's status label came from: the server sent the label itself; a public code
(``known``); a code this project ASSUMED; a code from the deployment's configuration; or
derived from the score by the public rule because the code is in no table."""

PUBLIC_STATUS_CODES: Final[Mapping[int, ProcessrStatus]] = {1000: "Valid"}
"""Codes in Convertr's published lead example: 1000 on a delivered lead scoring 120 of 120
with no hardfail, so most likely Valid (an inference from one example)."""
ASSUMED_STATUS_CODES: Final[Mapping[int, ProcessrStatus]] = {
    1001: "Invalid",
    1002: "Caution",
    1003: "Test",
}
"""ASSUMED, not public: the codes after 1000. ``CONVERTR_STATUS_CODES`` overrides them."""


_STATUS_BY_FOLDED: Final[Mapping[str, ProcessrStatus]] = {
    status.casefold(): status for status in PROCESSR_STATUSES
}


def status_from_text(text: str) -> ProcessrStatus | None:
    """The status a label names (any letter case), or None."""
    return _STATUS_BY_FOLDED.get(text.strip().casefold())


def derive_status(score: int, max_score: int, hardfail: bool) -> ProcessrStatus:
    """The public scoring rule: a failed hardfail job is Invalid; otherwise 100% of maxScore
    is Valid, from 80% up to (not including) 100% Caution, under 80% Invalid. A campaign
    without scoring jobs (maxScore 0) loses no points, so its leads are Valid. Test is a flag,
    never derived from the score."""
    if hardfail:
        return "Invalid"
    if max_score <= 0 or score >= max_score:
        return "Valid"
    return "Caution" if score / max_score >= STATUS_CAUTION_SHARE else "Invalid"


@dataclass(frozen=True)
class StatusLabel:
    """A lead's status label and where it came from (see ``StatusSource``)."""

    label: ProcessrStatus
    source: StatusSource
    raw: int | str
    """``processrStatus`` exactly as sent."""

    @property
    def is_derived(self) -> bool:
        return self.source == "derived"

    @property
    def note(self) -> str | None:
        """How the label was reached when the server did not send it (None when it did)."""
        if self.source == "label":
            return None
        if self.source == "derived":
            return f"derived from the score: status code {self.raw} is not in the status table"
        if self.source == "assumed":
            return f"status code {self.raw}, whose meaning is assumed"
        if self.source == "configured":
            return f"status code {self.raw}, as configured"
        return f"status code {self.raw}"


def _status_code(raw: int | str) -> int | None:
    if isinstance(raw, int):
        return raw
    text = raw.strip()
    return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class StatusCodes:
    """The ONE place a ``processrStatus`` becomes a label: the deployment's configured codes,
    then the public and assumed codes, then the public scoring rule."""

    configured: Mapping[int, ProcessrStatus] = field(default_factory=dict)
    """Code -> label from the configuration (``CONVERTR_STATUS_CODES``); wins over the
    built-in tables."""

    def label_of(self, code: int) -> tuple[ProcessrStatus, StatusSource] | None:
        if code in self.configured:
            return self.configured[code], "configured"
        if code in PUBLIC_STATUS_CODES:
            return PUBLIC_STATUS_CODES[code], "known"
        if code in ASSUMED_STATUS_CODES:
            return ASSUMED_STATUS_CODES[code], "assumed"
        return None

    def resolve(self, raw: int | str, *, score: int, max_score: int, hardfail: bool) -> StatusLabel:
        """The label of a raw status; an unknown code is derived from the score, so it never
        hides a lead."""
        code = _status_code(raw)
        if code is None:
            label = status_from_text(str(raw))
            if label is not None:
                return StatusLabel(label, "label", raw)
        else:
            known = self.label_of(code)
            if known is not None:
                return StatusLabel(known[0], known[1], raw)
        return StatusLabel(derive_status(score, max_score, hardfail), "derived", raw)

    def codes_for(self, label: ProcessrStatus) -> tuple[int, ...]:
        """Every code that means ``label`` (what a status filter sends to a server that
        speaks codes)."""
        table = {**ASSUMED_STATUS_CODES, **PUBLIC_STATUS_CODES, **self.configured}
        return tuple(sorted(code for code, name in table.items() if name == label))


DEFAULT_STATUS_CODES: Final = StatusCodes()
"""The built-in tables only (models validated without a client's context)."""


def parse_context(
    status_codes: StatusCodes, warnings: list[FormatWarning] | None = None
) -> dict[str, Any]:
    """The validation context the client parses with: its status table and a warning list."""
    context: dict[str, Any] = {STATUS_CODES_CONTEXT: status_codes}
    if warnings is not None:
        context[FORMAT_WARNINGS_CONTEXT] = warnings
    return context


class User(Resource):
    email: str
    name: str
    role: Role
    permissions: tuple[str, ...] = ()
    """``leads.view``, ``leads.edit``, ``leads.edit_delivered``, ``logs.provider.view``."""

    @property
    def can_view_provider_logs(self) -> bool:
        return "logs.provider.view" in self.permissions


class Campaign(Resource):
    name: str
    advertiser: EmbeddedName = None
    """The advertiser's name (a plain string, or the name of an embedded advertiser)."""
    status: CampaignStatus
    currency: str
    """ISO 4217 code, e.g. ``GBP``."""
    max_score: int
    """Sum of the scoring jobs' points (points, not a percentage); a lead with all of them is
    Valid."""
    capped: bool
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    created_ts: AwareDatetime


class Publisher(Resource):
    name: str


class LeadDataValue(ApiModel):
    """A current value embedded in a lead (``leadData``): only name and value."""

    iri: str | None = Field(default=None, alias="@id")
    name: str
    value: Text = None


LEAD_CORE_ATTRIBUTES: Final[Mapping[str, str]] = {
    "title": "title",
    "firstName": "first_name",
    "lastName": "last_name",
    "email": "email",
    "telephone": "telephone",
    "company": "company",
    "jobTitle": "job_title",
    "country": "country",
    "postcode": "postcode",
    "addressLine1": "address_line1",
}
"""Fields a lead carries itself (API name -> attribute), shown when lead-datas holds no value
of that name."""


class Lead(Resource):
    campaign: IdRelation
    """The lead's campaign (essential: a lead without a readable campaign fails)."""
    publisher: Relation | None = None
    """The publisher that generated the lead (the "Generator"), or None."""
    publisher_sub_id: str | None = None
    channel: Relation | LeadChannel | None = Field(default=None, union_mode="left_to_right")
    """An embedded Channel (``{"@id", "@type": "Channel", "name": "Network"}``) on a real
    enterprise, a plain name (``form``) from the sandbox; ``channel_name`` reads both."""
    qa_result: Relation | None = None
    """The lead's QA result (embedded on a real enterprise; its keys are in ``model_extra``)."""
    form_hash: str | None = None
    form_name: str | None = None
    entry_point: str | None = None
    """Landing-page URL of the form, or ``API: <client>``."""
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    telephone: str | None = None
    company: str | None = None
    job_title: str | None = None
    country: str | None = None
    dob: dt.date | None = None
    postcode: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    address_line4: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    ip: str | None = None
    host: str | None = None
    opt_in: bool | None = None
    double_opt_in: bool | None = None
    processr_status_raw: int | str = Field(alias="processrStatus")
    """``processrStatus`` as sent: an integer code (``1000`` in the published example) or a
    label. ``processr_status`` and ``status`` give the label."""
    score: int
    """Points earned (not a percentage): the sum of the lead's job results' scores."""
    max_score: int
    """The campaign's maximum points at the time (``score`` of ``max_score``)."""
    hardfail: bool = False
    """True when a hardfail job failed (the lead is Invalid whatever the score)."""
    processing_counter: int = 0
    """How many times Processr ran over the lead."""
    suppression_list: bool = False
    delivered: bool = False
    over_allocated: bool = False
    """Held back because the publisher's cap was reached."""
    created_ts: AwareDatetime
    first_delivered_ts: AwareDatetime | None = None
    email_hash: str | None = None
    """sha256 hex of the lower-cased email."""
    fingerprint: str | None = None
    publisher_payout: Decimal | None = None
    advertiser_payout: Decimal | None = None
    publisher_billable: bool = False
    advertiser_billable: bool = False
    lead_notes: tuple[Relation, ...] = ()
    """The lead's notes (IRIs, or embedded notes)."""
    lead_data: tuple[LeadDataValue, ...] = ()
    """The lead's current values (name and value only; ``lead-datas`` has the detail)."""

    _status: StatusLabel | None = PrivateAttr(default=None)

    @field_validator("processr_status_raw")
    @classmethod
    def _a_code_or_a_label(cls, value: int | str) -> int | str:
        if _status_code(value) is None and status_from_text(str(value)) is None:
            raise ValueError(
                f"expected an integer status code or one of {', '.join(PROCESSR_STATUSES)}"
            )
        return value

    @model_validator(mode="after")
    def _resolve_status(self, info: ValidationInfo) -> Self:
        context = info.context if isinstance(info.context, dict) else {}
        codes = context.get(STATUS_CODES_CONTEXT)
        table = codes if isinstance(codes, StatusCodes) else DEFAULT_STATUS_CODES
        self._status = table.resolve(
            self.processr_status_raw,
            score=self.score,
            max_score=self.max_score,
            hardfail=self.hardfail,
        )
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> StatusLabel:
        """The status label and where it came from (known, assumed, configured, derived)."""
        assert self._status is not None, "set by the model validator"
        return self._status

    @property
    def processr_status(self) -> ProcessrStatus:
        """The status label (Valid, Invalid, Caution, Test), however the server sent it."""
        return self.status.label

    @property
    def campaign_id(self) -> int:
        return _relation_id(self.campaign)

    @property
    def publisher_id(self) -> int | None:
        return _optional_relation_id(self.publisher)

    @property
    def channel_name(self) -> str | None:
        """The channel's name: an embedded Channel's ``name``, or the plain name sent."""
        if isinstance(self.channel, Relation):
            return self.channel.name
        return self.channel

    @property
    def score_share(self) -> float:
        """``score`` as a share of ``max_score`` (0.0 to 1.0; 1.0 when there are no points)."""
        if self.max_score <= 0:
            return 1.0
        return min(1.0, max(0.0, self.score / self.max_score))

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def core_value(self, name: str) -> str | None:
        """A core field's value by its API name (``firstName``, ``email``, ...); None when
        the name is not a core field or the lead has no value for it."""
        attribute = LEAD_CORE_ATTRIBUTES.get(name)
        value: str | None = getattr(self, attribute) if attribute else None
        return value


class LeadData(Resource):
    lead: IdRelation
    """The lead."""
    name: str
    value: Text = None
    source: LeadDataSource | None = None
    """Where the value came from: captured, derived, enrichment, transform or edited."""
    provider: Provider | None = None
    """The enrichment provider, for enrichment values."""
    original_value: str | None = None
    """For transformed or edited values: the value before the first change."""
    created_ts: AwareDatetime | None = None
    updated_ts: AwareDatetime | None = None

    @property
    def lead_id(self) -> int:
        return _relation_id(self.lead)


class _CampaignCounts(Resource):
    campaign: IdRelation
    total: int
    valid: int
    invalid: int
    caution: int
    test: int
    delivered: int

    @property
    def campaign_id(self) -> int:
        return _relation_id(self.campaign)


class Statistic(_CampaignCounts):
    """Lead counts of one campaign."""

    billable: int
    over_allocated: int


class LeadStatisticsChronology(_CampaignCounts):
    """Lead counts of one campaign on one day."""

    date: dt.date


class CampaignPublisher(Resource):
    """A publisher's contract on a campaign."""

    campaign: IdRelation
    publisher: IdRelation
    publisher_name: str | None = None
    """The publisher's name (from an embedded publisher when the field itself is absent)."""
    contract_type: ContractType
    status: ContractStatus
    enabled: bool
    payout: Decimal
    """Per lead for CPL contracts."""
    contract_value: Decimal | None = None
    """Fixed contracts only."""
    minimum_leads: int | None = None
    """Fixed contracts only."""
    cap: int | None = None
    required: int | None = None
    allocation: int | None = None
    """Percent of the campaign's leads."""
    processing: int = 0
    on_hold: int = 0
    total: int = 0
    valid: int = 0
    invalid: int = 0
    billable: int = 0
    earnings: Decimal = Decimal(0)
    """payout x billable for CPL, the contract value for Fixed."""

    @model_validator(mode="before")
    @classmethod
    def _name_from_embedded_publisher(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("publisherName"):
            publisher = data.get("publisher")
            if isinstance(publisher, Mapping) and isinstance(publisher.get("name"), str):
                return {**data, "publisherName": publisher["name"]}
        return data

    @property
    def campaign_id(self) -> int:
        return _relation_id(self.campaign)

    @property
    def publisher_id(self) -> int:
        return _relation_id(self.publisher)


class CampaignLink(Resource):
    """A tracking link of a publisher on a campaign."""

    campaign: IdRelation
    publisher: IdRelation
    name: str
    url: str
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    created_ts: AwareDatetime | None = None

    @property
    def campaign_id(self) -> int:
        return _relation_id(self.campaign)

    @property
    def publisher_id(self) -> int:
        return _relation_id(self.publisher)


class CampaignProcessrJob(Resource):
    """A Processr job configured on a campaign."""

    campaign: IdRelation
    job_id: int
    """The platform's job id, e.g. 1001."""
    name: str
    db_ref: str | None = None
    category: JobCategory | None = None
    provider: Provider | None = None
    hardfail: bool = False
    """A failure makes the lead Invalid whatever its score."""
    max_score: int = 0
    """Points this job contributes when it passes."""
    position: int = 0
    """Run order on the campaign."""
    enabled: bool = True

    @property
    def campaign_id(self) -> int:
        return _relation_id(self.campaign)


class ProcessrJobLead(Resource):
    """A job's result for a lead; a campaign job with no result did not run."""

    lead: IdRelation
    campaign_processr_job: IdRelation
    result: JobResult
    score: int = 0
    """Points earned."""
    message: str | None = None
    created_ts: AwareDatetime

    @property
    def lead_id(self) -> int:
        return _relation_id(self.lead)

    @property
    def campaign_processr_job_id(self) -> int:
        return _relation_id(self.campaign_processr_job)


class LogEntry(Resource):
    """A Processr or provider task log line."""

    lead: IdRelation
    type: LogType
    level: LogLevel
    campaign_processr_job: Relation | None = None
    job_name: str | None = None
    provider: Provider | None = None
    message: str
    """For provider logs the provider's raw answer (usually JSON text), exactly as sent."""
    created_ts: AwareDatetime

    @property
    def campaign_processr_job_id(self) -> int | None:
        return _optional_relation_id(self.campaign_processr_job)


class LeadEditableField(Resource):
    campaign: IdRelation
    name: str
    label: str
    type: EditableFieldType
    choices: tuple[str, ...] = ()
    """Allowed values of a ``choice`` field."""
    required: bool = False
    max_length: int | None = None
    editable: bool = True
    position: int = 0


class LeadNote(Resource):
    """A status, delivery, contract or data change in the lead's history."""

    lead: IdRelation
    type: NoteType
    message: str
    author: str | None = None
    """A user's name, or "Processr"."""
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    created_ts: AwareDatetime


ItemT = TypeVar("ItemT", bound=ApiModel)


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    """One page of a collection, with the collection's total when the server counts it.

    With API Platform's partial pagination there is no total: ``total`` and ``page_count``
    are None, and ``has_next`` comes from the page's ``next`` link. Nothing caps a page number
    at a count that is not known.

    A plain dataclass rather than a pydantic generic: ``Page[Lead]`` instances must pickle
    (``st.cache_data``), and parametrised pydantic classes do not.
    """

    items: tuple[ItemT, ...]
    total: int | None
    """Items in the whole collection (``totalItems``), or None when the server does not say."""
    page: int
    """1-based page number."""
    items_per_page: int
    next_link: str | None = None
    """The page's ``next`` link (``view.next``), when the server gave one."""

    @property
    def page_count(self) -> int | None:
        """Number of pages (at least 1, so an empty collection still has a page to show), or
        None when the total is unknown."""
        if self.total is None:
            return None
        return max(1, math.ceil(self.total / self.items_per_page))

    @property
    def has_next(self) -> bool:
        """Whether a later page exists: by the count when known, else by the ``next`` link."""
        if self.total is not None:
            return self.page * self.items_per_page < self.total
        return self.next_link is not None

    @property
    def has_previous(self) -> bool:
        return self.page > 1
