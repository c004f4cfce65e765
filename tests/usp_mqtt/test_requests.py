"""Get, Set, Add, Delete, GetInstances and GetSupportedDM from the Controller
to a simulated Agent over the broker, with TR-369 error codes on failure."""

from __future__ import annotations

import pytest

from ipe_sdt.usp import CmdType, ErrorCode, GetSupportedProtocol, GetSupportedProtocolResp, ObjAccess, ParamAccess
from ipe_sdt.usp.controller import UspAgentError

from .event_helpers import onboard

LIGHT = "Device.IoTCapability.1.BinaryControl.Value"
LEVEL = "Device.IoTCapability.2.LevelControl.Value"


@pytest.fixture
async def agent(controller, fleet_factory) -> str:
    fleet = fleet_factory(1, controller)
    (agent_id,) = await onboard(controller, fleet)
    return agent_id


async def test_get_device_info(controller, agent):
    values = await controller.get(agent, ["Device.DeviceInfo."])
    assert values["Device.DeviceInfo.ManufacturerOUI"] == "00D09E"
    assert values["Device.DeviceInfo.SoftwareVersion"] == "1.0.0"
    assert values["Device.DeviceInfo.FirmwareImage.1.Status"] == "Available"
    assert values["Device.DeviceInfo.FirmwareImage.2.Status"] == "NoImage"
    assert int(values["Device.DeviceInfo.UpTime"]) >= 0


async def test_get_with_wildcard_and_depth(controller, agent):
    values = await controller.get(agent, ["Device.IoTCapability.*.Class"])
    assert values == {"Device.IoTCapability.1.Class": "BinaryControl",
                      "Device.IoTCapability.2.Class": "LevelControl"}
    shallow = await controller.get(agent, ["Device.DeviceInfo."], max_depth=1)
    assert "Device.DeviceInfo.SerialNumber" in shallow
    assert not any(".FirmwareImage." in path for path in shallow)


async def test_get_of_missing_instance_is_empty_not_an_error(controller, agent):
    assert await controller.get(agent, ["Device.IoTCapability.9."]) == {}


async def test_get_unknown_path_is_7026(controller, agent):
    with pytest.raises(UspAgentError) as info:
        await controller.get(agent, ["Device.DeviceInfo.NoSuchThing"])
    assert info.value.code == ErrorCode.INVALID_PATH
    assert info.value.name == "Invalid path"
    assert info.value.failures[0].path == "Device.DeviceInfo.NoSuchThing"


async def test_get_response_keeps_partial_results(controller, agent):
    resp = await controller.get_response(agent, ["Device.DeviceInfo.SerialNumber", "Device.Bogus."])
    assert list(resp.flat()) == ["Device.DeviceInfo.SerialNumber"]
    assert resp.failures()["Device.Bogus."].err_code == ErrorCode.INVALID_PATH


async def test_bad_path_syntax_is_reported_by_the_agent(controller, agent):
    with pytest.raises(UspAgentError) as info:
        await controller.get(agent, ["Device..DeviceInfo"])
    assert info.value.code == ErrorCode.INVALID_PATH_SYNTAX


async def test_set_and_read_back(controller, agent):
    updated = await controller.set(agent, {LIGHT: True, LEVEL: 40})
    assert updated == {LIGHT: "true", LEVEL: "40"}
    assert await controller.get(agent, [LIGHT, LEVEL]) == {LIGHT: "true", LEVEL: "40"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"Device.DeviceInfo.SerialNumber": "X"}, ErrorCode.PARAMETER_READ_ONLY),
        ({LEVEL: 101}, ErrorCode.INVALID_VALUE),
        ({LEVEL: "bright"}, ErrorCode.INVALID_TYPE),
        ({LIGHT: "maybe"}, ErrorCode.INVALID_TYPE),
        ({"Device.IoTCapability.1.BinaryControl.Colour": "red"}, ErrorCode.UNSUPPORTED_PARAMETER),
        ({"Device.IoTCapability.7.BinaryControl.Value": True}, ErrorCode.OBJECT_DOES_NOT_EXIST),
        ({"Device.Nowhere.Value": 1}, ErrorCode.INVALID_PATH),
    ],
)
async def test_set_refusals_carry_the_tr369_code(controller, agent, params, code):
    with pytest.raises(UspAgentError) as info:
        await controller.set(agent, params)
    assert info.value.code == code


async def test_failed_set_changes_nothing(controller, agent):
    with pytest.raises(UspAgentError) as info:
        await controller.set(agent, {LIGHT: True, LEVEL: 500})
    assert [f.path for f in info.value.failures] == [LEVEL]
    assert await controller.get(agent, [LIGHT]) == {LIGHT: "false"}


