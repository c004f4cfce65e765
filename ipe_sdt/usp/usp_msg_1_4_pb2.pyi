from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Msg(_message.Message):
    __slots__ = ("header", "body")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    header: Header
    body: Body
    def __init__(self, header: _Optional[_Union[Header, _Mapping]] = ..., body: _Optional[_Union[Body, _Mapping]] = ...) -> None: ...

class Header(_message.Message):
    __slots__ = ("msg_id", "msg_type")
    class MsgType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ERROR: _ClassVar[Header.MsgType]
        GET: _ClassVar[Header.MsgType]
        GET_RESP: _ClassVar[Header.MsgType]
        NOTIFY: _ClassVar[Header.MsgType]
        SET: _ClassVar[Header.MsgType]
        SET_RESP: _ClassVar[Header.MsgType]
        OPERATE: _ClassVar[Header.MsgType]
        OPERATE_RESP: _ClassVar[Header.MsgType]
        ADD: _ClassVar[Header.MsgType]
        ADD_RESP: _ClassVar[Header.MsgType]
        DELETE: _ClassVar[Header.MsgType]
        DELETE_RESP: _ClassVar[Header.MsgType]
        GET_SUPPORTED_DM: _ClassVar[Header.MsgType]
        GET_SUPPORTED_DM_RESP: _ClassVar[Header.MsgType]
        GET_INSTANCES: _ClassVar[Header.MsgType]
        GET_INSTANCES_RESP: _ClassVar[Header.MsgType]
        NOTIFY_RESP: _ClassVar[Header.MsgType]
        GET_SUPPORTED_PROTO: _ClassVar[Header.MsgType]
        GET_SUPPORTED_PROTO_RESP: _ClassVar[Header.MsgType]
        REGISTER: _ClassVar[Header.MsgType]
        REGISTER_RESP: _ClassVar[Header.MsgType]
        DEREGISTER: _ClassVar[Header.MsgType]
        DEREGISTER_RESP: _ClassVar[Header.MsgType]
    ERROR: Header.MsgType
    GET: Header.MsgType
    GET_RESP: Header.MsgType
    NOTIFY: Header.MsgType
    SET: Header.MsgType
    SET_RESP: Header.MsgType
    OPERATE: Header.MsgType
    OPERATE_RESP: Header.MsgType
    ADD: Header.MsgType
    ADD_RESP: Header.MsgType
    DELETE: Header.MsgType
    DELETE_RESP: Header.MsgType
    GET_SUPPORTED_DM: Header.MsgType
    GET_SUPPORTED_DM_RESP: Header.MsgType
    GET_INSTANCES: Header.MsgType
    GET_INSTANCES_RESP: Header.MsgType
    NOTIFY_RESP: Header.MsgType
    GET_SUPPORTED_PROTO: Header.MsgType
    GET_SUPPORTED_PROTO_RESP: Header.MsgType
    REGISTER: Header.MsgType
    REGISTER_RESP: Header.MsgType
    DEREGISTER: Header.MsgType
    DEREGISTER_RESP: Header.MsgType
    MSG_ID_FIELD_NUMBER: _ClassVar[int]
    MSG_TYPE_FIELD_NUMBER: _ClassVar[int]
    msg_id: str
    msg_type: Header.MsgType
    def __init__(self, msg_id: _Optional[str] = ..., msg_type: _Optional[_Union[Header.MsgType, str]] = ...) -> None: ...

class Body(_message.Message):
    __slots__ = ("request", "response", "error")
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    request: Request
    response: Response
    error: Error
    def __init__(self, request: _Optional[_Union[Request, _Mapping]] = ..., response: _Optional[_Union[Response, _Mapping]] = ..., error: _Optional[_Union[Error, _Mapping]] = ...) -> None: ...

class Request(_message.Message):
    __slots__ = ("get", "get_supported_dm", "get_instances", "set", "add", "delete", "operate", "notify", "get_supported_protocol", "register", "deregister")
    GET_FIELD_NUMBER: _ClassVar[int]
    GET_SUPPORTED_DM_FIELD_NUMBER: _ClassVar[int]
    GET_INSTANCES_FIELD_NUMBER: _ClassVar[int]
    SET_FIELD_NUMBER: _ClassVar[int]
    ADD_FIELD_NUMBER: _ClassVar[int]
    DELETE_FIELD_NUMBER: _ClassVar[int]
    OPERATE_FIELD_NUMBER: _ClassVar[int]
    NOTIFY_FIELD_NUMBER: _ClassVar[int]
    GET_SUPPORTED_PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    REGISTER_FIELD_NUMBER: _ClassVar[int]
    DEREGISTER_FIELD_NUMBER: _ClassVar[int]
    get: Get
    get_supported_dm: GetSupportedDM
    get_instances: GetInstances
    set: Set
    add: Add
    delete: Delete
    operate: Operate
    notify: Notify
    get_supported_protocol: GetSupportedProtocol
    register: Register
    deregister: Deregister
    def __init__(self, get: _Optional[_Union[Get, _Mapping]] = ..., get_supported_dm: _Optional[_Union[GetSupportedDM, _Mapping]] = ..., get_instances: _Optional[_Union[GetInstances, _Mapping]] = ..., set: _Optional[_Union[Set, _Mapping]] = ..., add: _Optional[_Union[Add, _Mapping]] = ..., delete: _Optional[_Union[Delete, _Mapping]] = ..., operate: _Optional[_Union[Operate, _Mapping]] = ..., notify: _Optional[_Union[Notify, _Mapping]] = ..., get_supported_protocol: _Optional[_Union[GetSupportedProtocol, _Mapping]] = ..., register: _Optional[_Union[Register, _Mapping]] = ..., deregister: _Optional[_Union[Deregister, _Mapping]] = ...) -> None: ...

