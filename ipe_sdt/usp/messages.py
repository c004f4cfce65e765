"""The USP Msg envelope: header (msg_id, msg_type) plus one typed body.

``Message.from_bytes`` is the only way bytes become a message; anything it
cannot make sense of raises ``MessageError`` with the TR-369 code to report.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from typing import TypeVar

from . import usp_msg_1_4_pb2 as pb
from .body import Body, MsgType, oneof
from .change_responses import AddResp, DeleteResp, SetResp
from .errors import MessageError, RemoteError
from .notify import Notify, NotifyResp
from .requests import Add, Delete, Get, GetInstances, GetSupportedProtocol, Operate, Set
from .responses import Error, GetInstancesResp, GetResp, GetSupportedProtocolResp, OperateResp
from .supported_dm import GetSupportedDM, GetSupportedDMResp

REQUEST_TYPES: dict[str, type[Body]] = {
    cls.FIELD: cls
    for cls in (
        Get,
        GetSupportedDM,
        GetInstances,
        Set,
        Add,
        Delete,
        Operate,
        Notify,
        GetSupportedProtocol,
    )
}
RESPONSE_TYPES: dict[str, type[Body]] = {
    cls.FIELD: cls
    for cls in (
        GetResp,
        GetSupportedDMResp,
        GetInstancesResp,
        SetResp,
        AddResp,
        DeleteResp,
        OperateResp,
        NotifyResp,
        GetSupportedProtocolResp,
    )
}

B = TypeVar("B", bound=Body)


class MsgIdGenerator:
    """Produces ``<random prefix>-<counter>`` ids.

    The random prefix keeps ids unique across restarts of this process (a
    peer may still hold responses for the previous run); the counter keeps
    them cheap and readable in logs.
    """

    def __init__(self, prefix: str | None = None) -> None:
        self.prefix = prefix if prefix is not None else secrets.token_hex(4)
        self._counter = itertools.count(1)

    def __call__(self) -> str:
        return f"{self.prefix}-{next(self._counter)}"


new_msg_id = MsgIdGenerator()


@dataclass(frozen=True)
class Message:
    msg_id: str
    body: Body

    def __post_init__(self) -> None:
        if not isinstance(self.msg_id, str) or not self.msg_id:
            raise ValueError("msg_id must be a non-empty string")
        if not isinstance(self.body, Body):
            raise TypeError(f"not a USP message body: {type(self.body).__name__}")

    @property
    def msg_type(self) -> MsgType:
        return self.body.MSG_TYPE

    @property
    def is_request(self) -> bool:
        return self.body.SECTION == "request"

    @property
    def is_response(self) -> bool:
        return self.body.SECTION == "response"

    @property
    def is_error(self) -> bool:
        return self.body.SECTION == "error"

    def expect(self, body_type: type[B]) -> B:
        """The body if it is a ``body_type``; otherwise RemoteError for an Error
        body, or MessageError for any other unexpected body."""
        if isinstance(self.body, body_type):
            return self.body
        if isinstance(self.body, Error):
            raise RemoteError(self.body)
        raise MessageError(f"expected {body_type.__name__}, got {type(self.body).__name__}")

    def to_pb(self) -> pb.Msg:
        msg = pb.Msg()
        msg.header.msg_id = self.msg_id
        msg.header.msg_type = int(self.body.MSG_TYPE)
        if self.body.SECTION == "error":
            msg.body.error.CopyFrom(self.body.to_pb())
        else:
            section = getattr(msg.body, self.body.SECTION)
            getattr(section, self.body.FIELD).CopyFrom(self.body.to_pb())
        return msg

    def to_bytes(self) -> bytes:
        # deterministic=True makes map fields serialize in key order, so equal
        # messages give equal bytes (stable logs, tests and de-duplication).
        return self.to_pb().SerializeToString(deterministic=True)

    @classmethod
    def from_pb(cls, msg: pb.Msg) -> Message:
        if not msg.header.msg_id:
            raise MessageError("header.msg_id is missing")
        section = oneof(msg.body, "msg_body", "Body")
        body_cls: type[Body]
        if section == "error":
            body_cls, pb_body = Error, msg.body.error
        else:
            container = getattr(msg.body, section)
            types = REQUEST_TYPES if section == "request" else RESPONSE_TYPES
            field = oneof(container, "req_type" if section == "request" else "resp_type", section)
            if field not in types:
                raise MessageError(f"{section} {field} is not supported")
            body_cls, pb_body = types[field], getattr(container, field)
        if msg.header.msg_type != body_cls.MSG_TYPE:
            raise MessageError(
                f"header.msg_type {msg.header.msg_type} does not match body "
                f"{body_cls.__name__} ({int(body_cls.MSG_TYPE)})"
            )
        return cls(msg.header.msg_id, body_cls.from_pb(pb_body))

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Message:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"expected bytes, got {type(data).__name__}")
        msg = pb.Msg()
        try:
            msg.ParseFromString(bytes(data))
        # The upb, C++ and pure-Python protobuf backends do not agree on the
        # exception type for corrupt input, and callers are promised only
        # UspError subclasses for bad bytes.
        except Exception as exc:
            raise MessageError(f"cannot decode USP Msg: {exc}") from exc
        return cls.from_pb(msg)


def request(body: Body, msg_id: str | None = None) -> Message:
    """Wrap a request (or Notify) body with a fresh msg_id."""
    return Message(new_msg_id() if msg_id is None else msg_id, body)


def response_to(req: Message, body: Body) -> Message:
    """Wrap a response or Error body; TR-369 requires the request's msg_id."""
    return Message(req.msg_id, body)
