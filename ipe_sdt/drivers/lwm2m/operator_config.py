"""An operator's bootstrap configuration as it is stored in the CSE, and its validation.

The configuration is the ``con`` of the latest contentInstance of an operator's container: a
JSON object (or a string holding one, since ``con`` is often sent as text):

    {
      "serverUri": "coap://dm.example:5783",   # optional; default: the IPE's own LwM2M server
      "securityMode": "psk",                   # "psk" | "rpk" | "certificate" | "est" | "nosec" (or 0..4)
      "pskIdentity": "device-psk-id",          # text, required for psk
      "pskKey": "000102030405060708090a0b0c0d0e0f",   # hex, required for psk
      "shortServerId": 1,
      "lifetime": 300,
      "binding": "U",
      "apnProfiles": [                         # /11 instances, one per service
        {"service": "dm", "apn": "dm.operator.example", "authentication": "chap",
         "user": "u", "secret": "s", "enabled": true},
        {"service": "telemetry", "apn": "iot.operator.example"}
      ]
    }

The service names an APN profile: it becomes the profile's name (/11/x/0 Profile name), which is
how the device tells the DM connection's profile ("dm") from the others. Anything unknown or of
the wrong type is refused with the reason, rather than provisioning half of what was meant.
"""

from __future__ import annotations

import json
from typing import Any

from ipe_sdt.lwm2m.bootstrap import ApnAuthentication, ApnProfile, BootstrapConfig, SecurityMode, ServerAccount


class ConfigError(ValueError):
    """A malformed operator configuration; the message says what is wrong."""


_MODES = {
    "psk": SecurityMode.PSK,
    "rpk": SecurityMode.RAW_PUBLIC_KEY,
    "certificate": SecurityMode.CERTIFICATE,
    "nosec": SecurityMode.NO_SEC,
    "est": SecurityMode.CERTIFICATE_EST,
}
_AUTHENTICATIONS = {
    "pap": ApnAuthentication.PAP,
    "chap": ApnAuthentication.CHAP,
    "pap-or-chap": ApnAuthentication.PAP_OR_CHAP,
    "none": ApnAuthentication.NONE,
}
_KEYS = {"serverUri", "securityMode", "pskIdentity", "pskKey", "shortServerId", "lifetime", "binding", "apnProfiles"}
_APN_KEYS = {"service", "apn", "authentication", "user", "secret", "enabled"}


def parse(con: Any, default_server_uri: str) -> BootstrapConfig:
    """The BootstrapConfig an operator's ``con`` describes; ConfigError when it is malformed."""
    if isinstance(con, str):
        try:
            con = json.loads(con)
        except ValueError as exc:
            raise ConfigError(f"not JSON: {exc}") from None
    if not isinstance(con, dict):
        raise ConfigError("the configuration must be a JSON object")
    unknown = sorted(set(con) - _KEYS)
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    mode = _mode(con.get("securityMode", "nosec"))
    try:
        account = ServerAccount(
            uri=_text(con, "serverUri", default_server_uri),
            short_server_id=_integer(con, "shortServerId", 1),
            security_mode=mode,
            psk_identity=_text(con, "pskIdentity", "").encode(),
            psk_key=_hex(con, "pskKey"),
            lifetime=_integer(con, "lifetime", 300),
            binding=_text(con, "binding", "U"),
        )
        profiles = con.get("apnProfiles", [])
        if not isinstance(profiles, list):
            raise ConfigError("apnProfiles must be a list")
        apn = tuple(_profile(index, profile) for index, profile in enumerate(profiles))
        services = [profile.name for profile in apn]
        if len(set(services)) != len(services):
            raise ConfigError("each service may have one APN profile only")
        return BootstrapConfig(servers=(account,), apn_profiles=apn)
    except ConfigError:
        raise
    except ValueError as exc:  # the dataclasses' own checks (URI, ids, PSK, binding)
        raise ConfigError(str(exc)) from None


def _profile(index: int, raw: Any) -> ApnProfile:
    where = f"apnProfiles[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be an object")
    unknown = sorted(set(raw) - _APN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_APN_KEYS))})")
    service = _text(raw, "service", "", where)
    if not service:
        raise ConfigError(f"{where}: service is required (e.g. \"dm\", \"telemetry\")")
    authentication = raw.get("authentication", "none")
    if authentication not in _AUTHENTICATIONS:
        raise ConfigError(f"{where}: authentication must be one of {', '.join(_AUTHENTICATIONS)}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}: enabled must be true or false")
    return ApnProfile(
        name=service,
        apn=_optional_text(raw, "apn", where),
        authentication=_AUTHENTICATIONS[authentication],
        user=_optional_text(raw, "user", where),
        secret=_optional_text(raw, "secret", where),
        enabled=enabled,
    )


def _mode(value: Any) -> SecurityMode:
    if isinstance(value, str) and value in _MODES:
        return _MODES[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in set(SecurityMode):
        return SecurityMode(value)
    raise ConfigError(f"securityMode must be one of {', '.join(_MODES)} or 0..4, not {value!r}")


def _text(raw: dict[str, Any], key: str, default: str, where: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(f"{where + ': ' if where else ''}{key} must be a string")
    return value


def _optional_text(raw: dict[str, Any], key: str, where: str) -> str | None:
    return _text(raw, key, "", where) if key in raw else None


def _integer(raw: dict[str, Any], key: str, default: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key} must be an integer")
    return value


def _hex(raw: dict[str, Any], key: str) -> bytes:
    value = _text(raw, key, "")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise ConfigError(f"{key} must be hexadecimal") from None