class Response(_message.Message):
    __slots__ = ("get_resp", "get_supported_dm_resp", "get_instances_resp", "set_resp", "add_resp", "delete_resp", "operate_resp", "notify_resp", "get_supported_protocol_resp", "register_resp", "deregister_resp")
    GET_RESP_FIELD_NUMBER: _ClassVar[int]
    GET_SUPPORTED_DM_RESP_FIELD_NUMBER: _ClassVar[int]
    GET_INSTANCES_RESP_FIELD_NUMBER: _ClassVar[int]
    SET_RESP_FIELD_NUMBER: _ClassVar[int]
    ADD_RESP_FIELD_NUMBER: _ClassVar[int]
    DELETE_RESP_FIELD_NUMBER: _ClassVar[int]
    OPERATE_RESP_FIELD_NUMBER: _ClassVar[int]
    NOTIFY_RESP_FIELD_NUMBER: _ClassVar[int]
    GET_SUPPORTED_PROTOCOL_RESP_FIELD_NUMBER: _ClassVar[int]
    REGISTER_RESP_FIELD_NUMBER: _ClassVar[int]
    DEREGISTER_RESP_FIELD_NUMBER: _ClassVar[int]
    get_resp: GetResp
    get_supported_dm_resp: GetSupportedDMResp
    get_instances_resp: GetInstancesResp
    set_resp: SetResp
    add_resp: AddResp
    delete_resp: DeleteResp
    operate_resp: OperateResp
    notify_resp: NotifyResp
    get_supported_protocol_resp: GetSupportedProtocolResp
    register_resp: RegisterResp
    deregister_resp: DeregisterResp
    def __init__(self, get_resp: _Optional[_Union[GetResp, _Mapping]] = ..., get_supported_dm_resp: _Optional[_Union[GetSupportedDMResp, _Mapping]] = ..., get_instances_resp: _Optional[_Union[GetInstancesResp, _Mapping]] = ..., set_resp: _Optional[_Union[SetResp, _Mapping]] = ..., add_resp: _Optional[_Union[AddResp, _Mapping]] = ..., delete_resp: _Optional[_Union[DeleteResp, _Mapping]] = ..., operate_resp: _Optional[_Union[OperateResp, _Mapping]] = ..., notify_resp: _Optional[_Union[NotifyResp, _Mapping]] = ..., get_supported_protocol_resp: _Optional[_Union[GetSupportedProtocolResp, _Mapping]] = ..., register_resp: _Optional[_Union[RegisterResp, _Mapping]] = ..., deregister_resp: _Optional[_Union[DeregisterResp, _Mapping]] = ...) -> None: ...

class Error(_message.Message):
    __slots__ = ("err_code", "err_msg", "param_errs")
    class ParamError(_message.Message):
        __slots__ = ("param_path", "err_code", "err_msg")
        PARAM_PATH_FIELD_NUMBER: _ClassVar[int]
        ERR_CODE_FIELD_NUMBER: _ClassVar[int]
        ERR_MSG_FIELD_NUMBER: _ClassVar[int]
        param_path: str
        err_code: int
        err_msg: str
        def __init__(self, param_path: _Optional[str] = ..., err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
    ERR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERR_MSG_FIELD_NUMBER: _ClassVar[int]
    PARAM_ERRS_FIELD_NUMBER: _ClassVar[int]
    err_code: int
    err_msg: str
    param_errs: _containers.RepeatedCompositeFieldContainer[Error.ParamError]
    def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ..., param_errs: _Optional[_Iterable[_Union[Error.ParamError, _Mapping]]] = ...) -> None: ...

class Get(_message.Message):
    __slots__ = ("param_paths", "max_depth")
    PARAM_PATHS_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    param_paths: _containers.RepeatedScalarFieldContainer[str]
    max_depth: int
    def __init__(self, param_paths: _Optional[_Iterable[str]] = ..., max_depth: _Optional[int] = ...) -> None: ...

class GetResp(_message.Message):
    __slots__ = ("req_path_results",)
    class RequestedPathResult(_message.Message):
        __slots__ = ("requested_path", "err_code", "err_msg", "resolved_path_results")
        REQUESTED_PATH_FIELD_NUMBER: _ClassVar[int]
        ERR_CODE_FIELD_NUMBER: _ClassVar[int]
        ERR_MSG_FIELD_NUMBER: _ClassVar[int]
        RESOLVED_PATH_RESULTS_FIELD_NUMBER: _ClassVar[int]
        requested_path: str
        err_code: int
        err_msg: str
        resolved_path_results: _containers.RepeatedCompositeFieldContainer[GetResp.ResolvedPathResult]
        def __init__(self, requested_path: _Optional[str] = ..., err_code: _Optional[int] = ..., err_msg: _Optional[str] = ..., resolved_path_results: _Optional[_Iterable[_Union[GetResp.ResolvedPathResult, _Mapping]]] = ...) -> None: ...
    class ResolvedPathResult(_message.Message):
        __slots__ = ("resolved_path", "result_params")
        class ResultParamsEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        RESOLVED_PATH_FIELD_NUMBER: _ClassVar[int]
        RESULT_PARAMS_FIELD_NUMBER: _ClassVar[int]
        resolved_path: str
        result_params: _containers.ScalarMap[str, str]
        def __init__(self, resolved_path: _Optional[str] = ..., result_params: _Optional[_Mapping[str, str]] = ...) -> None: ...
    REQ_PATH_RESULTS_FIELD_NUMBER: _ClassVar[int]
    req_path_results: _containers.RepeatedCompositeFieldContainer[GetResp.RequestedPathResult]
    def __init__(self, req_path_results: _Optional[_Iterable[_Union[GetResp.RequestedPathResult, _Mapping]]] = ...) -> None: ...

