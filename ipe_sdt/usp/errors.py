"""Exceptions of the USP layer.

Every failure to decode bytes from the network surfaces as a ``UspError``
subclass, each carrying the TR-369 error code an endpoint would report back
(in an Error message or a DisconnectRecord), so callers never need to catch
protobuf's own exception types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .error_codes import ErrorCode

if TYPE_CHECKING:
    from .responses import Error


class UspError(Exception):
    """Base class of all USP layer errors."""

    def __init__(self, message: str, usp_code: int = ErrorCode.MESSAGE_FAILED) -> None:
        super().__init__(message)
        self.usp_code = int(usp_code)


class RecordError(UspError):
    """A USP Record could not be decoded or violates TR-369 record rules."""

    def __init__(self, message: str, usp_code: int = ErrorCode.RECORD_NOT_PARSED) -> None:
        super().__init__(message, usp_code)


class MessageError(UspError):
    """A USP Msg could not be decoded or is inconsistent (header vs body).

    The default code is 7001, which TR-369 describes as "the attempted message
    was not understood", the answer for a malformed or unknown message.
    """

    def __init__(self, message: str, usp_code: int = ErrorCode.MESSAGE_NOT_SUPPORTED) -> None:
        super().__init__(message, usp_code)


class PathError(UspError):
    """A TR-181 path is syntactically invalid or uses unsupported syntax."""

    def __init__(self, message: str, usp_code: int = ErrorCode.INVALID_PATH_SYNTAX) -> None:
        super().__init__(message, usp_code)


class RemoteError(UspError):
    """The peer answered a request with a USP Error message."""

    def __init__(self, error: Error) -> None:
        super().__init__(f"USP error {error.err_code}: {error.err_msg}", error.err_code)
        self.error = error
