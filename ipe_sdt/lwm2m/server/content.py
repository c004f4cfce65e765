"""Which content format to write in, and how to read whatever a device answers with.

Writes of one plain resource go as text/plain (opaque for Opaque resources): every LwM2M
version must understand those. Writes of several values use a format the device announced
(ct= on its root link) or, failing that, the ones its version makes likely, in order; a 4.15
answer moves on to the next. Reads decode by the Content-Format the device put on its answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..codec import ContentFormat, content_format, decode
from ..errors import CodecError
from ..model import ResourceType
from ..objects import ObjectRegistry
from ..paths import RESOURCE_DEPTH, Path, format_path
from ..values import Value

_PREFERENCE = (ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.TLV, ContentFormat.LWM2M_JSON)
# What a client that announced nothing most likely speaks: TLV was mandatory in 1.0 and stays
# the most common; 1.1 added SenML.
_BY_VERSION = {
    "1.0": (ContentFormat.TLV, ContentFormat.LWM2M_JSON),
    "1.1": (ContentFormat.TLV, ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON),
    "1.2": (ContentFormat.SENML_CBOR, ContentFormat.TLV, ContentFormat.SENML_JSON),
}


def multi_value_formats(
    version: str, announced: Iterable[int], learned: ContentFormat | None = None
) -> list[ContentFormat]:
    """Formats to try for a write holding several values, best first."""
    known: list[ContentFormat] = []
    for number in announced:
        try:
            cf = content_format(number)
        except CodecError:
            continue
        if cf in _PREFERENCE and cf not in known:
            known.append(cf)
    ordered = sorted(known, key=_PREFERENCE.index) or list(_BY_VERSION.get(version, _BY_VERSION["1.1"]))
    if learned is not None:
        ordered = [learned] + [cf for cf in ordered if cf != learned]
    return ordered


def single_value_format(rtype: ResourceType | None, value: object) -> ContentFormat:
    """text/plain, or opaque for binary values: the formats every client takes for one resource."""
    if rtype is ResourceType.OPAQUE or (rtype is None and isinstance(value, (bytes, bytearray, memoryview))):
        return ContentFormat.OPAQUE
    return ContentFormat.TEXT


def decode_answer(
    payload: bytes, number: int | None, path: Path, registry: ObjectRegistry
) -> tuple[dict[Path, Value], int]:
    """Values of a Read or Notify answer and the format they came in.

    An answer without Content-Format is text/plain for a resource and TLV above that, which is
    what LwM2M 1.0 clients that leave the option out send. Raises CodecError.
    """
    if number is None:
        number = ContentFormat.TEXT if len(path) >= RESOURCE_DEPTH else ContentFormat.TLV
    if number == ContentFormat.TEXT and len(path) == RESOURCE_DEPTH:
        rdef = registry.get_resource(path[0], path[2])
        if rdef is not None and rdef.multiple_instances:
            raise CodecError(f"text/plain cannot carry the multiple-instance resource {format_path(path)}")
    values = decode(payload, number, path, registry=registry)
    for key in values:
        if key[: len(path)] != path:
            raise CodecError(f"the answer for {format_path(path)} holds {format_path(key)}")
    return values, int(number)
