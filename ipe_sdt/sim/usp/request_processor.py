"""Answer Controller requests from a ``data_model`` tree as TR-369 describes:
Get, GetInstances, GetSupportedDM, Set, Add, Delete and Operate.

Every request is checked completely before anything changes, so a request
that fails (``allow_partial`` false) leaves the data model untouched.
Problems are reported with the TR-369 codes a real Agent uses: 7008 path
syntax, 7026 path outside the supported data model, 7016 missing instance,
7010/7011/7012/7013 for parameters, 7018/7019/7024 for tables, 7027 for
command arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ipe_sdt.usp import (
    Add,
    AddResp,
    AddSuccess,
    CommandFailure,
    CreatedObjectResult,
    CurrInstance,
    Delete,
    DeletedObjectResult,
    DeleteResp,
    DeleteSuccess,
    ErrorCode,
    ErrorParam,
    Get,
    GetInstances,
    GetInstancesResp,
    GetPathResult,
    GetResp,
    GetSupportedDM,
    GetSupportedDMResp,
    InstancesPathResult,
    ObjAccess,
    Operate,
    OperateResp,
    OperationFailure,
    OperationResult,
    OutputArgs,
    ParamAccess,
    ParamError,
    ParamSetting,
    PathError,
    PathKind,
    RequestedObjectResult,
    RequestObject,
    ResolvedPathResult,
    Set,
    SetFailure,
    SetResp,
    SetSuccess,
    SupportedCommand,
    SupportedEvent,
    SupportedObject,
    SupportedParam,
    Tr181Path,
    UnaffectedPathError,
    UpdatedInstance,
    UpdatedInstanceFailure,
    UpdatedObjectResult,
    ValueChangeType,
    error_name,
    parse_path,
)

from .data_model import (
    CommandSpec,
    Node,
    Obj,
    Table,
    UnsupportedPath,
    iter_objects,
    iter_schema,
    iter_tables,
    resolve,
    schema_node,
)
from .value_types import check_value


class RequestFailed(Exception):
    """The whole request fails: the Agent answers with a USP Error message."""

    def __init__(self, code: int, message: str, param_errs: tuple[ErrorParam, ...] = ()) -> None:
        super().__init__(message)
        self.code = int(code)
        self.message = message
        self.param_errs = param_errs


class CommandError(Exception):
    """A command handler refuses or fails (becomes CommandFailure)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = int(code)
        self.message = message


@dataclass(frozen=True)
class CommandCall:
    command_path: str  # Device.DeviceInfo.FirmwareImage.2.Download()
    obj_path: str  # Device.DeviceInfo.FirmwareImage.2.
    name: str  # Download()
    inputs: dict[str, str]
    command_key: str
    originator: str
    obj: Obj


class ModelHooks(Protocol):
    """What the Agent does around data model changes."""

    def value_changed(self, path: str, value: str) -> None: ...

    def object_created(self, path: str, unique_keys: dict[str, str]) -> None: ...

    def object_deleted(self, path: str) -> None: ...

    def start_async(self, spec: CommandSpec, call: CommandCall) -> str: ...


