"""TR-181 / TR-369 path names.

Supported forms (TR-106 names separated by dots, rooted at ``Device``):

* object paths end with a dot: ``Device.DeviceInfo.``, ``Device.WiFi.SSID.2.``
* parameter paths: ``Device.IoTCapability.1.BinaryControl.Value``
* command paths end with ``()``: ``Device.Reboot()``
* event paths end with ``!``: ``Device.Boot!``
* an instance segment is a number (1, 2, ...), the wildcard ``*`` or, in
  supported-data-model paths, the placeholder ``{i}``:
  ``Device.DeviceInfo.FirmwareImage.{i}.Download()``

Search expressions (``[Key==value]``) and reference following (``+``, ``#``)
are deliberately rejected: the IPE addresses instances by number only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from .errors import PathError

ROOT = "Device"
WILDCARD = "*"
PLACEHOLDER = "{i}"

# TR-106: a name starts with a letter or underscore; then letters, digits,
# underscores or hyphens (vendor extensions look like X_ACME-COM_Thing).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*\Z")
# Instance numbers start at 1 and have no leading zero, so "01" and "0" are
# rejected rather than silently aliasing instance 1.
_NUMBER = re.compile(r"[1-9][0-9]*\Z")


class PathKind(Enum):
    OBJECT = "object"
    PARAMETER = "parameter"
    COMMAND = "command"
    EVENT = "event"


_SUFFIX = {
    PathKind.OBJECT: ".",
    PathKind.PARAMETER: "",
    PathKind.COMMAND: "()",
    PathKind.EVENT: "!",
}


def _is_instance(segment: str) -> bool:
    return segment in (WILDCARD, PLACEHOLDER) or bool(_NUMBER.match(segment))


def _segment_matches(pattern: str, segment: str) -> bool:
    if pattern in (WILDCARD, PLACEHOLDER):
        return _is_instance(segment)
    return pattern == segment


@dataclass(frozen=True)
class Tr181Path:
    """A validated path; ``segments`` excludes the kind's suffix."""

    segments: tuple[str, ...]
    kind: PathKind

    def __str__(self) -> str:
        return ".".join(self.segments) + _SUFFIX[self.kind]

    @property
    def name(self) -> str:
        """Last segment with its suffix: ``Value``, ``Reboot()``, ``Boot!``, ``1``."""
        suffix = "" if self.kind is PathKind.OBJECT else _SUFFIX[self.kind]
        return self.segments[-1] + suffix

    @property
    def object_path(self) -> Tr181Path:
        """The object this path is, or the object that holds the parameter/command/event."""
        if self.kind is PathKind.OBJECT:
            return self
        return Tr181Path(self.segments[:-1], PathKind.OBJECT)

    @property
    def instances(self) -> tuple[int, ...]:
        """Instance numbers in order (wildcards and placeholders skipped)."""
        return tuple(int(s) for s in self.segments if _NUMBER.match(s))

    @property
    def is_schema(self) -> bool:
        return PLACEHOLDER in self.segments

    @property
    def has_wildcard(self) -> bool:
        return WILDCARD in self.segments

    @property
    def is_concrete(self) -> bool:
        """True when the path names exactly one instantiated element."""
        return not (self.is_schema or self.has_wildcard)

    def schema(self) -> Tr181Path:
        """Supported-data-model form: every instance segment becomes ``{i}``."""
        return Tr181Path(
            tuple(PLACEHOLDER if _is_instance(s) else s for s in self.segments), self.kind
        )

    def matches(self, other: Tr181Path | str) -> bool:
        """Whether ``other`` is selected by this path (``*``/``{i}`` match any instance)."""
        other = other if isinstance(other, Tr181Path) else parse_path(other)
        return (
            self.kind is other.kind
            and len(self.segments) == len(other.segments)
            and all(map(_segment_matches, self.segments, other.segments))
        )

    def is_within(self, obj: Tr181Path | str) -> bool:
        """Whether this path lies in (or is) the object ``obj``, honouring wildcards."""
        obj = obj if isinstance(obj, Tr181Path) else parse_path(obj)
        if obj.kind is not PathKind.OBJECT or len(obj.segments) > len(self.segments):
            return False
        return all(map(_segment_matches, obj.segments, self.segments))


def parse_path(text: str, *, allow_wildcard: bool = True, allow_schema: bool = True) -> Tr181Path:
    """Validate ``text`` and return its structured form, or raise PathError."""
    if not isinstance(text, str):
        raise PathError(f"path must be a string, not {type(text).__name__}")
    if any(c in text for c in "[]+#"):
        raise PathError(f"search expressions and references are not supported: {text!r}")
    kind = PathKind.PARAMETER
    body = text
    for candidate in (PathKind.COMMAND, PathKind.EVENT, PathKind.OBJECT):
        if text.endswith(_SUFFIX[candidate]):
            kind = candidate
            body = text[: -len(_SUFFIX[candidate])]
            break
    segments = tuple(body.split("."))
    if segments[0] != ROOT:
        raise PathError(f"path must start with {ROOT!r}: {text!r}")
    if kind is not PathKind.OBJECT and len(segments) < 2:
        raise PathError(f"a {kind.value} path needs a name below {ROOT}: {text!r}")
    # The root object is not a table, so an instance right after it is as
    # wrong as two instances in a row.
    previous_was_instance = True
    for segment in segments[1:]:
        if _is_instance(segment):
            if previous_was_instance:
                raise PathError(f"instance segment {segment!r} does not follow a table: {text!r}")
            if segment == WILDCARD and not allow_wildcard:
                raise PathError(f"wildcard not allowed here: {text!r}")
            if segment == PLACEHOLDER and not allow_schema:
                raise PathError(f"{PLACEHOLDER} placeholder not allowed here: {text!r}")
            previous_was_instance = True
        elif _NAME.match(segment):
            previous_was_instance = False
        else:
            raise PathError(f"invalid path segment {segment!r} in {text!r}")
    if kind is not PathKind.OBJECT and previous_was_instance:
        raise PathError(f"a {kind.value} path cannot end in an instance: {text!r}")
    return Tr181Path(segments, kind)


def is_valid_path(text: str, *, allow_wildcard: bool = True, allow_schema: bool = True) -> bool:
    try:
        parse_path(text, allow_wildcard=allow_wildcard, allow_schema=allow_schema)
    except PathError:
        return False
    return True


def split_path(text: str) -> tuple[str, str]:
    """Split a parameter, command or event path into (object path, name).

    ``Device.IoTCapability.1.BinaryControl.Value`` ->
    (``Device.IoTCapability.1.BinaryControl.``, ``Value``); commands and
    events keep their suffix (``Reboot()``, ``Boot!``) as TR-369 messages do.
    """
    path = parse_path(text)
    if path.kind is PathKind.OBJECT:
        raise PathError(f"an object path has no parameter, command or event name: {text!r}")
    return str(path.object_path), path.name
