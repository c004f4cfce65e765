"""/3 Device: identity, power, memory, clock, and the Reboot and Factory Reset executes."""

from __future__ import annotations

import hashlib
import random
from typing import ClassVar

from ..errors import bad_request
from ..instance import DeviceHost, ResourceValue, SimInstance

MANUFACTURER = "OpenM2M Simulated Devices"
MODEL = "SIM-LWM2M-1"
MEMORY_TOTAL_KB = 512


class DeviceInstance(SimInstance):
    object_id: ClassVar[int] = 3

    def __init__(self, iid: int, host: DeviceHost, *, firmware_version: str = "1.0.0", binding: str = "U",
                 rng: random.Random | None = None) -> None:
        super().__init__(iid, host)
        self.rng = rng or random.Random()
        self.clock_offset = 0.0
        serial = hashlib.sha256(host.endpoint.encode("utf-8")).hexdigest()[:10].upper()
        self.values.update({
            0: MANUFACTURER,
            1: MODEL,
            2: f"SN{serial}",
            3: firmware_version,
            6: {0: 1, 1: 5},         # internal battery, USB
            7: {0: 3800, 1: 5000},   # mV
            8: {0: 125, 1: 900},     # mA
            9: 100,
            11: {0: 0},              # no error
            14: "+00:00",
            15: "Etc/UTC",
            16: binding,
            17: "sensor node",
            18: "rev-B",
            19: "1.0.0",
            20: 0,                   # battery normal
            21: MEMORY_TOTAL_KB,
        })

    @property
    def firmware_version(self) -> str:
        return str(self.values[3])

    def current_10(self) -> int:
        """Memory Free in KiB: the simulated heap moves a little with every look."""
        return MEMORY_TOTAL_KB // 2 + self.rng.randint(-16, 16)

    def current_13(self) -> int:
        return int(self.host.now() + self.clock_offset)

    def on_write(self, rid: int, value: ResourceValue) -> bool:
        if rid == 13:
            if not isinstance(value, (int,)) and not hasattr(value, "timestamp"):
                raise bad_request("Current Time must be a time")
            seconds = value if isinstance(value, int) else value.timestamp()  # type: ignore[union-attr]
            self.clock_offset = float(seconds) - self.host.now()
            self.host.changed((3, self.iid, 13))
            return True
        return False

    def drain_battery(self) -> None:
        level = self.values.get(9)
        if isinstance(level, int) and level > 0 and self.rng.random() < 0.3:
            self.set(9, level - 1)
            self.set(20, 0 if level - 1 > 20 else 4)  # 4: low battery

    def set_firmware_version(self, version: str) -> None:
        self.set(3, version)

    def execute_4(self, args: dict[int, str | None]) -> None:
        """Reboot: answered first, then the device restarts and registers again."""
        self.host.request_reboot("reboot executed by the server")

    def execute_5(self, args: dict[int, str | None]) -> None:
        """Factory Reset: settings back to their shipped state, then a restart."""
        self.host.request_factory_reset()

    def execute_12(self, args: dict[int, str | None]) -> None:
        """Reset Error Code."""
        self.set(11, {0: 0})

    def delete_allowed(self) -> bool:
        return False
