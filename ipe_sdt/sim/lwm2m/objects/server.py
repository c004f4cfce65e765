"""/1 LwM2M Server: the registration parameters for one management server (lifetime, binding,
default notification periods) and its triggers."""

from __future__ import annotations

from typing import ClassVar

from ..instance import DeviceHost, ResourceValue, SimInstance


class ServerInstance(SimInstance):
    object_id: ClassVar[int] = 1

    def __init__(self, iid: int, host: DeviceHost, *, short_server_id: int = 1, lifetime: int = 300,
                 binding: str = "U") -> None:
        super().__init__(iid, host)
        self.values.update({0: short_server_id, 1: lifetime, 6: False, 7: binding})

    @property
    def short_server_id(self) -> int:
        value = self.values.get(0)
        return value if isinstance(value, int) else 0

    @property
    def lifetime(self) -> int:
        value = self.values.get(1)
        return value if isinstance(value, int) and value > 0 else 86400

    @property
    def binding(self) -> str:
        value = self.values.get(7)
        return value if isinstance(value, str) and value else "U"

    def default_period(self, rid: int) -> int | None:
        value = self.values.get(rid)
        return value if isinstance(value, int) and value >= 0 else None

    def on_write(self, rid: int, value: ResourceValue) -> bool:
        if rid in (1, 7):
            # A new lifetime or binding is announced to the server with an Update.
            self.set(rid, value)
            self.host.request_registration_update()
            return True
        return False

    def execute_8(self, args: dict[int, str | None]) -> None:
        """Registration Update Trigger."""
        self.host.request_registration_update()

    def execute_9(self, args: dict[int, str | None]) -> None:
        """Bootstrap-Request Trigger."""
        self.host.request_bootstrap()
