"""Software module management: InstallDU, ExecutionUnit state changes,
DeploymentUnit Update and Uninstall, each reported by DUStateChange!."""

from __future__ import annotations

import pytest

from ipe_sdt.usp import ErrorCode
from ipe_sdt.usp.controller import UspAgentError

from .event_helpers import event_named, next_matching, onboard, value_change

SM = "Device.SoftwareModules."


@pytest.fixture
async def agent(controller, fleet_factory) -> str:
    fleet = fleet_factory(1, controller)
    (agent_id,) = await onboard(controller, fleet)
    await controller.subscribe(agent_id, "Event", [SM + "DUStateChange!", "Device.LocalAgent.TransferComplete!"])
    return agent_id


async def test_install_start_update_stop_uninstall(controller, agent):
    with controller.events() as stream:
        await controller.operate(agent, SM + "InstallDU()", {"URL": "https://apps.example/dimmer-1.0.2.tar"},
                                 command_key="install")
        installed = await next_matching(stream, event_named(agent, "DUStateChange!"))
    params = installed.notification.params
    assert params["OperationPerformed"] == "Install" and params["CurrentState"] == "Installed"
    assert params["Version"] == "1.0.2" and params["Fault.FaultCode"] == "0"
    du = params["DeploymentUnitRef"] + "."
    eu = params["ExecutionUnitRefList"] + "."
    values = await controller.get(agent, [du, eu])
    assert values[du + "Status"] == "Installed" and values[du + "Name"] == "dimmer"
    assert values[eu + "Status"] == "Idle"

    await controller.subscribe(agent, "ValueChange", [eu + "Status"])
    with controller.events() as stream:
        await controller.operate(agent, eu + "SetRequestedState()", {"RequestedState": "Active"})
        starting = await next_matching(stream, value_change(agent, eu + "Status"))
        active = await next_matching(stream, value_change(agent, eu + "Status"))
    assert (starting.notification.param_value, active.notification.param_value) == ("Starting", "Active")

    with controller.events() as stream:
        await controller.operate(agent, du + "Update()", {"URL": "https://apps.example/dimmer-1.1.0.tar"})
        updated = await next_matching(stream, event_named(agent, "DUStateChange!"))
    assert updated.notification.params["OperationPerformed"] == "Update"
    assert updated.notification.params["Version"] == "1.1.0"
    assert (await controller.get(agent, [eu + "Status"]))[eu + "Status"] == "Active"  # resumed after the update

    await controller.operate(agent, eu + "SetRequestedState()", {"RequestedState": "Idle"})
    with controller.events() as stream:
        await controller.operate(agent, du + "Uninstall()")
        removed = await next_matching(stream, event_named(agent, "DUStateChange!"))
    assert removed.notification.params["OperationPerformed"] == "Uninstall"
    assert removed.notification.params["CurrentState"] == "Uninstalled"
    assert await controller.get_instances(agent, [SM + "DeploymentUnit.", SM + "ExecutionUnit."]) == {}


async def test_install_refusals(controller, agent):
    url = {"URL": "https://apps.example/app-2.0.tar"}
    await controller.operate(agent, SM + "InstallDU()", url)
    with pytest.raises(UspAgentError) as info:
        await controller.operate(agent, SM + "InstallDU()", url)
    assert info.value.code == ErrorCode.COMMAND_FAILURE and "already installed" in info.value.message
    with pytest.raises(UspAgentError) as info:
        await controller.operate(agent, SM + "InstallDU()", {"URL": "https://x/y.tar",
                                                               "ExecutionEnvRef": SM + "ExecEnv.9"})
    assert info.value.code == ErrorCode.INVALID_COMMAND_ARGUMENTS


async def test_execution_unit_state_must_be_valid(controller, agent):
    await controller.operate(agent, SM + "InstallDU()", {"URL": "https://apps.example/tool-1.0.tar"})
    (eu,) = await controller.get_instances(agent, [SM + "ExecutionUnit."])
    with pytest.raises(UspAgentError) as info:
        await controller.operate(agent, eu + "SetRequestedState()", {"RequestedState": "Sleeping"})
    assert info.value.code == ErrorCode.INVALID_COMMAND_ARGUMENTS
