"""One entry point for every LwM2M content format: decode() and encode() by format number.

Values are a flat mapping of full paths to Python values: (oid, iid, rid) for a single-instance
resource, (oid, iid, rid, riid) for an instance of a multiple resource. The request path
(base_path) says what a payload answers, which TLV and text/plain need to know.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from enum import IntEnum

from . import lwm2m_json, opaque, senml, senml_cbor, senml_json, text, tlv
from .errors import CodecError, show
from .model import ResourceType
from .objects import DEFAULT_REGISTRY, ObjectRegistry
from .paths import Path, as_path
from .values import TimedValue, Value, normalize_values


class ContentFormat(IntEnum):
    """CoAP content-format numbers of the LwM2M data formats (IANA CoAP registry)."""

    TEXT = 0
    LINK_FORMAT = 40
    OPAQUE = 42
    SENML_JSON = 110
    SENML_CBOR = 112
    TLV = 11542
    LWM2M_JSON = 11543
    LWM2M_CBOR = 11544
    # Numbers LwM2M 1.0 clients used before IANA registration; we read them as their successors.
    LEGACY_TEXT = 1541
    LEGACY_TLV = 1542
    LEGACY_JSON = 1543
    LEGACY_OPAQUE = 1544


_LEGACY = {
    ContentFormat.LEGACY_TEXT: ContentFormat.TEXT,
    ContentFormat.LEGACY_TLV: ContentFormat.TLV,
    ContentFormat.LEGACY_JSON: ContentFormat.LWM2M_JSON,
    ContentFormat.LEGACY_OPAQUE: ContentFormat.OPAQUE,
}

Decoder = Callable[[bytes, Path, ObjectRegistry], dict[Path, Value]]
TimedDecoder = Callable[[bytes, Path, ObjectRegistry], list[TimedValue]]
TimedEncoder = Callable[[Iterable[tuple[Path, ResourceType, Value, float | None]], Path], bytes]

_PLAIN_DECODERS: dict[ContentFormat, Decoder] = {
    ContentFormat.TEXT: text.decode,
    ContentFormat.OPAQUE: opaque.decode,
    ContentFormat.TLV: tlv.decode,
}
_PLAIN_ENCODERS = {
    ContentFormat.TEXT: text.encode,
    ContentFormat.OPAQUE: opaque.encode,
    ContentFormat.TLV: tlv.encode,
}
_TIMED_DECODERS: dict[ContentFormat, TimedDecoder] = {
    ContentFormat.SENML_JSON: senml_json.decode_timed,
    ContentFormat.SENML_CBOR: senml_cbor.decode_timed,
    ContentFormat.LWM2M_JSON: lwm2m_json.decode_timed,
}
_TIMED_ENCODERS: dict[ContentFormat, TimedEncoder] = {
    ContentFormat.SENML_JSON: senml_json.encode_timed,
    ContentFormat.SENML_CBOR: senml_cbor.encode_timed,
    ContentFormat.LWM2M_JSON: lwm2m_json.encode_timed,
}

SUPPORTED_FORMATS: frozenset[ContentFormat] = frozenset(_PLAIN_DECODERS) | frozenset(_TIMED_DECODERS)
"""Value formats decode()/encode() handle (link-format has its own module)."""


def content_format(number: int) -> ContentFormat:
    """The value format behind a content-format number; CodecError for one we cannot handle."""
    try:
        cf = ContentFormat(number)
    except ValueError:
        raise CodecError(f"unsupported content format {show(number)}") from None
    cf = _LEGACY.get(cf, cf)
    if cf not in SUPPORTED_FORMATS:
        raise CodecError(f"content format {int(cf)} ({cf.name}) does not carry resource values here")
    return cf


def _payload(payload: object) -> bytes:
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise CodecError(f"payload must be bytes, not {type(payload).__name__}")
    return bytes(payload)


def decode(
    payload: bytes,
    content_format_number: int,
    base_path: Path | str,
    *,
    registry: ObjectRegistry = DEFAULT_REGISTRY,
) -> dict[Path, Value]:
    """Values of a payload that answers (or writes) base_path.

    For formats with timestamps the most recent value of each path wins; decode_timed() keeps
    them all. Raises CodecError, and only CodecError, for any malformed payload.
    """
    cf = content_format(content_format_number)
    base = as_path(base_path)
    data = _payload(payload)
    if cf in _PLAIN_DECODERS:
        return _PLAIN_DECODERS[cf](data, base, registry)
    return senml.latest(_TIMED_DECODERS[cf](data, base, registry))


def decode_timed(
    payload: bytes,
    content_format_number: int,
    base_path: Path | str,
    *,
    registry: ObjectRegistry = DEFAULT_REGISTRY,
) -> list[TimedValue]:
    """Every value with its time, in payload order (for Notify and Send with history).

    Formats without timestamps give each value time None.
    """
    cf = content_format(content_format_number)
    base = as_path(base_path)
    data = _payload(payload)
    if cf in _PLAIN_DECODERS:
        return [TimedValue(path, value) for path, value in _PLAIN_DECODERS[cf](data, base, registry).items()]
    return _TIMED_DECODERS[cf](data, base, registry)


def encode(
    values: Mapping[Path | str, object],
    content_format_number: int,
    base_path: Path | str,
    *,
    registry: ObjectRegistry = DEFAULT_REGISTRY,
) -> bytes:
    """The payload of a write (or read answer) on base_path holding these values.

    Every path must lie under base_path; values are checked against the resource types.
    """
    cf = content_format(content_format_number)
    base = as_path(base_path)
    checked = normalize_values(values, registry, base)
    if cf in _PLAIN_ENCODERS:
        return _PLAIN_ENCODERS[cf](checked, base, registry)
    return _TIMED_ENCODERS[cf](((p, t, v, None) for p, (t, v) in checked.items()), base)


def encode_timed(
    values: Iterable[TimedValue],
    content_format_number: int,
    base_path: Path | str,
    *,
    registry: ObjectRegistry = DEFAULT_REGISTRY,
) -> bytes:
    """Values with times (a path may repeat at different times); SenML and LwM2M JSON only."""
    cf = content_format(content_format_number)
    base = as_path(base_path)
    if cf not in _TIMED_ENCODERS:
        raise CodecError(f"content format {int(cf)} ({cf.name}) carries no timestamps")
    items = []
    for item in values:
        checked = normalize_values({item.path: item.value}, registry, base)
        [(path, (rtype, value))] = checked.items()
        time = item.time
        if time is not None and (
            isinstance(time, bool) or not isinstance(time, (int, float)) or not math.isfinite(time)
        ):
            raise CodecError(f"time of {show(item.path)} must be a finite number")
        items.append((path, rtype, value, time))
    return _TIMED_ENCODERS[cf](items, base)


def encode_paths(paths: Iterable[Path | str], content_format_number: int) -> bytes:
    """The body of a Read-Composite or Observe-Composite request: SenML names, no values."""
    cf = content_format(content_format_number)
    checked = [as_path(p) for p in paths]
    if cf is ContentFormat.SENML_JSON:
        return senml_json.encode_paths(checked)
    if cf is ContentFormat.SENML_CBOR:
        return senml_cbor.encode_paths(checked)
    raise CodecError(f"composite requests need SenML JSON or CBOR, not {cf.name}")


def decode_paths(payload: bytes, content_format_number: int) -> list[Path]:
    cf = content_format(content_format_number)
    data = _payload(payload)
    if cf is ContentFormat.SENML_JSON:
        return senml_json.decode_paths(data)
    if cf is ContentFormat.SENML_CBOR:
        return senml_cbor.decode_paths(data)
    raise CodecError(f"composite requests need SenML JSON or CBOR, not {cf.name}")
