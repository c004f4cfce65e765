"""What the command behaviours (firmware, software modules) may ask of their Agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from ipe_sdt.usp.mtp import RetryPolicy

from .data_model import Obj
from .request_processor import CommandCall


@dataclass(frozen=True)
class AgentTimings:
    """Simulated durations, in seconds. Defaults suit demos; tests shorten them."""

    boot_delay: float = 0.5  # the device is off during a reboot
    transfer_time: float = 0.5  # a firmware or software download
    install_time: float = 0.2  # installing, updating or removing a deployment unit
    eu_transition_time: float = 0.05  # Starting/Stopping of an execution unit
    notify_retry_interval: float = 5.0  # TR-369 R-NOT.1 minimum wait interval
    notify_retry_attempts: int = 5
    mqtt_retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(1.0, 2000, 30.0))

    def __post_init__(self) -> None:
        for name in ("boot_delay", "transfer_time", "install_time", "eu_transition_time",
                     "notify_retry_interval"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.notify_retry_attempts < 1:
            raise ValueError("notify_retry_attempts must be at least 1")


def utc_now() -> str:
    """TR-106 dateTime of the current time."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AgentContext(Protocol):
    @property
    def timings(self) -> AgentTimings: ...

    @property
    def root(self) -> Obj: ...

    def update(self, obj: Obj, obj_path: str, name: str, value: str) -> None:
        """Change a parameter; notifies ValueChange subscribers if it changed."""

    def emit_event(self, obj_path: str, name: str, params: dict[str, str]) -> None: ...

    def object_created(self, path: str, unique_keys: dict[str, str]) -> None: ...

    def object_deleted(self, path: str) -> None: ...

    def request_reboot(self, cause: str, command_key: str) -> None:
        """Reboot soon (after the current response has been sent)."""

    def completes_through_reboot(self, call: CommandCall) -> None: ...
