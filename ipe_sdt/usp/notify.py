"""Notify (Agent -> Controller) and NotifyResp."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from . import usp_msg_1_4_pb2 as pb
from .body import USP_VERSION, MsgType, RequestBody, ResponseBody, oneof, str_dict
from .responses import CommandFailure, OutputArgs


@dataclass(frozen=True)
class ValueChange:
    param_path: str
    param_value: str


@dataclass(frozen=True)
class Event:
    obj_path: str
    event_name: str
    params: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", str_dict(self.params, "params"))


@dataclass(frozen=True)
class ObjectCreation:
    obj_path: str
    unique_keys: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unique_keys", str_dict(self.unique_keys, "unique_keys"))


@dataclass(frozen=True)
class ObjectDeletion:
    obj_path: str


@dataclass(frozen=True)
class OperationComplete:
    """Completion of an asynchronous command started by Operate."""

    obj_path: str
    command_name: str
    command_key: str
    outcome: OutputArgs | CommandFailure


@dataclass(frozen=True)
class OnBoardRequest:
    oui: str
    product_class: str
    serial_number: str
    agent_supported_protocol_versions: str = USP_VERSION


Notification = (
    ValueChange | Event | ObjectCreation | ObjectDeletion | OperationComplete | OnBoardRequest
)


def _complete_to_pb(n: OperationComplete) -> pb.Notify.OperationComplete:
    out = pb.Notify.OperationComplete(
        obj_path=n.obj_path, command_name=n.command_name, command_key=n.command_key
    )
    if isinstance(n.outcome, OutputArgs):
        out.req_output_args.CopyFrom(
            pb.Notify.OperationComplete.OutputArgs(output_args=n.outcome.output_args)
        )
    else:
        out.cmd_failure.CopyFrom(
            pb.Notify.OperationComplete.CommandFailure(
                err_code=n.outcome.err_code, err_msg=n.outcome.err_msg
            )
        )
    return out


def _complete_from_pb(pb_oc: pb.Notify.OperationComplete) -> OperationComplete:
    outcome: OutputArgs | CommandFailure
    if oneof(pb_oc, "operation_resp", "Notify.OperationComplete") == "req_output_args":
        outcome = OutputArgs(dict(pb_oc.req_output_args.output_args))
    else:
        outcome = CommandFailure(pb_oc.cmd_failure.err_code, pb_oc.cmd_failure.err_msg)
    return OperationComplete(pb_oc.obj_path, pb_oc.command_name, pb_oc.command_key, outcome)


@dataclass(frozen=True)
class Notify(RequestBody):
    """``send_resp`` asks the Controller to acknowledge with a NotifyResp."""

    subscription_id: str
    notification: Notification
    send_resp: bool = False

    MSG_TYPE: ClassVar[MsgType] = MsgType.NOTIFY
    FIELD: ClassVar[str] = "notify"

    def to_pb(self) -> pb.Notify:
        out = pb.Notify(subscription_id=self.subscription_id, send_resp=self.send_resp)
        n = self.notification
        match n:
            case ValueChange():
                out.value_change.CopyFrom(
                    pb.Notify.ValueChange(param_path=n.param_path, param_value=n.param_value)
                )
            case Event():
                out.event.CopyFrom(
                    pb.Notify.Event(obj_path=n.obj_path, event_name=n.event_name, params=n.params)
                )
            case ObjectCreation():
                out.obj_creation.CopyFrom(
                    pb.Notify.ObjectCreation(obj_path=n.obj_path, unique_keys=n.unique_keys)
                )
            case ObjectDeletion():
                out.obj_deletion.CopyFrom(pb.Notify.ObjectDeletion(obj_path=n.obj_path))
            case OperationComplete():
                out.oper_complete.CopyFrom(_complete_to_pb(n))
            case OnBoardRequest():
                out.on_board_req.CopyFrom(
                    pb.Notify.OnBoardRequest(
                        oui=n.oui,
                        product_class=n.product_class,
                        serial_number=n.serial_number,
                        agent_supported_protocol_versions=n.agent_supported_protocol_versions,
                    )
                )
            case _:
                raise TypeError(f"not a notification: {type(n).__name__}")
        return out

    @classmethod
    def from_pb(cls, pb_notify: pb.Notify) -> Notify:
        notification: Notification
        match oneof(pb_notify, "notification", "Notify"):
            case "value_change":
                vc = pb_notify.value_change
                notification = ValueChange(vc.param_path, vc.param_value)
            case "event":
                ev = pb_notify.event
                notification = Event(ev.obj_path, ev.event_name, dict(ev.params))
            case "obj_creation":
                oc = pb_notify.obj_creation
                notification = ObjectCreation(oc.obj_path, dict(oc.unique_keys))
            case "obj_deletion":
                notification = ObjectDeletion(pb_notify.obj_deletion.obj_path)
            case "oper_complete":
                notification = _complete_from_pb(pb_notify.oper_complete)
            case _:
                ob = pb_notify.on_board_req
                notification = OnBoardRequest(
                    ob.oui, ob.product_class, ob.serial_number, ob.agent_supported_protocol_versions
                )
        return cls(pb_notify.subscription_id, notification, pb_notify.send_resp)


@dataclass(frozen=True)
class NotifyResp(ResponseBody):
    subscription_id: str

    MSG_TYPE: ClassVar[MsgType] = MsgType.NOTIFY_RESP
    FIELD: ClassVar[str] = "notify_resp"

    def to_pb(self) -> pb.NotifyResp:
        return pb.NotifyResp(subscription_id=self.subscription_id)

    @classmethod
    def from_pb(cls, pb_resp: pb.NotifyResp) -> NotifyResp:
        return cls(pb_resp.subscription_id)