async def test_set_with_allow_partial_writes_what_it_can(controller, agent):
    with pytest.raises(UspAgentError):
        await controller.set(agent, {LIGHT: True, LEVEL: 500}, allow_partial=True)
    assert await controller.get(agent, [LIGHT]) == {LIGHT: "true"}


async def test_add_get_instances_delete(controller, agent):
    added = await controller.add(agent, "Device.LocalAgent.Subscription.", {
        "ID": "mine", "NotifType": "ObjectCreation", "ReferenceList": "Device.SoftwareModules.DeploymentUnit.",
    })
    assert added.path == "Device.LocalAgent.Subscription.2."
    assert added.unique_keys == {"Recipient": "Device.LocalAgent.Controller.1", "ID": "mine"}
    instances = await controller.get_instances(agent, ["Device.LocalAgent.Subscription."])
    assert instances[added.path]["ID"] == "mine"
    assert await controller.delete(agent, [added.path]) == (added.path,)
    assert added.path not in await controller.get_instances(agent, ["Device.LocalAgent.Subscription."])
    # Deleting what is not there is not an error (TR-369): nothing is affected.
    assert await controller.delete(agent, [added.path]) == ()


async def test_add_refusals(controller, agent):
    with pytest.raises(UspAgentError) as info:
        await controller.add(agent, "Device.DeviceInfo.", {})
    assert info.value.code == ErrorCode.NOT_A_TABLE
    with pytest.raises(UspAgentError) as info:
        await controller.add(agent, "Device.IoTCapability.", {})
    assert info.value.code == ErrorCode.OBJECT_NOT_CREATABLE
    with pytest.raises(UspAgentError) as info:
        await controller.add(agent, "Device.LocalAgent.Subscription.", {"NotifType": "Sometimes"})
    assert info.value.code == ErrorCode.OBJECT_NOT_CREATED
    with pytest.raises(UspAgentError) as info:
        await controller.add(agent, "Device.LocalAgent.Subscription.", {"ID": "default-boot"})
    assert info.value.code == ErrorCode.DUPLICATE_UNIQUE_KEY


async def test_delete_refusals(controller, agent):
    with pytest.raises(UspAgentError) as info:
        await controller.delete(agent, ["Device.IoTCapability.1."])
    assert info.value.code == ErrorCode.DELETE_FAILURE
    with pytest.raises(UspAgentError) as info:
        await controller.delete(agent, ["Device.NoTable.1."])
    assert info.value.code == ErrorCode.INVALID_PATH


async def test_get_supported_dm(controller, agent):
    objects = await controller.get_supported_dm(agent, ["Device."])
    image = objects["Device.DeviceInfo.FirmwareImage.{i}."]
    assert image.is_multi_instance
    commands = {c.command_name: c for c in image.supported_commands}
    assert commands["Download()"].command_type == CmdType.ASYNC
    assert "URL" in commands["Download()"].input_arg_names
    root = objects["Device."]
    assert {c.command_name: c.command_type for c in root.supported_commands} == {
        "Reboot()": CmdType.SYNC, "FactoryReset()": CmdType.SYNC}
    assert [e.event_name for e in root.supported_events] == ["Boot!"]
    subs = objects["Device.LocalAgent.Subscription.{i}."]
    assert subs.access == ObjAccess.ADD_DELETE
    assert subs.unique_key_sets == (("Recipient", "ID"),)
    level = objects["Device.IoTCapability.{i}.LevelControl."]
    assert {p.param_name: p.access for p in level.supported_params}["Value"] == ParamAccess.READ_WRITE
    sm = objects["Device.SoftwareModules."]
    assert [e.event_name for e in sm.supported_events] == ["DUStateChange!"]


async def test_get_supported_dm_first_level_and_unknown(controller, agent):
    objects = await controller.get_supported_dm(agent, ["Device.SoftwareModules."], first_level_only=True)
    assert set(objects) == {"Device.SoftwareModules.", "Device.SoftwareModules.ExecEnv.{i}.",
                            "Device.SoftwareModules.DeploymentUnit.{i}.",
                            "Device.SoftwareModules.ExecutionUnit.{i}."}
    with pytest.raises(UspAgentError) as info:
        await controller.get_supported_dm(agent, ["Device.Unknown."])
    assert info.value.code == ErrorCode.INVALID_PATH


async def test_raw_request_for_other_messages(controller, agent):
    reply = await controller.request(agent, GetSupportedProtocol("1.4"))
    assert isinstance(reply.body, GetSupportedProtocolResp)
    assert "1.4" in reply.body.versions
