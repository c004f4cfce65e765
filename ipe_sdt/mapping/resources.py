"""Creating and keeping up to date the oneM2M resources that show one device.

Names are deterministic ('node-<device>', '<device>-light-<id>'), so a device that registers
again, or an IPE that restarts, finds and updates what exists instead of duplicating it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ipe_sdt.cse_client import CseClient
from ipe_sdt.devices import Change, Device, Light, ProtocolObject, Switch
from ipe_sdt.mapping.names import Names

NODE, MGMT_OBJ, FLEX = 14, 13, 28

# The management objects a device can have: role -> the mgmtObj type's long name.
MGMT_TYPES = {
    "deviceInfo": "deviceInfo",
    "memory": "memory",
    "battery": "battery",
    "reboot": "reboot",
    "firmware": "firmware",
    "software": "software",
}


def slug(text: str) -> str:
    """A resource name from a device identifier (only unreserved URI characters)."""
    return re.sub(r"[^A-Za-z0-9\-._~]", "_", text)


@dataclass
class DeviceResources:
    """What the mapping created for one device: resource IDs by role, and the way back."""

    device_id: str
    node_path: str = ""
    roles: dict[str, str] = field(default_factory=dict)  # role -> ri
    # Told of each resource as soon as it exists, so that it can be served before the rest.
    on_resource: Callable[[str, str], None] | None = None

    def record(self, role: str, ri: str) -> str:
        self.roles[role] = ri
        if self.on_resource is not None:
            self.on_resource(role, ri)
        return ri

    def role_of(self, ri: str) -> str | None:
        return next((role for role, value in self.roles.items() if value == ri), None)


class ResourceMapper:
    def __init__(self, client: CseClient, names: Names, cse_name: str, ae_path: str) -> None:
        self._client = client
        self._names = names
        self._cse_name = cse_name
        self._ae_path = ae_path

    # -- publishing a device --------------------------------------------------------------------

    async def publish(self, device: Device, on_resource: Callable[[str, str], None] | None = None) -> DeviceResources:
        res = DeviceResources(device.id, on_resource=on_resource)
        node_rn = f"node-{slug(device.id)}"
        res.node_path = f"{self._cse_name}/{node_rn}"
        node_type = self._names.type_named("node", NODE)
        node_values = {
            "nodeID": device.id,
            "mgmtClientAddress": device.address,
            "labels": _labels(device),
        }
        res.record("node", await self._ensure(self._cse_name, res.node_path, NODE, node_type, node_rn, node_values))
        for role, values in self._mgmt_values(device).items():
            kind = role.split(":", 1)[0]
            tpe = self._names.type_named(MGMT_TYPES[kind], MGMT_OBJ)
            rn = role.replace(":", "-")
            res.record(role, await self._ensure(
                res.node_path, f"{res.node_path}/{rn}", MGMT_OBJ, tpe, rn, values, _object_of(device, role)
            ))
        for light in device.lights.values():
            await self._publish_light(device, res, light)
        for switch in device.switches.values():
            await self._publish_switch(device, res, switch)
        return res

    def _mgmt_values(self, device: Device) -> dict[str, dict[str, Any]]:
        """The mgmtObjs the device has, with their attribute values by long name."""
        info = {"deviceLabel": "", "manufacturer": "", "model": "", "deviceType": "", **device.info}
        info["protocol"] = [device.protocol]
        values: dict[str, dict[str, Any]] = {"deviceInfo": info}
        if device.memory is not None:
            values["memory"] = dict(device.memory)
        if device.battery is not None:
            values["battery"] = dict(device.battery)
        if device.can_reboot or device.can_factory_reset:
            values["reboot"] = {}
        if device.firmware is not None:
            fw = device.firmware
            values["firmware"] = {"version": fw.version, "firmwareName": fw.name, "URL": fw.url,
                                  "update": False, "updateStatus": fw.status.to_m2m()}
        for package in device.software.values():
            values[f"software:{package.id}"] = {
                "version": package.version, "softwareName": package.name, "URL": package.url,
                "installStatus": package.install.to_m2m(), "activeStatus": package.activation.to_m2m(),
            }
        return values

    async def _publish_light(self, device: Device, res: DeviceResources, light: Light) -> None:
        base = f"light:{light.id}"
        path = await self._device_container(device, res, base, "deviceLight")
        switch_path = f"{path}/binarySwitch"
        res.record(f"{base}:binarySwitch", await self._module(path, "binarySwitch", {"state": light.on}))
        res.record(f"{base}:toggle", await self._module(switch_path, "toggle", {}))
        if light.level is not None:
            res.record(f"{base}:brightness", await self._module(path, "brightness", {"brightness": light.level}))

    async def _publish_switch(self, device: Device, res: DeviceResources, switch: Switch) -> None:
        base = f"switch:{switch.id}"
        path = await self._device_container(device, res, base, "deviceSwitch")
        res.record(f"{base}:binarySwitch", await self._module(path, "binarySwitch", {"state": switch.on}))

    async def _device_container(self, device: Device, res: DeviceResources, role: str, class_name: str) -> str:
        tpe = self._names.type_named(class_name, FLEX)
        rn = f"{slug(device.id)}-{role.replace(':', '-')}"
        path = f"{self._ae_path}/{rn}"
        values = {"nodeLink": res.roles["node"]}
        res.record(role, await self._ensure(self._ae_path, path, FLEX, tpe, rn, values, flex=True))
        return path

    async def _module(self, parent: str, class_name: str, values: dict[str, Any]) -> str:
        tpe = self._names.type_named(class_name, FLEX)
        return await self._ensure(parent, f"{parent}/{class_name}", FLEX, tpe, class_name, values, flex=True)

    async def _ensure(
        self, parent: str, path: str, ty: int, tpe: str, rn: str, values: dict[str, Any],
        obj: ProtocolObject | None = None, flex: bool = False,
    ) -> str:
        """Create the resource, or bring an existing one up to date; returns its resource ID."""
        attrs = self._names.short(tpe, values)
        existing = await self._client.retrieve(path)
        if existing is not None:
            changed = {k: v for k, v in attrs.items() if existing.get(k) != v and k not in _CREATE_ONLY}
            if changed:
                await self._client.update(path, {tpe: changed})
            return existing["ri"]
        later = {k: v for k, v in attrs.items() if k in self._names.not_on_create(tpe)}
        body = {"rn": rn, **{k: v for k, v in attrs.items() if k not in later}}
        if flex:
            body["cnd"] = self._names.cnd(tpe)
        if ty == MGMT_OBJ:
            body["mgd"] = self._client_mgd(tpe)
            if obj is not None:
                body["obis"], body["obps"] = obj.ids, obj.paths
        created = await self._client.create(parent, ty, {tpe: body})
        if later:
            # Status the owner reports rather than sets at creation (uds, ins, acts).
            await self._client.update(created["ri"], {tpe: later})
        return created["ri"]

    def _client_mgd(self, tpe: str) -> int:
        return self._names.discriminator(tpe)

    # -- keeping it current ---------------------------------------------------------------------

    async def apply(self, res: DeviceResources, change: Change) -> None:
        """Show a change the driver reported on the resources of the device."""
        kind, _, key = change.capability.partition(":")
        v = change.values
        if kind in ("info", "memory", "battery"):
            role = "deviceInfo" if kind == "info" else kind
            await self._update(res, role, MGMT_TYPES[role], MGMT_OBJ, v)
        elif kind == "firmware":
            values = {"updateStatus": v["status"].to_m2m()} if "status" in v else {}
            if "version" in v:
                values["version"] = v["version"]
                await self._update(res, "deviceInfo", "deviceInfo", MGMT_OBJ, {"fwVersion": v["version"]})
            await self._update(res, "firmware", "firmware", MGMT_OBJ, values)
        elif kind == "software":
            values = {}
            if "install" in v:
                values["installStatus"] = v["install"].to_m2m()
            if "activation" in v:
                values["activeStatus"] = v["activation"].to_m2m()
            values.update({k: v[k] for k in ("version", "softwareName", "URL") if k in v})
            await self._update(res, change.capability, "software", MGMT_OBJ, values)
        elif kind in ("light", "switch"):
            if "on" in v:
                await self._update(res, f"{kind}:{key}:binarySwitch", "binarySwitch", FLEX, {"state": v["on"]})
            if "level" in v and f"{kind}:{key}:brightness" in res.roles:
                await self._update(res, f"{kind}:{key}:brightness", "brightness", FLEX, {"brightness": v["level"]})

    async def mark_reachable(self, res: DeviceResources, device: Device) -> None:
        await self._update(res, "node", "node", NODE, {"labels": _labels(device)})

    async def _update(self, res: DeviceResources, role: str, type_name: str, ty: int, values: dict[str, Any]) -> None:
        ri = res.roles.get(role)
        if ri is None or not values:
            return
        tpe = self._names.type_named(type_name, ty)
        await self._client.update(ri, {tpe: self._names.short(tpe, values)})

    async def withdraw(self, res: DeviceResources) -> None:
        """Remove everything the device had (it was removed for good, not merely offline)."""
        for role, ri in res.roles.items():
            if role.count(":") <= 1 and role.split(":")[0] in ("light", "switch"):
                await self._client.delete(ri)
        if "node" in res.roles:
            await self._client.delete(res.roles["node"])


# Attributes that are given once, when the resource is created.
_CREATE_ONLY = {"ni", "cnd", "mgd", "obis", "obps", "rn"}


def _labels(device: Device) -> list[str]:
    return [f"protocol:{device.protocol}", f"reachable:{'true' if device.reachable else 'false'}"]


def _object_of(device: Device, role: str) -> ProtocolObject | None:
    return device.objects.get(role) or device.objects.get(role.split(":", 1)[0])
