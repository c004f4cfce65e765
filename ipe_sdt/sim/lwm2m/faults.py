"""Misbehaviour a simulated device can be told to show, for tests and fault drills."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiocoap.numbers.codes import Code

from ipe_sdt.lwm2m.paths import Path, is_under


@dataclass
class Faults:
    errors: dict[Path, Code] = field(default_factory=dict)
    """Requests on or under these paths are answered with this code."""
    garbage: set[Path] = field(default_factory=set)
    """Reads on or under these paths answer 2.05 with a payload that is not what it claims."""
    unsupported_formats: set[int] = field(default_factory=set)
    """Content formats the device announced but refuses in writes (4.15), as some firmware does."""
    refused: int = 0
    """How many requests these faults answered so far."""

    def error_for(self, path: Path) -> Code | None:
        for base, code in self.errors.items():
            if is_under(path, base):
                return code
        return None

    def garbles(self, path: Path) -> bool:
        return any(is_under(path, base) for base in self.garbage)
