"""Shared plumbing of the typed message bodies.

Each request, response and the Error body is a frozen dataclass that knows
its Header.MsgType, the oneof field it occupies in ``usp.Request`` /
``usp.Response`` / ``usp.Body`` and how to convert itself to and from the
generated protobuf class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from enum import IntEnum
from typing import Any, ClassVar, Literal, TypeVar

from google.protobuf.message import Message as ProtoMessage

from .errors import MessageError

# The protocol version this layer implements (Record.version, GetSupportedProtocol).
USP_VERSION = "1.4"


class MsgType(IntEnum):
    """Mirror of ``usp.Header.MsgType`` (checked against the descriptor in tests)."""

    ERROR = 0
    GET = 1
    GET_RESP = 2
    NOTIFY = 3
    SET = 4
    SET_RESP = 5
    OPERATE = 6
    OPERATE_RESP = 7
    ADD = 8
    ADD_RESP = 9
    DELETE = 10
    DELETE_RESP = 11
    GET_SUPPORTED_DM = 12
    GET_SUPPORTED_DM_RESP = 13
    GET_INSTANCES = 14
    GET_INSTANCES_RESP = 15
    NOTIFY_RESP = 16
    GET_SUPPORTED_PROTO = 17
    GET_SUPPORTED_PROTO_RESP = 18
    REGISTER = 19
    REGISTER_RESP = 20
    DEREGISTER = 21
    DEREGISTER_RESP = 22


Section = Literal["request", "response", "error"]


class Body(ABC):
    MSG_TYPE: ClassVar[MsgType]
    SECTION: ClassVar[Section]
    # Name of the field inside usp.Request / usp.Response ("error" for Error).
    FIELD: ClassVar[str]

    @abstractmethod
    def to_pb(self) -> ProtoMessage: ...

    @classmethod
    @abstractmethod
    def from_pb(cls, pb: Any) -> Body: ...


class RequestBody(Body):
    SECTION: ClassVar[Section] = "request"


class ResponseBody(Body):
    SECTION: ClassVar[Section] = "response"


def str_tuple(values: Iterable[str], what: str) -> tuple[str, ...]:
    """Tuple of strings; a bare str is refused because it would iterate as characters."""
    if isinstance(values, str):
        raise TypeError(f"{what} must be a collection of strings, not a single str")
    result = tuple(values)
    for value in result:
        if not isinstance(value, str):
            raise TypeError(f"{what} must contain strings, got {type(value).__name__}")
    return result


def str_dict(values: Mapping[str, str], what: str) -> dict[str, str]:
    result = dict(values)
    for key, value in result.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"{what} must map str to str, got {key!r}: {value!r}")
    return result


E = TypeVar("E", bound=IntEnum)


def enum_or_int(enum: type[E], value: int) -> E | int:
    """Known enum member, or the raw number: proto3 enums are open, so a newer
    peer may send values this schema does not name and that must not fail."""
    try:
        return enum(value)
    except ValueError:
        return value


def oneof(pb: ProtoMessage, group: str, where: str) -> str:
    """Name of the set field of a oneof; TR-369 requires these to be present."""
    name = pb.WhichOneof(group)
    if name is None:
        raise MessageError(f"{where}: {group} is not set")
    return name
