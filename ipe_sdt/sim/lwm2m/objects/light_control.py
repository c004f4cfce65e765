"""/3311 Light Control: a dimmable lamp that counts its on time and energy."""

from __future__ import annotations

from typing import ClassVar

from ..errors import bad_request
from ..instance import DeviceHost, ResourceValue, SimInstance

RATED_POWER_W = 9.0


class LightControlInstance(SimInstance):
    object_id: ClassVar[int] = 3311

    def __init__(self, iid: int, host: DeviceHost) -> None:
        super().__init__(iid, host)
        self._on_since: float | None = None
        self._on_time_base = 0
        self._energy_wh = 0.0
        self._energy_since = host.now()
        self.values.update({5850: False, 5851: 100, 5852: 0, 5805: 0.0, 5820: 0.92, 5706: "warm white",
                            5701: "%", 5750: "lamp"})

    def _power_w(self) -> float:
        dimmer = self.values.get(5851, 100)
        return RATED_POWER_W * (int(dimmer) / 100.0) if self.values.get(5850) is True else 0.0  # type: ignore[arg-type]

    def _account_energy(self) -> None:
        now = self.host.now()
        self._energy_wh += self._power_w() * max(0.0, now - self._energy_since) / 3600.0
        self._energy_since = now

    def current_5852(self) -> int:
        if self._on_since is None:
            return self._on_time_base
        return self._on_time_base + int(self.host.now() - self._on_since)

    def current_5805(self) -> float:
        self._account_energy()
        return round(self._energy_wh, 6)

    def switch(self, on: bool) -> None:
        """The lamp turned on or off (by a write, or by a wall switch)."""
        self._account_energy()
        if on and self._on_since is None:
            self._on_since = self.host.now()
            self._on_time_base = 0
        elif not on and self._on_since is not None:
            self._on_time_base = self.current_5852()
            self._on_since = None
        self.set(5850, on)

    def on_write(self, rid: int, value: ResourceValue) -> bool:
        if rid == 5850:
            self.switch(bool(value))
            return True
        if rid == 5851:
            if not isinstance(value, int) or not 0 <= value <= 100:
                raise bad_request("Dimmer is 0..100")
            self._account_energy()
            self.set(5851, value)
            return True
        if rid == 5852:
            # Writing 0 restarts the on-time counter.
            if not isinstance(value, int) or value < 0:
                raise bad_request("On time is a non-negative number of seconds")
            self._on_time_base = value
            if self._on_since is not None:
                self._on_since = self.host.now()
            self.host.changed((3311, self.iid, 5852))
            return True
        return False