class Notify(_message.Message):
    __slots__ = ("subscription_id", "send_resp", "event", "value_change", "obj_creation", "obj_deletion", "oper_complete", "on_board_req")
    class Event(_message.Message):
        __slots__ = ("obj_path", "event_name", "params")
        class ParamsEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        EVENT_NAME_FIELD_NUMBER: _ClassVar[int]
        PARAMS_FIELD_NUMBER: _ClassVar[int]
        obj_path: str
        event_name: str
        params: _containers.ScalarMap[str, str]
        def __init__(self, obj_path: _Optional[str] = ..., event_name: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ...) -> None: ...
    class ValueChange(_message.Message):
        __slots__ = ("param_path", "param_value")
        PARAM_PATH_FIELD_NUMBER: _ClassVar[int]
        PARAM_VALUE_FIELD_NUMBER: _ClassVar[int]
        param_path: str
        param_value: str
        def __init__(self, param_path: _Optional[str] = ..., param_value: _Optional[str] = ...) -> None: ...
    class ObjectCreation(_message.Message):
        __slots__ = ("obj_path", "unique_keys")
        class UniqueKeysEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        UNIQUE_KEYS_FIELD_NUMBER: _ClassVar[int]
        obj_path: str
        unique_keys: _containers.ScalarMap[str, str]
        def __init__(self, obj_path: _Optional[str] = ..., unique_keys: _Optional[_Mapping[str, str]] = ...) -> None: ...
    class ObjectDeletion(_message.Message):
        __slots__ = ("obj_path",)
        OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        obj_path: str
        def __init__(self, obj_path: _Optional[str] = ...) -> None: ...
    class OperationComplete(_message.Message):
        __slots__ = ("obj_path", "command_name", "command_key", "req_output_args", "cmd_failure")
        class OutputArgs(_message.Message):
            __slots__ = ("output_args",)
            class OutputArgsEntry(_message.Message):
                __slots__ = ("key", "value")
                KEY_FIELD_NUMBER: _ClassVar[int]
                VALUE_FIELD_NUMBER: _ClassVar[int]
                key: str
                value: str
                def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
            OUTPUT_ARGS_FIELD_NUMBER: _ClassVar[int]
            output_args: _containers.ScalarMap[str, str]
            def __init__(self, output_args: _Optional[_Mapping[str, str]] = ...) -> None: ...
        class CommandFailure(_message.Message):
            __slots__ = ("err_code", "err_msg")
            ERR_CODE_FIELD_NUMBER: _ClassVar[int]
            ERR_MSG_FIELD_NUMBER: _ClassVar[int]
            err_code: int
            err_msg: str
            def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
        OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        COMMAND_NAME_FIELD_NUMBER: _ClassVar[int]
        COMMAND_KEY_FIELD_NUMBER: _ClassVar[int]
        REQ_OUTPUT_ARGS_FIELD_NUMBER: _ClassVar[int]
        CMD_FAILURE_FIELD_NUMBER: _ClassVar[int]
        obj_path: str
        command_name: str
        command_key: str
        req_output_args: Notify.OperationComplete.OutputArgs
        cmd_failure: Notify.OperationComplete.CommandFailure
        def __init__(self, obj_path: _Optional[str] = ..., command_name: _Optional[str] = ..., command_key: _Optional[str] = ..., req_output_args: _Optional[_Union[Notify.OperationComplete.OutputArgs, _Mapping]] = ..., cmd_failure: _Optional[_Union[Notify.OperationComplete.CommandFailure, _Mapping]] = ...) -> None: ...
    class OnBoardRequest(_message.Message):
        __slots__ = ("oui", "product_class", "serial_number", "agent_supported_protocol_versions")
        OUI_FIELD_NUMBER: _ClassVar[int]
        PRODUCT_CLASS_FIELD_NUMBER: _ClassVar[int]
        SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
        AGENT_SUPPORTED_PROTOCOL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
        oui: str
        product_class: str
        serial_number: str
        agent_supported_protocol_versions: str
        def __init__(self, oui: _Optional[str] = ..., product_class: _Optional[str] = ..., serial_number: _Optional[str] = ..., agent_supported_protocol_versions: _Optional[str] = ...) -> None: ...
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    SEND_RESP_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    VALUE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    OBJ_CREATION_FIELD_NUMBER: _ClassVar[int]
    OBJ_DELETION_FIELD_NUMBER: _ClassVar[int]
    OPER_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    ON_BOARD_REQ_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    send_resp: bool
    event: Notify.Event
    value_change: Notify.ValueChange
    obj_creation: Notify.ObjectCreation
    obj_deletion: Notify.ObjectDeletion
    oper_complete: Notify.OperationComplete
    on_board_req: Notify.OnBoardRequest
    def __init__(self, subscription_id: _Optional[str] = ..., send_resp: _Optional[bool] = ..., event: _Optional[_Union[Notify.Event, _Mapping]] = ..., value_change: _Optional[_Union[Notify.ValueChange, _Mapping]] = ..., obj_creation: _Optional[_Union[Notify.ObjectCreation, _Mapping]] = ..., obj_deletion: _Optional[_Union[Notify.ObjectDeletion, _Mapping]] = ..., oper_complete: _Optional[_Union[Notify.OperationComplete, _Mapping]] = ..., on_board_req: _Optional[_Union[Notify.OnBoardRequest, _Mapping]] = ...) -> None: ...

class NotifyResp(_message.Message):
    __slots__ = ("subscription_id",)
    SUBSCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    subscription_id: str
    def __init__(self, subscription_id: _Optional[str] = ...) -> None: ...

class Set(_message.Message):
    __slots__ = ("allow_partial", "update_objs")
    class UpdateObject(_message.Message):
        __slots__ = ("obj_path", "param_settings")
        OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        PARAM_SETTINGS_FIELD_NUMBER: _ClassVar[int]
        obj_path: str
        param_settings: _containers.RepeatedCompositeFieldContainer[Set.UpdateParamSetting]
        def __init__(self, obj_path: _Optional[str] = ..., param_settings: _Optional[_Iterable[_Union[Set.UpdateParamSetting, _Mapping]]] = ...) -> None: ...
    class UpdateParamSetting(_message.Message):
        __slots__ = ("param", "value", "required")
        PARAM_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        REQUIRED_FIELD_NUMBER: _ClassVar[int]
        param: str
        value: str
        required: bool
        def __init__(self, param: _Optional[str] = ..., value: _Optional[str] = ..., required: _Optional[bool] = ...) -> None: ...
    ALLOW_PARTIAL_FIELD_NUMBER: _ClassVar[int]
    UPDATE_OBJS_FIELD_NUMBER: _ClassVar[int]
    allow_partial: bool
    update_objs: _containers.RepeatedCompositeFieldContainer[Set.UpdateObject]
    def __init__(self, allow_partial: _Optional[bool] = ..., update_objs: _Optional[_Iterable[_Union[Set.UpdateObject, _Mapping]]] = ...) -> None: ...

