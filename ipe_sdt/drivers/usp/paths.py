"""Where the neutral device picture lives in TR-181 Device:2 (read over USP), as data.

Each table maps a field of ``ipe_sdt.devices`` to a parameter, command or event of the
Agent's data model, and the functions below turn the TR-181 state machines (firmware image
Status, deployment unit Status, execution unit Status) and TR-106 values into neutral terms.
Nothing here sends anything.
"""

from __future__ import annotations

import re

from ipe_sdt.devices import ActionStatus, Status

# -- what one read of an Agent asks for -----------------------------------------------------

ROOT_VERSION = "Device.RootDataModelVersion"
DEVICE_INFO = "Device.DeviceInfo."
SOFTWARE_MODULES = "Device.SoftwareModules."
CAPABILITIES = "Device.IoTCapability."
REQUESTS = "Device.LocalAgent.Request."
# One Get with these paths reads the whole picture; a path the Agent does not support
# (USP error 7026 for that path alone) just means the device lacks that capability.
READ = (ROOT_VERSION, DEVICE_INFO, SOFTWARE_MODULES, CAPABILITIES)

# -- deviceInfo and memory (Device.DeviceInfo.) -----------------------------------------------

# deviceInfo long name -> parameter below Device.DeviceInfo. The identity triple of TR-069/USP
# (Manufacturer/OUI, ProductClass, SerialNumber) gives the label and type; SoftwareVersion is
# the version of the running firmware image, so it is fwVersion.
INFO = {
    "manufacturer": "Manufacturer",
    "model": "ModelName",
    "deviceLabel": "SerialNumber",
    "deviceType": "ProductClass",
    "fwVersion": "SoftwareVersion",
    "hwVersion": "HardwareVersion",
    "swVersion": "AdditionalSoftwareVersion",
}
# memory long name -> parameter below Device.DeviceInfo. Both in KiB, the unit the LwM2M
# driver shows too (LwM2M Device object resources 10/21 are KiB), so both protocols agree.
MEMORY = {"memTotal": "MemoryStatus.Total", "memAvailable": "MemoryStatus.Free"}

# -- reboot and factory reset ---------------------------------------------------------------

REBOOT = "Device.Reboot()"
FACTORY_RESET = "Device.FactoryReset()"

# -- firmware (Device.DeviceInfo.FirmwareImage.{i}.) ------------------------------------------

FIRMWARE_IMAGES = DEVICE_INFO + "FirmwareImage."
ACTIVE_IMAGE = DEVICE_INFO + "ActiveFirmwareImage"
DOWNLOAD = "Download()"
ACTIVATE = "Activate()"
IMAGE_AVAILABLE = "Available"

# -- software (Device.SoftwareModules.) -----------------------------------------------------

INSTALL_DU = SOFTWARE_MODULES + "InstallDU()"
DEPLOYMENT_UNITS = SOFTWARE_MODULES + "DeploymentUnit."
EXECUTION_UNITS = SOFTWARE_MODULES + "ExecutionUnit."
DU_UPDATE = "Update()"
DU_UNINSTALL = "Uninstall()"
EU_SET_STATE = "SetRequestedState()"
DU_INSTALLED = "Installed"
DU_BUSY = frozenset({"Installing", "Updating", "Uninstalling"})
EU_ACTIVE, EU_IDLE = "Active", "Idle"
EU_TRANSITIONS = frozenset({"Starting", "Stopping"})
# The state SetRequestedState() is asked for, by neutral action.
EU_WANTED = {"activate": EU_ACTIVE, "deactivate": EU_IDLE}

# The software package the oneM2M side installs into, like LwM2M's /9/0: 'in' on it runs
# InstallDU(); the deployment unit it created is 'its' unit from then on. Other deployment
# units are shown as packages named by their instance number (never 0: instances start at 1).
SLOT = "0"
# The deployment unit of the slot is marked with this Alias (TR-181: an Alias is the
# Controller's non-volatile label for an instance), so the mark survives an IPE restart.
SLOT_ALIAS = "onem2m-software-0"

# -- notifications --------------------------------------------------------------------------

BOOT = ("Device.", "Boot!")
TRANSFER_COMPLETE = ("Device.LocalAgent.", "TransferComplete!")
DU_STATE_CHANGE = (SOFTWARE_MODULES, "DUStateChange!")
# ValueChange subscriptions: every light's values, and (once software is driven) the
# execution units' states. An object path selects every parameter below it.
LIGHT_VALUES = CAPABILITIES
EU_VALUES = EXECUTION_UNITS
# OperationComplete subscriptions, one per command and every instance (the same wildcard
# form the Controller's own operate() uses, so either finds the other's subscription).
COMPLETIONS = {
    "download": FIRMWARE_IMAGES + "*." + DOWNLOAD,
    "activate": FIRMWARE_IMAGES + "*." + ACTIVATE,
    "install": INSTALL_DU,
    "update": DEPLOYMENT_UNITS + "*." + DU_UPDATE,
    "uninstall": DEPLOYMENT_UNITS + "*." + DU_UNINSTALL,
}

