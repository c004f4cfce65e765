"""What a bootstrap server provisions into a device: management server accounts (/0 Security and
/1 Server instances) and APN connection profiles (/11)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from urllib.parse import urlsplit


class SecurityMode(IntEnum):
    """/0/x/2 Security Mode."""

    PSK = 0
    RAW_PUBLIC_KEY = 1
    CERTIFICATE = 2
    NO_SEC = 3
    CERTIFICATE_EST = 4


class ApnAuthentication(IntEnum):
    """/11/x/4 Authentication Type."""

    PAP = 0
    CHAP = 1
    PAP_OR_CHAP = 2
    NONE = 3


@dataclass(frozen=True)
class ServerAccount:
    uri: str
    """The LwM2M server URI the device registers with, e.g. coap://dm.example:5783."""
    short_server_id: int = 1
    security_mode: SecurityMode = SecurityMode.NO_SEC
    psk_identity: bytes = b""
    psk_key: bytes = b""
    lifetime: int = 300
    binding: str = "U"
    default_pmin: int | None = None
    default_pmax: int | None = None
    notification_storing: bool = True

    def __post_init__(self) -> None:
        parts = urlsplit(self.uri)
        if parts.scheme not in ("coap", "coaps") or not parts.hostname:
            raise ValueError(f"server URI must be coap:// or coaps://host[:port], not {self.uri!r}")
        if not 1 <= self.short_server_id <= 65534:
            raise ValueError("short server id must be 1..65534")
        if self.security_mode is SecurityMode.PSK and not (self.psk_identity and self.psk_key):
            raise ValueError("PSK security needs an identity and a key")
        if self.lifetime < 1:
            raise ValueError("lifetime must be at least 1 s")
        if not self.binding or any(c not in "UMHTSNQ" for c in self.binding):
            raise ValueError(f"bad binding {self.binding!r}")
        for period in (self.default_pmin, self.default_pmax):
            if period is not None and period < 0:
                raise ValueError("default periods must not be negative")


@dataclass(frozen=True)
class ApnProfile:
    name: str
    apn: str | None = None
    authentication: ApnAuthentication = ApnAuthentication.NONE
    user: str | None = None
    secret: str | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("an APN profile needs a name")


@dataclass(frozen=True)
class BootstrapConfig:
    servers: tuple[ServerAccount, ...]
    apn_profiles: tuple[ApnProfile, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.servers:
            raise ValueError("a bootstrap configuration names at least one LwM2M server")
        ids = [s.short_server_id for s in self.servers]
        if len(set(ids)) != len(ids):
            raise ValueError("short server ids must differ")
