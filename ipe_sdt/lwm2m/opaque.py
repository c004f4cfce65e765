"""application/octet-stream (content format 42): the raw bytes of one Opaque resource."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import CodecError
from .model import ResourceType
from .objects import ObjectRegistry
from .paths import RESOURCE_DEPTH, Path, format_path
from .values import Value, check_depth, resource_def


def decode(payload: bytes, base: Path, registry: ObjectRegistry) -> dict[Path, Value]:
    rdef = resource_def(registry, base)
    check_depth(base, rdef)
    if rdef is not None and rdef.type is not ResourceType.OPAQUE:
        raise CodecError(f"{format_path(base)} is a {rdef.type.value} resource, not Opaque")
    if not isinstance(payload, (bytes, bytearray, memoryview)):
        raise CodecError(f"opaque payload must be bytes, not {type(payload).__name__}")
    return {base: bytes(payload)}


def encode(values: Mapping[Path, tuple[ResourceType, Value]], base: Path, registry: ObjectRegistry) -> bytes:
    if len(base) < RESOURCE_DEPTH or set(values) != {base}:
        raise CodecError(f"opaque carries exactly one value, at the request path {format_path(base)}")
    rtype, value = values[base]
    if rtype is not ResourceType.OPAQUE or not isinstance(value, bytes):
        raise CodecError(f"{format_path(base)}: only Opaque values travel as opaque, not {rtype.value}")
    return value
