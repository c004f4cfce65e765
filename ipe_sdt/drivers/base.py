"""The one interface every device driver implements, and how it reports back.

A driver discovers devices (they register, connect or boot), keeps them observed, and performs
the operations the mapping asks for in protocol-neutral terms. It reports what it learns
through ``DriverEvents``. Errors are the three exceptions below; nothing protocol-specific
crosses this line.
"""

from __future__ import annotations

from typing import Protocol

from ipe_sdt.devices import Change, Device


class DeviceUnreachable(Exception):
    """The device is offline, asleep beyond the deadline, or did not answer."""


class DeviceTimeout(DeviceUnreachable):
    """The device did not answer in time."""


class DeviceError(Exception):
    """The device answered, refusing or failing the operation; the message says why."""


class DriverEvents(Protocol):
    async def device_online(self, device: Device) -> None:
        """A device appeared or came back (registration, connect, boot) with its full picture."""

    async def device_changed(self, device_id: str, change: Change) -> None:
        """Something on the device changed (observation, notification, progress of an action)."""

    async def device_offline(self, device_id: str, reason: str) -> None:
        """The device left or can no longer be reached."""


class Driver(Protocol):
    protocol: str

    async def start(self, events: DriverEvents) -> None: ...

    async def stop(self) -> None: ...

    def device(self, device_id: str) -> Device | None:
        """The current picture of a known device."""

    async def refresh(self, device_id: str) -> Device:
        """Read the device again and return its picture."""

    async def reboot(self, device_id: str) -> None: ...

    async def factory_reset(self, device_id: str) -> None: ...

    async def update_firmware(self, device_id: str, url: str, version: str, name: str) -> None:
        """Start a firmware update from ``url``; progress arrives as 'firmware' changes."""

    async def install_software(self, device_id: str, package_id: str, url: str, name: str, version: str) -> None: ...

    async def uninstall_software(self, device_id: str, package_id: str) -> None: ...

    async def activate_software(self, device_id: str, package_id: str) -> None: ...

    async def deactivate_software(self, device_id: str, package_id: str) -> None: ...

    async def set_light(self, device_id: str, light_id: str, on: bool | None = None, level: int | None = None) -> None:
        """Switch and/or dim a light; returns once the device confirmed."""

    async def toggle_light(self, device_id: str, light_id: str) -> bool:
        """Invert a light's state; returns the new state."""
