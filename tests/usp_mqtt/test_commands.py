"""Operate: synchronous and asynchronous commands, OperationComplete, Reboot
with Boot!, firmware Download/Activate with TransferComplete!, FactoryReset."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ipe_sdt.usp import CommandFailure, ErrorCode, OutputArgs
from ipe_sdt.usp.controller import AgentOffline, AgentOnline, UspAgentError

from .conftest import FAST_TIMINGS
from .event_helpers import booted, event_named, next_matching, onboard, operation_complete

IMAGE2 = "Device.DeviceInfo.FirmwareImage.2."


@pytest.fixture
async def agent(controller, fleet_factory) -> str:
    fleet = fleet_factory(1, controller)
    (agent_id,) = await onboard(controller, fleet)
    return agent_id


async def test_async_download_waits_for_operation_complete(controller, agent):
    await controller.subscribe(agent, "Event", ["Device.LocalAgent.TransferComplete!"])
    with controller.events() as stream:
        result = await controller.operate(agent, IMAGE2 + "Download()",
                                          {"URL": "https://fw.example/light-2.1.0.bin"}, command_key="dl-1")
        transfer = await next_matching(stream, event_named(agent, "TransferComplete!"))
    assert result.completed and result.command_key == "dl-1"
    assert result.request_path is not None and result.request_path.startswith("Device.LocalAgent.Request.")
    params = transfer.notification.params
    assert params["CommandKey"] == "dl-1" and params["TransferType"] == "Download"
    assert params["Affected"] == IMAGE2 and params["FaultCode"] == "0"
    assert params["TransferURL"] == "https://fw.example/light-2.1.0.bin"
    values = await controller.get(agent, [IMAGE2])
    assert values[IMAGE2 + "Status"] == "Available" and values[IMAGE2 + "Version"] == "2.1.0"
    # The Request object is gone once the command completed.
    assert await controller.get_instances(agent, ["Device.LocalAgent.Request."]) == {}


async def test_completion_subscription_is_created_once_and_reused(controller, agent):
    url = {"URL": "https://fw.example/light-2.2.0.bin"}
    await controller.operate(agent, IMAGE2 + "Download()", url)
    await controller.operate(agent, IMAGE2 + "Download()", url)
    subs = await controller.get(agent, ["Device.LocalAgent.Subscription.*.ReferenceList"])
    assert list(subs.values()).count("Device.DeviceInfo.FirmwareImage.*.Download()") == 1


async def test_async_command_without_waiting_reports_later(controller, agent):
    await controller.ensure_subscription(agent, "OperationComplete", "Device.DeviceInfo.FirmwareImage.*.Download()")
    with controller.events() as stream:
        started = await controller.operate(agent, IMAGE2 + "Download()", {"URL": "https://fw.example/x-3.0.bin"},
                                           command_key="later", wait_for_completion=False)
        done = await next_matching(stream, operation_complete(agent, "later"))
    assert not started.completed and started.request_path
    assert isinstance(done.notification.outcome, OutputArgs)
    assert done.notification.obj_path == IMAGE2 and done.notification.command_name == "Download()"


async def test_failed_async_command_raises_with_the_agents_code(controller, agent):
    await controller.subscribe(agent, "Event", ["Device.LocalAgent.TransferComplete!"])
    with controller.events() as stream:
        with pytest.raises(UspAgentError) as info:
            await controller.operate(agent, IMAGE2 + "Download()", {"URL": "https://fw.example/corrupt-9.bin"})
        transfer = await next_matching(stream, event_named(agent, "TransferComplete!"))
    assert info.value.code == ErrorCode.COMMAND_FAILURE
    assert transfer.notification.params["FaultCode"] == str(int(ErrorCode.COMMAND_FAILURE))
    assert (await controller.get(agent, [IMAGE2 + "Status"]))[IMAGE2 + "Status"] == "ValidationFailed"


@pytest.mark.parametrize(
    ("command", "args", "code"),
    [
        (IMAGE2 + "Download()", {}, ErrorCode.INVALID_COMMAND_ARGUMENTS),
        (IMAGE2 + "Download()", {"URL": "gopher://x/y.bin"}, ErrorCode.INVALID_COMMAND_ARGUMENTS),
        ("Device.DeviceInfo.FirmwareImage.1.Download()", {"URL": "http://x/a-1.1.bin"}, ErrorCode.REQUEST_DENIED),
        (IMAGE2 + "Activate()", {}, ErrorCode.COMMAND_FAILURE),
    ],
)
async def test_command_failures(controller, agent, command, args, code):
    with pytest.raises(UspAgentError) as info:
        await controller.operate(agent, command, args)
    assert info.value.code == code


async def test_unknown_command_and_instance(controller, agent):
    with pytest.raises(UspAgentError) as info:
        await controller.operate(agent, "Device.SelfDestruct()", wait_for_completion=False)
    assert info.value.code == ErrorCode.INVALID_PATH
    with pytest.raises(UspAgentError) as info:
        await controller.operate(agent, "Device.DeviceInfo.FirmwareImage.5.Download()", {"URL": "http://x/a.bin"},
                                 wait_for_completion=False)
    assert info.value.code == ErrorCode.OBJECT_DOES_NOT_EXIST


async def test_operate_rejects_non_command_paths_locally(controller, agent):
    with pytest.raises(ValueError, match="not a command"):
        await controller.operate(agent, "Device.DeviceInfo.")
    with pytest.raises(ValueError):
        await controller.operate(agent, "Device.IoTCapability.*.Reboot()")


async def test_reboot_comes_back_with_the_command_key(controller, agent):
    with controller.events() as stream:
        result = await controller.operate(agent, "Device.Reboot()", command_key="reboot-42")
        offline = await next_matching(stream, lambda e: isinstance(e, AgentOffline))
        online = await next_matching(stream, lambda e: isinstance(e, AgentOnline))
        boot = await next_matching(stream, booted(agent))
    assert result.completed and result.request_path is None and result.output_args == {}
    assert "rebooting" in offline.reason
    assert online.agent.endpoint_id == agent
    assert boot.boot.cause == "RemoteReboot" and boot.boot.command_key == "reboot-42"
    assert not boot.boot.firmware_updated
    assert controller.agent(agent).boot.command_key == "reboot-42"
    assert (await controller.get(agent, ["Device.LocalAgent.EndpointID"]))["Device.LocalAgent.EndpointID"] == agent


async def test_firmware_download_and_activate(controller, agent):
    with controller.events() as stream:
        await controller.operate(agent, IMAGE2 + "Download()", {"URL": "https://fw.example/light-2.5.0.bin"})
        activated = await controller.operate(agent, IMAGE2 + "Activate()", command_key="fw-activate")
        boot = await next_matching(stream, booted(agent))
    assert activated.completed
    assert boot.boot.firmware_updated and boot.boot.command_key == "fw-activate"
    assert boot.boot.parameters["Device.DeviceInfo.SoftwareVersion"] == "2.5.0"
    values = await controller.get(agent, ["Device.DeviceInfo.SoftwareVersion", "Device.DeviceInfo.ActiveFirmwareImage"])
    assert values == {"Device.DeviceInfo.SoftwareVersion": "2.5.0",
                      "Device.DeviceInfo.ActiveFirmwareImage": "Device.DeviceInfo.FirmwareImage.2"}


async def test_download_with_auto_activate_reboots_into_the_image(controller, agent):
    with controller.events() as stream:
        await controller.operate(agent, IMAGE2 + "Download()",
                                 {"URL": "https://fw.example/light-3.0.0.bin", "AutoActivate": True},
                                 command_key="auto")
        boot = await next_matching(stream, booted(agent))
    assert boot.boot.firmware_updated and boot.boot.command_key == "auto"


async def test_factory_reset_onboards_again_and_forgets_subscriptions(controller, agent):
    await controller.subscribe(agent, "ValueChange", ["Device.IoTCapability.1.BinaryControl.Value"])
    await controller.set(agent, {"Device.IoTCapability.2.LevelControl.Value": 10})
    with controller.events() as stream:
        await controller.operate(agent, "Device.FactoryReset()", command_key="wipe")
        boot = await next_matching(stream, booted(agent))
    assert boot.boot.cause == "RemoteFactoryReset" and boot.boot.factory_reset
    assert controller.agent(agent).onboard is not None
    subs = await controller.get(agent, ["Device.LocalAgent.Subscription.*.ID"])
    assert list(subs.values()) == ["default-boot"]
    level = "Device.IoTCapability.2.LevelControl.Value"
    assert await controller.get(agent, [level]) == {level: "100"}


async def test_interrupted_command_is_reported_failed_after_boot(controller, fleet_factory):
    slow = fleet_factory(1, controller, timings=replace(FAST_TIMINGS, transfer_time=30.0))
    (agent_id,) = await onboard(controller, slow)
    sim = slow.agents[0]
    await controller.ensure_subscription(agent_id, "OperationComplete", "Device.DeviceInfo.FirmwareImage.*.Download()")
    with controller.events() as stream:
        started = await controller.operate(agent_id, IMAGE2 + "Download()", {"URL": "https://fw.example/big-9.bin"},
                                           command_key="cut", wait_for_completion=False)
        assert not started.completed
        await sim.reboot("LocalReboot")
        boot = await next_matching(stream, booted(agent_id))
        done = await next_matching(stream, operation_complete(agent_id, "cut"))
    assert boot.boot.cause == "LocalReboot"
    assert isinstance(done.notification.outcome, CommandFailure)
    assert done.notification.outcome.err_code == ErrorCode.COMMAND_FAILURE
    assert "reboot" in done.notification.outcome.err_msg
