"""Attribute data types: validate (and, for XML input, coerce) values declared in the type table.

Each type checks a decoded value and returns it in canonical form. XML carries every scalar as
text and every xs:list as one space-separated string, so with ``lenient=True`` the types accept
those forms and convert them; JSON and CBOR must already carry the right types.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from cse import timestamps
from cse.errors import bad_request


class DataType(ABC):
    name = "any"

    @abstractmethod
    def check(self, value: Any, path: str, lenient: bool) -> Any:
        """Return ``value`` in canonical form, or raise a BAD_REQUEST RequestError."""


# Integers are stored and served as JSON, whose readers (and orjson) stop at 64 bits; CBOR could
# carry bigger ones, which would then fail to be stored or served.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _type_error(path: str, expected: str, value: Any) -> Exception:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return bad_request(f"attribute {path}: expected {expected}, got {shown}")


@dataclass(frozen=True)
class JsonValue(DataType):
    """Any value that JSON can carry (content such as ``con``): no bytes, tags or odd keys.

    CBOR can carry byte strings and tagged values that have no JSON form; accepting them would
    make the resource unserializable for a JSON or XML reader later.
    """

    name = "any"

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        _check_json(value, path, depth=0)
        return value


def _check_json(value: Any, path: str, depth: int) -> None:
    if depth > 32:
        raise bad_request(f"attribute {path}: nested deeper than 32 levels")
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise bad_request(f"attribute {path}: the integer {value} is outside the 64-bit range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise bad_request(f"attribute {path}: {value} is not a finite number (JSON has no NaN or infinity)")
        return
    if isinstance(value, list):
        for index, entry in enumerate(value):
            _check_json(entry, f"{path}[{index}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, entry in value.items():
            if not isinstance(key, str):
                raise bad_request(f"attribute {path}: member names must be strings")
            _check_json(entry, f"{path}.{key}", depth + 1)
        return
    raise bad_request(f"attribute {path}: a {type(value).__name__} value cannot be stored")


@dataclass(frozen=True)
class Str(DataType):
    name = "string"
    max_length: int | None = None

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and lenient:
            value = str(value)
        if not isinstance(value, str):
            raise _type_error(path, "a string", value)
        if self.max_length is not None and len(value) > self.max_length:
            raise bad_request(f"attribute {path}: longer than {self.max_length} characters")
        return value


@dataclass(frozen=True)
class Int(DataType):
    name = "integer"
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if lenient and isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise _type_error(path, "an integer", value) from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(path, "an integer", value)
        if not INT64_MIN <= value <= INT64_MAX:
            raise bad_request(f"attribute {path}: the integer {value} is outside the 64-bit range")
        if self.minimum is not None and value < self.minimum:
            raise bad_request(f"attribute {path}: {value} is below the minimum {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise bad_request(f"attribute {path}: {value} is above the maximum {self.maximum}")
        return value


@dataclass(frozen=True)
class Float(DataType):
    name = "float"

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if lenient and isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise _type_error(path, "a number", value) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _type_error(path, "a number", value)
        _check_json(value, path, depth=0)  # finite, and integers within 64 bits
        return value


@dataclass(frozen=True)
class Bool(DataType):
    name = "boolean"

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if lenient and isinstance(value, str) and value.strip() in ("true", "false", "1", "0"):
            return value.strip() in ("true", "1")
        if not isinstance(value, bool):
            raise _type_error(path, "a boolean", value)
        return value


@dataclass(frozen=True)
class Timestamp(DataType):
    name = "timestamp"

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if not isinstance(value, str):
            raise _type_error(path, "a timestamp string (YYYYMMDDThhmmss)", value)
        try:
            moment = timestamps.parse(value)
        except ValueError:
            raise _type_error(path, "a timestamp (YYYYMMDDThhmmss)", value) from None
        # One canonical form, so that stored timestamps compare correctly as strings.
        return timestamps.format_ts(moment)


@dataclass(frozen=True)
class Enum(DataType):
    """An integer enumeration with its allowed values."""

    name = "enumeration"
    values: frozenset[int] = frozenset()

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        value = Int().check(value, path, lenient)
        if value not in self.values:
            allowed = ", ".join(str(v) for v in sorted(self.values))
            raise bad_request(f"attribute {path}: {value} is not one of {allowed}")
        return value


@dataclass(frozen=True)
class ListOf(DataType):
    name = "list"
    item: DataType = field(default_factory=Str)
    min_items: int = 0
    # In XML a list of simple values is one space-separated text (xs:list), unless its entries
    # contain spaces themselves (schedule entries): then each is an element of its own.
    xml_repeated: bool = False

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if lenient:
            if isinstance(value, str):
                value = [value] if self.xml_repeated else value.split()
            elif isinstance(value, dict):
                value = [value]  # a single repeated XML element
        if not isinstance(value, list):
            raise _type_error(path, "a list", value)
        if len(value) < self.min_items:
            raise bad_request(f"attribute {path}: needs at least {self.min_items} entries")
        return [self.item.check(entry, f"{path}[{index}]", lenient) for index, entry in enumerate(value)]


@dataclass(frozen=True)
class Struct(DataType):
    """A complex type: named members with their types; ``required`` lists the mandatory ones."""

    name = "complex"
    members: dict[str, DataType] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    # Some complex types (e.g. m2m:actionStatus) are open: unknown members are kept.
    open: bool = False

    def check(self, value: Any, path: str, lenient: bool) -> Any:
        if lenient and value == "" and not self.required:
            value = {}  # XML: an empty element is a structure without members
        if not isinstance(value, dict):
            raise _type_error(path, "a structure", value)
        result: dict[str, Any] = {}
        for key, member in value.items():
            if not isinstance(key, str):
                raise bad_request(f"attribute {path}: member names must be strings, got {key!r}")
            member_type = self.members.get(key)
            if member_type is None:
                if self.open:
                    # Kept as sent, so it must be something JSON (and the store) can hold.
                    _check_json(member, f"{path}.{key}", depth=1)
                    result[key] = member
                    continue
                allowed = ", ".join(sorted(self.members))
                raise bad_request(f"attribute {path}: unknown member {key!r} (allowed: {allowed})")
            result[key] = member_type.check(member, f"{path}.{key}", lenient)
        missing = sorted(self.required - result.keys())
        if missing:
            raise bad_request(f"attribute {path}: missing mandatory member(s) {', '.join(missing)}")
        return result


# Shared instances, named as TS-0004 names the simple types.
STRING = Str()
ANY_URI = Str()
ID = Str()
NON_NEG_INT = Int(minimum=0)
POSITIVE_INT = Int(minimum=1)
INTEGER = Int()
BOOLEAN = Bool()
TIMESTAMP = Timestamp()
ANY = JsonValue()
STRING_LIST = ListOf(item=Str())
SCHEDULE_LIST = ListOf(item=Str(), xml_repeated=True)
URI_LIST = ListOf(item=Str())
