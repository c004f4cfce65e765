"""/3342 On/Off switch: a digital input that counts its transitions and on/off times."""

from __future__ import annotations

from typing import ClassVar

from ..errors import bad_request
from ..instance import DeviceHost, ResourceValue, SimInstance


class OnOffSwitchInstance(SimInstance):
    object_id: ClassVar[int] = 3342

    def __init__(self, iid: int, host: DeviceHost) -> None:
        super().__init__(iid, host)
        self._since = host.now()
        self._base = {5852: 0, 5854: 0}
        self.values.update({5500: False, 5501: 0, 5852: 0, 5854: 0, 5750: "wall switch", 5518: int(host.now())})

    def _elapsed(self, rid: int) -> int:
        running = (rid == 5852) == (self.values.get(5500) is True)
        return self._base[rid] + (int(self.host.now() - self._since) if running else 0)

    def current_5852(self) -> int:
        return self._elapsed(5852)

    def current_5854(self) -> int:
        return self._elapsed(5854)

    def press(self, state: bool) -> None:
        """The input changed (a person flipped the switch)."""
        if self.values.get(5500) is state:
            return
        now = self.host.now()
        self._base = {5852: 0, 5854: 0}
        self._since = now
        self.values[5501] = int(self.values.get(5501, 0)) + 1  # type: ignore[arg-type]
        self.values[5518] = int(now)
        self.host.changed((3342, self.iid, 5501))
        self.host.changed((3342, self.iid, 5518))
        self.set(5500, state)

    def on_write(self, rid: int, value: ResourceValue) -> bool:
        if rid in (5852, 5854):
            if not isinstance(value, int) or value < 0:
                raise bad_request("a time counter is a non-negative number of seconds")
            self._base[rid] = value - (self._elapsed(rid) - self._base[rid])
            self.host.changed((3342, self.iid, rid))
            return True
        return False
