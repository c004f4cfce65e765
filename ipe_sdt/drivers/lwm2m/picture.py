"""Reading a registered LwM2M client into the neutral device picture."""

from __future__ import annotations

import logging
from typing import Any

from ipe_sdt.devices import Device, Firmware, Light, ProtocolObject, SoftwarePackage, Switch
from ipe_sdt.drivers.lwm2m import objects as o
from ipe_sdt.lwm2m.server import Device as Registration
from ipe_sdt.lwm2m.server import Lwm2mServer, Lwm2mServerError

log = logging.getLogger("ipe.lwm2m")


async def read_instance(server: Lwm2mServer, endpoint: str, oid: int, iid: int) -> dict[int, Any]:
    """Resource ID -> value of one object instance (multi-instance resources are left out)."""
    result = await server.read(endpoint, f"/{oid}/{iid}")
    return {path[2]: value for path, value in result.values.items() if len(path) == 3}


async def build(server: Lwm2mServer, registration: Registration) -> Device:
    endpoint = registration.endpoint
    host, port = registration.address
    device = Device(id=endpoint, protocol="lwm2m", address=f"coap://{_host(host)}:{port}")
    if registration.has_object(o.DEVICE):
        values = await read_instance(server, endpoint, o.DEVICE, 0)
        device.info = {name: values[rid] for name, rid in o.DEVICE_INFO.items() if rid in values}
        if any(rid in values for rid in o.MEMORY.values()):
            device.memory = {name: int(values.get(rid, 0)) for name, rid in o.MEMORY.items()}
        if o.BATTERY["batteryLevel"] in values:
            device.battery = {"batteryLevel": int(values[o.BATTERY["batteryLevel"]]),
                              "batteryStatus": o.battery_status(int(values.get(o.BATTERY["batteryStatus"], 6)))}
        for capability in ("deviceInfo", "memory", "battery", "reboot"):
            device.objects[capability] = _object(registration, o.DEVICE, 0)
    device.can_reboot = device.can_factory_reset = registration.has_object(o.DEVICE)
    if registration.has_object(o.FIRMWARE):
        values = await read_instance(server, endpoint, o.FIRMWARE, 0)
        device.firmware = Firmware(
            version=str(values.get(o.FW_VERSION) or device.info.get("fwVersion", "")),
            name=str(values.get(o.FW_NAME, "")),
            url=str(values.get(o.FW_PACKAGE_URI, "")),
            status=o.firmware_status(values.get(o.FW_STATE), values.get(o.FW_RESULT)),
        )
        device.objects["firmware"] = _object(registration, o.FIRMWARE, 0)
    for iid in registration.instances(o.SOFTWARE):
        values = await read_instance(server, endpoint, o.SOFTWARE, iid)
        package = SoftwarePackage(
            id=str(iid), name=str(values.get(o.SW_NAME, "")), version=str(values.get(o.SW_VERSION, "")),
            url=str(values.get(o.SW_PACKAGE_URI, "")),
            install=o.install_status(values.get(o.SW_STATE), values.get(o.SW_RESULT)),
            activation=o.activation_status(values.get(o.SW_ACTIVE)),
        )
        device.software[package.id] = package
        device.objects[f"software:{iid}"] = _object(registration, o.SOFTWARE, iid)
    for iid in registration.instances(o.LIGHT):
        values = await read_instance(server, endpoint, o.LIGHT, iid)
        level = values.get(o.LIGHT_DIMMER)
        device.lights[str(iid)] = Light(str(iid), bool(values.get(o.LIGHT_ON, False)),
                                        None if level is None else int(level))
        device.objects[f"light:{iid}"] = _object(registration, o.LIGHT, iid)
    for iid in registration.instances(o.SWITCH):
        values = await read_instance(server, endpoint, o.SWITCH, iid)
        device.switches[str(iid)] = Switch(str(iid), bool(values.get(o.SWITCH_STATE, False)))
        device.objects[f"switch:{iid}"] = _object(registration, o.SWITCH, iid)
    return device


def _object(registration: Registration, oid: int, iid: int) -> ProtocolObject:
    """The object's URN with the version the device announced (none for version 1.0)."""
    version = registration.object_version(oid)
    urn = f"urn:oma:lwm2m:oma:{oid}" + (f":{version}" if version and version != "1.0" else "")
    return ProtocolObject(ids=[urn], paths=[f"/{oid}/{iid}"])


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


__all__ = ["Lwm2mServerError", "build", "read_instance"]
