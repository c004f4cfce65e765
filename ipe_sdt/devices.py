"""The protocol-neutral picture of a managed device that drivers report and the mapping shows.

Field names follow the oneM2M vocabulary the mapping writes (mgmtObj and SDT datapoint long
names), so that the mapping copies values by name and no protocol term reaches it: a driver
translates its own objects and paths into this picture and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Status(IntEnum):
    """m2m:status in m2m:actionStatus (TS-0004)."""

    UNINITIALIZED = 0
    SUCCESSFUL = 1
    FAILURE = 2
    IN_PROCESS = 3


@dataclass
class ActionStatus:
    action: str
    status: Status

    def to_m2m(self) -> dict[str, Any]:
        return {"acn": self.action, "sus": int(self.status)}


@dataclass
class Firmware:
    version: str = ""
    name: str = ""
    url: str = ""
    status: ActionStatus = field(default_factory=lambda: ActionStatus("", Status.UNINITIALIZED))


@dataclass
class SoftwarePackage:
    id: str
    name: str = ""
    version: str = ""
    url: str = ""
    install: ActionStatus = field(default_factory=lambda: ActionStatus("", Status.UNINITIALIZED))
    activation: ActionStatus = field(default_factory=lambda: ActionStatus("", Status.UNINITIALIZED))


@dataclass
class Light:
    id: str
    on: bool = False
    # 0..100; None when the light cannot be dimmed.
    level: int | None = None


@dataclass
class Switch:
    """An on/off input the device reports (it cannot be switched from outside)."""

    id: str
    on: bool = False


@dataclass
class ProtocolObject:
    """Where a capability lives in the device's own protocol (mgmtObj objectIDs/objectPaths)."""

    ids: list[str]
    paths: list[str]


@dataclass
class Device:
    id: str
    protocol: str
    # How the management client is reached, e.g. 'coap://192.0.2.1:5683' (node mgmtClientAddress).
    address: str = ""
    reachable: bool = True
    # deviceInfo long names: manufacturer, model, deviceType, deviceLabel, fwVersion, swVersion,
    # hwVersion, deviceName, osVersion, ...
    info: dict[str, Any] = field(default_factory=dict)
    # memAvailable / memTotal, batteryLevel / batteryStatus: None when the device has none.
    memory: dict[str, int] | None = None
    battery: dict[str, int] | None = None
    firmware: Firmware | None = None
    software: dict[str, SoftwarePackage] = field(default_factory=dict)
    lights: dict[str, Light] = field(default_factory=dict)
    switches: dict[str, Switch] = field(default_factory=dict)
    can_reboot: bool = True
    can_factory_reset: bool = True
    # Per capability ('deviceInfo', 'firmware', 'software:<id>', 'light:<id>'...): its protocol object.
    objects: dict[str, ProtocolObject] = field(default_factory=dict)


@dataclass
class Change:
    """What changed on a device, as the driver learnt it (an observation, a report, a reboot).

    ``capability`` names the part ('info', 'memory', 'battery', 'firmware', 'software:<id>',
    'light:<id>', 'switch:<id>'); ``values`` its new field values by name.
    """

    capability: str
    values: dict[str, Any]
