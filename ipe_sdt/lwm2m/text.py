"""text/plain (content format 0): one resource or resource instance value as UTF-8 text.

LwM2M 1.1 writes numbers in decimal ASCII, booleans as "0"/"1", Time as decimal Unix seconds,
Objlnk as "oid:iid" and Opaque in base64.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping

from .errors import CodecError
from .model import ResourceType
from .objects import ObjectRegistry
from .paths import RESOURCE_DEPTH, Path, format_path
from .values import (
    INT64_MAX,
    INT64_MIN,
    UINT64_MAX,
    ObjectLink,
    Value,
    check_depth,
    resource_def,
    seconds_to_time,
)

# Explicit ASCII classes: int() and float() would also take "1_000", " 7", "٣" or "nan".
_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
# Longer digit strings cannot be a 64-bit value and would only make int() work hard.
_MAX_DIGITS = 40


def decode(payload: bytes, base: Path, registry: ObjectRegistry) -> dict[Path, Value]:
    rdef = resource_def(registry, base)
    check_depth(base, rdef)
    try:
        text = bytes(payload).decode("utf-8")
    except (UnicodeDecodeError, TypeError) as exc:
        raise CodecError(f"text/plain payload for {format_path(base)} is not UTF-8") from exc
    return {base: parse_text(text, rdef.type if rdef else None, base)}


def parse_text(text: str, rtype: ResourceType | None, path: Path = ()) -> Value:
    """A typed value from its text/plain form; an unknown resource (rtype None) stays str."""
    where = format_path(path) if path else "text value"
    if rtype is None or rtype in (ResourceType.STRING, ResourceType.CORELNK):
        return text
    if rtype in (ResourceType.INTEGER, ResourceType.UNSIGNED_INTEGER, ResourceType.TIME):
        if len(text) > _MAX_DIGITS or not _INTEGER.fullmatch(text):
            raise CodecError(f"{where}: {text[:50]!r} is not a decimal integer")
        number = int(text)
        if rtype is ResourceType.UNSIGNED_INTEGER:
            if not 0 <= number <= UINT64_MAX:
                raise CodecError(f"{where}: {number} is out of the unsigned 64-bit range")
            return number
        if not INT64_MIN <= number <= INT64_MAX:
            raise CodecError(f"{where}: {number} is out of the signed 64-bit range")
        return seconds_to_time(number) if rtype is ResourceType.TIME else number
    if rtype is ResourceType.FLOAT:
        if not _FLOAT.fullmatch(text):
            raise CodecError(f"{where}: {text[:50]!r} is not a decimal number")
        real = float(text)
        if math.isinf(real):
            raise CodecError(f"{where}: {text[:50]!r} overflows a double")
        return real
    if rtype is ResourceType.BOOLEAN:
        if text == "1":
            return True
        if text == "0":
            return False
        raise CodecError(f"{where}: boolean must be '0' or '1', got {text[:50]!r}")
    if rtype is ResourceType.OPAQUE:
        if not _BASE64.fullmatch(text):
            raise CodecError(f"{where}: opaque text must be base64")
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error as exc:
            raise CodecError(f"{where}: bad base64: {exc}") from exc
    if rtype is ResourceType.OBJLNK:
        return ObjectLink.parse(text)
    raise CodecError(f"{where} is executable and carries no value")


def format_text(rtype: ResourceType, value: Value) -> str:
    """The text/plain form of a value already checked by values.check_value."""
    if rtype in (ResourceType.STRING, ResourceType.CORELNK):
        assert isinstance(value, str)
        return value
    if rtype in (ResourceType.INTEGER, ResourceType.UNSIGNED_INTEGER, ResourceType.TIME):
        return str(value)
    if rtype is ResourceType.FLOAT:
        assert isinstance(value, float)
        if not math.isfinite(value):
            raise CodecError(f"{value} has no text/plain form")
        return repr(value)
    if rtype is ResourceType.BOOLEAN:
        return "1" if value else "0"
    if rtype is ResourceType.OPAQUE:
        assert isinstance(value, bytes)
        return base64.b64encode(value).decode("ascii")
    if rtype is ResourceType.OBJLNK:
        return str(value)
    raise CodecError(f"a {rtype.value} resource carries no value")


def encode(values: Mapping[Path, tuple[ResourceType, Value]], base: Path, registry: ObjectRegistry) -> bytes:
    if len(base) < RESOURCE_DEPTH or set(values) != {base}:
        raise CodecError(f"text/plain carries exactly one value, at the request path {format_path(base)}")
    rtype, value = values[base]
    try:
        return format_text(rtype, value).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CodecError(f"{format_path(base)}: string cannot be encoded as UTF-8") from exc
