"""USP Agents managed through the oneM2M API, exactly as LwM2M devices are: onboarding, device
info, a light both ways, reboot with Boot!, firmware download and activation, software install,
activate, deactivate, update and uninstall. Simulated Agents over a real mosquitto broker; the
test talks to the CSE over HTTP only, and looks at the simulated devices to see what they did."""

from ipe_sdt.usp import Operate
from tests.ipe.conftest import eventually
from tests.ipe.usp_conftest import attribute, light_of, node_of, press, ready, shown, sim_value, status
from tests.notification_receiver import NotificationReceiver

SWITCH = "Device.IoTCapability.1.BinaryControl.Value"
LEVEL = "Device.IoTCapability.2.LevelControl.Value"
FW = "https://fw.example"
APPS = "https://apps.example"


async def one_agent(usp_app, usp_admin, usp_agents, **kw):
    fleet = await usp_agents(usp_app.usp_endpoint_id, **kw)
    await ready(usp_admin, fleet.agents[0])
    return fleet.agents[0]


async def test_connecting_agents_appear_as_nodes_with_mgmt_objects_and_a_light(usp_app, usp_admin, usp_agents):
    # One Agent announces its first boot with an OnBoardRequest, the other with Boot! alone.
    fleet = await usp_agents(usp_app.usp_endpoint_id, 1)
    quiet = await one_agent(usp_app, usp_admin, usp_agents, onboard_request=False)
    for agent in (fleet.agents[0], quiet):
        node = (await shown(usp_admin, node_of(agent))).pc
        assert node["ni"] == agent.endpoint_id and node["mgca"].startswith("mqtt://127.0.0.1:")
        assert node["mgca"].endswith(f"/usp/agent/{agent.endpoint_id}")
        assert "protocol:usp" in node["lbl"] and "reachable:true" in node["lbl"]
        info = (await shown(usp_admin, f"{node_of(agent)}/deviceInfo")).pc
        assert info["mgd"] == 1007 and info["ptl"] == ["usp"]
        assert info["obis"] == ["urn:broadband-forum-org:tr-181-2-17-0-usp"] and info["obps"] == ["Device.DeviceInfo."]
        assert info["man"] == sim_value(agent, "Device.DeviceInfo.Manufacturer")
        assert info["mod"] == sim_value(agent, "Device.DeviceInfo.ModelName")
        assert info["dlb"] == agent.identity.serial_number
        assert info["dty"] == sim_value(agent, "Device.DeviceInfo.ProductClass")
        assert info["fwv"] == sim_value(agent, "Device.DeviceInfo.SoftwareVersion") == "1.0.0"
        assert info["hwv"] == sim_value(agent, "Device.DeviceInfo.HardwareVersion")
        reboot = (await shown(usp_admin, f"{node_of(agent)}/reboot")).pc
        assert reboot["mgd"] == 1009 and reboot["obps"] == ["Device.Reboot()", "Device.FactoryReset()"]
        firmware = (await shown(usp_admin, f"{node_of(agent)}/firmware")).pc
        assert firmware["mgd"] == 1001 and firmware["vr"] == "1.0.0" and firmware["uds"] == {"acn": "", "sus": 0}
        assert firmware["obps"] == ["Device.DeviceInfo.FirmwareImage."]
        software = (await shown(usp_admin, f"{node_of(agent)}/software-0")).pc
        assert software["mgd"] == 1002 and software["obps"] == ["Device.SoftwareModules.DeploymentUnit."]
        light = (await shown(usp_admin, light_of(agent))).body["cod:devLt"]
        assert light["nodLk"] == node["ri"] and light["cnd"] == "org.onem2m.common.device.deviceLight"
        switch = (await shown(usp_admin, f"{light_of(agent)}/binarySwitch")).body["cod:binSh"]
        assert switch["state"] is False and sim_value(agent, SWITCH) == "false"
        brightness = (await shown(usp_admin, f"{light_of(agent)}/brightness")).body["cod:brigs"]
        assert brightness["brigs"] == int(sim_value(agent, LEVEL)) == 100
        assert (await shown(usp_admin, f"{light_of(agent)}/binarySwitch/toggle")).rsc == 2000


