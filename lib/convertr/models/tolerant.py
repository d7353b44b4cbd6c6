"""The tolerant-validation machinery every model is built on: relations (an IRI or an
embedded object), ``""`` as no value, non-essential fields kept raw with a ``FormatWarning``
instead of failing the item, the validation contexts, and the fast strict path
(``validate_strictly``) for answers that need no tolerance. See the package docstring."""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import (
    Annotated,
    Any,
    Final,
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
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo, ModelPrivateAttr
from pydantic_core import PydanticUndefined

_IRI_ID = re.compile(r"/(\d+)/?$")
_IRI_STARTS: Final = ("/", "http://", "https://")


def iri_id(iri: str) -> int:
    """The numeric id at the end of an IRI such as ``/api/v4/leads/167457``."""
    match = _IRI_ID.search(iri)
    if match is None:
        raise ValueError(f"expected an IRI ending in a numeric id, got {iri!r}")
    return int(match.group(1))


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
        return _numeric_id(self.iri)

    @property
    def embedded(self) -> bool:
        """Whether the server embedded the object (rather than sending only its IRI)."""
        return self.type is not None or self.name is not None or bool(self.model_extra)


@functools.lru_cache(maxsize=4096)
def _numeric_id(iri: str) -> int | None:
    """The numeric id at the end of an IRI, or None (read once per IRI: a page of leads links
    the same few campaigns and publishers hundreds of times)."""
    match = _IRI_ID.search(iri)
    return int(match.group(1)) if match else None


def _require_numeric_id(relation: Relation) -> Relation:
    if relation.id is None:
        raise ValueError("expected an IRI ending in a numeric id")
    return relation


@functools.lru_cache(maxsize=4096)
def _id_relation_of_iri(iri: str) -> Relation | None:
    """The relation of a bare IRI, or None when the IRI has no numeric id."""
    relation = Relation.model_validate(iri)
    return relation if relation.id is not None else None


def _id_relation(value: object, handler: ValidatorFunctionWrapHandler) -> Relation:
    """A relation with a numeric id. A bare IRI's is validated once per IRI and then shared
    (it is frozen): a page of chronologies or statistics links the same few campaigns
    hundreds of times. Anything else is validated as a `Relation` each time."""
    if isinstance(value, str) and value.startswith(_IRI_STARTS):
        relation = _id_relation_of_iri(value)
        if relation is None:
            raise ValueError("expected an IRI ending in a numeric id")
        return relation
    return _require_numeric_id(handler(value))


IdRelation = Annotated[Relation, WrapValidator(_id_relation)]
"""A relation whose numeric id the client uses (``campaign_id``, ``lead_id``, ...)."""


def relation_id(relation: Relation) -> int:
    """The id of a relation validated as ``IdRelation`` (so it has one)."""
    relation_id = relation.id
    if relation_id is None:  # unreachable after validation; keeps the type exact
        raise ValueError(f"expected an IRI ending in a numeric id, got {relation.iri!r}")
    return relation_id


def optional_relation_id(relation: Relation | None) -> int | None:
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


@functools.cache
def _blank_readings(model: type[BaseModel]) -> Mapping[str, bool]:
    """Input key -> how ``""`` there is read: True for None (an optional field), False for
    the field's default (dropped from the input). Required fields are absent: they keep ``""``."""
    return {
        key: slot.allows_none
        for key, slot in _field_slots(model).items()
        if not slot.info.is_required()
    }


def _without_blanks(model: type[BaseModel], data: Mapping[str, Any]) -> Mapping[str, Any]:
    """``""`` as no value: None where the field is optional, its default where it has one
    (a required field keeps ``""``, which a string field accepts and any other rejects)."""
    if "" not in data.values():
        return data
    readings = _blank_readings(model)
    blanks = [
        key
        for key, value in data.items()
        if value == "" and isinstance(value, str) and key in readings
    ]
    if not blanks:
        return data
    cleaned = dict(data)
    for key in blanks:
        if readings[key]:
            cleaned[key] = None
        else:
            del cleaned[key]
    return cleaned


def without_top_level_blanks(model: type[BaseModel], items: list[Any]) -> tuple[list[Any], int]:
    """The items with their own ``""`` values read as the tolerant validation reads them first
    (``_without_blanks``), and how many ``""`` values the items held at their top level.

    When that count is every empty string of the answer (``BLANK`` counted in its text), no
    ``""`` is left anywhere inside the items (in an embedded object, a list), so the cleaned
    items may be validated strictly (``validate_strictly``) with the tolerant result."""
    cleaned: list[Any] = []
    count = 0
    for item in items:
        if type(item) is dict and "" in item.values():
            count += sum(1 for value in item.values() if value == "" and isinstance(value, str))
            item = _without_blanks(model, item)
        cleaned.append(item)
    return cleaned, count


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
