"""The package format of the simulated devices' firmware and software.

    LWM2M-SIM-PKG 1\n
    {"kind": "firmware", "name": "...", "version": "2.0.0", "sha256": "<hex of body>", "fail": false}\n
    <body bytes>

Devices check the magic (else "unsupported package type"), the kind and the body's SHA-256 (else
"integrity check failure"), and take name and version from the header. "fail": true makes the
install or update step itself fail, so that failure paths can be exercised on purpose.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

MAGIC = b"LWM2M-SIM-PKG 1\n"
MAX_HEADER = 4096


class PackageError(Exception):
    """reason is "type" (not a package for this device) or "integrity" (damaged)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class PackageInfo:
    kind: str
    name: str
    version: str
    fail: bool = False


def make_package(
    kind: str, name: str, version: str, body: bytes = b"", *, fail: bool = False, corrupt: bool = False
) -> bytes:
    """A package the simulated devices accept (corrupt=True: one whose checksum does not match)."""
    digest = hashlib.sha256(body).hexdigest()
    if corrupt:
        digest = hashlib.sha256(body + b"corrupted").hexdigest()
    header = {"kind": kind, "name": name, "version": version, "sha256": digest, "fail": fail}
    return MAGIC + json.dumps(header).encode("utf-8") + b"\n" + body


def parse_package(data: bytes, kind: str) -> PackageInfo:
    if not data.startswith(MAGIC):
        raise PackageError("type", "not a simulator package")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    if end < 0:
        raise PackageError("type", "package header is missing or too long")
    try:
        header = json.loads(data[len(MAGIC) : end])
    except ValueError:
        raise PackageError("type", "package header is not JSON") from None
    if not isinstance(header, dict):
        raise PackageError("type", "package header is not an object")
    name, version, digest = header.get("name"), header.get("version"), header.get("sha256")
    if header.get("kind") != kind:
        raise PackageError("type", f"a {header.get('kind')!r} package, not {kind}")
    if not all(isinstance(v, str) and 0 < len(v) <= 255 for v in (name, version, digest)):
        raise PackageError("type", "package header lacks name, version or sha256")
    if hashlib.sha256(data[end + 1 :]).hexdigest() != digest:
        raise PackageError("integrity", "package checksum does not match")
    return PackageInfo(kind, str(name), str(version), header.get("fail") is True)
