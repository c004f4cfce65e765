"""The error a simulated device answers a request with."""

from __future__ import annotations

from aiocoap.numbers.codes import Code


class SimError(Exception):
    """Answer the current request with code (and the message as diagnostic payload)."""

    def __init__(self, code: Code, message: str = "") -> None:
        super().__init__(message or str(code))
        self.code = code
        self.message = message


def bad_request(message: str) -> SimError:
    return SimError(Code.BAD_REQUEST, message)


def not_found(message: str) -> SimError:
    return SimError(Code.NOT_FOUND, message)


def not_allowed(message: str) -> SimError:
    return SimError(Code.METHOD_NOT_ALLOWED, message)
