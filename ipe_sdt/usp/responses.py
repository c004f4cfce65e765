"""Response bodies an Agent sends for reads and commands, and the Error body
(SetResp, AddResp and DeleteResp live in change_responses.py).

The oneof ``operation_resp`` of TR-369 becomes a single ``outcome`` attribute
holding one of several dataclasses, so callers branch with ``isinstance`` or
``match``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from . import usp_msg_1_4_pb2 as pb
from .body import Body, MsgType, ResponseBody, Section, oneof, str_dict
from .error_codes import error_name


@dataclass(frozen=True)
class OperationFailure:
    """Failure of one requested path (Get/GetInstances errors, Add, Delete)."""

    err_code: int
    err_msg: str = ""


# --- Get ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedPathResult:
    """One object the requested path resolved to; params are relative names."""

    resolved_path: str
    result_params: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "result_params", str_dict(self.result_params, "result_params"))


@dataclass(frozen=True)
class GetPathResult:
    requested_path: str
    resolved_path_results: tuple[ResolvedPathResult, ...] = ()
    err_code: int = 0
    err_msg: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "resolved_path_results", tuple(self.resolved_path_results))


@dataclass(frozen=True)
class GetResp(ResponseBody):
    req_path_results: tuple[GetPathResult, ...]

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET_RESP
    FIELD: ClassVar[str] = "get_resp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "req_path_results", tuple(self.req_path_results))

    def values(self) -> dict[str, dict[str, str]]:
        """``{resolved object path: {param name: value}}`` over all successful paths.

        Objects reached through several requested paths are merged, so asking
        for ``Device.DeviceInfo.A`` and ``Device.DeviceInfo.B`` yields one entry.
        """
        merged: dict[str, dict[str, str]] = {}
        for req in self.req_path_results:
            if req.err_code:
                continue
            for res in req.resolved_path_results:
                merged.setdefault(res.resolved_path, {}).update(res.result_params)
        return merged

    def flat(self) -> dict[str, str]:
        """``{full parameter path: value}``."""
        return {
            obj + name: value
            for obj, params in self.values().items()
            for name, value in params.items()
        }

    def failures(self) -> dict[str, OperationFailure]:
        """Requested paths the Agent could not read, with the reason."""
        return {
            req.requested_path: OperationFailure(req.err_code, req.err_msg)
            for req in self.req_path_results
            if req.err_code
        }

    def to_pb(self) -> pb.GetResp:
        return pb.GetResp(
            req_path_results=[
                pb.GetResp.RequestedPathResult(
                    requested_path=req.requested_path,
                    err_code=req.err_code,
                    err_msg=req.err_msg,
                    resolved_path_results=[
                        pb.GetResp.ResolvedPathResult(
                            resolved_path=res.resolved_path, result_params=res.result_params
                        )
                        for res in req.resolved_path_results
                    ],
                )
                for req in self.req_path_results
            ]
        )

    @classmethod
    def from_pb(cls, pb_resp: pb.GetResp) -> GetResp:
        return cls(
            tuple(
                GetPathResult(
                    req.requested_path,
                    tuple(
                        ResolvedPathResult(res.resolved_path, dict(res.result_params))
                        for res in req.resolved_path_results
                    ),
                    req.err_code,
                    req.err_msg,
                )
                for req in pb_resp.req_path_results
            )
        )


# --- GetInstances ------------------------------------------------------------


@dataclass(frozen=True)
class CurrInstance:
    instantiated_obj_path: str
    unique_keys: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "unique_keys", str_dict(self.unique_keys, "unique_keys"))


@dataclass(frozen=True)
class InstancesPathResult:
    requested_path: str
    curr_insts: tuple[CurrInstance, ...] = ()
    err_code: int = 0
    err_msg: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "curr_insts", tuple(self.curr_insts))


@dataclass(frozen=True)
class GetInstancesResp(ResponseBody):
    req_path_results: tuple[InstancesPathResult, ...]

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET_INSTANCES_RESP
    FIELD: ClassVar[str] = "get_instances_resp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "req_path_results", tuple(self.req_path_results))

    def instances(self) -> dict[str, dict[str, str]]:
        """``{instance path: unique keys}`` over all successful paths."""
        return {
            inst.instantiated_obj_path: dict(inst.unique_keys)
            for req in self.req_path_results
            if not req.err_code
            for inst in req.curr_insts
        }

    def to_pb(self) -> pb.GetInstancesResp:
        return pb.GetInstancesResp(
            req_path_results=[
                pb.GetInstancesResp.RequestedPathResult(
                    requested_path=req.requested_path,
                    err_code=req.err_code,
                    err_msg=req.err_msg,
                    curr_insts=[
                        pb.GetInstancesResp.CurrInstance(
                            instantiated_obj_path=inst.instantiated_obj_path,
                            unique_keys=inst.unique_keys,
                        )
                        for inst in req.curr_insts
                    ],
                )
                for req in self.req_path_results
            ]
        )

    @classmethod
    def from_pb(cls, pb_resp: pb.GetInstancesResp) -> GetInstancesResp:
        return cls(
            tuple(
                InstancesPathResult(
                    req.requested_path,
                    tuple(
                        CurrInstance(inst.instantiated_obj_path, dict(inst.unique_keys))
                        for inst in req.curr_insts
                    ),
                    req.err_code,
                    req.err_msg,
                )
                for req in pb_resp.req_path_results
            )
        )


# --- Operate -----------------------------------------------------------------


@dataclass(frozen=True)
class OutputArgs:
    """A synchronous command finished; these are its output arguments."""

    output_args: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "output_args", str_dict(self.output_args, "output_args"))


@dataclass(frozen=True)
class RequestObject:
    """An asynchronous command started; progress lives in this Request object
    (``Device.LocalAgent.Request.{i}.``) and completion arrives as a Notify."""

    path: str


@dataclass(frozen=True)
class CommandFailure:
    err_code: int
    err_msg: str = ""


@dataclass(frozen=True)
class OperationResult:
    executed_command: str
    outcome: OutputArgs | RequestObject | CommandFailure


@dataclass(frozen=True)
class OperateResp(ResponseBody):
    operation_results: tuple[OperationResult, ...]

    MSG_TYPE: ClassVar[MsgType] = MsgType.OPERATE_RESP
    FIELD: ClassVar[str] = "operate_resp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "operation_results", tuple(self.operation_results))

    def to_pb(self) -> pb.OperateResp:
        result_cls = pb.OperateResp.OperationResult
        out = pb.OperateResp()
        for res in self.operation_results:
            item = out.operation_results.add(executed_command=res.executed_command)
            outcome = res.outcome
            if isinstance(outcome, OutputArgs):
                item.req_output_args.CopyFrom(
                    result_cls.OutputArgs(output_args=outcome.output_args)
                )
            elif isinstance(outcome, RequestObject):
                item.req_obj_path = outcome.path
            else:
                item.cmd_failure.CopyFrom(
                    result_cls.CommandFailure(err_code=outcome.err_code, err_msg=outcome.err_msg)
                )
        return out

    @classmethod
    def from_pb(cls, pb_resp: pb.OperateResp) -> OperateResp:
        results = []
        for res in pb_resp.operation_results:
            kind = oneof(res, "operation_resp", "OperateResp")
            outcome: OutputArgs | RequestObject | CommandFailure
            if kind == "req_output_args":
                outcome = OutputArgs(dict(res.req_output_args.output_args))
            elif kind == "req_obj_path":
                outcome = RequestObject(res.req_obj_path)
            else:
                outcome = CommandFailure(res.cmd_failure.err_code, res.cmd_failure.err_msg)
            results.append(OperationResult(res.executed_command, outcome))
        return cls(tuple(results))


# --- GetSupportedProtocol ----------------------------------------------------


@dataclass(frozen=True)
class GetSupportedProtocolResp(ResponseBody):
    agent_supported_protocol_versions: str

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET_SUPPORTED_PROTO_RESP
    FIELD: ClassVar[str] = "get_supported_protocol_resp"

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(
            v.strip() for v in self.agent_supported_protocol_versions.split(",") if v.strip()
        )

    def to_pb(self) -> pb.GetSupportedProtocolResp:
        return pb.GetSupportedProtocolResp(
            agent_supported_protocol_versions=self.agent_supported_protocol_versions
        )

    @classmethod
    def from_pb(cls, pb_resp: pb.GetSupportedProtocolResp) -> GetSupportedProtocolResp:
        return cls(pb_resp.agent_supported_protocol_versions)


# --- Error -------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorParam:
    """Per-path detail of an Error message (``Error.ParamError`` on the wire)."""

    param_path: str
    err_code: int
    err_msg: str = ""


@dataclass(frozen=True)
class Error(Body):
    err_code: int
    err_msg: str = ""
    param_errs: tuple[ErrorParam, ...] = ()

    MSG_TYPE: ClassVar[MsgType] = MsgType.ERROR
    SECTION: ClassVar[Section] = "error"
    FIELD: ClassVar[str] = "error"

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_errs", tuple(self.param_errs))

    @property
    def name(self) -> str:
        return error_name(self.err_code)

    def to_pb(self) -> pb.Error:
        return pb.Error(
            err_code=self.err_code,
            err_msg=self.err_msg,
            param_errs=[
                pb.Error.ParamError(param_path=e.param_path, err_code=e.err_code, err_msg=e.err_msg)
                for e in self.param_errs
            ],
        )

    @classmethod
    def from_pb(cls, pb_err: pb.Error) -> Error:
        return cls(
            pb_err.err_code,
            pb_err.err_msg,
            tuple(ErrorParam(e.param_path, e.err_code, e.err_msg) for e in pb_err.param_errs),
        )