class _Problem(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = int(code)
        self.message = message


def _parse(text: str, kinds: tuple[PathKind, ...], *, allow_schema: bool = False) -> Tr181Path:
    try:
        path = parse_path(text, allow_schema=allow_schema)
    except PathError as exc:
        raise _Problem(exc.usp_code, str(exc)) from exc
    if path.kind not in kinds:
        wanted = " or ".join(k.value for k in kinds)
        raise _Problem(ErrorCode.INVALID_PATH, f"{text!r} is not a path of kind {wanted}")
    return path


def _schema(root: Obj, segments: tuple[str, ...], text: str) -> Node:
    try:
        return schema_node(root, segments)
    except UnsupportedPath as exc:
        raise _Problem(ErrorCode.INVALID_PATH, f"{text!r} is not in the supported data model ({exc})") from exc


class RequestProcessor:
    def __init__(self, root_factory: Callable[[], Obj], hooks: ModelHooks) -> None:
        # The root may be replaced (factory reset), so it is looked up each time.
        self._root = root_factory
        self._hooks = hooks

    @property
    def root(self) -> Obj:
        return self._root()

    # --- Get -----------------------------------------------------------------

    def get(self, req: Get) -> GetResp:
        depth = req.max_depth if req.max_depth > 0 else None
        return GetResp(tuple(self._get_one(text, depth) for text in req.param_paths))

    def _get_one(self, text: str, depth: int | None) -> GetPathResult:
        try:
            path = _parse(text, (PathKind.OBJECT, PathKind.PARAMETER))
            if path.kind is PathKind.PARAMETER:
                obj_segs, name = path.segments[:-1], path.segments[-1]
                holder = _schema(self.root, obj_segs, text)
                if not isinstance(holder, Obj) or name not in holder.params:
                    raise _Problem(ErrorCode.INVALID_PATH, f"{text!r} is not a supported parameter")
                results = tuple(
                    ResolvedPathResult(p, {name: node.params[name].get()})
                    for p, node in resolve(self.root, obj_segs)
                    if isinstance(node, Obj) and name in node.params
                )
            else:
                _schema(self.root, path.segments, text)
                results = tuple(
                    ResolvedPathResult(op, {n: prm.get() for n, prm in obj.params.items()})
                    for p, node in resolve(self.root, path.segments)
                    for op, obj in iter_objects(node, p, depth)
                )
        except _Problem as exc:
            return GetPathResult(text, err_code=exc.code, err_msg=exc.message)
        # A valid path that matches no instance is not an error: empty result.
        return GetPathResult(text, results)

    # --- GetInstances ----------------------------------------------------------

    def get_instances(self, req: GetInstances) -> GetInstancesResp:
        out = []
        for text in req.obj_paths:
            try:
                path = _parse(text, (PathKind.OBJECT,))
                _schema(self.root, path.segments, text)
                insts = tuple(
                    CurrInstance(f"{tp}{number}.", table.keys_of(inst))
                    for p, node in resolve(self.root, path.segments)
                    for tp, table in iter_tables(node, p, req.first_level_only)
                    for number, inst in list(table.instances.items())
                )
            except _Problem as exc:
                out.append(InstancesPathResult(text, err_code=exc.code, err_msg=exc.message))
                continue
            out.append(InstancesPathResult(text, insts))
        return GetInstancesResp(tuple(out))

    # --- GetSupportedDM --------------------------------------------------------

    def get_supported_dm(self, req: GetSupportedDM) -> GetSupportedDMResp:
        out = []
        for text in req.obj_paths:
            try:
                path = _parse(text, (PathKind.OBJECT,), allow_schema=True)
                node = _schema(self.root, path.segments, text)
            except _Problem as exc:
                out.append(RequestedObjectResult(text, err_code=exc.code, err_msg=exc.message))
                continue
            base = str(path.schema()).replace(".*.", ".{i}.")
            if isinstance(node, Table) and not base.endswith("{i}."):
                base += "{i}."
            objs = tuple(
                self._describe(p, n, req) for p, n in iter_schema(node, base, req.first_level_only)
            )
            out.append(RequestedObjectResult(text, objs))
        return GetSupportedDMResp(tuple(out))

    @staticmethod
    def _describe(path: str, node: Node, req: GetSupportedDM) -> SupportedObject:
        obj = node.prototype if isinstance(node, Table) else node
        params: tuple[SupportedParam, ...] = ()
        commands: tuple[SupportedCommand, ...] = ()
        events: tuple[SupportedEvent, ...] = ()
        if req.return_params:
            params = tuple(
                SupportedParam(
                    name,
                    ParamAccess.READ_WRITE if p.writable else ParamAccess.READ_ONLY,
                    p.type,
                    ValueChangeType.ALLOWED,
                )
                for name, p in obj.params.items()
            )
        if req.return_commands:
            commands = tuple(
                SupportedCommand(name, c.inputs, c.outputs, c.cmd_type) for name, c in obj.commands.items()
            )
        if req.return_events:
            events = tuple(SupportedEvent(name, e.args) for name, e in obj.events.items())
        keys: tuple[tuple[str, ...], ...] = ()
        if req.return_unique_key_sets and isinstance(node, Table) and node.unique_keys:
            keys = (node.unique_keys,)
        return SupportedObject(
            path,
            node.access if isinstance(node, Table) else ObjAccess.READ_ONLY,
            isinstance(node, Table),
            commands,
            events,
            params,
            (),
            keys,
        )

    # --- Set -------------------------------------------------------------------

    def set(self, req: Set) -> SetResp:
        results: list[UpdatedObjectResult] = []
        writes: list[tuple[str, Obj, str, str]] = []  # (obj path, obj, name, stored value)
        all_errors: list[ErrorParam] = []
        for upd in req.update_objs:
            try:
                targets = self._set_targets(upd.obj_path)
            except _Problem as exc:
                results.append(UpdatedObjectResult(upd.obj_path, SetFailure(exc.code, exc.message)))
                all_errors.append(ErrorParam(upd.obj_path, exc.code, exc.message))
                continue
            instances: list[UpdatedInstance] = []
            failures: list[UpdatedInstanceFailure] = []
            pending: list[tuple[str, Obj, str, str]] = []
            for obj_path, obj in targets:
                ok: dict[str, str] = {}
                soft: list[ParamError] = []
                hard: list[ParamError] = []
                for setting in upd.param_settings:
                    problem, stored = self._check_write(obj, setting.param, setting.value)
                    if problem is None:
                        ok[setting.param] = stored
                    else:
                        (hard if setting.required else soft).append(
                            ParamError(setting.param, problem.code, problem.message)
                        )
                if hard:
                    failures.append(UpdatedInstanceFailure(obj_path, tuple(hard)))
                    all_errors.extend(ErrorParam(obj_path + e.param, e.err_code, e.err_msg) for e in hard)
                else:
                    instances.append(UpdatedInstance(obj_path, ok, tuple(soft)))
                    pending.extend((obj_path, obj, name, value) for name, value in ok.items())
            if failures:
                first = failures[0].param_errs[0]
                results.append(
                    UpdatedObjectResult(
                        upd.obj_path,
                        SetFailure(first.err_code, f"required parameter failed: {first.err_msg}", tuple(failures)),
                    )
                )
            else:
                results.append(UpdatedObjectResult(upd.obj_path, SetSuccess(tuple(instances))))
                writes.extend(pending)
        if all_errors and not req.allow_partial:
            first_err = all_errors[0]
            raise RequestFailed(first_err.err_code, f"Set failed: {first_err.err_msg}", tuple(all_errors))
        for obj_path, obj, name, value in writes:
            param = obj.params[name]
            if param.value != value:
                param.value = value
                self._hooks.value_changed(obj_path + name, value)
        return SetResp(tuple(results))

    def _set_targets(self, text: str) -> list[tuple[str, Obj]]:
        path = _parse(text, (PathKind.OBJECT,))
        node = _schema(self.root, path.segments, text)
        if isinstance(node, Table):
            raise _Problem(ErrorCode.INVALID_PATH, f"{text!r} is a table; name an instance")
        targets = [(p, n) for p, n in resolve(self.root, path.segments) if isinstance(n, Obj)]
        if not targets and path.is_concrete:
            raise _Problem(ErrorCode.OBJECT_DOES_NOT_EXIST, f"{text!r} does not exist")
        return targets

    @staticmethod
    def _check_write(obj: Obj, name: str, value: str) -> tuple[_Problem | None, str]:
        param = obj.params.get(name)
        if param is None:
            return _Problem(ErrorCode.UNSUPPORTED_PARAMETER, f"no parameter {name!r}"), value
        if not param.writable:
            return _Problem(ErrorCode.PARAMETER_READ_ONLY, f"{name} is read-only"), value
        stored, problem = check_value(
            value, param.type, enum=param.enum, minimum=param.minimum, maximum=param.maximum
        )
        if problem is not None:
            return _Problem(problem.code, f"{name}: {problem.message}"), value
        return None, stored

    # --- Add -------------------------------------------------------------------

    def add(self, req: Add, originator: str) -> AddResp:
        results: list[CreatedObjectResult] = []
        commits: list[tuple[int, str, Table, Obj, tuple[ParamError, ...]]] = []
        errors: list[ErrorParam] = []
        for index, create in enumerate(req.create_objs):
            try:
                table_path, table, obj, soft = self._prepare_add(create.obj_path, create.param_settings, originator)
            except _Problem as exc:
                results.append(CreatedObjectResult(create.obj_path, OperationFailure(exc.code, exc.message)))
                errors.append(ErrorParam(create.obj_path, exc.code, exc.message))
                continue
            except RequestFailed as exc:
                results.append(CreatedObjectResult(create.obj_path, OperationFailure(exc.code, exc.message)))
                errors.append(ErrorParam(create.obj_path, exc.code, exc.message))
                continue
            commits.append((index, table_path, table, obj, soft))
            results.append(CreatedObjectResult(create.obj_path, AddSuccess("")))  # filled below
        if errors and not req.allow_partial:
            raise RequestFailed(errors[0].err_code, f"Add failed: {errors[0].err_msg}", tuple(errors))
        created: dict[int, CreatedObjectResult] = {}
        for index, table_path, table, obj, soft in commits:
            number, _ = table.add(obj)
            inst_path = f"{table_path}{number}."
            keys = table.keys_of(obj)
            created[index] = CreatedObjectResult(
                req.create_objs[index].obj_path, AddSuccess(inst_path, keys, soft)
            )
            self._hooks.object_created(inst_path, keys)
        final = [created.get(i, r) if isinstance(r.oper_status, AddSuccess) else r for i, r in enumerate(results)]
        return AddResp(tuple(final))

    def _prepare_add(
        self, text: str, settings: tuple[ParamSetting, ...], originator: str
    ) -> tuple[str, Table, Obj, tuple[ParamError, ...]]:
        path = _parse(text, (PathKind.OBJECT,))
        node = _schema(self.root, path.segments, text)
        if not isinstance(node, Table) or path.segments[-1] in ("*",) or path.segments[-1].isdigit():
            raise _Problem(ErrorCode.NOT_A_TABLE, f"{text!r} is not a multi-instance object")
        if node.access not in (ObjAccess.ADD_DELETE, ObjAccess.ADD_ONLY):
            raise _Problem(ErrorCode.OBJECT_NOT_CREATABLE, f"{text!r} does not allow Add")
        tables = [(p, n) for p, n in resolve(self.root, path.segments) if isinstance(n, Table)]
        if len(tables) != 1:
            raise _Problem(ErrorCode.OBJECT_DOES_NOT_EXIST, f"{text!r} does not name exactly one table")
        table_path, table = tables[0]
        obj = table.factory()
        soft: list[ParamError] = []
        for setting in settings:
            param = obj.params.get(setting.param)
            problem: _Problem | None
            if param is None:
                problem = _Problem(ErrorCode.UNSUPPORTED_PARAMETER, f"no parameter {setting.param!r}")
            elif not param.writable:
                problem = _Problem(ErrorCode.PARAMETER_READ_ONLY, f"{setting.param} is read-only")
            else:
                stored, bad = check_value(setting.value, param.type, enum=param.enum,
                                          minimum=param.minimum, maximum=param.maximum)
                problem = _Problem(bad.code, f"{setting.param}: {bad.message}") if bad else None
                if bad is None:
                    param.value = stored
            if problem is None:
                continue
            if setting.required:
                raise _Problem(ErrorCode.OBJECT_NOT_CREATED, f"required parameter failed: {problem.message}")
            soft.append(ParamError(setting.param, problem.code, problem.message))
        if table.on_create is not None:
            table.on_create(obj, originator)
        return table_path, table, obj, tuple(soft)

    # --- Delete ----------------------------------------------------------------

    def delete(self, req: Delete) -> DeleteResp:
        results: list[DeletedObjectResult] = []
        doomed: list[tuple[str, Table, int]] = []
        errors: list[ErrorParam] = []
        for text in req.obj_paths:
            try:
                found, skipped = self._prepare_delete(text)
            except _Problem as exc:
                results.append(DeletedObjectResult(text, OperationFailure(exc.code, exc.message)))
                errors.append(ErrorParam(text, exc.code, exc.message))
                continue
            doomed.extend(found)
            results.append(
                DeletedObjectResult(text, DeleteSuccess(tuple(f"{tp}{n}." for tp, _, n in found), skipped))
            )
        if errors and not req.allow_partial:
            raise RequestFailed(errors[0].err_code, f"Delete failed: {errors[0].err_msg}", tuple(errors))
        for table_path, table, number in doomed:
            if table.instances.pop(number, None) is not None:
                self._hooks.object_deleted(f"{table_path}{number}.")
        return DeleteResp(tuple(results))

    def _prepare_delete(self, text: str) -> tuple[list[tuple[str, Table, int]], tuple[UnaffectedPathError, ...]]:
        path = _parse(text, (PathKind.OBJECT,))
        last = path.segments[-1]
        if last != "*" and not last.isdigit():
            _schema(self.root, path.segments, text)
            raise _Problem(ErrorCode.INVALID_PATH, f"{text!r} is not an object instance")
        table_node = _schema(self.root, path.segments[:-1], text)
        if not isinstance(table_node, Table):
            raise _Problem(ErrorCode.NOT_A_TABLE, f"{text!r} is not in a multi-instance object")
        if table_node.access not in (ObjAccess.ADD_DELETE, ObjAccess.DELETE_ONLY):
            raise _Problem(ErrorCode.DELETE_FAILURE, f"{text!r} cannot be deleted")
        found: list[tuple[str, Table, int]] = []
        skipped: list[UnaffectedPathError] = []
        for table_path, table in resolve(self.root, path.segments[:-1]):
            if not isinstance(table, Table):
                continue
            numbers = list(table.instances) if last == "*" else [int(last)]
            for number in numbers:
                obj = table.instances.get(number)
                if obj is None:
                    continue  # deleting what is not there succeeds with nothing affected
                if table.on_delete is not None:
                    try:
                        table.on_delete(obj)
                    except RequestFailed as exc:
                        skipped.append(UnaffectedPathError(f"{table_path}{number}.", exc.code, exc.message))
                        continue
                found.append((table_path, table, number))
        return found, tuple(skipped)

    # --- Operate ---------------------------------------------------------------

    def operate(self, req: Operate, originator: str) -> OperateResp:
        try:
            path = _parse(req.command, (PathKind.COMMAND,))
            obj_segs, name = path.segments[:-1], path.name
            holder = _schema(self.root, obj_segs, req.command)
            proto = holder.prototype if isinstance(holder, Table) else holder
            if name not in proto.commands:
                raise _Problem(ErrorCode.INVALID_PATH, f"{req.command!r} is not a supported command")
            targets = [(p, n) for p, n in resolve(self.root, obj_segs) if isinstance(n, Obj)]
            if not targets and path.is_concrete:
                raise _Problem(ErrorCode.OBJECT_DOES_NOT_EXIST, f"{str(path.object_path)!r} does not exist")
        except _Problem as exc:
            raise RequestFailed(exc.code, exc.message) from exc
        results = []
        for obj_path, obj in targets:
            spec = obj.commands.get(name)
            if spec is None:
                continue
            call = CommandCall(obj_path + name, obj_path, name, dict(req.input_args), req.command_key,
                               originator, obj)
            results.append(OperationResult(call.command_path, self._run(spec, call)))
        return OperateResp(tuple(results))

    def _run(self, spec: CommandSpec, call: CommandCall) -> OutputArgs | RequestObject | CommandFailure:
        missing = [arg for arg in spec.required if not call.inputs.get(arg)]
        if missing:
            return CommandFailure(ErrorCode.INVALID_COMMAND_ARGUMENTS,
                                  f"missing input argument(s): {', '.join(missing)}")
        if spec.handler is None:
            return CommandFailure(ErrorCode.COMMAND_FAILURE, f"{call.name} is not implemented")
        if spec.is_async:
            try:
                return RequestObject(self._hooks.start_async(spec, call))
            except CommandError as exc:
                return CommandFailure(exc.code, exc.message)
        try:
            return OutputArgs(spec.handler(call))
        except CommandError as exc:
            return CommandFailure(exc.code, exc.message or error_name(exc.code))
