"""/0 LwM2M Security: server URIs, security mode and credentials, written by the bootstrap
server (or present from the factory). Not visible to a management server."""

from __future__ import annotations

from typing import ClassVar

from ..instance import DeviceHost, SimInstance

NO_SEC = 3
PSK = 0


class SecurityInstance(SimInstance):
    object_id: ClassVar[int] = 0

    def __init__(self, iid: int, host: DeviceHost, *, uri: str = "", bootstrap: bool = False,
                 mode: int = NO_SEC, short_server_id: int | None = None) -> None:
        super().__init__(iid, host)
        self.values.update({0: uri, 1: bootstrap, 2: mode, 3: b"", 4: b"", 5: b""})
        if short_server_id is not None:
            self.values[10] = short_server_id

    @property
    def uri(self) -> str:
        return str(self.values.get(0, ""))

    @property
    def is_bootstrap(self) -> bool:
        return self.values.get(1) is True

    @property
    def short_server_id(self) -> int | None:
        value = self.values.get(10)
        return value if isinstance(value, int) else None

    @property
    def mode(self) -> int:
        value = self.values.get(2)
        return value if isinstance(value, int) else NO_SEC

    def delete_allowed(self) -> bool:
        return True
