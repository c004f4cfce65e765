"""What the Controller knows about each Agent, as immutable snapshots for its users."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from ipe_sdt.usp import OnBoardRequest


@dataclass(frozen=True)
class BootInfo:
    """The Agent's last ``Device.Boot!`` event (TR-181): why it booted, the
    command key of the Reboot()/Activate() that caused it, whether the
    firmware changed, and the boot parameters it reported."""

    cause: str
    command_key: str = ""
    firmware_updated: bool = False
    parameters: Mapping[str, str] = field(default_factory=dict)
    received_at: float = 0.0  # time.time() when the Controller received it

    @classmethod
    def from_event(cls, params: Mapping[str, str], received_at: float) -> BootInfo:
        try:
            parsed = json.loads(params.get("ParameterMap", "") or "{}")
        except ValueError:
            parsed = {}
        # ParameterMap is a JSON object of strings; anything else is ignored
        # rather than trusted.
        parameters = (
            {str(k): str(v) for k, v in parsed.items() if isinstance(v, str | int | float | bool)}
            if isinstance(parsed, dict)
            else {}
        )
        return cls(
            cause=params.get("Cause", ""),
            command_key=params.get("CommandKey", ""),
            firmware_updated=params.get("FirmwareUpdated", "").lower() in ("true", "1"),
            parameters=parameters,
            received_at=received_at,
        )

    @property
    def factory_reset(self) -> bool:
        return self.cause.endswith("FactoryReset")


@dataclass(frozen=True)
class OnboardInfo:
    oui: str
    product_class: str
    serial_number: str
    protocol_versions: str
    received_at: float = 0.0

    @classmethod
    def from_notification(cls, note: OnBoardRequest, received_at: float) -> OnboardInfo:
        return cls(note.oui, note.product_class, note.serial_number,
                   note.agent_supported_protocol_versions, received_at)


@dataclass(frozen=True)
class AgentInfo:
    endpoint_id: str
    topic: str | None  # where requests to the Agent are published
    reachable: bool
    first_seen: float  # time.time() of the first record from the Agent
    last_seen: float  # time.time() of the latest record from the Agent
    boot: BootInfo | None = None
    onboard: OnboardInfo | None = None
    unreachable_reason: str = ""
