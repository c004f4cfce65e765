"""SetResp, AddResp and DeleteResp: the per-object outcome of changes.

The oneof ``oper_status`` of TR-369 becomes a single ``oper_status``
attribute holding a success or a failure dataclass, so callers branch with
``isinstance`` or ``match``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from . import usp_msg_1_4_pb2 as pb
from .body import MsgType, ResponseBody, oneof, str_dict, str_tuple
from .responses import OperationFailure

# Set and Add each define an identical ParameterError message.
PbParamError = TypeVar("PbParamError", pb.SetResp.ParameterError, pb.AddResp.ParameterError)


@dataclass(frozen=True)
class ParamError:
    """A parameter of a Set or Add that could not be written."""

    param: str
    err_code: int
    err_msg: str = ""


def _param_errors(errs: tuple[ParamError, ...], pb_cls: type[PbParamError]) -> list[PbParamError]:
    return [pb_cls(param=e.param, err_code=e.err_code, err_msg=e.err_msg) for e in errs]


def _read_param_errors(pb_errs: Iterable[PbParamError]) -> tuple[ParamError, ...]:
    return tuple(ParamError(e.param, e.err_code, e.err_msg) for e in pb_errs)


# --- Set ---------------------------------------------------------------------


@dataclass(frozen=True)
class UpdatedInstance:
    affected_path: str
    updated_params: Mapping[str, str] = field(default_factory=dict)
    param_errs: tuple[ParamError, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "updated_params", str_dict(self.updated_params, "updated_params"))
        object.__setattr__(self, "param_errs", tuple(self.param_errs))


@dataclass(frozen=True)
class SetSuccess:
    updated_inst_results: tuple[UpdatedInstance, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "updated_inst_results", tuple(self.updated_inst_results))


@dataclass(frozen=True)
class UpdatedInstanceFailure:
    affected_path: str
    param_errs: tuple[ParamError, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_errs", tuple(self.param_errs))


@dataclass(frozen=True)
class SetFailure:
    err_code: int
    err_msg: str = ""
    updated_inst_failures: tuple[UpdatedInstanceFailure, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "updated_inst_failures", tuple(self.updated_inst_failures))


@dataclass(frozen=True)
class UpdatedObjectResult:
    requested_path: str
    oper_status: SetSuccess | SetFailure


_SetStatus = pb.SetResp.UpdatedObjectResult.OperationStatus


@dataclass(frozen=True)
class SetResp(ResponseBody):
    updated_obj_results: tuple[UpdatedObjectResult, ...]

    MSG_TYPE: ClassVar[MsgType] = MsgType.SET_RESP
    FIELD: ClassVar[str] = "set_resp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "updated_obj_results", tuple(self.updated_obj_results))

    def to_pb(self) -> pb.SetResp:
        out = pb.SetResp()
        for res in self.updated_obj_results:
            item = out.updated_obj_results.add(requested_path=res.requested_path)
            status = res.oper_status
            if isinstance(status, SetSuccess):
                item.oper_status.oper_success.CopyFrom(
                    _SetStatus.OperationSuccess(
                        updated_inst_results=[
                            pb.SetResp.UpdatedInstanceResult(
                                affected_path=inst.affected_path,
                                updated_params=inst.updated_params,
                                param_errs=_param_errors(
                                    inst.param_errs, pb.SetResp.ParameterError
                                ),
                            )
                            for inst in status.updated_inst_results
                        ]
                    )
                )
            else:
                item.oper_status.oper_failure.CopyFrom(
                    _SetStatus.OperationFailure(
                        err_code=status.err_code,
                        err_msg=status.err_msg,
                        updated_inst_failures=[
                            pb.SetResp.UpdatedInstanceFailure(
                                affected_path=f.affected_path,
                                param_errs=_param_errors(f.param_errs, pb.SetResp.ParameterError),
                            )
                            for f in status.updated_inst_failures
                        ],
                    )
                )
        return out

    @classmethod
    def from_pb(cls, pb_resp: pb.SetResp) -> SetResp:
        results = []
        for res in pb_resp.updated_obj_results:
            status: SetSuccess | SetFailure
            if oneof(res.oper_status, "oper_status", "SetResp") == "oper_success":
                status = SetSuccess(
                    tuple(
                        UpdatedInstance(
                            inst.affected_path,
                            dict(inst.updated_params),
                            _read_param_errors(inst.param_errs),
                        )
                        for inst in res.oper_status.oper_success.updated_inst_results
                    )
                )
            else:
                fail = res.oper_status.oper_failure
                status = SetFailure(
                    fail.err_code,
                    fail.err_msg,
                    tuple(
                        UpdatedInstanceFailure(f.affected_path, _read_param_errors(f.param_errs))
                        for f in fail.updated_inst_failures
                    ),
                )
            results.append(UpdatedObjectResult(res.requested_path, status))
        return cls(tuple(results))


# --- Add ---------------------------------------------------------------------


@dataclass(frozen=True)
class AddSuccess:
    instantiated_path: str
    unique_keys: Mapping[str, str] = field(default_factory=dict)
    param_errs: tuple[ParamError, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "unique_keys", str_dict(self.unique_keys, "unique_keys"))
        object.__setattr__(self, "param_errs", tuple(self.param_errs))


@dataclass(frozen=True)
class CreatedObjectResult:
    requested_path: str
    oper_status: AddSuccess | OperationFailure


@dataclass(frozen=True)
class AddResp(ResponseBody):
    created_obj_results: tuple[CreatedObjectResult, ...]

    MSG_TYPE: ClassVar[MsgType] = MsgType.ADD_RESP
    FIELD: ClassVar[str] = "add_resp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_obj_results", tuple(self.created_obj_results))

    def to_pb(self) -> pb.AddResp:
        out = pb.AddResp()
        for res in self.created_obj_results:
            item = out.created_obj_results.add(requested_path=res.requested_path)
            status = res.oper_status
            if isinstance(status, AddSuccess):
                item.oper_status.oper_success.CopyFrom(
                    pb.AddResp.CreatedObjectResult.OperationStatus.OperationSuccess(
                        instantiated_path=status.instantiated_path,
                        unique_keys=status.unique_keys,
                        param_errs=_param_errors(status.param_errs, pb.AddResp.ParameterError),
                    )
                )
            else:
                item.oper_status.oper_failure.CopyFrom(
                    pb.AddResp.CreatedObjectResult.OperationStatus.OperationFailure(
                        err_code=status.err_code, err_msg=status.err_msg
                    )
                )
        return out

    @classmethod
    def from_pb(cls, pb_resp: pb.AddResp) -> AddResp:
        results = []
        for res in pb_resp.created_obj_results:
            status: AddSuccess | OperationFailure
            if oneof(res.oper_status, "oper_status", "AddResp") == "oper_success":
                ok = res.oper_status.oper_success
                status = AddSuccess(
                    ok.instantiated_path, dict(ok.unique_keys), _read_param_errors(ok.param_errs)
                )
            else:
                fail = res.oper_status.oper_failure
                status = OperationFailure(fail.err_code, fail.err_msg)
            results.append(CreatedObjectResult(res.requested_path, status))
        return cls(tuple(results))


# --- Delete ------------------------------------------------------------------


@dataclass(frozen=True)
class UnaffectedPathError:
    unaffected_path: str
    err_code: int
    err_msg: str = ""


@dataclass(frozen=True)
class DeleteSuccess:
    affected_paths: tuple[str, ...] = ()
    unaffected_path_errs: tuple[UnaffectedPathError, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "affected_paths", str_tuple(self.affected_paths, "affected_paths"))
        object.__setattr__(self, "unaffected_path_errs", tuple(self.unaffected_path_errs))


@dataclass(frozen=True)
class DeletedObjectResult:
    requested_path: str
    oper_status: DeleteSuccess | OperationFailure


@dataclass(frozen=True)
class DeleteResp(ResponseBody):
    deleted_obj_results: tuple[DeletedObjectResult, ...]

    MSG_TYPE: ClassVar[MsgType] = MsgType.DELETE_RESP
    FIELD: ClassVar[str] = "delete_resp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "deleted_obj_results", tuple(self.deleted_obj_results))

    def to_pb(self) -> pb.DeleteResp:
        out = pb.DeleteResp()
        status_cls = pb.DeleteResp.DeletedObjectResult.OperationStatus
        for res in self.deleted_obj_results:
            item = out.deleted_obj_results.add(requested_path=res.requested_path)
            status = res.oper_status
            if isinstance(status, DeleteSuccess):
                item.oper_status.oper_success.CopyFrom(
                    status_cls.OperationSuccess(
                        affected_paths=status.affected_paths,
                        unaffected_path_errs=[
                            pb.DeleteResp.UnaffectedPathError(
                                unaffected_path=e.unaffected_path,
                                err_code=e.err_code,
                                err_msg=e.err_msg,
                            )
                            for e in status.unaffected_path_errs
                        ],
                    )
                )
            else:
                item.oper_status.oper_failure.CopyFrom(
                    status_cls.OperationFailure(err_code=status.err_code, err_msg=status.err_msg)
                )
        return out

    @classmethod
    def from_pb(cls, pb_resp: pb.DeleteResp) -> DeleteResp:
        results = []
        for res in pb_resp.deleted_obj_results:
            status: DeleteSuccess | OperationFailure
            if oneof(res.oper_status, "oper_status", "DeleteResp") == "oper_success":
                ok = res.oper_status.oper_success
                status = DeleteSuccess(
                    tuple(ok.affected_paths),
                    tuple(
                        UnaffectedPathError(e.unaffected_path, e.err_code, e.err_msg)
                        for e in ok.unaffected_path_errs
                    ),
                )
            else:
                fail = res.oper_status.oper_failure
                status = OperationFailure(fail.err_code, fail.err_msg)
            results.append(DeletedObjectResult(res.requested_path, status))
        return cls(tuple(results))
