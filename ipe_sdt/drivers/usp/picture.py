"""Reading a USP Agent into the neutral device picture.

One Get (``paths.READ``) returns the Agent's DeviceInfo, SoftwareModules and IoTCapability
trees; ``build`` turns those values into a ``Device`` and keeps, beside it, where each part
lives in the Agent (``Picture``): the paths the driver writes to and the notifications it
recognizes. ``build`` is a pure function of the values, the previous picture (whose action
statuses it carries over while the device state agrees) and the slot's deployment unit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ipe_sdt.devices import ActionStatus, Device, Firmware, Light, ProtocolObject, SoftwarePackage, Status
from ipe_sdt.drivers.usp import paths as p
from ipe_sdt.usp.controller import ParamFailure, UspAgentError, UspController

log = logging.getLogger("ipe.usp")


@dataclass(frozen=True)
class LightRef:
    """Where one light's values are: full parameter paths, and the LevelControl's range."""

    switch: str
    level: str | None = None
    low: int = 0
    high: int = 100


@dataclass(frozen=True)
class PackageRef:
    """The deployment unit behind a software package ('' unit: the slot is empty)."""

    unit: str = ""
    uuid: str = ""
    url: str = ""
    status: str = ""
    units: tuple[str, ...] = ()  # its execution units (object paths)


@dataclass
class Picture:
    device: Device
    lights: dict[str, LightRef] = field(default_factory=dict)
    packages: dict[str, PackageRef] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)  # firmware image object path -> Status
    active_image: str = ""  # object path of the running image
    urn: str = ""


async def read(controller: UspController, agent: str) -> tuple[dict[str, str], set[str]]:
    """``{full parameter path: value}`` of ``paths.READ``, and the paths the Agent could not
    read; UspAgentError if it could read none of them."""
    resp = await controller.get_response(agent, p.READ)
    failures = resp.failures()
    if len(failures) == len(p.READ):
        path, first = next(iter(failures.items()))
        raise UspAgentError(agent, first.err_code, f"{path}: {first.err_msg}",
                            tuple(ParamFailure(k, f.err_code, f.err_msg) for k, f in failures.items()))
    return resp.flat(), set(failures)


def rows(values: dict[str, str], table: str) -> dict[str, dict[str, str]]:
    """The instances of ``table`` ('Device.X.Y.') present in ``values``:
    ``{'Device.X.Y.3.': {parameter name: value}}`` (parameters of sub-objects included, by
    their relative name 'Sub.Name')."""
    out: dict[str, dict[str, str]] = {}
    for full, value in values.items():
        if not full.startswith(table):
            continue
        number, _, rest = full[len(table):].partition(".")
        if number.isdigit() and rest:
            out.setdefault(f"{table}{number}.", {})[rest] = value
    return dict(sorted(out.items(), key=lambda item: int(p.instance_number(item[0]))))


def build(agent: str, address: str, values: dict[str, str], missing: set[str],
          previous: Picture | None = None, slot_uuid: str = "") -> Picture:
    urn = p.data_model_urn(values.get(p.ROOT_VERSION, ""))
    device = Device(id=agent, protocol="usp", address=address)
    picture = Picture(device, urn=urn)
    info = {name: values[p.DEVICE_INFO + param] for name, param in p.INFO.items() if p.DEVICE_INFO + param in values}
    device.info = info
    if info:
        device.objects["deviceInfo"] = ProtocolObject([urn], [p.DEVICE_INFO])
    memory = {name: p.parse_uint(values.get(p.DEVICE_INFO + param, "")) for name, param in p.MEMORY.items()}
    if all(value is not None for value in memory.values()):
        device.memory = {name: int(value) for name, value in memory.items() if value is not None}
        device.objects["memory"] = ProtocolObject([urn], [p.DEVICE_INFO + "MemoryStatus."])
    # Reboot() and FactoryReset() belong to the Device:2 root object every Agent has.
    device.objects["reboot"] = ProtocolObject([urn], [p.REBOOT, p.FACTORY_RESET])
    _firmware(picture, values, previous)
    if p.SOFTWARE_MODULES not in missing and any(k.startswith(p.SOFTWARE_MODULES) for k in values):
        _software(picture, values, previous.device.software if previous is not None else {}, slot_uuid)
    _lights(picture, values)
    return picture


def _firmware(picture: Picture, values: dict[str, str], previous: Picture | None) -> None:
    images = rows(values, p.FIRMWARE_IMAGES)
    if not images:
        return
    picture.images = {path: row.get("Status", "") for path, row in images.items()}
    picture.active_image = p.as_object(values.get(p.ACTIVE_IMAGE, ""))
    active = images.get(picture.active_image, {})
    before = previous.device.firmware if previous is not None else None
    picture.device.firmware = Firmware(
        version=values.get(p.DEVICE_INFO + p.INFO["fwVersion"], active.get("Version", "")),
        name=active.get("Name", ""),
        url=before.url if before is not None else "",
        status=before.status if before is not None else ActionStatus("", Status.UNINITIALIZED),
    )
    picture.device.objects["firmware"] = ProtocolObject([picture.urn], [p.FIRMWARE_IMAGES])


def refresh_software(picture: Picture, values: dict[str, str], slot_uuid: str) -> None:
    """Rebuild the picture's software packages from ``values``, a read of SoftwareModules."""
    before = picture.device.software
    picture.device.software, picture.packages = {}, {}
    for role in [role for role in picture.device.objects if role.startswith("software:")]:
        del picture.device.objects[role]
    _software(picture, values, before, slot_uuid)


