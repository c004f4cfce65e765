"""Where the neutral device picture lives in LwM2M (OMA objects 3, 5, 9, 3311, 3342), as data.

Each table maps a field of ``ipe_sdt.devices`` to a resource ID, and the functions below turn
the objects' state machines (Firmware Update State/Update Result, Software Management Update
State/Update Result/Activation State) into m2m:actionStatus.
"""

from __future__ import annotations

from ipe_sdt.devices import ActionStatus, Status

DEVICE, FIRMWARE, SOFTWARE, LIGHT, SWITCH = 3, 5, 9, 3311, 3342

# Object 3 (Device), instance 0.
DEVICE_INFO = {"manufacturer": 0, "model": 1, "deviceLabel": 2, "fwVersion": 3,
               "deviceType": 17, "hwVersion": 18, "swVersion": 19}
MEMORY = {"memAvailable": 10, "memTotal": 21}
BATTERY = {"batteryLevel": 9, "batteryStatus": 20}
REBOOT, FACTORY_RESET = 4, 5

# Object 5 (Firmware Update), instance 0.
FW_PACKAGE_URI, FW_UPDATE, FW_STATE, FW_RESULT, FW_NAME, FW_VERSION = 1, 2, 3, 5, 6, 7
FW_IDLE, FW_DOWNLOADING, FW_DOWNLOADED, FW_UPDATING = 0, 1, 2, 3
FW_RESULT_SUCCESS = 1

# Object 9 (Software Management), one instance per package.
SW_NAME, SW_VERSION, SW_PACKAGE_URI, SW_INSTALL, SW_UNINSTALL = 0, 1, 3, 4, 6
SW_STATE, SW_RESULT, SW_ACTIVATE, SW_DEACTIVATE, SW_ACTIVE = 7, 9, 10, 11, 12
SW_INITIAL, SW_DOWNLOAD_STARTED, SW_DOWNLOADED, SW_DELIVERED, SW_INSTALLED = 0, 1, 2, 3, 4
SW_RESULT_INSTALLED = 2
SW_RESULT_FIRST_FAILURE = 50

# Object 3311 (Light Control) and 3342 (On/Off switch).
LIGHT_ON, LIGHT_DIMMER = 5850, 5851
SWITCH_STATE = 5500


def firmware_status(state: int | None, result: int | None) -> ActionStatus:
    """Firmware State and Update Result as the status of an 'update' action."""
    if result == FW_RESULT_SUCCESS:
        return ActionStatus("update", Status.SUCCESSFUL)
    if result is not None and result > FW_RESULT_SUCCESS:
        return ActionStatus("update", Status.FAILURE)
    if state in (FW_DOWNLOADING, FW_DOWNLOADED, FW_UPDATING):
        return ActionStatus("update", Status.IN_PROCESS)
    return ActionStatus("", Status.UNINITIALIZED)


def install_status(state: int | None, result: int | None) -> ActionStatus:
    """Software Update State and Update Result as the status of an 'install' action."""
    if result is not None and result >= SW_RESULT_FIRST_FAILURE:
        return ActionStatus("install", Status.FAILURE)
    if state == SW_INSTALLED or result == SW_RESULT_INSTALLED:
        return ActionStatus("install", Status.SUCCESSFUL)
    if state in (SW_DOWNLOAD_STARTED, SW_DOWNLOADED, SW_DELIVERED):
        return ActionStatus("install", Status.IN_PROCESS)
    return ActionStatus("", Status.UNINITIALIZED)


def activation_status(active: bool | None) -> ActionStatus:
    if active is None:
        return ActionStatus("", Status.UNINITIALIZED)
    return ActionStatus("activate" if active else "deactivate", Status.SUCCESSFUL)


def battery_status(lwm2m: int) -> int:
    """LwM2M Battery Status (0 normal ... 6 unknown) as oneM2M m2m:batteryStatus (1 ... 7)."""
    return lwm2m + 1 if 0 <= lwm2m <= 6 else 7
