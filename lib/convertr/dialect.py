"""The dialect of one server: how it spells lead statuses (codes or labels, and which code
means what), how each collection answered (``hydra:`` or not, counted or not, the filters it
advertises), and the format warnings of what was read (fields kept raw). Learned from the
answers as they are read, so the client adapts without a setting.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Literal, TypeVar

import httpx
import pydantic

from lib.convertr.config import ClientConfig
from lib.convertr.errors import ConfigurationError
from lib.convertr.hydra import CollectionShape, HydraCollection, parse_model
from lib.convertr.models import (
    PROCESSR_STATUSES,
    ApiModel,
    FormatWarning,
    Lead,
    ProcessrStatus,
    StatusCodes,
    parse_context,
    status_from_text,
    validate_strictly,
    without_top_level_blanks,
)

ModelT = TypeVar("ModelT", bound=ApiModel)
StatusEncoding = Literal["codes", "labels"]
"""How a server spells ``processrStatus`` in its leads (and so in a status filter)."""


def status_label(text: str) -> ProcessrStatus:
    status = status_from_text(text)
    if status is None:
        raise ValueError(f"expected a lead status ({', '.join(PROCESSR_STATUSES)}), got {text!r}")
    return status


class Dialect:
    """What one client has learned of its server; thread-safe."""

    def __init__(self, config: ClientConfig) -> None:
        self._status_codes: StatusCodes = config.status_table
        self._learns_encoding = config.status_filter == "auto"
        self._shape_lock = threading.Lock()
        self._status_encoding: StatusEncoding | None = (
            None if config.status_filter == "auto" else config.status_filter
        )
        self._shapes: dict[str, CollectionShape] = {}
        self._format_warnings: dict[FormatWarning, None] = {}

    def parse_items(
        self, model: type[ModelT], items: list[Any], blanks: int, path: str
    ) -> list[ModelT]:
        """The items of a GET answer (whose text holds `blanks` empty strings): validated
        strictly in one call when the answer holds no empty string, or only the items' own
        (read as no value first, as the tolerant way does), else (or when that fails)
        tolerantly one by one, with the same result either way (``models.validate_strictly``,
        ``models.without_top_level_blanks``)."""
        strict_items: list[Any] | None = items
        if blanks and items:
            strict_items, own_blanks = without_top_level_blanks(model, items)
            if own_blanks != blanks:
                strict_items = None  # an empty string inside an item, or outside the items
        if strict_items:
            try:
                parsed = validate_strictly(model, strict_items, parse_context(self._status_codes))
            except (pydantic.ValidationError, RecursionError):
                pass
            else:
                # Strictly valid means nothing was kept raw: no format warnings to record.
                self._learn_status_encoding(parsed[-1])
                return parsed
        return [self.parse(model, item, method="GET", path=path) for item in items]

    def _learn_status_encoding(self, item: ApiModel) -> None:
        if isinstance(item, Lead) and self._learns_encoding:
            with self._shape_lock:
                self._status_encoding = "labels" if item.status.source == "label" else "codes"

    def parse(self, model: type[ModelT], data: object, *, method: str, path: str) -> ModelT:
        """One item with this client's status table; records its format warnings and, for a
        lead, how the server spells statuses."""
        warnings: list[FormatWarning] = []
        item = parse_model(
            model,
            data,
            method=method,
            path=path,
            context=parse_context(self._status_codes, warnings),
        )
        if warnings:
            with self._shape_lock:
                for warning in warnings:
                    self._format_warnings.setdefault(warning)
        self._learn_status_encoding(item)
        return item

    def collection(self, data: object, path: str) -> HydraCollection:
        collection = HydraCollection(data, method="GET", path=path)
        shape = CollectionShape(
            path=path,
            spelling=collection.spelling,
            counted=collection.total is not None,
            filters=collection.filters,
        )
        with self._shape_lock:
            self._shapes[path] = shape
        return collection

    @property
    def format_warnings(self) -> tuple[FormatWarning, ...]:
        """Every distinct format warning of the answers read so far (names and shapes only)."""
        with self._shape_lock:
            return tuple(self._format_warnings)

    def collection_shape(self, path: str) -> CollectionShape | None:
        """How the collection at ``path`` answered last time, or None if not read yet."""
        with self._shape_lock:
            return self._shapes.get(httpx.URL(path).path)

    @property
    def status_encoding(self) -> StatusEncoding | None:
        """How the server spells lead statuses: from the configuration, else as the last lead
        read showed; None until a lead has been read."""
        with self._shape_lock:
            return self._status_encoding

    @property
    def status_codes(self) -> StatusCodes:
        """The status table this client resolves labels with (built-in and configured)."""
        return self._status_codes

    def status_values(
        self, labels: Sequence[ProcessrStatus], encoding: StatusEncoding
    ) -> list[str | int]:
        """What a status filter sends for these labels when the server speaks ``encoding``:
        the labels, or every code of each label."""
        if encoding == "labels":
            return list(labels)
        values: list[str | int] = []
        for status in labels:
            codes = self._status_codes.codes_for(status)
            if not codes:
                raise ConfigurationError(
                    f"the server sends status codes, but no code means {status}: expected it "
                    "in CONVERTR_STATUS_CODES (e.g. 1001=Invalid)",
                    user_message=(
                        f"Cannot filter by {status}: its status code is unknown "
                        "(set CONVERTR_STATUS_CODES)."
                    ),
                )
            values.extend(codes)
        return values