async def test_switching_the_light_sets_the_agent_value(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    path = f"{light_of(agent)}/binarySwitch"
    await shown(usp_admin, path)
    for state in (True, False, True):
        reply = await usp_admin.update(path, {"cod:binSh": {"state": state}})
        assert reply.rsc == 2004, reply
        # Acknowledged only after the Agent did it.
        assert sim_value(agent, SWITCH) == ("true" if state else "false")
        assert (await usp_admin.retrieve(path)).body["cod:binSh"]["state"] is state


async def test_brightness_and_toggle(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    await shown(usp_admin, f"{light_of(agent)}/binarySwitch/toggle")
    assert (await usp_admin.update(f"{light_of(agent)}/brightness", {"cod:brigs": {"brigs": 40}})).rsc == 2004
    assert sim_value(agent, LEVEL) == "40"
    assert (await usp_admin.update(f"{light_of(agent)}/binarySwitch/toggle", {"cod:togge": {}})).rsc == 2004
    assert sim_value(agent, SWITCH) == "true"
    assert (await usp_admin.retrieve(f"{light_of(agent)}/binarySwitch")).body["cod:binSh"]["state"] is True


async def test_agent_side_changes_update_the_light_and_notify(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    receiver = await NotificationReceiver().start()
    try:
        path = f"{light_of(agent)}/binarySwitch"
        await shown(usp_admin, path)
        sub = {"m2m:sub": {"rn": "watch", "nu": [receiver.url], "enc": {"net": [1]}}}
        assert (await usp_admin.create(path, 23, sub)).rsc == 2001
        press(agent, True)  # someone switches the lamp at the lamp
        notes = await receiver.wait_notifications(1, timeout=15)
        assert notes[-1].sgn["nev"]["rep"]["cod:binSh"]["state"] is True
        press(agent, False)
        notes = await receiver.wait_notifications(2, timeout=15)
        assert notes[-1].sgn["nev"]["rep"]["cod:binSh"]["state"] is False
        capability = agent.root.children["IoTCapability"].instances[2]
        agent.update(capability.children["LevelControl"], "Device.IoTCapability.2.LevelControl.", "Value", "25")
        await attribute(usp_admin, f"{light_of(agent)}/brightness", "brigs", 25)
    finally:
        await receiver.stop()


async def test_reboot_is_done_when_the_agent_boots_with_our_command_key(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    await shown(usp_admin, f"{node_of(agent)}/reboot")
    boots = agent.stats.boots
    reply = await usp_admin.update(f"{node_of(agent)}/reboot", {"m2m:rbo": {"rbo": True}})
    assert reply.rsc == 2004, reply
    # The answer came after the Agent's Boot!: it has booted once more, and is shown reachable.
    assert agent.stats.boots == boots + 1
    assert "reachable:true" in (await usp_admin.retrieve(node_of(agent))).pc["lbl"]
    # ... and it still works.
    assert (await usp_admin.update(f"{light_of(agent)}/binarySwitch", {"cod:binSh": {"state": True}})).rsc == 2004


async def test_factory_reset_shows_the_agent_as_it_is_afterwards(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    brightness = f"{light_of(agent)}/brightness"
    await shown(usp_admin, brightness)
    assert (await usp_admin.update(brightness, {"cod:brigs": {"brigs": 10}})).rsc == 2004
    reply = await usp_admin.update(f"{node_of(agent)}/reboot", {"m2m:rbo": {"far": True}})
    assert reply.rsc == 2004, reply
    assert sim_value(agent, LEVEL) == "100"
    await attribute(usp_admin, brightness, "brigs", 100)
    # Our subscriptions were wiped by the reset and made again: device-side changes still arrive.
    press(agent, True)
    await attribute(usp_admin, f"{light_of(agent)}/binarySwitch", "state", True)


async def test_firmware_download_and_activation(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    path = f"{node_of(agent)}/firmware"
    await shown(usp_admin, path)
    reply = await usp_admin.update(path, {"m2m:fwr": {"url": f"{FW}/light-2.1.0.bin", "ud": True}})
    assert reply.rsc == 2004 and reply.pc["ud"] is False
    await status(usp_admin, path, "uds", "update", 3)  # reported at once
    await status(usp_admin, path, "uds", "update", 1)  # after the Agent booted into the image
    assert sim_value(agent, "Device.DeviceInfo.ActiveFirmwareImage") == "Device.DeviceInfo.FirmwareImage.2"
    assert agent.stats.boots == 2
    assert (await usp_admin.retrieve(path)).pc["vr"] == "2.1.0"
    assert (await usp_admin.retrieve(f"{node_of(agent)}/deviceInfo")).pc["fwv"] == "2.1.0"
    # A second update goes into the other bank, now the one not running.
    reply = await usp_admin.update(path, {"m2m:fwr": {"url": f"{FW}/light-2.2.0.bin", "ud": True}})
    assert reply.rsc == 2004
    await attribute(usp_admin, path, "vr", "2.2.0")
    await status(usp_admin, path, "uds", "update", 1)
    assert sim_value(agent, "Device.DeviceInfo.ActiveFirmwareImage") == "Device.DeviceInfo.FirmwareImage.1"


async def test_firmware_that_fails_validation_reports_failure(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    path = f"{node_of(agent)}/firmware"
    await shown(usp_admin, path)
    reply = await usp_admin.update(path, {"m2m:fwr": {"url": f"{FW}/light-corrupt-9.bin", "ud": True}})
    assert reply.rsc == 2004
    await status(usp_admin, path, "uds", "update", 2)
    assert agent.stats.boots == 1  # nothing was activated
    assert (await usp_admin.retrieve(f"{node_of(agent)}/deviceInfo")).pc["fwv"] == "1.0.0"


async def test_firmware_url_the_agent_refuses(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    path = f"{node_of(agent)}/firmware"
    await shown(usp_admin, path)
    # The Agent takes the command and then fails it (USP 7027 in its OperationComplete).
    reply = await usp_admin.update(path, {"m2m:fwr": {"url": "gopher://fw.example/x.bin", "ud": True}})
    assert reply.rsc == 2004
    await status(usp_admin, path, "uds", "update", 2)
    assert agent.stats.boots == 1


async def test_software_install_activate_deactivate_update_uninstall(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    path = f"{node_of(agent)}/software-0"
    await shown(usp_admin, path)
    install = {"m2m:swr": {"url": f"{APPS}/dimmer-1.0.2.tar", "in": True}}
    assert (await usp_admin.update(path, install)).rsc == 2004
    await status(usp_admin, path, "ins", "install", 1)
    shown_package = (await usp_admin.retrieve(path)).pc
    assert shown_package["swn"] == "dimmer" and shown_package["vr"] == "1.0.2"
    unit = "Device.SoftwareModules.DeploymentUnit.1."
    execution_unit = "Device.SoftwareModules.ExecutionUnit.1."
    assert sim_value(agent, unit + "Status") == "Installed"
    assert sim_value(agent, unit + "Alias") == "onem2m-software-0"  # the slot's unit, marked on the Agent

    assert (await usp_admin.update(path, {"m2m:swr": {"act": True}})).rsc == 2004
    await status(usp_admin, path, "acts", "activate", 1)
    assert sim_value(agent, execution_unit + "Status") == "Active"
    assert (await usp_admin.update(path, {"m2m:swr": {"dea": True}})).rsc == 2004
    await status(usp_admin, path, "acts", "deactivate", 1)
    assert sim_value(agent, execution_unit + "Status") == "Idle"

    update = {"m2m:swr": {"url": f"{APPS}/dimmer-1.1.0.tar", "in": True}}
    assert (await usp_admin.update(path, update)).rsc == 2004
    await attribute(usp_admin, path, "vr", "1.1.0")
    await status(usp_admin, path, "ins", "install", 1)
    assert sim_value(agent, unit + "Version") == "1.1.0"

    assert (await usp_admin.update(path, {"m2m:swr": {"un": True}})).rsc == 2004
    await status(usp_admin, path, "ins", "uninstall", 1)
    assert sim_value(agent, "Device.SoftwareModules.DeploymentUnitNumberOfEntries") == "0"
    # The slot is free again: a new install goes in.
    assert (await usp_admin.update(path, {"m2m:swr": {"url": f"{APPS}/clock-3.0.tar", "in": True}})).rsc == 2004
    await attribute(usp_admin, path, "swn", "clock")


async def test_activating_what_is_not_installed_is_refused(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    path = f"{node_of(agent)}/software-0"
    await shown(usp_admin, path)
    for trigger in ("act", "dea", "un"):
        reply = await usp_admin.update(path, {"m2m:swr": {trigger: True}})
        assert reply.rsc == 4127 and "nothing is installed" in reply.body["m2m:dbg"], reply
    reply = await usp_admin.update(path, {"m2m:swr": {"in": True}})
    assert reply.rsc == 4127 and "URL" in reply.body["m2m:dbg"]


async def test_units_installed_by_others_are_packages_of_their_own(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    slot = f"{node_of(agent)}/software-0"
    await shown(usp_admin, slot)
    # Someone else installs a unit on the Agent (as another Controller would).
    agent.processor.operate(Operate("Device.SoftwareModules.InstallDU()", {"URL": f"{APPS}/meter-4.2.tar"},
                                    "other", True), "self::someone-else")

    async def installed():
        return sim_value(agent, "Device.SoftwareModules.DeploymentUnitNumberOfEntries") == "1"

    await eventually(installed)
    # The IPE reads the Agent again when it boots, and finds the unit.
    assert (await usp_admin.update(f"{node_of(agent)}/reboot", {"m2m:rbo": {"rbo": True}})).rsc == 2004
    other = f"{node_of(agent)}/software-1"
    package = (await shown(usp_admin, other)).pc
    assert package["swn"] == "meter" and package["vr"] == "4.2"
    assert package["ins"] == {"acn": "install", "sus": 1}
    assert package["obps"] == ["Device.SoftwareModules.DeploymentUnit.1."]
    assert (await usp_admin.retrieve(slot)).pc["ins"] == {"acn": "", "sus": 0}
    # Once the IPE follows software changes (after a first action of its own), another party's
    # install shows up without a reboot.
    assert (await usp_admin.update(other, {"m2m:swr": {"act": True}})).rsc == 2004
    await status(usp_admin, other, "acts", "activate", 1)
    assert (await usp_admin.update(slot, {"m2m:swr": {"url": f"{APPS}/dimmer-1.0.tar", "in": True}})).rsc == 2004
    await status(usp_admin, slot, "ins", "install", 1)
    agent.processor.operate(Operate("Device.SoftwareModules.InstallDU()", {"URL": f"{APPS}/alarm-0.9.tar"},
                                    "other-2", True), "self::someone-else")
    third = (await shown(usp_admin, f"{node_of(agent)}/software-3")).pc
    assert third["swn"] == "alarm" and third["ins"] == {"acn": "install", "sus": 1}
    assert (await usp_admin.update(other, {"m2m:swr": {"un": True}})).rsc == 2004
    await status(usp_admin, other, "ins", "uninstall", 1)


async def test_software_removed_by_a_factory_reset_shows_as_not_installed(usp_app, usp_admin, usp_agents):
    agent = await one_agent(usp_app, usp_admin, usp_agents)
    slot = f"{node_of(agent)}/software-0"
    await shown(usp_admin, slot)
    agent.processor.operate(Operate("Device.SoftwareModules.InstallDU()", {"URL": f"{APPS}/meter-4.2.tar"},
                                    "other", True), "self::someone-else")
    assert (await usp_admin.update(slot, {"m2m:swr": {"url": f"{APPS}/dimmer-1.0.tar", "in": True}})).rsc == 2004
    await status(usp_admin, slot, "ins", "install", 1)
    other = f"{node_of(agent)}/software-1"
    await status(usp_admin, other, "ins", "install", 1)  # found when the IPE read the software again
    assert (await usp_admin.update(f"{node_of(agent)}/reboot", {"m2m:rbo": {"far": True}})).rsc == 2004
    for path in (slot, other):
        await status(usp_admin, path, "ins", "", 0)
    reply = await usp_admin.update(other, {"m2m:swr": {"act": True}})
    assert reply.rsc == 4127 and "nothing is installed" in reply.body["m2m:dbg"]
    # The slot takes a new install as before.
    assert (await usp_admin.update(slot, {"m2m:swr": {"url": f"{APPS}/dimmer-1.0.tar", "in": True}})).rsc == 2004
    await status(usp_admin, slot, "ins", "install", 1)
