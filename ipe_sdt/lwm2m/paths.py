"""LwM2M paths: /oid/iid/rid/riid as tuples of ints."""

from __future__ import annotations

from typing import TypeAlias

from .errors import CodecError, show

Path: TypeAlias = tuple[int, ...]
"""() is the root, (3,) an object, (3, 0) an instance, (3, 0, 7) a resource, (3, 0, 7, 1) a
resource instance."""

MAX_ID = 65535

ROOT: Path = ()
OBJECT_DEPTH = 1
INSTANCE_DEPTH = 2
RESOURCE_DEPTH = 3
RESOURCE_INSTANCE_DEPTH = 4


def parse_path(text: str) -> Path:
    """Parse "/3/0/7/1" (a trailing slash is tolerated, "/" is the root)."""
    if not isinstance(text, str) or not text.startswith("/"):
        raise CodecError(f"LwM2M path must start with '/': {show(text)}")
    body = text[1:]
    if body.endswith("/"):
        body = body[:-1]
    if not body:
        return ROOT
    parts = body.split("/")
    if len(parts) > RESOURCE_INSTANCE_DEPTH:
        raise CodecError(f"LwM2M path has more than 4 levels: {show(text)}")
    path = tuple(_parse_id(part, text) for part in parts)
    return path


def _parse_id(part: str, text: str) -> int:
    # isdecimal() accepts non-ASCII digits, which int() would then happily convert.
    if not part or not part.isascii() or not part.isdigit() or len(part) > 5:
        raise CodecError(f"bad LwM2M path segment {show(part)} in {show(text)}")
    value = int(part)
    if value > MAX_ID:
        raise CodecError(f"LwM2M id {value} out of range in {show(text)}")
    return value


def format_path(path: Path) -> str:
    return "/" + "/".join(str(i) for i in path)


def as_path(path: Path | str) -> Path:
    """Accept either form at API boundaries; always validate."""
    if isinstance(path, str):
        return parse_path(path)
    if not isinstance(path, tuple) or len(path) > RESOURCE_INSTANCE_DEPTH:
        raise CodecError(f"not an LwM2M path: {show(path)}")
    for part in path:
        if type(part) is not int or not 0 <= part <= MAX_ID:
            raise CodecError(f"not an LwM2M path: {show(path)}")
    return path


def is_under(path: Path, base: Path) -> bool:
    return path[: len(base)] == base
