"""TR-369 (USP 1.4) error codes.

Codes 7000-7031 are used in Error messages, ParamErrors and the per-path
results of responses; 7100-7106 describe Record problems (DisconnectRecord
reason codes). 7800-7999 are vendor specific and therefore have no entry.
Names follow the TR-369 error code table.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from types import MappingProxyType


class ErrorCode(IntEnum):
    MESSAGE_FAILED = 7000
    MESSAGE_NOT_SUPPORTED = 7001
    REQUEST_DENIED = 7002
    INTERNAL_ERROR = 7003
    INVALID_ARGUMENTS = 7004
    RESOURCES_EXCEEDED = 7005
    PERMISSION_DENIED = 7006
    INVALID_CONFIGURATION = 7007
    INVALID_PATH_SYNTAX = 7008
    PARAMETER_ACTION_FAILED = 7009
    UNSUPPORTED_PARAMETER = 7010
    INVALID_TYPE = 7011
    INVALID_VALUE = 7012
    PARAMETER_READ_ONLY = 7013
    VALUE_CONFLICT = 7014
    OPERATION_ERROR = 7015
    OBJECT_DOES_NOT_EXIST = 7016
    OBJECT_NOT_CREATED = 7017
    NOT_A_TABLE = 7018
    OBJECT_NOT_CREATABLE = 7019
    OBJECT_NOT_UPDATED = 7020
    REQUIRED_PARAMETER_FAILED = 7021
    COMMAND_FAILURE = 7022
    COMMAND_CANCELED = 7023
    DELETE_FAILURE = 7024
    DUPLICATE_UNIQUE_KEY = 7025
    INVALID_PATH = 7026
    INVALID_COMMAND_ARGUMENTS = 7027
    REGISTER_FAILURE = 7028
    PATH_ALREADY_REGISTERED = 7029
    DEREGISTER_FAILURE = 7030
    NOT_PATH_OWNER = 7031
    RECORD_NOT_PARSED = 7100
    SECURE_SESSION_REQUIRED = 7101
    SECURE_SESSION_NOT_SUPPORTED = 7102
    SEGMENTATION_NOT_SUPPORTED = 7103
    INVALID_RECORD_VALUE = 7104
    SESSION_CONTEXT_TERMINATED = 7105
    SESSION_CONTEXT_NOT_ALLOWED = 7106


ERROR_NAMES: Mapping[ErrorCode, str] = MappingProxyType(
    {
        ErrorCode.MESSAGE_FAILED: "Message failed",
        ErrorCode.MESSAGE_NOT_SUPPORTED: "Message not supported",
        ErrorCode.REQUEST_DENIED: "Request denied (no reason specified)",
        ErrorCode.INTERNAL_ERROR: "Internal error",
        ErrorCode.INVALID_ARGUMENTS: "Invalid arguments",
        ErrorCode.RESOURCES_EXCEEDED: "Resources exceeded",
        ErrorCode.PERMISSION_DENIED: "Permission denied",
        ErrorCode.INVALID_CONFIGURATION: "Invalid configuration",
        ErrorCode.INVALID_PATH_SYNTAX: "Invalid path syntax",
        ErrorCode.PARAMETER_ACTION_FAILED: "Parameter action failed",
        ErrorCode.UNSUPPORTED_PARAMETER: "Unsupported parameter",
        ErrorCode.INVALID_TYPE: "Invalid type",
        ErrorCode.INVALID_VALUE: "Invalid value",
        ErrorCode.PARAMETER_READ_ONLY: "Attempt to update non-writeable parameter",
        ErrorCode.VALUE_CONFLICT: "Value conflict",
        ErrorCode.OPERATION_ERROR: "Operation error",
        ErrorCode.OBJECT_DOES_NOT_EXIST: "Object does not exist",
        ErrorCode.OBJECT_NOT_CREATED: "Object could not be created",
        ErrorCode.NOT_A_TABLE: "Object is not a table",
        ErrorCode.OBJECT_NOT_CREATABLE: "Attempt to create non-creatable object",
        ErrorCode.OBJECT_NOT_UPDATED: "Object could not be updated",
        ErrorCode.REQUIRED_PARAMETER_FAILED: "Required parameter failed",
        ErrorCode.COMMAND_FAILURE: "Command failure",
        ErrorCode.COMMAND_CANCELED: "Command canceled",
        ErrorCode.DELETE_FAILURE: "Delete failure",
        ErrorCode.DUPLICATE_UNIQUE_KEY: "Object exists with duplicate key",
        ErrorCode.INVALID_PATH: "Invalid path",
        ErrorCode.INVALID_COMMAND_ARGUMENTS: "Invalid command arguments",
        ErrorCode.REGISTER_FAILURE: "Register failure",
        ErrorCode.PATH_ALREADY_REGISTERED: "Path already registered",
        ErrorCode.DEREGISTER_FAILURE: "Deregister failure",
        ErrorCode.NOT_PATH_OWNER: "Path not owned by the requester",
        ErrorCode.RECORD_NOT_PARSED: "Record could not be parsed",
        ErrorCode.SECURE_SESSION_REQUIRED: "Secure session required",
        ErrorCode.SECURE_SESSION_NOT_SUPPORTED: "Secure session not supported",
        ErrorCode.SEGMENTATION_NOT_SUPPORTED: "Segmentation and reassembly not supported",
        ErrorCode.INVALID_RECORD_VALUE: "Invalid Record value",
        ErrorCode.SESSION_CONTEXT_TERMINATED: "Session Context terminated",
        ErrorCode.SESSION_CONTEXT_NOT_ALLOWED: "Session Context not allowed",
    }
)

VENDOR_RANGE = range(7800, 8000)


def is_vendor_code(code: int) -> bool:
    return code in VENDOR_RANGE


def error_name(code: int) -> str:
    """Human-readable name of a USP error code, including unknown ones."""
    try:
        return ERROR_NAMES[ErrorCode(code)]
    except ValueError:
        if is_vendor_code(code):
            return f"Vendor-specific error {code}"
        return f"Unknown error {code}"