class SetResp(_message.Message):
    __slots__ = ("updated_obj_results",)
    class UpdatedObjectResult(_message.Message):
        __slots__ = ("requested_path", "oper_status")
        class OperationStatus(_message.Message):
            __slots__ = ("oper_failure", "oper_success")
            class OperationFailure(_message.Message):
                __slots__ = ("err_code", "err_msg", "updated_inst_failures")
                ERR_CODE_FIELD_NUMBER: _ClassVar[int]
                ERR_MSG_FIELD_NUMBER: _ClassVar[int]
                UPDATED_INST_FAILURES_FIELD_NUMBER: _ClassVar[int]
                err_code: int
                err_msg: str
                updated_inst_failures: _containers.RepeatedCompositeFieldContainer[SetResp.UpdatedInstanceFailure]
                def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ..., updated_inst_failures: _Optional[_Iterable[_Union[SetResp.UpdatedInstanceFailure, _Mapping]]] = ...) -> None: ...
            class OperationSuccess(_message.Message):
                __slots__ = ("updated_inst_results",)
                UPDATED_INST_RESULTS_FIELD_NUMBER: _ClassVar[int]
                updated_inst_results: _containers.RepeatedCompositeFieldContainer[SetResp.UpdatedInstanceResult]
                def __init__(self, updated_inst_results: _Optional[_Iterable[_Union[SetResp.UpdatedInstanceResult, _Mapping]]] = ...) -> None: ...
            OPER_FAILURE_FIELD_NUMBER: _ClassVar[int]
            OPER_SUCCESS_FIELD_NUMBER: _ClassVar[int]
            oper_failure: SetResp.UpdatedObjectResult.OperationStatus.OperationFailure
            oper_success: SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess
            def __init__(self, oper_failure: _Optional[_Union[SetResp.UpdatedObjectResult.OperationStatus.OperationFailure, _Mapping]] = ..., oper_success: _Optional[_Union[SetResp.UpdatedObjectResult.OperationStatus.OperationSuccess, _Mapping]] = ...) -> None: ...
        REQUESTED_PATH_FIELD_NUMBER: _ClassVar[int]
        OPER_STATUS_FIELD_NUMBER: _ClassVar[int]
        requested_path: str
        oper_status: SetResp.UpdatedObjectResult.OperationStatus
        def __init__(self, requested_path: _Optional[str] = ..., oper_status: _Optional[_Union[SetResp.UpdatedObjectResult.OperationStatus, _Mapping]] = ...) -> None: ...
    class UpdatedInstanceFailure(_message.Message):
        __slots__ = ("affected_path", "param_errs")
        AFFECTED_PATH_FIELD_NUMBER: _ClassVar[int]
        PARAM_ERRS_FIELD_NUMBER: _ClassVar[int]
        affected_path: str
        param_errs: _containers.RepeatedCompositeFieldContainer[SetResp.ParameterError]
        def __init__(self, affected_path: _Optional[str] = ..., param_errs: _Optional[_Iterable[_Union[SetResp.ParameterError, _Mapping]]] = ...) -> None: ...
    class UpdatedInstanceResult(_message.Message):
        __slots__ = ("affected_path", "param_errs", "updated_params")
        class UpdatedParamsEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        AFFECTED_PATH_FIELD_NUMBER: _ClassVar[int]
        PARAM_ERRS_FIELD_NUMBER: _ClassVar[int]
        UPDATED_PARAMS_FIELD_NUMBER: _ClassVar[int]
        affected_path: str
        param_errs: _containers.RepeatedCompositeFieldContainer[SetResp.ParameterError]
        updated_params: _containers.ScalarMap[str, str]
        def __init__(self, affected_path: _Optional[str] = ..., param_errs: _Optional[_Iterable[_Union[SetResp.ParameterError, _Mapping]]] = ..., updated_params: _Optional[_Mapping[str, str]] = ...) -> None: ...
    class ParameterError(_message.Message):
        __slots__ = ("param", "err_code", "err_msg")
        PARAM_FIELD_NUMBER: _ClassVar[int]
        ERR_CODE_FIELD_NUMBER: _ClassVar[int]
        ERR_MSG_FIELD_NUMBER: _ClassVar[int]
        param: str
        err_code: int
        err_msg: str
        def __init__(self, param: _Optional[str] = ..., err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
    UPDATED_OBJ_RESULTS_FIELD_NUMBER: _ClassVar[int]
    updated_obj_results: _containers.RepeatedCompositeFieldContainer[SetResp.UpdatedObjectResult]
    def __init__(self, updated_obj_results: _Optional[_Iterable[_Union[SetResp.UpdatedObjectResult, _Mapping]]] = ...) -> None: ...

class Operate(_message.Message):
    __slots__ = ("command", "command_key", "send_resp", "input_args")
    class InputArgsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    COMMAND_KEY_FIELD_NUMBER: _ClassVar[int]
    SEND_RESP_FIELD_NUMBER: _ClassVar[int]
    INPUT_ARGS_FIELD_NUMBER: _ClassVar[int]
    command: str
    command_key: str
    send_resp: bool
    input_args: _containers.ScalarMap[str, str]
    def __init__(self, command: _Optional[str] = ..., command_key: _Optional[str] = ..., send_resp: _Optional[bool] = ..., input_args: _Optional[_Mapping[str, str]] = ...) -> None: ...

class OperateResp(_message.Message):
    __slots__ = ("operation_results",)
    class OperationResult(_message.Message):
        __slots__ = ("executed_command", "req_obj_path", "req_output_args", "cmd_failure")
        class OutputArgs(_message.Message):
            __slots__ = ("output_args",)
            class OutputArgsEntry(_message.Message):
                __slots__ = ("key", "value")
                KEY_FIELD_NUMBER: _ClassVar[int]
                VALUE_FIELD_NUMBER: _ClassVar[int]
                key: str
                value: str
                def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
            OUTPUT_ARGS_FIELD_NUMBER: _ClassVar[int]
            output_args: _containers.ScalarMap[str, str]
            def __init__(self, output_args: _Optional[_Mapping[str, str]] = ...) -> None: ...
        class CommandFailure(_message.Message):
            __slots__ = ("err_code", "err_msg")
            ERR_CODE_FIELD_NUMBER: _ClassVar[int]
            ERR_MSG_FIELD_NUMBER: _ClassVar[int]
            err_code: int
            err_msg: str
            def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
        EXECUTED_COMMAND_FIELD_NUMBER: _ClassVar[int]
        REQ_OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        REQ_OUTPUT_ARGS_FIELD_NUMBER: _ClassVar[int]
        CMD_FAILURE_FIELD_NUMBER: _ClassVar[int]
        executed_command: str
        req_obj_path: str
        req_output_args: OperateResp.OperationResult.OutputArgs
        cmd_failure: OperateResp.OperationResult.CommandFailure
        def __init__(self, executed_command: _Optional[str] = ..., req_obj_path: _Optional[str] = ..., req_output_args: _Optional[_Union[OperateResp.OperationResult.OutputArgs, _Mapping]] = ..., cmd_failure: _Optional[_Union[OperateResp.OperationResult.CommandFailure, _Mapping]] = ...) -> None: ...
    OPERATION_RESULTS_FIELD_NUMBER: _ClassVar[int]
    operation_results: _containers.RepeatedCompositeFieldContainer[OperateResp.OperationResult]
    def __init__(self, operation_results: _Optional[_Iterable[_Union[OperateResp.OperationResult, _Mapping]]] = ...) -> None: ...

class Add(_message.Message):
    __slots__ = ("allow_partial", "create_objs")
    class CreateObject(_message.Message):
        __slots__ = ("obj_path", "param_settings")
        OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        PARAM_SETTINGS_FIELD_NUMBER: _ClassVar[int]
        obj_path: str
        param_settings: _containers.RepeatedCompositeFieldContainer[Add.CreateParamSetting]
        def __init__(self, obj_path: _Optional[str] = ..., param_settings: _Optional[_Iterable[_Union[Add.CreateParamSetting, _Mapping]]] = ...) -> None: ...
    class CreateParamSetting(_message.Message):
        __slots__ = ("param", "value", "required")
        PARAM_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        REQUIRED_FIELD_NUMBER: _ClassVar[int]
        param: str
        value: str
        required: bool
        def __init__(self, param: _Optional[str] = ..., value: _Optional[str] = ..., required: _Optional[bool] = ...) -> None: ...
    ALLOW_PARTIAL_FIELD_NUMBER: _ClassVar[int]
    CREATE_OBJS_FIELD_NUMBER: _ClassVar[int]
    allow_partial: bool
    create_objs: _containers.RepeatedCompositeFieldContainer[Add.CreateObject]
    def __init__(self, allow_partial: _Optional[bool] = ..., create_objs: _Optional[_Iterable[_Union[Add.CreateObject, _Mapping]]] = ...) -> None: ...

class AddResp(_message.Message):
    __slots__ = ("created_obj_results",)
    class CreatedObjectResult(_message.Message):
        __slots__ = ("requested_path", "oper_status")
        class OperationStatus(_message.Message):
            __slots__ = ("oper_failure", "oper_success")
            class OperationFailure(_message.Message):
                __slots__ = ("err_code", "err_msg")
                ERR_CODE_FIELD_NUMBER: _ClassVar[int]
                ERR_MSG_FIELD_NUMBER: _ClassVar[int]
                err_code: int
                err_msg: str
                def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
            class OperationSuccess(_message.Message):
                __slots__ = ("instantiated_path", "param_errs", "unique_keys")
                class UniqueKeysEntry(_message.Message):
                    __slots__ = ("key", "value")
                    KEY_FIELD_NUMBER: _ClassVar[int]
                    VALUE_FIELD_NUMBER: _ClassVar[int]
                    key: str
                    value: str
                    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
                INSTANTIATED_PATH_FIELD_NUMBER: _ClassVar[int]
                PARAM_ERRS_FIELD_NUMBER: _ClassVar[int]
                UNIQUE_KEYS_FIELD_NUMBER: _ClassVar[int]
                instantiated_path: str
                param_errs: _containers.RepeatedCompositeFieldContainer[AddResp.ParameterError]
                unique_keys: _containers.ScalarMap[str, str]
                def __init__(self, instantiated_path: _Optional[str] = ..., param_errs: _Optional[_Iterable[_Union[AddResp.ParameterError, _Mapping]]] = ..., unique_keys: _Optional[_Mapping[str, str]] = ...) -> None: ...
            OPER_FAILURE_FIELD_NUMBER: _ClassVar[int]
            OPER_SUCCESS_FIELD_NUMBER: _ClassVar[int]
            oper_failure: AddResp.CreatedObjectResult.OperationStatus.OperationFailure
            oper_success: AddResp.CreatedObjectResult.OperationStatus.OperationSuccess
            def __init__(self, oper_failure: _Optional[_Union[AddResp.CreatedObjectResult.OperationStatus.OperationFailure, _Mapping]] = ..., oper_success: _Optional[_Union[AddResp.CreatedObjectResult.OperationStatus.OperationSuccess, _Mapping]] = ...) -> None: ...
        REQUESTED_PATH_FIELD_NUMBER: _ClassVar[int]
        OPER_STATUS_FIELD_NUMBER: _ClassVar[int]
        requested_path: str
        oper_status: AddResp.CreatedObjectResult.OperationStatus
        def __init__(self, requested_path: _Optional[str] = ..., oper_status: _Optional[_Union[AddResp.CreatedObjectResult.OperationStatus, _Mapping]] = ...) -> None: ...
    class ParameterError(_message.Message):
        __slots__ = ("param", "err_code", "err_msg")
        PARAM_FIELD_NUMBER: _ClassVar[int]
        ERR_CODE_FIELD_NUMBER: _ClassVar[int]
        ERR_MSG_FIELD_NUMBER: _ClassVar[int]
        param: str
        err_code: int
        err_msg: str
        def __init__(self, param: _Optional[str] = ..., err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
    CREATED_OBJ_RESULTS_FIELD_NUMBER: _ClassVar[int]
    created_obj_results: _containers.RepeatedCompositeFieldContainer[AddResp.CreatedObjectResult]
    def __init__(self, created_obj_results: _Optional[_Iterable[_Union[AddResp.CreatedObjectResult, _Mapping]]] = ...) -> None: ...

class Delete(_message.Message):
    __slots__ = ("allow_partial", "obj_paths")
    ALLOW_PARTIAL_FIELD_NUMBER: _ClassVar[int]
    OBJ_PATHS_FIELD_NUMBER: _ClassVar[int]
    allow_partial: bool
    obj_paths: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, allow_partial: _Optional[bool] = ..., obj_paths: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteResp(_message.Message):
    __slots__ = ("deleted_obj_results",)
    class DeletedObjectResult(_message.Message):
        __slots__ = ("requested_path", "oper_status")
        class OperationStatus(_message.Message):
            __slots__ = ("oper_failure", "oper_success")
            class OperationFailure(_message.Message):
                __slots__ = ("err_code", "err_msg")
                ERR_CODE_FIELD_NUMBER: _ClassVar[int]
                ERR_MSG_FIELD_NUMBER: _ClassVar[int]
                err_code: int
                err_msg: str
                def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
            class OperationSuccess(_message.Message):
                __slots__ = ("affected_paths", "unaffected_path_errs")
                AFFECTED_PATHS_FIELD_NUMBER: _ClassVar[int]
                UNAFFECTED_PATH_ERRS_FIELD_NUMBER: _ClassVar[int]
                affected_paths: _containers.RepeatedScalarFieldContainer[str]
                unaffected_path_errs: _containers.RepeatedCompositeFieldContainer[DeleteResp.UnaffectedPathError]
                def __init__(self, affected_paths: _Optional[_Iterable[str]] = ..., unaffected_path_errs: _Optional[_Iterable[_Union[DeleteResp.UnaffectedPathError, _Mapping]]] = ...) -> None: ...
            OPER_FAILURE_FIELD_NUMBER: _ClassVar[int]
            OPER_SUCCESS_FIELD_NUMBER: _ClassVar[int]
            oper_failure: DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure
            oper_success: DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess
            def __init__(self, oper_failure: _Optional[_Union[DeleteResp.DeletedObjectResult.OperationStatus.OperationFailure, _Mapping]] = ..., oper_success: _Optional[_Union[DeleteResp.DeletedObjectResult.OperationStatus.OperationSuccess, _Mapping]] = ...) -> None: ...
        REQUESTED_PATH_FIELD_NUMBER: _ClassVar[int]
        OPER_STATUS_FIELD_NUMBER: _ClassVar[int]
        requested_path: str
        oper_status: DeleteResp.DeletedObjectResult.OperationStatus
        def __init__(self, requested_path: _Optional[str] = ..., oper_status: _Optional[_Union[DeleteResp.DeletedObjectResult.OperationStatus, _Mapping]] = ...) -> None: ...
    class UnaffectedPathError(_message.Message):
        __slots__ = ("unaffected_path", "err_code", "err_msg")
        UNAFFECTED_PATH_FIELD_NUMBER: _ClassVar[int]
        ERR_CODE_FIELD_NUMBER: _ClassVar[int]
        ERR_MSG_FIELD_NUMBER: _ClassVar[int]
        unaffected_path: str
        err_code: int
        err_msg: str
        def __init__(self, unaffected_path: _Optional[str] = ..., err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
    DELETED_OBJ_RESULTS_FIELD_NUMBER: _ClassVar[int]
    deleted_obj_results: _containers.RepeatedCompositeFieldContainer[DeleteResp.DeletedObjectResult]
    def __init__(self, deleted_obj_results: _Optional[_Iterable[_Union[DeleteResp.DeletedObjectResult, _Mapping]]] = ...) -> None: ...

class GetSupportedDM(_message.Message):
    __slots__ = ("obj_paths", "first_level_only", "return_commands", "return_events", "return_params", "return_unique_key_sets")
    OBJ_PATHS_FIELD_NUMBER: _ClassVar[int]
    FIRST_LEVEL_ONLY_FIELD_NUMBER: _ClassVar[int]
    RETURN_COMMANDS_FIELD_NUMBER: _ClassVar[int]
    RETURN_EVENTS_FIELD_NUMBER: _ClassVar[int]
    RETURN_PARAMS_FIELD_NUMBER: _ClassVar[int]
    RETURN_UNIQUE_KEY_SETS_FIELD_NUMBER: _ClassVar[int]
    obj_paths: _containers.RepeatedScalarFieldContainer[str]
    first_level_only: bool
    return_commands: bool
    return_events: bool
    return_params: bool
    return_unique_key_sets: bool
    def __init__(self, obj_paths: _Optional[_Iterable[str]] = ..., first_level_only: _Optional[bool] = ..., return_commands: _Optional[bool] = ..., return_events: _Optional[bool] = ..., return_params: _Optional[bool] = ..., return_unique_key_sets: _Optional[bool] = ...) -> None: ...

class GetSupportedDMResp(_message.Message):
    __slots__ = ("req_obj_results",)
    class ParamAccessType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        PARAM_READ_ONLY: _ClassVar[GetSupportedDMResp.ParamAccessType]
        PARAM_READ_WRITE: _ClassVar[GetSupportedDMResp.ParamAccessType]
        PARAM_WRITE_ONLY: _ClassVar[GetSupportedDMResp.ParamAccessType]
    PARAM_READ_ONLY: GetSupportedDMResp.ParamAccessType
    PARAM_READ_WRITE: GetSupportedDMResp.ParamAccessType
    PARAM_WRITE_ONLY: GetSupportedDMResp.ParamAccessType
    class ObjAccessType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OBJ_READ_ONLY: _ClassVar[GetSupportedDMResp.ObjAccessType]
        OBJ_ADD_DELETE: _ClassVar[GetSupportedDMResp.ObjAccessType]
        OBJ_ADD_ONLY: _ClassVar[GetSupportedDMResp.ObjAccessType]
        OBJ_DELETE_ONLY: _ClassVar[GetSupportedDMResp.ObjAccessType]
    OBJ_READ_ONLY: GetSupportedDMResp.ObjAccessType
    OBJ_ADD_DELETE: GetSupportedDMResp.ObjAccessType
    OBJ_ADD_ONLY: GetSupportedDMResp.ObjAccessType
    OBJ_DELETE_ONLY: GetSupportedDMResp.ObjAccessType
    class ParamValueType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        PARAM_UNKNOWN: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_BASE_64: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_BOOLEAN: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_DATE_TIME: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_DECIMAL: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_HEX_BINARY: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_INT: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_LONG: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_STRING: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_UNSIGNED_INT: _ClassVar[GetSupportedDMResp.ParamValueType]
        PARAM_UNSIGNED_LONG: _ClassVar[GetSupportedDMResp.ParamValueType]
    PARAM_UNKNOWN: GetSupportedDMResp.ParamValueType
    PARAM_BASE_64: GetSupportedDMResp.ParamValueType
    PARAM_BOOLEAN: GetSupportedDMResp.ParamValueType
    PARAM_DATE_TIME: GetSupportedDMResp.ParamValueType
    PARAM_DECIMAL: GetSupportedDMResp.ParamValueType
    PARAM_HEX_BINARY: GetSupportedDMResp.ParamValueType
    PARAM_INT: GetSupportedDMResp.ParamValueType
    PARAM_LONG: GetSupportedDMResp.ParamValueType
    PARAM_STRING: GetSupportedDMResp.ParamValueType
    PARAM_UNSIGNED_INT: GetSupportedDMResp.ParamValueType
    PARAM_UNSIGNED_LONG: GetSupportedDMResp.ParamValueType
    class ValueChangeType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        VALUE_CHANGE_UNKNOWN: _ClassVar[GetSupportedDMResp.ValueChangeType]
        VALUE_CHANGE_ALLOWED: _ClassVar[GetSupportedDMResp.ValueChangeType]
        VALUE_CHANGE_WILL_IGNORE: _ClassVar[GetSupportedDMResp.ValueChangeType]
    VALUE_CHANGE_UNKNOWN: GetSupportedDMResp.ValueChangeType
    VALUE_CHANGE_ALLOWED: GetSupportedDMResp.ValueChangeType
    VALUE_CHANGE_WILL_IGNORE: GetSupportedDMResp.ValueChangeType
    class CmdType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        CMD_UNKNOWN: _ClassVar[GetSupportedDMResp.CmdType]
        CMD_SYNC: _ClassVar[GetSupportedDMResp.CmdType]
        CMD_ASYNC: _ClassVar[GetSupportedDMResp.CmdType]
    CMD_UNKNOWN: GetSupportedDMResp.CmdType
    CMD_SYNC: GetSupportedDMResp.CmdType
    CMD_ASYNC: GetSupportedDMResp.CmdType
    class RequestedObjectResult(_message.Message):
        __slots__ = ("req_obj_path", "err_code", "err_msg", "data_model_inst_uri", "supported_objs")
        REQ_OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        ERR_CODE_FIELD_NUMBER: _ClassVar[int]
        ERR_MSG_FIELD_NUMBER: _ClassVar[int]
        DATA_MODEL_INST_URI_FIELD_NUMBER: _ClassVar[int]
        SUPPORTED_OBJS_FIELD_NUMBER: _ClassVar[int]
        req_obj_path: str
        err_code: int
        err_msg: str
        data_model_inst_uri: str
        supported_objs: _containers.RepeatedCompositeFieldContainer[GetSupportedDMResp.SupportedObjectResult]
        def __init__(self, req_obj_path: _Optional[str] = ..., err_code: _Optional[int] = ..., err_msg: _Optional[str] = ..., data_model_inst_uri: _Optional[str] = ..., supported_objs: _Optional[_Iterable[_Union[GetSupportedDMResp.SupportedObjectResult, _Mapping]]] = ...) -> None: ...
    class SupportedObjectResult(_message.Message):
        __slots__ = ("supported_obj_path", "access", "is_multi_instance", "supported_commands", "supported_events", "supported_params", "divergent_paths", "unique_key_sets")
        SUPPORTED_OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        ACCESS_FIELD_NUMBER: _ClassVar[int]
        IS_MULTI_INSTANCE_FIELD_NUMBER: _ClassVar[int]
        SUPPORTED_COMMANDS_FIELD_NUMBER: _ClassVar[int]
        SUPPORTED_EVENTS_FIELD_NUMBER: _ClassVar[int]
        SUPPORTED_PARAMS_FIELD_NUMBER: _ClassVar[int]
        DIVERGENT_PATHS_FIELD_NUMBER: _ClassVar[int]
        UNIQUE_KEY_SETS_FIELD_NUMBER: _ClassVar[int]
        supported_obj_path: str
        access: GetSupportedDMResp.ObjAccessType
        is_multi_instance: bool
        supported_commands: _containers.RepeatedCompositeFieldContainer[GetSupportedDMResp.SupportedCommandResult]
        supported_events: _containers.RepeatedCompositeFieldContainer[GetSupportedDMResp.SupportedEventResult]
        supported_params: _containers.RepeatedCompositeFieldContainer[GetSupportedDMResp.SupportedParamResult]
        divergent_paths: _containers.RepeatedScalarFieldContainer[str]
        unique_key_sets: _containers.RepeatedCompositeFieldContainer[GetSupportedDMResp.SupportedUniqueKeySet]
        def __init__(self, supported_obj_path: _Optional[str] = ..., access: _Optional[_Union[GetSupportedDMResp.ObjAccessType, str]] = ..., is_multi_instance: _Optional[bool] = ..., supported_commands: _Optional[_Iterable[_Union[GetSupportedDMResp.SupportedCommandResult, _Mapping]]] = ..., supported_events: _Optional[_Iterable[_Union[GetSupportedDMResp.SupportedEventResult, _Mapping]]] = ..., supported_params: _Optional[_Iterable[_Union[GetSupportedDMResp.SupportedParamResult, _Mapping]]] = ..., divergent_paths: _Optional[_Iterable[str]] = ..., unique_key_sets: _Optional[_Iterable[_Union[GetSupportedDMResp.SupportedUniqueKeySet, _Mapping]]] = ...) -> None: ...
    class SupportedParamResult(_message.Message):
        __slots__ = ("param_name", "access", "value_type", "value_change")
        PARAM_NAME_FIELD_NUMBER: _ClassVar[int]
        ACCESS_FIELD_NUMBER: _ClassVar[int]
        VALUE_TYPE_FIELD_NUMBER: _ClassVar[int]
        VALUE_CHANGE_FIELD_NUMBER: _ClassVar[int]
        param_name: str
        access: GetSupportedDMResp.ParamAccessType
        value_type: GetSupportedDMResp.ParamValueType
        value_change: GetSupportedDMResp.ValueChangeType
        def __init__(self, param_name: _Optional[str] = ..., access: _Optional[_Union[GetSupportedDMResp.ParamAccessType, str]] = ..., value_type: _Optional[_Union[GetSupportedDMResp.ParamValueType, str]] = ..., value_change: _Optional[_Union[GetSupportedDMResp.ValueChangeType, str]] = ...) -> None: ...
    class SupportedCommandResult(_message.Message):
        __slots__ = ("command_name", "input_arg_names", "output_arg_names", "command_type")
        COMMAND_NAME_FIELD_NUMBER: _ClassVar[int]
        INPUT_ARG_NAMES_FIELD_NUMBER: _ClassVar[int]
        OUTPUT_ARG_NAMES_FIELD_NUMBER: _ClassVar[int]
        COMMAND_TYPE_FIELD_NUMBER: _ClassVar[int]
        command_name: str
        input_arg_names: _containers.RepeatedScalarFieldContainer[str]
        output_arg_names: _containers.RepeatedScalarFieldContainer[str]
        command_type: GetSupportedDMResp.CmdType
        def __init__(self, command_name: _Optional[str] = ..., input_arg_names: _Optional[_Iterable[str]] = ..., output_arg_names: _Optional[_Iterable[str]] = ..., command_type: _Optional[_Union[GetSupportedDMResp.CmdType, str]] = ...) -> None: ...
    class SupportedEventResult(_message.Message):
        __slots__ = ("event_name", "arg_names")
        EVENT_NAME_FIELD_NUMBER: _ClassVar[int]
        ARG_NAMES_FIELD_NUMBER: _ClassVar[int]
        event_name: str
        arg_names: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, event_name: _Optional[str] = ..., arg_names: _Optional[_Iterable[str]] = ...) -> None: ...
    class SupportedUniqueKeySet(_message.Message):
        __slots__ = ("key_names",)
        KEY_NAMES_FIELD_NUMBER: _ClassVar[int]
        key_names: _containers.RepeatedScalarFieldContainer[str]
        def __init__(self, key_names: _Optional[_Iterable[str]] = ...) -> None: ...
    REQ_OBJ_RESULTS_FIELD_NUMBER: _ClassVar[int]
    req_obj_results: _containers.RepeatedCompositeFieldContainer[GetSupportedDMResp.RequestedObjectResult]
    def __init__(self, req_obj_results: _Optional[_Iterable[_Union[GetSupportedDMResp.RequestedObjectResult, _Mapping]]] = ...) -> None: ...

class GetInstances(_message.Message):
    __slots__ = ("obj_paths", "first_level_only")
    OBJ_PATHS_FIELD_NUMBER: _ClassVar[int]
    FIRST_LEVEL_ONLY_FIELD_NUMBER: _ClassVar[int]
    obj_paths: _containers.RepeatedScalarFieldContainer[str]
    first_level_only: bool
    def __init__(self, obj_paths: _Optional[_Iterable[str]] = ..., first_level_only: _Optional[bool] = ...) -> None: ...

class GetInstancesResp(_message.Message):
    __slots__ = ("req_path_results",)
    class RequestedPathResult(_message.Message):
        __slots__ = ("requested_path", "err_code", "err_msg", "curr_insts")
        REQUESTED_PATH_FIELD_NUMBER: _ClassVar[int]
        ERR_CODE_FIELD_NUMBER: _ClassVar[int]
        ERR_MSG_FIELD_NUMBER: _ClassVar[int]
        CURR_INSTS_FIELD_NUMBER: _ClassVar[int]
        requested_path: str
        err_code: int
        err_msg: str
        curr_insts: _containers.RepeatedCompositeFieldContainer[GetInstancesResp.CurrInstance]
        def __init__(self, requested_path: _Optional[str] = ..., err_code: _Optional[int] = ..., err_msg: _Optional[str] = ..., curr_insts: _Optional[_Iterable[_Union[GetInstancesResp.CurrInstance, _Mapping]]] = ...) -> None: ...
    class CurrInstance(_message.Message):
        __slots__ = ("instantiated_obj_path", "unique_keys")
        class UniqueKeysEntry(_message.Message):
            __slots__ = ("key", "value")
            KEY_FIELD_NUMBER: _ClassVar[int]
            VALUE_FIELD_NUMBER: _ClassVar[int]
            key: str
            value: str
            def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
        INSTANTIATED_OBJ_PATH_FIELD_NUMBER: _ClassVar[int]
        UNIQUE_KEYS_FIELD_NUMBER: _ClassVar[int]
        instantiated_obj_path: str
        unique_keys: _containers.ScalarMap[str, str]
        def __init__(self, instantiated_obj_path: _Optional[str] = ..., unique_keys: _Optional[_Mapping[str, str]] = ...) -> None: ...
    REQ_PATH_RESULTS_FIELD_NUMBER: _ClassVar[int]
    req_path_results: _containers.RepeatedCompositeFieldContainer[GetInstancesResp.RequestedPathResult]
    def __init__(self, req_path_results: _Optional[_Iterable[_Union[GetInstancesResp.RequestedPathResult, _Mapping]]] = ...) -> None: ...

class GetSupportedProtocol(_message.Message):
    __slots__ = ("controller_supported_protocol_versions",)
    CONTROLLER_SUPPORTED_PROTOCOL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    controller_supported_protocol_versions: str
    def __init__(self, controller_supported_protocol_versions: _Optional[str] = ...) -> None: ...

class GetSupportedProtocolResp(_message.Message):
    __slots__ = ("agent_supported_protocol_versions",)
    AGENT_SUPPORTED_PROTOCOL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    agent_supported_protocol_versions: str
    def __init__(self, agent_supported_protocol_versions: _Optional[str] = ...) -> None: ...

class Register(_message.Message):
    __slots__ = ("allow_partial", "reg_paths")
    class RegistrationPath(_message.Message):
        __slots__ = ("path",)
        PATH_FIELD_NUMBER: _ClassVar[int]
        path: str
        def __init__(self, path: _Optional[str] = ...) -> None: ...
    ALLOW_PARTIAL_FIELD_NUMBER: _ClassVar[int]
    REG_PATHS_FIELD_NUMBER: _ClassVar[int]
    allow_partial: bool
    reg_paths: _containers.RepeatedCompositeFieldContainer[Register.RegistrationPath]
    def __init__(self, allow_partial: _Optional[bool] = ..., reg_paths: _Optional[_Iterable[_Union[Register.RegistrationPath, _Mapping]]] = ...) -> None: ...

class RegisterResp(_message.Message):
    __slots__ = ("registered_path_results",)
    class RegisteredPathResult(_message.Message):
        __slots__ = ("requested_path", "oper_status")
        class OperationStatus(_message.Message):
            __slots__ = ("oper_failure", "oper_success")
            class OperationFailure(_message.Message):
                __slots__ = ("err_code", "err_msg")
                ERR_CODE_FIELD_NUMBER: _ClassVar[int]
                ERR_MSG_FIELD_NUMBER: _ClassVar[int]
                err_code: int
                err_msg: str
                def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
            class OperationSuccess(_message.Message):
                __slots__ = ("registered_path",)
                REGISTERED_PATH_FIELD_NUMBER: _ClassVar[int]
                registered_path: str
                def __init__(self, registered_path: _Optional[str] = ...) -> None: ...
            OPER_FAILURE_FIELD_NUMBER: _ClassVar[int]
            OPER_SUCCESS_FIELD_NUMBER: _ClassVar[int]
            oper_failure: RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure
            oper_success: RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess
            def __init__(self, oper_failure: _Optional[_Union[RegisterResp.RegisteredPathResult.OperationStatus.OperationFailure, _Mapping]] = ..., oper_success: _Optional[_Union[RegisterResp.RegisteredPathResult.OperationStatus.OperationSuccess, _Mapping]] = ...) -> None: ...
        REQUESTED_PATH_FIELD_NUMBER: _ClassVar[int]
        OPER_STATUS_FIELD_NUMBER: _ClassVar[int]
        requested_path: str
        oper_status: RegisterResp.RegisteredPathResult.OperationStatus
        def __init__(self, requested_path: _Optional[str] = ..., oper_status: _Optional[_Union[RegisterResp.RegisteredPathResult.OperationStatus, _Mapping]] = ...) -> None: ...
    REGISTERED_PATH_RESULTS_FIELD_NUMBER: _ClassVar[int]
    registered_path_results: _containers.RepeatedCompositeFieldContainer[RegisterResp.RegisteredPathResult]
    def __init__(self, registered_path_results: _Optional[_Iterable[_Union[RegisterResp.RegisteredPathResult, _Mapping]]] = ...) -> None: ...

class Deregister(_message.Message):
    __slots__ = ("paths",)
    PATHS_FIELD_NUMBER: _ClassVar[int]
    paths: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, paths: _Optional[_Iterable[str]] = ...) -> None: ...

class DeregisterResp(_message.Message):
    __slots__ = ("deregistered_path_results",)
    class DeregisteredPathResult(_message.Message):
        __slots__ = ("requested_path", "oper_status")
        class OperationStatus(_message.Message):
            __slots__ = ("oper_failure", "oper_success")
            class OperationFailure(_message.Message):
                __slots__ = ("err_code", "err_msg")
                ERR_CODE_FIELD_NUMBER: _ClassVar[int]
                ERR_MSG_FIELD_NUMBER: _ClassVar[int]
                err_code: int
                err_msg: str
                def __init__(self, err_code: _Optional[int] = ..., err_msg: _Optional[str] = ...) -> None: ...
            class OperationSuccess(_message.Message):
                __slots__ = ("deregistered_path",)
                DEREGISTERED_PATH_FIELD_NUMBER: _ClassVar[int]
                deregistered_path: _containers.RepeatedScalarFieldContainer[str]
                def __init__(self, deregistered_path: _Optional[_Iterable[str]] = ...) -> None: ...
            OPER_FAILURE_FIELD_NUMBER: _ClassVar[int]
            OPER_SUCCESS_FIELD_NUMBER: _ClassVar[int]
            oper_failure: DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure
            oper_success: DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess
            def __init__(self, oper_failure: _Optional[_Union[DeregisterResp.DeregisteredPathResult.OperationStatus.OperationFailure, _Mapping]] = ..., oper_success: _Optional[_Union[DeregisterResp.DeregisteredPathResult.OperationStatus.OperationSuccess, _Mapping]] = ...) -> None: ...
        REQUESTED_PATH_FIELD_NUMBER: _ClassVar[int]
        OPER_STATUS_FIELD_NUMBER: _ClassVar[int]
        requested_path: str
        oper_status: DeregisterResp.DeregisteredPathResult.OperationStatus
        def __init__(self, requested_path: _Optional[str] = ..., oper_status: _Optional[_Union[DeregisterResp.DeregisteredPathResult.OperationStatus, _Mapping]] = ...) -> None: ...
    DEREGISTERED_PATH_RESULTS_FIELD_NUMBER: _ClassVar[int]
    deregistered_path_results: _containers.RepeatedCompositeFieldContainer[DeregisterResp.DeregisteredPathResult]
    def __init__(self, deregistered_path_results: _Optional[_Iterable[_Union[DeregisterResp.DeregisteredPathResult, _Mapping]]] = ...) -> None: ...
