"""What the server's operations return."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..paths import Path
from ..values import Value


@dataclass(frozen=True)
class ReadResult:
    path: Path
    values: dict[Path, Value] = field(default_factory=dict)
    """Full resource (or resource instance) paths to values; empty for an empty instance."""
    content_format: int = 0
    """The format the device answered in."""

    def value(self, path: Path | None = None) -> Value:
        """The one value at path (default: the read path); KeyError when absent."""
        return self.values[self.path if path is None else path]


@dataclass
class Observation:
    """An observation the device accepted; notifications arrive as NotificationReceived events."""

    id: int
    endpoint: str
    registration_id: str
    path: Path
    initial: ReadResult
    active: bool = True
    end_reason: str | None = None
