"""What the server knows about one registered device: a read-only snapshot for drivers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from ..registration import RegisteredObject


class DeviceState(Enum):
    ONLINE = "online"
    """Reachable at any time (not in queue mode)."""
    AWAKE = "awake"
    """Queue mode, and inside the window after its last message: requests go out at once."""
    SLEEPING = "sleeping"
    """Queue mode, outside that window: requests are held until the next Register or Update."""
    UNREACHABLE = "unreachable"
    """The last request got no answer; cleared by the next message from the device."""


@dataclass(frozen=True)
class Device:
    endpoint: str
    registration_id: str
    """The <id> of the /rd/<id> location the server gave at Register."""
    lwm2m_version: str
    binding: str
    """Transport letters of the b= parameter, without Q."""
    queue_mode: bool
    lifetime: int
    sms: str | None
    root_path: str
    """Where the device's objects live: "/" or an alternate path such as "/lwm2m"."""
    objects: Mapping[int, RegisteredObject]
    content_formats: tuple[int, ...]
    """Formats the device announced (ct= on its root link); empty when it did not say."""
    address: tuple[str, int]
    """Host and port the last Register or Update came from; requests go there."""
    registered_at: float
    last_seen: float
    expires_at: float
    """Wall-clock times (time.time()) of Register, the last message, and lifetime expiry."""
    state: DeviceState

    def instances(self, object_id: int) -> tuple[int, ...]:
        obj = self.objects.get(object_id)
        return () if obj is None else obj.instances

    def object_version(self, object_id: int) -> str | None:
        """The ver= the device announced for this object; None for the default (1.0)."""
        obj = self.objects.get(object_id)
        return None if obj is None else obj.version

    def has_object(self, object_id: int) -> bool:
        return object_id in self.objects
