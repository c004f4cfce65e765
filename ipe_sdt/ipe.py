"""The SDT interworking proxy: an AE of the CSE that shows devices of any protocol as resources.

It registers as an AE, starts its drivers, and keeps the resources of every device they
report (``mapping.resources``). It is also the management adapter of those devices: the CSE
forwards to it the updates that ask a device to act (``mapping.adapter``). It talks to the
CSE only through request primitives.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from cse import releases
from ipe_sdt.cse_client import CseClient, CseRequestFailed
from ipe_sdt.devices import Change, Device
from ipe_sdt.drivers.base import Driver
from ipe_sdt.mapping.adapter import DeviceAdapter
from ipe_sdt.mapping.names import Names
from ipe_sdt.mapping.resources import DeviceResources, ResourceMapper

if TYPE_CHECKING:
    from cse.model.registry import TypeRegistry

log = logging.getLogger("ipe")


class InterworkingProxy:
    def __init__(self, client: CseClient, registry: "TypeRegistry", cse_name: str, ae_name: str) -> None:
        self.client = client
        self.names = Names(registry)
        self.ae_name = ae_name
        self.ae_path = f"{cse_name}/{ae_name}"
        self.mapper = ResourceMapper(client, self.names, cse_name, self.ae_path)
        self.adapter = DeviceAdapter(self)
        self.drivers: dict[str, Driver] = {}
        self._devices: dict[str, DeviceResources] = {}  # by device key 'protocol/id'
        self._owner: dict[str, tuple[str, str, Driver]] = {}  # ri -> (device id, role, driver)
        # Changes of one device are shown in order; different devices proceed independently.
        self._locks: dict[str, asyncio.Lock] = {}

    # -- life cycle ----------------------------------------------------------------------------

    async def register(self) -> None:
        """Register the IPE's AE (again after a restart: the AE-ID stays ours)."""
        cse_name = self.ae_path.split("/")[0]
        if await self.client.retrieve(self.ae_path) is not None:
            return
        body = {"m2m:ae": {"rn": self.ae_name, "api": "Nsdt-ipe", "rr": False,
                           "srv": list(releases.SUPPORTED[1:]), "lbl": ["interworking:sdt"]}}
        await self.client.create(cse_name, 2, body)

    async def add_driver(self, driver: Driver) -> None:
        self.drivers[driver.protocol] = driver
        await driver.start(_Events(self, driver))

    async def stop(self) -> None:
        for driver in self.drivers.values():
            try:
                await driver.stop()
            except Exception:
                log.exception("driver %s failed to stop", driver.protocol)

    # -- what the adapter needs -----------------------------------------------------------------

    def locate(self, ri: str) -> tuple[str, str, Driver] | None:
        return self._owner.get(ri)

    async def show_light(self, driver: Driver, device_id: str, light_id: str, on: bool) -> None:
        res = self._devices.get(f"{driver.protocol}/{device_id}")
        if res is not None:
            await self.mapper.apply(res, Change(f"light:{light_id}", {"on": on}))

    # -- driver events --------------------------------------------------------------------------

    async def online(self, driver: Driver, device: Device) -> None:
        key = f"{driver.protocol}/{device.id}"
        async with self._lock(key):
            res = await self._publish(driver, device)
            if res is not None:
                log.info("device %s online: %d resources", key, len(res.roles))

    async def _publish(self, driver: Driver, device: Device) -> DeviceResources | None:
        key = f"{driver.protocol}/{device.id}"

        def own(role: str, ri: str) -> None:
            self._owner[ri] = (device.id, role, driver)

        try:
            res = await self.mapper.publish(device, own)
        except CseRequestFailed as exc:
            log.error("could not show device %s: %s", key, exc)
            return None
        self._devices[key] = res
        return res

    async def changed(self, driver: Driver, device_id: str, change: Change) -> None:
        key = f"{driver.protocol}/{device_id}"
        async with self._lock(key):
            res = self._devices.get(key)
            if res is None:
                return
            if change.capability.startswith("software:") and change.capability not in res.roles:
                device = driver.device(device_id)
                if device is not None:
                    # A package the device reports for the first time gets its mgmtObj.
                    await self._publish(driver, device)
                    return
            try:
                await self.mapper.apply(res, change)
            except CseRequestFailed as exc:
                log.error("could not show a change of %s: %s", key, exc)

    async def offline(self, driver: Driver, device_id: str, reason: str) -> None:
        key = f"{driver.protocol}/{device_id}"
        async with self._lock(key):
            res = self._devices.get(key)
            device = driver.device(device_id)
            if res is None or device is None:
                return
            device.reachable = False
            try:
                await self.mapper.mark_reachable(res, device)
            except CseRequestFailed as exc:
                log.error("could not mark %s unreachable: %s", key, exc)
            log.info("device %s offline: %s", key, reason)

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock


class _Events:
    """The DriverEvents of one driver, bound to the proxy."""

    def __init__(self, ipe: InterworkingProxy, driver: Driver) -> None:
        self._ipe = ipe
        self._driver = driver

    async def device_online(self, device: Device) -> None:
        await self._ipe.online(self._driver, device)

    async def device_changed(self, device_id: str, change: Change) -> None:
        await self._ipe.changed(self._driver, device_id, change)

    async def device_offline(self, device_id: str, reason: str) -> None:
        await self._ipe.offline(self._driver, device_id, reason)
