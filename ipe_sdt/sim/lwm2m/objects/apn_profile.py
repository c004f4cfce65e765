"""/11 APN Connection Profile: provisioned by the bootstrap server, stored as written."""

from __future__ import annotations

from typing import ClassVar

from ..instance import DeviceHost, SimInstance


class ApnProfileInstance(SimInstance):
    object_id: ClassVar[int] = 11

    def __init__(self, iid: int, host: DeviceHost) -> None:
        super().__init__(iid, host)
        self.values.update({0: f"profile-{iid}", 4: 3})
