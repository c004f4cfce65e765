"""From oneM2M updates to driver operations: the IPE's side of the management-adapter interface.

The CSE forwards an Update of a device's resource (a mgmtObj trigger, a flexContainer datapoint
or action) with the resource it targets. The role of that resource says which operation it
means; the driver performs it; the answer tells the CSE whether the device did it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from cse.model.resource import Resource
from cse.primitives import Request, Response
from cse.status import RSC
from ipe_sdt.drivers.base import DeviceError, DeviceTimeout, DeviceUnreachable, Driver

if TYPE_CHECKING:
    from ipe_sdt.ipe import InterworkingProxy

log = logging.getLogger("ipe.adapter")


class DeviceAdapter:
    def __init__(self, ipe: "InterworkingProxy") -> None:
        self._ipe = ipe

    async def handle(self, request: Request, resource: Resource) -> Response:
        located = self._ipe.locate(resource.ri)
        if located is None:
            return _answer(request, RSC.NOT_FOUND, f"{resource.ri!r} is not a resource of a managed device")
        device_id, role, driver = located
        tpe, changes = next(iter(request.pc.items())) if isinstance(request.pc, dict) and request.pc else ("", {})
        names = self._ipe.names.long(tpe) if tpe else {}
        values = {names.get(k, k): v for k, v in changes.items()}
        # What the resource holds already, in the same long names: an action may take its
        # arguments from there (the package URL set before the trigger).
        stored = {names.get(k, k): v for k, v in resource.attrs.items()}
        try:
            await self._perform(driver, device_id, role, values, stored)
        except DeviceTimeout as exc:
            return _answer(request, RSC.REQUEST_TIMEOUT, f"device {device_id} did not answer: {exc}")
        except DeviceUnreachable as exc:
            return _answer(request, RSC.TARGET_NOT_REACHABLE, f"device {device_id} cannot be reached: {exc}")
        except DeviceError as exc:
            return _answer(request, RSC.OPERATION_DENIED_BY_REMOTE_ENTITY, f"device {device_id} refused: {exc}")
        except _NotAnOperation as exc:
            return _answer(request, RSC.BAD_REQUEST, str(exc))
        return _answer(request, RSC.UPDATED, None)

    async def _perform(
        self, driver: Driver, device_id: str, role: str, v: dict[str, Any], stored: dict[str, Any]
    ) -> None:
        kind, _, rest = role.partition(":")
        if role == "reboot":
            if v.get("reboot"):
                await driver.reboot(device_id)
            elif v.get("factoryReset"):
                await driver.factory_reset(device_id)
            return
        if role == "firmware":
            if v.get("update"):
                url = v.get("URL", stored.get("URL", ""))
                if not url:
                    raise _NotAnOperation("a firmware update needs a package URL (attribute url)")
                await driver.update_firmware(device_id, url, v.get("version", stored.get("version", "")),
                                             v.get("firmwareName", stored.get("firmwareName", "")))
            return
        if kind == "software":
            operations: dict[str, Callable[[], Awaitable[None]]] = {
                "install": lambda: driver.install_software(device_id, rest, v.get("URL", stored.get("URL", "")),
                                                           v.get("softwareName", ""), v.get("version", "")),
                "uninstall": lambda: driver.uninstall_software(device_id, rest),
                "activate": lambda: driver.activate_software(device_id, rest),
                "deactivate": lambda: driver.deactivate_software(device_id, rest),
            }
            for trigger, operation in operations.items():
                if v.get(trigger):
                    await operation()
            return
        if kind == "light":
            light_id, _, part = rest.partition(":")
            if part == "binarySwitch" and "state" in v:
                await driver.set_light(device_id, light_id, on=bool(v["state"]))
            elif part == "brightness" and "brightness" in v:
                await driver.set_light(device_id, light_id, level=int(v["brightness"]))
            elif part == "toggle":
                on = await driver.toggle_light(device_id, light_id)
                # The device confirmed: show its new state before the toggle is acknowledged.
                await self._ipe.show_light(driver, device_id, light_id, on)
            return
        if kind == "switch":
            raise DeviceError("an on/off switch reports its state; it cannot be switched remotely")


class _NotAnOperation(Exception):
    pass


def _answer(request: Request, rsc: RSC, message: str | None) -> Response:
    return Response(rsc, request.rqi, pc={"m2m:dbg": message} if message else None)