def _software(picture: Picture, values: dict[str, str], before: dict[str, SoftwarePackage], slot_uuid: str) -> None:
    units = rows(values, p.DEPLOYMENT_UNITS)
    eu_status = {path: row.get("Status", "") for path, row in rows(values, p.EXECUTION_UNITS).items()}
    slot_unit = next((path for path, row in units.items() if slot_uuid and row.get("UUID") == slot_uuid), None)
    slot_unit = slot_unit or next((path for path, row in units.items() if row.get("Alias") == p.SLOT_ALIAS), None)
    packages: dict[str, tuple[str, dict[str, str]]] = {p.SLOT: (slot_unit or "", units.get(slot_unit or "", {}))}
    for path, row in units.items():
        if path != slot_unit:
            packages[p.instance_number(path)] = (path, row)
    for package_id, (path, row) in packages.items():
        eus = tuple(ref for ref in p.references(row.get("ExecutionUnitList", "")) if ref in eu_status)
        old = before.get(package_id)
        installed = p.unit_install_status(row.get("Status", "")) if path else ActionStatus("", Status.UNINITIALIZED)
        active = p.unit_activation_status([eu_status[ref] for ref in eus])
        url = row.get("URL", "") if path else (old.url if old is not None else "")
        picture.device.software[package_id] = SoftwarePackage(
            id=package_id, name=row.get("Name", ""), version=row.get("Version", ""), url=url,
            install=p.keep_or_derive(old.install if old else None, installed),
            activation=p.keep_or_derive(old.activation if old else None, active),
        )
        picture.packages[package_id] = PackageRef(path, row.get("UUID", ""), row.get("URL", ""),
                                                  row.get("Status", ""), eus)
        picture.device.objects[f"software:{package_id}"] = ProtocolObject([picture.urn], [path or p.DEPLOYMENT_UNITS])
    # A unit that went away (a factory reset, another Controller's uninstall) stays a package
    # that holds nothing, so that what its mgmtObj shows is corrected rather than left behind.
    nothing = ActionStatus("", Status.UNINITIALIZED)
    for package_id, old in before.items():
        if package_id in picture.device.software:
            continue
        picture.device.software[package_id] = SoftwarePackage(
            id=package_id, name=old.name, version=old.version, url=old.url,
            install=p.keep_or_derive(old.install, nothing), activation=p.keep_or_derive(old.activation, nothing))
        picture.packages[package_id] = PackageRef()
        picture.device.objects[f"software:{package_id}"] = ProtocolObject(
            [picture.urn], [f"{p.DEPLOYMENT_UNITS}{package_id}."])


def _lights(picture: Picture, values: dict[str, str]) -> None:
    last: str | None = None  # the light a Brightness level would dim
    for path, row in rows(values, p.CAPABILITIES).items():
        number = p.instance_number(path)
        switch = row.get(f"{p.SWITCH_CLASS}.{p.VALUE}")
        if switch is not None:
            on = p.parse_bool(switch)
            if on is None:
                log.warning("agent %s: %s%s.%s is %r, not a boolean; light not shown",
                            picture.device.id, path, p.SWITCH_CLASS, p.VALUE, switch)
                last = None
                continue
            picture.device.lights[number] = Light(number, on)
            picture.lights[number] = LightRef(f"{path}{p.SWITCH_CLASS}.{p.VALUE}")
            picture.device.objects[f"light:{number}"] = ProtocolObject([picture.urn], [path])
            last = number
            continue
        level = p.parse_uint(row.get(f"{p.LEVEL_CLASS}.{p.VALUE}", ""))
        kind = row.get(f"{p.LEVEL_CLASS}.Type", "")
        if last is None or level is None or kind.lower() != p.LEVEL_TYPE.lower():
            continue
        low = p.parse_uint(row.get(f"{p.LEVEL_CLASS}.MinValue", "")) or 0
        high = p.parse_uint(row.get(f"{p.LEVEL_CLASS}.MaxValue", ""))
        high = 100 if high is None else high
        ref = picture.lights[last]
        picture.lights[last] = LightRef(ref.switch, f"{path}{p.LEVEL_CLASS}.{p.VALUE}", low, high)
        picture.device.lights[last].level = p.level_to_percent(level, low, high)
        light_object = picture.device.objects[f"light:{last}"]
        picture.device.objects[f"light:{last}"] = ProtocolObject(light_object.ids, [*light_object.paths, path])
        last = None
