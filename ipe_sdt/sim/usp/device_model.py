"""The TR-181 Device:2 objects one simulated Agent exposes, in their factory state.

Covered: ``DeviceInfo`` (with two ``FirmwareImage`` banks), ``Reboot()``,
``FactoryReset()`` and ``Boot!``; ``LocalAgent`` (Controller, Subscription,
Request, ``TransferComplete!``); ``SoftwareModules`` (ExecEnv, DeploymentUnit,
ExecutionUnit, ``InstallDU()``, ``DUStateChange!``); ``IoTCapability`` for a
dimmable light (BinaryControl switch, LevelControl brightness).

Commands get their behaviour from ``CommandHandlers`` supplied by the Agent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ipe_sdt.usp import ObjAccess
from ipe_sdt.usp import ParamValueType as T

from .data_model import CommandHandler, CommandSpec, EventSpec, Obj, Param, Table

NOTIF_TYPES = ("ValueChange", "ObjectCreation", "ObjectDeletion", "OperationComplete", "Event")
FIRMWARE_STATUS = (
    "NoImage", "Downloading", "Validating", "Available", "DownloadFailed",
    "ValidationFailed", "InstallationFailed", "ActivationFailed",
)
DU_STATUS = ("Installing", "Installed", "Updating", "Uninstalling", "Uninstalled")
EU_STATUS = ("Idle", "Starting", "Active", "Stopping")
REQUEST_STATUS = ("Requested", "Active", "Canceling", "Canceled", "Success", "Error")

BOOT_EVENT_ARGS = ("CommandKey", "Cause", "FirmwareUpdated", "ParameterMap")
TRANSFER_COMPLETE_ARGS = (
    "Command", "CommandKey", "Requestor", "TransferType", "Affected", "TransferURL",
    "StartTime", "CompleteTime", "FaultCode", "FaultString",
)
DU_STATE_CHANGE_ARGS = (
    "UUID", "DeploymentUnitRef", "Version", "CurrentState", "Resolved", "ExecutionUnitRefList",
    "StartTime", "CompleteTime", "OperationPerformed", "Fault.FaultCode", "Fault.FaultString",
)
# Parameters reported in Boot!'s ParameterMap (Controller.{i}.BootParameter.{i}.).
BOOT_PARAMETERS = (
    "Device.DeviceInfo.ManufacturerOUI",
    "Device.DeviceInfo.ProductClass",
    "Device.DeviceInfo.SerialNumber",
    "Device.DeviceInfo.SoftwareVersion",
)


@dataclass(frozen=True)
class Identity:
    endpoint_id: str
    serial_number: str
    controller_id: str
    controller_topic: str
    manufacturer: str = "ipe-sdt simulator"
    oui: str = "00D09E"
    product_class: str = "USPSimLight"
    model_name: str = "USP-SIM-LIGHT"
    hardware_version: str = "1.0"
    software_version: str = "1.0.0"


@dataclass(frozen=True)
class CommandHandlers:
    reboot: CommandHandler
    factory_reset: CommandHandler
    download: CommandHandler
    activate: CommandHandler
    install_du: CommandHandler
    update_du: CommandHandler
    uninstall_du: CommandHandler
    set_requested_state: CommandHandler


def ro(value: str = "", kind: T = T.STRING, **kw: object) -> Param:
    return Param(value, kind, False, **kw)  # type: ignore[arg-type]


def rw(value: str = "", kind: T = T.STRING, **kw: object) -> Param:
    return Param(value, kind, True, **kw)  # type: ignore[arg-type]


def computed(getter: Callable[[], str], kind: T = T.STRING) -> Param:
    return Param("", kind, False, getter=getter)


def count_of(table: Table) -> Param:
    return computed(lambda: str(len(table.instances)), T.UNSIGNED_INT)


def firmware_image(name: str = "", version: str = "", status: str = "NoImage",
                   handlers: CommandHandlers | None = None) -> Obj:
    return Obj(
        params={
            "Alias": ro(""),
            "Name": ro(name),
            "Version": ro(version),
            "Available": rw("true" if status == "Available" else "false", T.BOOLEAN),
            "Status": ro(status, enum=FIRMWARE_STATUS),
            "BootFailureLog": ro(""),
        },
        commands={
            "Download()": CommandSpec(
                ("URL", "AutoActivate", "Username", "Password", "FileSize", "CheckSumAlgorithm", "CheckSum"),
                (),
                True,
                ("URL",),
                handlers.download if handlers else None,
            ),
            "Activate()": CommandSpec(
                ("TimeWindow.{i}.Start", "TimeWindow.{i}.End", "TimeWindow.{i}.Mode",
                 "TimeWindow.{i}.UserMessage", "TimeWindow.{i}.MaxRetries"),
                (),
                True,
                (),
                handlers.activate if handlers else None,
            ),
        },
    )


def subscription() -> Obj:
    return Obj(
        params={
            "Alias": rw(""),
            "Enable": rw("false", T.BOOLEAN),
            "ID": rw(""),
            "Recipient": rw(""),
            "NotifType": rw("ValueChange", enum=NOTIF_TYPES),
            "ReferenceList": rw(""),
            "Persistent": rw("false", T.BOOLEAN),
            "TimeToLive": rw("0", T.UNSIGNED_INT),
            "NotifRetry": rw("false", T.BOOLEAN),
            "NotifExpiration": rw("0", T.UNSIGNED_INT),
            "CreationDate": ro("0001-01-01T00:00:00Z", T.DATE_TIME),
        }
    )


def request_object() -> Obj:
    return Obj(
        params={
            "Originator": ro(""),
            "Command": ro(""),
            "CommandKey": ro(""),
            "Status": ro("Requested", enum=REQUEST_STATUS),
        }
    )


def controller_entry(identity: Identity) -> Obj:
    mtp = Table(lambda: Obj(params={"Enable": rw("true", T.BOOLEAN), "Protocol": rw("MQTT")},
                            children={"MQTT": Obj(params={"Topic": rw("")})}), ObjAccess.ADD_DELETE)
    number, first_mtp = mtp.add()
    assert isinstance(first_mtp.children["MQTT"], Obj)
    first_mtp.children["MQTT"].params["Topic"].value = identity.controller_topic
    boot_params = Table(lambda: Obj(params={"Enable": rw("false", T.BOOLEAN), "ParameterName": rw("")}),
                        ObjAccess.ADD_DELETE)
    for name in BOOT_PARAMETERS:
        _, entry = boot_params.add()
        entry.params["Enable"].value = "true"
        entry.params["ParameterName"].value = name
    return Obj(
        params={
            "Alias": rw("cpe-1"),
            "Enable": rw("true", T.BOOLEAN),
            "EndpointID": rw(identity.controller_id),
            "MTPNumberOfEntries": count_of(mtp),
            "BootParameterNumberOfEntries": count_of(boot_params),
        },
        children={"MTP": mtp, "BootParameter": boot_params},
    )


def deployment_unit(handlers: CommandHandlers | None = None) -> Obj:
    return Obj(
        params={
            "UUID": ro(""),
            "DUID": ro(""),
            "Alias": rw(""),
            "Name": ro(""),
            "Status": ro("Installing", enum=DU_STATUS),
            "Resolved": ro("false", T.BOOLEAN),
            "URL": ro(""),
            "Description": ro(""),
            "Vendor": ro(""),
            "Version": ro(""),
            "ExecutionUnitList": ro(""),
            "ExecutionEnvRef": ro(""),
        },
        commands={
            "Update()": CommandSpec(("URL", "Username", "Password"), (), True, (),
                                    handlers.update_du if handlers else None),
            "Uninstall()": CommandSpec((), (), True, (), handlers.uninstall_du if handlers else None),
        },
    )


def execution_unit(handlers: CommandHandlers | None = None) -> Obj:
    return Obj(
        params={
            "EUID": ro(""),
            "Alias": rw(""),
            "Name": ro(""),
            "ExecEnvLabel": ro(""),
            "Status": ro("Idle", enum=EU_STATUS),
            "ExecutionFaultCode": ro("NoFault"),
            "ExecutionFaultMessage": ro(""),
            "AutoStart": rw("false", T.BOOLEAN),
            "RunLevel": rw("0", T.UNSIGNED_INT),
            "Vendor": ro(""),
            "Version": ro(""),
            "Description": ro(""),
            "ExecutionEnvRef": ro(""),
        },
        commands={
            "SetRequestedState()": CommandSpec(("RequestedState",), (), False, ("RequestedState",),
                                               handlers.set_requested_state if handlers else None),
        },
    )


def iot_capability(cls: str = "BinaryControl", name: str = "") -> Obj:
    """One light capability; the prototype (no class) carries both sub-objects."""
    children: dict[str, Obj | Table] = {}
    if cls in ("BinaryControl", ""):
        children["BinaryControl"] = Obj(params={"Type": ro("Switch"), "Value": rw("false", T.BOOLEAN)})
    if cls in ("LevelControl", ""):
        children["LevelControl"] = Obj(
            params={
                "Type": ro("Brightness"),
                "Value": rw("100", T.UNSIGNED_INT, minimum=0, maximum=100),
                "MinValue": ro("0", T.UNSIGNED_INT),
                "MaxValue": ro("100", T.UNSIGNED_INT),
                "Unit": ro("%"),
            }
        )
    return Obj(params={"Name": ro(name), "Class": ro(cls or "BinaryControl")}, children=children)


def build_device(
    identity: Identity,
    handlers: CommandHandlers,
    uptime: Callable[[], str],
    agent_uptime: Callable[[], str],
) -> Obj:
    """A fresh Device. tree in its factory default state."""
    images = Table(lambda: firmware_image(handlers=handlers))
    images.add(firmware_image(f"{identity.model_name}-{identity.software_version}", identity.software_version,
                              "Available", handlers))
    images.add(firmware_image(handlers=handlers))

    def active_version() -> str:
        ref = device_info.params["ActiveFirmwareImage"].get()
        number = ref.rstrip(".").rsplit(".", 1)[-1]
        image = images.instances.get(int(number)) if number.isdigit() else None
        return image.params["Version"].get() if image is not None else identity.software_version

    device_info = Obj(
        params={
            "Manufacturer": ro(identity.manufacturer),
            "ManufacturerOUI": ro(identity.oui),
            "ModelName": ro(identity.model_name),
            "Description": ro("Simulated USP Agent: a dimmable light"),
            "ProductClass": ro(identity.product_class),
            "SerialNumber": ro(identity.serial_number),
            "HardwareVersion": ro(identity.hardware_version),
            "SoftwareVersion": computed(lambda: active_version()),
            "UpTime": computed(uptime, T.UNSIGNED_INT),
            "ActiveFirmwareImage": ro("Device.DeviceInfo.FirmwareImage.1"),
            "BootFirmwareImage": rw("Device.DeviceInfo.FirmwareImage.1"),
            "FirmwareImageNumberOfEntries": count_of(images),
        },
        children={"FirmwareImage": images},
    )

    controllers = Table(lambda: controller_entry(identity), ObjAccess.ADD_DELETE, ("EndpointID",))
    controllers.add()
    subscriptions = Table(subscription, ObjAccess.ADD_DELETE, ("Recipient", "ID"))
    # Factory default: the Controller learns about every boot (TR-369 Boot!),
    # retried until acknowledged.
    _, boot_sub = subscriptions.add()
    for name, value in {
        "Enable": "true", "ID": "default-boot", "Recipient": "Device.LocalAgent.Controller.1",
        "NotifType": "Event", "ReferenceList": "Device.Boot!", "Persistent": "true", "NotifRetry": "true",
    }.items():
        boot_sub.params[name].value = value
    requests = Table(request_object)
    local_agent = Obj(
        params={
            "EndpointID": ro(identity.endpoint_id),
            "SoftwareVersion": ro(identity.software_version),
            "UpTime": computed(agent_uptime, T.UNSIGNED_INT),
            "SupportedProtocols": ro("MQTT"),
            "ControllerNumberOfEntries": count_of(controllers),
            "SubscriptionNumberOfEntries": count_of(subscriptions),
            "RequestNumberOfEntries": count_of(requests),
        },
        children={"Controller": controllers, "Subscription": subscriptions, "Request": requests},
        events={"TransferComplete!": EventSpec(TRANSFER_COMPLETE_ARGS)},
    )

    exec_envs = Table(lambda: Obj(params={
        "Enable": rw("true", T.BOOLEAN), "Status": ro("Up"), "Name": ro(""), "Type": ro(""),
        "Vendor": ro(""), "Version": ro(""),
    }))
    _, ee = exec_envs.add()
    for name, value in {"Name": "sim-ee", "Type": "Linux", "Vendor": identity.manufacturer,
                        "Version": "1.0"}.items():
        ee.params[name].value = value
    dus = Table(lambda: deployment_unit(handlers), ObjAccess.READ_ONLY, ("UUID", "ExecutionEnvRef"))
    eus = Table(lambda: execution_unit(handlers), ObjAccess.READ_ONLY, ("EUID",))
    software_modules = Obj(
        params={
            "ExecEnvNumberOfEntries": count_of(exec_envs),
            "DeploymentUnitNumberOfEntries": count_of(dus),
            "ExecutionUnitNumberOfEntries": count_of(eus),
        },
        children={"ExecEnv": exec_envs, "DeploymentUnit": dus, "ExecutionUnit": eus},
        commands={
            "InstallDU()": CommandSpec(("URL", "UUID", "Username", "Password", "ExecutionEnvRef"), (), True,
                                       ("URL",), handlers.install_du),
        },
        events={"DUStateChange!": EventSpec(DU_STATE_CHANGE_ARGS)},
    )

    capabilities = Table(lambda: iot_capability(""))
    capabilities.add(iot_capability("BinaryControl", "Light switch"))
    capabilities.add(iot_capability("LevelControl", "Light brightness"))

    return Obj(
        params={
            "RootDataModelVersion": ro("2.17"),
            "IoTCapabilityNumberOfEntries": count_of(capabilities),
        },
        children={
            "DeviceInfo": device_info,
            "LocalAgent": local_agent,
            "SoftwareModules": software_modules,
            "IoTCapability": capabilities,
        },
        commands={
            "Reboot()": CommandSpec((), (), False, (), handlers.reboot),
            "FactoryReset()": CommandSpec((), (), False, (), handlers.factory_reset),
        },
        events={"Boot!": EventSpec(BOOT_EVENT_ARGS)},
    )
