"""GetSupportedDM and its response: what the Agent's data model can do.

The IPE uses this to learn which objects, parameters, commands and events a
device implements before it builds the oneM2M side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from . import usp_msg_1_4_pb2 as pb
from .body import MsgType, RequestBody, ResponseBody, enum_or_int, str_tuple

_Resp = pb.GetSupportedDMResp


class ParamAccess(IntEnum):
    READ_ONLY = 0
    READ_WRITE = 1
    WRITE_ONLY = 2


class ObjAccess(IntEnum):
    READ_ONLY = 0
    ADD_DELETE = 1
    ADD_ONLY = 2
    DELETE_ONLY = 3


class ParamValueType(IntEnum):
    UNKNOWN = 0
    BASE_64 = 1
    BOOLEAN = 2
    DATE_TIME = 3
    DECIMAL = 4
    HEX_BINARY = 5
    INT = 6
    LONG = 7
    STRING = 8
    UNSIGNED_INT = 9
    UNSIGNED_LONG = 10


class ValueChangeType(IntEnum):
    UNKNOWN = 0
    ALLOWED = 1
    WILL_IGNORE = 2


class CmdType(IntEnum):
    UNKNOWN = 0
    SYNC = 1
    ASYNC = 2


@dataclass(frozen=True)
class GetSupportedDM(RequestBody):
    obj_paths: tuple[str, ...]
    first_level_only: bool = False
    return_commands: bool = False
    return_events: bool = False
    return_params: bool = False
    return_unique_key_sets: bool = False

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET_SUPPORTED_DM
    FIELD: ClassVar[str] = "get_supported_dm"

    def __post_init__(self) -> None:
        object.__setattr__(self, "obj_paths", str_tuple(self.obj_paths, "obj_paths"))

    def to_pb(self) -> pb.GetSupportedDM:
        return pb.GetSupportedDM(
            obj_paths=self.obj_paths,
            first_level_only=self.first_level_only,
            return_commands=self.return_commands,
            return_events=self.return_events,
            return_params=self.return_params,
            return_unique_key_sets=self.return_unique_key_sets,
        )

    @classmethod
    def from_pb(cls, pb_req: pb.GetSupportedDM) -> GetSupportedDM:
        return cls(
            tuple(pb_req.obj_paths),
            pb_req.first_level_only,
            pb_req.return_commands,
            pb_req.return_events,
            pb_req.return_params,
            pb_req.return_unique_key_sets,
        )


@dataclass(frozen=True)
class SupportedParam:
    param_name: str
    access: ParamAccess | int = ParamAccess.READ_ONLY
    value_type: ParamValueType | int = ParamValueType.UNKNOWN
    value_change: ValueChangeType | int = ValueChangeType.UNKNOWN


@dataclass(frozen=True)
class SupportedCommand:
    command_name: str
    input_arg_names: tuple[str, ...] = ()
    output_arg_names: tuple[str, ...] = ()
    command_type: CmdType | int = CmdType.UNKNOWN

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "input_arg_names", str_tuple(self.input_arg_names, "input_arg_names")
        )
        object.__setattr__(
            self, "output_arg_names", str_tuple(self.output_arg_names, "output_arg_names")
        )


@dataclass(frozen=True)
class SupportedEvent:
    event_name: str
    arg_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "arg_names", str_tuple(self.arg_names, "arg_names"))


@dataclass(frozen=True)
class SupportedObject:
    supported_obj_path: str
    access: ObjAccess | int = ObjAccess.READ_ONLY
    is_multi_instance: bool = False
    supported_commands: tuple[SupportedCommand, ...] = ()
    supported_events: tuple[SupportedEvent, ...] = ()
    supported_params: tuple[SupportedParam, ...] = ()
    divergent_paths: tuple[str, ...] = ()
    unique_key_sets: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "supported_commands", tuple(self.supported_commands))
        object.__setattr__(self, "supported_events", tuple(self.supported_events))
        object.__setattr__(self, "supported_params", tuple(self.supported_params))
        object.__setattr__(
            self, "divergent_paths", str_tuple(self.divergent_paths, "divergent_paths")
        )
        object.__setattr__(
            self,
            "unique_key_sets",
            tuple(str_tuple(keys, "unique_key_sets") for keys in self.unique_key_sets),
        )

    def to_pb(self) -> pb.GetSupportedDMResp.SupportedObjectResult:
        return _Resp.SupportedObjectResult(
            supported_obj_path=self.supported_obj_path,
            access=int(self.access),
            is_multi_instance=self.is_multi_instance,
            supported_commands=[
                _Resp.SupportedCommandResult(
                    command_name=c.command_name,
                    input_arg_names=c.input_arg_names,
                    output_arg_names=c.output_arg_names,
                    command_type=int(c.command_type),
                )
                for c in self.supported_commands
            ],
            supported_events=[
                _Resp.SupportedEventResult(event_name=e.event_name, arg_names=e.arg_names)
                for e in self.supported_events
            ],
            supported_params=[
                _Resp.SupportedParamResult(
                    param_name=p.param_name,
                    access=int(p.access),
                    value_type=int(p.value_type),
                    value_change=int(p.value_change),
                )
                for p in self.supported_params
            ],
            divergent_paths=self.divergent_paths,
            unique_key_sets=[
                _Resp.SupportedUniqueKeySet(key_names=keys) for keys in self.unique_key_sets
            ],
        )

    @classmethod
    def from_pb(cls, obj: pb.GetSupportedDMResp.SupportedObjectResult) -> SupportedObject:
        return cls(
            obj.supported_obj_path,
            enum_or_int(ObjAccess, obj.access),
            obj.is_multi_instance,
            tuple(
                SupportedCommand(
                    c.command_name,
                    tuple(c.input_arg_names),
                    tuple(c.output_arg_names),
                    enum_or_int(CmdType, c.command_type),
                )
                for c in obj.supported_commands
            ),
            tuple(SupportedEvent(e.event_name, tuple(e.arg_names)) for e in obj.supported_events),
            tuple(
                SupportedParam(
                    p.param_name,
                    enum_or_int(ParamAccess, p.access),
                    enum_or_int(ParamValueType, p.value_type),
                    enum_or_int(ValueChangeType, p.value_change),
                )
                for p in obj.supported_params
            ),
            tuple(obj.divergent_paths),
            tuple(tuple(k.key_names) for k in obj.unique_key_sets),
        )


@dataclass(frozen=True)
class RequestedObjectResult:
    req_obj_path: str
    supported_objs: tuple[SupportedObject, ...] = ()
    data_model_inst_uri: str = ""
    err_code: int = 0
    err_msg: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "supported_objs", tuple(self.supported_objs))


@dataclass(frozen=True)
class GetSupportedDMResp(ResponseBody):
    req_obj_results: tuple[RequestedObjectResult, ...]

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET_SUPPORTED_DM_RESP
    FIELD: ClassVar[str] = "get_supported_dm_resp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "req_obj_results", tuple(self.req_obj_results))

    def objects(self) -> dict[str, SupportedObject]:
        """``{supported object path: description}`` over all successful requests."""
        return {
            obj.supported_obj_path: obj
            for req in self.req_obj_results
            if not req.err_code
            for obj in req.supported_objs
        }

    def to_pb(self) -> pb.GetSupportedDMResp:
        return _Resp(
            req_obj_results=[
                _Resp.RequestedObjectResult(
                    req_obj_path=req.req_obj_path,
                    err_code=req.err_code,
                    err_msg=req.err_msg,
                    data_model_inst_uri=req.data_model_inst_uri,
                    supported_objs=[obj.to_pb() for obj in req.supported_objs],
                )
                for req in self.req_obj_results
            ]
        )

    @classmethod
    def from_pb(cls, pb_resp: pb.GetSupportedDMResp) -> GetSupportedDMResp:
        return cls(
            tuple(
                RequestedObjectResult(
                    req.req_obj_path,
                    tuple(SupportedObject.from_pb(obj) for obj in req.supported_objs),
                    req.data_model_inst_uri,
                    req.err_code,
                    req.err_msg,
                )
                for req in pb_resp.req_obj_results
            )
        )
