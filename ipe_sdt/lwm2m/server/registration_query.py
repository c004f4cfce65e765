"""The Uri-Query of Register (POST /rd?ep=..) and Update (POST /rd/<id>?..): parsed and checked.

    ep   Endpoint Client Name          mandatory at Register
    lt   Lifetime in seconds           default 86400
    lwm2m  LwM2M version               default 1.0 (1.0 clients may omit it)
    b    Binding                       default U; 1.0 writes queue mode into it ("UQ")
    Q    Queue mode flag               1.1 and later
    sms  MSISDN for the SMS binding

Parameters we do not know are ignored, as the TS asks for forward compatibility; a parameter
given twice is an error, because either reading of it could be the wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
DEFAULT_LIFETIME = 86400
DEFAULT_VERSION = "1.0"
DEFAULT_BINDING = "U"
MAX_ENDPOINT_LENGTH = 255
# The Lifetime resource is an Integer; anything beyond 32 bits is a client bug, not a wish.
MAX_LIFETIME = 2**31 - 1
_TRANSPORTS = "UMHTSN"
_VERSION = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})(?:\.[0-9]{1,3})?")
_LIFETIME = re.compile(r"[0-9]{1,10}")


class RegistrationRejected(Exception):
    """A Register or Update the server answers with an error code instead of accepting it."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class RegisterParams:
    endpoint: str
    lifetime: int = DEFAULT_LIFETIME
    lwm2m_version: str = DEFAULT_VERSION
    binding: str = DEFAULT_BINDING
    """Transport letters only (U, M, H, T, S, N); queue mode is in queue_mode."""
    queue_mode: bool = False
    sms: str | None = None


@dataclass(frozen=True)
class UpdateParams:
    """Only what the Update carries; None means "unchanged"."""

    lifetime: int | None = None
    binding: str | None = None
    binding_queue: bool = False
    """The b= value carried Q (the LwM2M 1.0 way of saying queue mode)."""
    queue_flag: bool = False
    """A bare Q parameter was present."""
    sms: str | None = None

    def queue_mode(self, version: str, current: bool) -> bool:
        """Queue mode after this Update for a client of that LwM2M version.

        1.0 states queue mode in every b= value, so a b= without Q leaves queue mode; 1.1 moved
        it to the Register-only Q parameter, so a b= without Q there changes nothing.
        """
        if self.binding_queue or self.queue_flag:
            return True
        if version == "1.0" and self.binding is not None:
            return False
        return current


def _split(queries: Iterable[str]) -> dict[str, str | None]:
    params: dict[str, str | None] = {}
    for query in queries:
        name, sep, value = query.partition("=")
        if name in params:
            raise RegistrationRejected("4.00", f"query parameter {name!r} given twice")
        params[name] = value if sep else None
    return params


def _lifetime(value: str | None) -> int:
    if value is None or not _LIFETIME.fullmatch(value):
        raise RegistrationRejected("4.00", f"lifetime must be a positive integer, not {value!r}")
    lifetime = int(value)
    if not 1 <= lifetime <= MAX_LIFETIME:
        raise RegistrationRejected("4.00", f"lifetime {lifetime} is out of range")
    return lifetime


def _binding(value: str | None) -> tuple[str, bool]:
    """(transport letters, queue mode) of a b= value such as "U", "UQ", "UQS" or "UN"."""
    if not value:
        raise RegistrationRejected("4.00", "binding must not be empty")
    if any(c not in _TRANSPORTS + "Q" for c in value) or len(set(value)) != len(value):
        raise RegistrationRejected("4.00", f"bad binding {value!r}")
    transports = "".join(c for c in value if c != "Q")
    if not transports:
        raise RegistrationRejected("4.00", f"binding {value!r} names no transport")
    return transports, "Q" in value


def _version(value: str | None) -> str:
    match = _VERSION.fullmatch(value or "")
    if match is None:
        raise RegistrationRejected("4.00", f"bad LwM2M version {value!r}")
    version = f"{int(match[1])}.{int(match[2])}"
    if version not in SUPPORTED_VERSIONS:
        # The TS answer for a version the server does not implement.
        raise RegistrationRejected("4.12", f"LwM2M version {version} is not supported")
    return version


def _endpoint(value: str | None) -> str:
    if not value:
        raise RegistrationRejected("4.00", "the endpoint client name (ep) is missing")
    if len(value) > MAX_ENDPOINT_LENGTH or not value.isprintable() or value.strip() != value:
        raise RegistrationRejected("4.00", "the endpoint client name is not a printable name of at most 255 characters")
    return value


def _sms(value: str | None) -> str | None:
    if value is None:
        return None
    if not value or len(value) > 32 or not value.isprintable():
        raise RegistrationRejected("4.00", "bad sms number")
    return value


def parse_register_query(queries: Iterable[str]) -> RegisterParams:
    params = _split(queries)
    endpoint = _endpoint(params.get("ep"))
    lifetime = _lifetime(params["lt"]) if "lt" in params else DEFAULT_LIFETIME
    version = _version(params["lwm2m"]) if "lwm2m" in params else DEFAULT_VERSION
    binding, queue = _binding(params["b"]) if "b" in params else (DEFAULT_BINDING, False)
    return RegisterParams(
        endpoint=endpoint,
        lifetime=lifetime,
        lwm2m_version=version,
        binding=binding,
        queue_mode=queue or "Q" in params,
        sms=_sms(params.get("sms")),
    )


def parse_update_query(queries: Iterable[str]) -> UpdateParams:
    params = _split(queries)
    binding: str | None = None
    binding_queue = False
    if "b" in params:
        binding, binding_queue = _binding(params["b"])
    return UpdateParams(
        lifetime=_lifetime(params["lt"]) if "lt" in params else None,
        binding=binding,
        binding_queue=binding_queue,
        queue_flag="Q" in params,
        sms=_sms(params.get("sms")),
    )
