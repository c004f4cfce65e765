"""Firmware management as TR-181 ``Device.DeviceInfo.FirmwareImage.{i}.`` describes it.

``Download()`` (async) fills an inactive image bank: Status goes Downloading ->
Validating -> Available, ``Device.LocalAgent.TransferComplete!`` reports the
transfer, and ``AutoActivate`` activates the image afterwards.
``Activate()`` (async) makes the image the boot image and reboots; the Agent
comes back with ``Boot!`` (FirmwareUpdated true, the command key of the
Activate) and then reports the Activate complete.

Nothing is fetched: the simulator derives the image name and version from the
URL (``.../light-2.1.0.bin`` -> version ``2.1.0``). A file name containing
``corrupt`` fails validation, to exercise the failure path.
"""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from ipe_sdt.usp import ErrorCode

from .agent_context import AgentContext, utc_now
from .data_model import Obj, Table
from .request_processor import CommandCall, CommandError
from .value_types import canonical_bool

URL_SCHEMES = ("http", "https", "ftp", "file")
_VERSION = re.compile(r"(\d+(?:\.\d+)+)")
IMAGE_TABLE = "Device.DeviceInfo.FirmwareImage."


def file_name(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def version_from_url(url: str, fallback: str) -> str:
    match = _VERSION.search(file_name(url))
    return match.group(1) if match else fallback


def package_name(url: str) -> str:
    """``dimmer-1.0.2.tar`` -> ``dimmer``: the file name up to its version."""
    name = file_name(url)
    match = _VERSION.search(name)
    if match and match.start() > 0:
        return name[: match.start()].rstrip("-_.") or name
    return name.split(".", 1)[0] or name


def check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise CommandError(ErrorCode.INVALID_COMMAND_ARGUMENTS, f"invalid URL {url!r}") from exc
    if parts.scheme not in URL_SCHEMES or not file_name(url):
        raise CommandError(ErrorCode.INVALID_COMMAND_ARGUMENTS,
                           f"URL must be {'/'.join(URL_SCHEMES)} and name a file: {url!r}")
    return url


class FirmwareBehaviour:
    def __init__(self, agent: AgentContext) -> None:
        self._agent = agent

    def _device_info(self) -> Obj:
        node = self._agent.root.children["DeviceInfo"]
        assert isinstance(node, Obj)
        return node

    def active_image_path(self) -> str:
        return self._device_info().params["ActiveFirmwareImage"].get() + "."

    def image(self, ref: str) -> Obj | None:
        table = self._device_info().children["FirmwareImage"]
        assert isinstance(table, Table)
        number = ref.rstrip(".").rsplit(".", 1)[-1]
        return table.instances.get(int(number)) if number.isdigit() else None

    async def download(self, call: CommandCall) -> dict[str, str]:
        url = check_url(call.inputs.get("URL", ""))
        auto = canonical_bool(call.inputs.get("AutoActivate", "false") or "false")
        if auto is None:
            raise CommandError(ErrorCode.INVALID_COMMAND_ARGUMENTS, "AutoActivate is not a boolean")
        if call.obj_path == self.active_image_path():
            raise CommandError(ErrorCode.REQUEST_DENIED, "cannot download into the active firmware image")
        agent, image, path = self._agent, call.obj, call.obj_path
        started = utc_now()
        agent.update(image, path, "Available", "false")
        agent.update(image, path, "Status", "Downloading")
        await asyncio.sleep(agent.timings.transfer_time)
        agent.update(image, path, "Status", "Validating")
        fault = (0, "")
        if "corrupt" in file_name(url):
            agent.update(image, path, "Status", "ValidationFailed")
            fault = (ErrorCode.COMMAND_FAILURE, "image failed validation")
        else:
            agent.update(image, path, "Name", file_name(url))
            agent.update(image, path, "Version", version_from_url(url, file_name(url)))
            agent.update(image, path, "Status", "Available")
            agent.update(image, path, "Available", "true")
        agent.emit_event("Device.LocalAgent.", "TransferComplete!", {
            "Command": call.command_path, "CommandKey": call.command_key, "Requestor": call.originator,
            "TransferType": "Download", "Affected": path, "TransferURL": url, "StartTime": started,
            "CompleteTime": utc_now(), "FaultCode": str(fault[0]), "FaultString": fault[1],
        })
        if fault[0]:
            raise CommandError(*fault)
        if auto == "true":
            # After this command's OperationComplete has gone out.
            asyncio.get_running_loop().call_soon(self._activate_now, path, call.command_key)
        return {}

    def _activate_now(self, path: str, command_key: str) -> None:
        self._device_info().params["BootFirmwareImage"].value = path.rstrip(".")
        self._agent.request_reboot("RemoteReboot", command_key)

    async def activate(self, call: CommandCall) -> dict[str, str]:
        if call.obj.params["Status"].get() != "Available":
            raise CommandError(ErrorCode.COMMAND_FAILURE, f"{call.obj_path} holds no available image")
        self._agent.completes_through_reboot(call)
        self._activate_now(call.obj_path, call.command_key)
        # The reboot ends this command; its completion is reported after boot.
        await asyncio.Event().wait()
        return {}

    def apply_boot_image(self) -> bool:
        """At boot: run the boot image. True if the firmware version changed."""
        info = self._device_info()
        old_version = info.params["SoftwareVersion"].get()
        boot_ref = info.params["BootFirmwareImage"].get()
        image = self.image(boot_ref)
        if image is None or image.params["Status"].get() != "Available":
            info.params["BootFirmwareImage"].value = info.params["ActiveFirmwareImage"].get()
            return False
        info.params["ActiveFirmwareImage"].value = boot_ref
        return info.params["SoftwareVersion"].get() != old_version
