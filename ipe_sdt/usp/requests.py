"""Request bodies a Controller sends: Get, GetInstances, Set, Add, Delete,
Operate and GetSupportedProtocol (GetSupportedDM lives in supported_dm.py,
Notify in notify.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from . import usp_msg_1_4_pb2 as pb
from .body import USP_VERSION, MsgType, RequestBody, str_dict, str_tuple
from .paths import split_path
from .values import UspValue, encode_value


@dataclass(frozen=True)
class Get(RequestBody):
    """Read parameters; ``max_depth`` 0 means the whole sub-tree."""

    param_paths: tuple[str, ...]
    max_depth: int = 0

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET
    FIELD: ClassVar[str] = "get"

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_paths", str_tuple(self.param_paths, "param_paths"))

    def to_pb(self) -> pb.Get:
        return pb.Get(param_paths=self.param_paths, max_depth=self.max_depth)

    @classmethod
    def from_pb(cls, pb_get: pb.Get) -> Get:
        return cls(tuple(pb_get.param_paths), pb_get.max_depth)


@dataclass(frozen=True)
class GetInstances(RequestBody):
    obj_paths: tuple[str, ...]
    first_level_only: bool = False

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET_INSTANCES
    FIELD: ClassVar[str] = "get_instances"

    def __post_init__(self) -> None:
        object.__setattr__(self, "obj_paths", str_tuple(self.obj_paths, "obj_paths"))

    def to_pb(self) -> pb.GetInstances:
        return pb.GetInstances(obj_paths=self.obj_paths, first_level_only=self.first_level_only)

    @classmethod
    def from_pb(cls, pb_req: pb.GetInstances) -> GetInstances:
        return cls(tuple(pb_req.obj_paths), pb_req.first_level_only)


@dataclass(frozen=True)
class ParamSetting:
    """One parameter of a Set or Add; ``required`` failures fail the whole object."""

    param: str
    value: str
    required: bool = False


def _settings(params: Mapping[str, UspValue], required: bool) -> tuple[ParamSetting, ...]:
    return tuple(ParamSetting(name, encode_value(v), required) for name, v in params.items())


@dataclass(frozen=True)
class UpdateObject:
    obj_path: str
    param_settings: tuple[ParamSetting, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_settings", tuple(self.param_settings))


@dataclass(frozen=True)
class Set(RequestBody):
    update_objs: tuple[UpdateObject, ...]
    allow_partial: bool = False

    MSG_TYPE: ClassVar[MsgType] = MsgType.SET
    FIELD: ClassVar[str] = "set"

    def __post_init__(self) -> None:
        object.__setattr__(self, "update_objs", tuple(self.update_objs))

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, UspValue],
        *,
        required: bool = True,
        allow_partial: bool = False,
    ) -> Set:
        """Set from full parameter paths, grouped per object as TR-369 wants.

        ``required`` defaults to True because a controller writing a value
        normally needs the write to fail loudly rather than be skipped.
        """
        grouped: dict[str, dict[str, UspValue]] = {}
        for path, value in params.items():
            obj_path, name = split_path(path)
            grouped.setdefault(obj_path, {})[name] = value
        return cls(
            tuple(UpdateObject(obj, _settings(p, required)) for obj, p in grouped.items()),
            allow_partial,
        )

    def to_pb(self) -> pb.Set:
        return pb.Set(
            allow_partial=self.allow_partial,
            update_objs=[
                pb.Set.UpdateObject(
                    obj_path=obj.obj_path,
                    param_settings=[
                        pb.Set.UpdateParamSetting(param=s.param, value=s.value, required=s.required)
                        for s in obj.param_settings
                    ],
                )
                for obj in self.update_objs
            ],
        )

    @classmethod
    def from_pb(cls, pb_set: pb.Set) -> Set:
        return cls(
            tuple(
                UpdateObject(
                    obj.obj_path,
                    tuple(ParamSetting(s.param, s.value, s.required) for s in obj.param_settings),
                )
                for obj in pb_set.update_objs
            ),
            pb_set.allow_partial,
        )


@dataclass(frozen=True)
class CreateObject:
    obj_path: str
    param_settings: tuple[ParamSetting, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_settings", tuple(self.param_settings))


@dataclass(frozen=True)
class Add(RequestBody):
    create_objs: tuple[CreateObject, ...]
    allow_partial: bool = False

    MSG_TYPE: ClassVar[MsgType] = MsgType.ADD
    FIELD: ClassVar[str] = "add"

    def __post_init__(self) -> None:
        object.__setattr__(self, "create_objs", tuple(self.create_objs))

    @classmethod
    def from_params(
        cls, table_path: str, params: Mapping[str, UspValue] | None = None, *, required: bool = True
    ) -> Add:
        """Add one instance to ``table_path`` (e.g. ``Device.LocalAgent.Subscription.``)."""
        return cls((CreateObject(table_path, _settings(params or {}, required)),))

    def to_pb(self) -> pb.Add:
        return pb.Add(
            allow_partial=self.allow_partial,
            create_objs=[
                pb.Add.CreateObject(
                    obj_path=obj.obj_path,
                    param_settings=[
                        pb.Add.CreateParamSetting(param=s.param, value=s.value, required=s.required)
                        for s in obj.param_settings
                    ],
                )
                for obj in self.create_objs
            ],
        )

    @classmethod
    def from_pb(cls, pb_add: pb.Add) -> Add:
        return cls(
            tuple(
                CreateObject(
                    obj.obj_path,
                    tuple(ParamSetting(s.param, s.value, s.required) for s in obj.param_settings),
                )
                for obj in pb_add.create_objs
            ),
            pb_add.allow_partial,
        )


@dataclass(frozen=True)
class Delete(RequestBody):
    obj_paths: tuple[str, ...]
    allow_partial: bool = False

    MSG_TYPE: ClassVar[MsgType] = MsgType.DELETE
    FIELD: ClassVar[str] = "delete"

    def __post_init__(self) -> None:
        object.__setattr__(self, "obj_paths", str_tuple(self.obj_paths, "obj_paths"))

    def to_pb(self) -> pb.Delete:
        return pb.Delete(allow_partial=self.allow_partial, obj_paths=self.obj_paths)

    @classmethod
    def from_pb(cls, pb_del: pb.Delete) -> Delete:
        return cls(tuple(pb_del.obj_paths), pb_del.allow_partial)


@dataclass(frozen=True)
class Operate(RequestBody):
    """Invoke a command such as ``Device.Reboot()``.

    ``input_args`` accepts Python values and stores their USP string form.
    """

    command: str
    input_args: Mapping[str, str] = field(default_factory=dict)
    command_key: str = ""
    send_resp: bool = True

    MSG_TYPE: ClassVar[MsgType] = MsgType.OPERATE
    FIELD: ClassVar[str] = "operate"

    def __post_init__(self) -> None:
        args = {name: encode_value(v) for name, v in dict(self.input_args).items()}
        object.__setattr__(self, "input_args", str_dict(args, "input_args"))

    def to_pb(self) -> pb.Operate:
        return pb.Operate(
            command=self.command,
            command_key=self.command_key,
            send_resp=self.send_resp,
            input_args=self.input_args,
        )

    @classmethod
    def from_pb(cls, pb_op: pb.Operate) -> Operate:
        return cls(pb_op.command, dict(pb_op.input_args), pb_op.command_key, pb_op.send_resp)


@dataclass(frozen=True)
class GetSupportedProtocol(RequestBody):
    """Ask which USP versions the Agent speaks (comma-separated list)."""

    controller_supported_protocol_versions: str = USP_VERSION

    MSG_TYPE: ClassVar[MsgType] = MsgType.GET_SUPPORTED_PROTO
    FIELD: ClassVar[str] = "get_supported_protocol"

    def to_pb(self) -> pb.GetSupportedProtocol:
        return pb.GetSupportedProtocol(
            controller_supported_protocol_versions=self.controller_supported_protocol_versions
        )

    @classmethod
    def from_pb(cls, pb_req: pb.GetSupportedProtocol) -> GetSupportedProtocol:
        return cls(pb_req.controller_supported_protocol_versions)