# -- lights (Device.IoTCapability.{i}.) -----------------------------------------------------

# A light's on/off is a BinaryControl capability; its brightness a LevelControl capability of
# Type "Brightness". TR-181 gives every capability its own instance, so the two are paired by
# position: a Brightness level dims the nearest BinaryControl before it.
SWITCH_CLASS = "BinaryControl"
LEVEL_CLASS = "LevelControl"
LEVEL_TYPE = "Brightness"
VALUE = "Value"

# -- protocol identification (mgmtObj objectIDs / objectPaths) --------------------------------

BBF_URN = "urn:broadband-forum-org:tr-181"
_VERSION = re.compile(r"^2\.(\d+)(?:\.(\d+))?$")


def data_model_urn(root_version: str) -> str:
    """The URN of the Agent's root data model, as BBF names the USP edition of TR-181:
    RootDataModelVersion '2.17' -> 'urn:broadband-forum-org:tr-181-2-17-0-usp'. An Agent that
    does not say which amendment it implements gets the issue alone ('...tr-181-2')."""
    match = _VERSION.match(root_version.strip())
    if match is None:
        return f"{BBF_URN}-2"
    return f"{BBF_URN}-2-{match.group(1)}-{match.group(2) or 0}-usp"


# -- values ---------------------------------------------------------------------------------


def parse_bool(text: str) -> bool | None:
    """A TR-106 boolean ('true'/'false'/'1'/'0'); None for anything else."""
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    return None


def parse_uint(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def level_to_percent(value: int, low: int, high: int) -> int:
    """A LevelControl value in [low, high] as brightness 0..100 (%)."""
    if high <= low:
        return 0
    return max(0, min(100, round((value - low) * 100 / (high - low))))


def percent_to_level(percent: int, low: int, high: int) -> int:
    return low + round(max(0, min(100, percent)) * (high - low) / 100)


def instance_number(path: str) -> str:
    """'Device.X.Y.3.' or 'Device.X.Y.3' -> '3'."""
    return path.rstrip(".").rsplit(".", 1)[-1]


def as_object(ref: str) -> str:
    """A TR-181 reference as stored ('Device.X.2') in the object path form ('Device.X.2.')."""
    ref = ref.strip()
    return ref if not ref or ref.endswith(".") else ref + "."


def references(text: str) -> list[str]:
    """A comma-separated list of references (ExecutionUnitList), as object paths."""
    return [as_object(ref) for ref in text.split(",") if ref.strip()]


# -- status translation -----------------------------------------------------------------------


def unit_install_status(du_status: str) -> ActionStatus:
    """A deployment unit's Status as the status of its install (or uninstall) action."""
    if du_status == DU_INSTALLED:
        return ActionStatus("install", Status.SUCCESSFUL)
    if du_status == "Uninstalling":
        return ActionStatus("uninstall", Status.IN_PROCESS)
    if du_status in DU_BUSY:
        return ActionStatus("install", Status.IN_PROCESS)
    return ActionStatus("", Status.UNINITIALIZED)


def unit_activation_status(eu_statuses: list[str]) -> ActionStatus:
    """The execution units' Status values as the status of an activate/deactivate action."""
    if not eu_statuses:
        return ActionStatus("", Status.UNINITIALIZED)
    if any(status in EU_TRANSITIONS for status in eu_statuses):
        action = "activate" if "Starting" in eu_statuses else "deactivate"
        return ActionStatus(action, Status.IN_PROCESS)
    if all(status == EU_ACTIVE for status in eu_statuses):
        return ActionStatus("activate", Status.SUCCESSFUL)
    return ActionStatus("deactivate", Status.SUCCESSFUL)


def keep_or_derive(remembered: ActionStatus | None, derived: ActionStatus) -> ActionStatus:
    """What a package shows after its device was read again.

    The device's state says what holds now; the action history says how it came about
    (uninstalled, failed). The remembered status stays while the state agrees with it, and
    gives way to the state when it contradicts it (a factory reset removed the package, someone
    else activated it).
    """
    if remembered is None or remembered.status == Status.UNINITIALIZED:
        return derived
    if remembered.status == Status.IN_PROCESS:
        return remembered if derived.status == Status.IN_PROCESS else derived
    if remembered.status == Status.FAILURE and remembered.action in ("install", "activate", "deactivate"):
        return remembered  # a failed action changed nothing: it agrees with any state
    installed = derived.action == "install" and derived.status == Status.SUCCESSFUL
    agrees = {
        ("install", Status.SUCCESSFUL): installed,
        ("uninstall", Status.SUCCESSFUL): not installed,
        ("uninstall", Status.FAILURE): installed,
        ("activate", Status.SUCCESSFUL): derived.action == "activate" and derived.status == Status.SUCCESSFUL,
        ("deactivate", Status.SUCCESSFUL): derived.action == "deactivate" and derived.status == Status.SUCCESSFUL,
    }
    return remembered if agrees.get((remembered.action, remembered.status), False) else derived
