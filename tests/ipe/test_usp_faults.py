"""Bad input and faults between the IPE and its USP Agents: malformed records and values, paths
an Agent does not have, Agent errors, a broker that goes away and comes back (or is not there
yet), Agents that reboot mid-operation or vanish, lost responses and lost reports. Each ends
with a truthful status on the oneM2M side; nothing hangs; the other Agents are unaffected."""

import asyncio
import logging
from dataclasses import replace

import pytest

from cse.app import Application
from cse.config import Settings
from ipe_sdt.usp import Event, NoSessionContext, Notify, OperationComplete, Record, Set, ValueChange, request
from tests.ipe.conftest import eventually
from tests.ipe.usp_conftest import (
    USP_TIMINGS,
    attribute,
    light_of,
    node_of,
    press,
    ready,
    shown,
    sim_value,
    start_app,
    status,
    usp_options,
)
from tests.onem2m_client import OneM2MClient, free_port
from tests.usp_mqtt.raw_endpoints import RawEndpoint

SWITCH = "Device.IoTCapability.1.BinaryControl.Value"
APPS = "https://apps.example"


async def labelled(client, agent, reachable: bool):
    async def check():
        reply = await client.retrieve(node_of(agent))
        return reply.rsc == 2000 and f"reachable:{'true' if reachable else 'false'}" in reply.pc["lbl"]

    await eventually(check, 20)


async def test_malformed_records_and_values_are_dropped(usp_app, usp_admin, usp_agents, usp_broker, usp_tag, caplog):
    caplog.set_level(logging.INFO)
    fleet = await usp_agents(usp_app.usp_endpoint_id)
    agent = fleet.agents[0]
    path = f"{light_of(agent)}/binarySwitch"
    await ready(usp_admin, agent)
    controller_id = usp_app.usp_endpoint_id
    raw = RawEndpoint(usp_broker, f"os::RAW-{usp_tag}", controller_id, f"usp/controller/{controller_id}")
    await raw.start()
    try:
        raw.send_raw(raw.controller_topic, b"\xff\x00 not a record")
        undecodable = Record(controller_id, agent.endpoint_id, NoSessionContext(b"\xff\xff"))
        raw.send_raw(raw.controller_topic, undecodable.to_bytes())

        def value_change(param: str, value: str) -> bytes:
            # Posing as the Agent: a Notify the Controller takes for one of its own.
            note = request(Notify("x", ValueChange(param, value), send_resp=False))
            return Record.for_message(controller_id, agent.endpoint_id, note).to_bytes()

        # Records from one publisher arrive in order: the valid value comes last.
        raw.send_raw(raw.controller_topic, value_change(SWITCH, "maybe"))
        raw.send_raw(raw.controller_topic, value_change("Device.IoTCapability.9.BinaryControl.Value", "true"))
        raw.send_raw(raw.controller_topic, value_change("Device.IoTCapability.2.LevelControl.Value", "-3"))
        raw.send_raw(raw.controller_topic, value_change(SWITCH, "1"))
        await attribute(usp_admin, path, "state", True)
        assert (await usp_admin.retrieve(f"{light_of(agent)}/brightness")).body["cod:brigs"]["brigs"] == 100
        assert "not a boolean" in caplog.text and "not a level" in caplog.text
    finally:
        await raw.stop()
    # Nothing broke: the Agent is still switched from oneM2M.
    assert (await usp_admin.update(path, {"cod:binSh": {"state": False}})).rsc == 2004
    assert sim_value(agent, SWITCH) == "false"


async def test_an_agent_without_some_objects_is_shown_with_what_it_has(usp_app, usp_admin, usp_agents):
    def no_software(agent):
        del agent.root.children["SoftwareModules"]  # Get of Device.SoftwareModules. -> 7026

    fleet = await usp_agents(usp_app.usp_endpoint_id, prepare=no_software)
    agent = fleet.agents[0]
    await shown(usp_admin, f"{light_of(agent)}/binarySwitch")
    assert (await usp_admin.retrieve(f"{node_of(agent)}/deviceInfo")).rsc == 2000
    assert (await usp_admin.retrieve(f"{node_of(agent)}/firmware")).rsc == 2000
    assert (await usp_admin.retrieve(f"{node_of(agent)}/software-0")).rsc == 4004


async def test_agent_errors_are_refusals(usp_app, usp_admin, usp_agents):
    def read_only_switch(agent):
        cap = agent.root.children["IoTCapability"].instances[1]
        cap.children["BinaryControl"].params["Value"].writable = False

    stubborn = (await usp_agents(usp_app.usp_endpoint_id, prepare=read_only_switch)).agents[0]
    path = f"{light_of(stubborn)}/binarySwitch"
    await ready(usp_admin, stubborn)
    reply = await usp_admin.update(path, {"cod:binSh": {"state": True}})
    assert reply.rsc == 4127 and "7013" in reply.body["m2m:dbg"], reply
    assert (await usp_admin.retrieve(path)).body["cod:binSh"]["state"] is False
    assert (await usp_admin.update(f"{path}/toggle", {"cod:togge": {}})).rsc == 4127
    assert sim_value(stubborn, SWITCH) == "false"


async def test_a_broker_that_goes_away_and_comes_back(private_broker, usp_tag, usp_agents):
    app = await start_app({"drivers": ["usp"], "usp": usp_options(private_broker, usp_tag)})
    try:
        async with OneM2MClient(app.http.url, originator="CAdmin") as admin:
            fleet = await usp_agents(f"self::ipe-{usp_tag}", 2, broker=private_broker)
            first, second = fleet.agents
            for agent in fleet.agents:
                await ready(admin, agent)
            private_broker.stop()
            for agent in fleet.agents:
                await labelled(admin, agent, reachable=False)
            reply = await admin.update(f"{light_of(first)}/binarySwitch", {"cod:binSh": {"state": True}})
            assert reply.rsc == 5103, reply
            private_broker.start()
            for agent in fleet.agents:
                await labelled(admin, agent, reachable=True)
            reply = await admin.update(f"{light_of(first)}/binarySwitch", {"cod:binSh": {"state": True}})
            assert reply.rsc == 2004 and sim_value(first, SWITCH) == "true"
            # Value changes still arrive: the subscriptions on the Agents outlived the outage.
            press(second, True)
            await attribute(admin, f"{light_of(second)}/binarySwitch", "state", True)
    finally:
        await app.stop()


async def test_a_broker_not_there_when_the_cse_starts(private_broker, usp_tag, usp_agents):
    private_broker.stop()
    app = await start_app({"drivers": ["usp"], "usp": usp_options(private_broker, usp_tag)})
    try:
        async with OneM2MClient(app.http.url, originator="CAdmin") as admin:
            assert (await admin.retrieve("/cse-in/sdt-ipe")).rsc == 2000  # the CSE and its IPE run
            private_broker.start()
            # Agents retry their Boot! with a growing interval until a Controller acknowledges
            # it (TR-369 R-NOT.1): one is heard once the IPE has reached the broker.
            patient = replace(USP_TIMINGS, notify_retry_attempts=8)
            fleet = await usp_agents(f"self::ipe-{usp_tag}", broker=private_broker, timings=patient)
            await shown(admin, f"{light_of(fleet.agents[0])}/binarySwitch", timeout=60)
    finally:
        await app.stop()


async def test_reboot_in_the_middle_of_a_download_and_an_install(usp_app, usp_admin, usp_agents):
    slow = replace(USP_TIMINGS, transfer_time=30.0, install_time=30.0)
    agent = (await usp_agents(usp_app.usp_endpoint_id, timings=slow)).agents[0]
    firmware, software = f"{node_of(agent)}/firmware", f"{node_of(agent)}/software-0"
    await shown(usp_admin, software)
    update = {"m2m:fwr": {"url": "https://fw.example/l-3.0.bin", "ud": True}}
    assert (await usp_admin.update(firmware, update)).rsc == 2004
    assert (await usp_admin.update(software, {"m2m:swr": {"url": f"{APPS}/big-1.0.tar", "in": True}})).rsc == 2004
    await status(usp_admin, firmware, "uds", "update", 3)
    await status(usp_admin, software, "ins", "install", 3)
    await agent.reboot("LocalReboot")
    await status(usp_admin, firmware, "uds", "update", 2)
    await status(usp_admin, software, "ins", "install", 2)
    assert (await usp_admin.retrieve(f"{node_of(agent)}/deviceInfo")).pc["fwv"] == "1.0.0"


async def test_an_agent_that_vanishes_is_unreachable_and_comes_back(usp_app, usp_admin, usp_agents):
    fleet = await usp_agents(usp_app.usp_endpoint_id, 2)
    gone, other = fleet.agents
    for agent in fleet.agents:
        await ready(usp_admin, agent)
    await gone.crash()  # no goodbye: the broker publishes its Will
    await labelled(usp_admin, gone, reachable=False)
    reply = await usp_admin.update(f"{light_of(gone)}/binarySwitch", {"cod:binSh": {"state": True}})
    assert reply.rsc == 5103 and reply.status == 404
    found = (await usp_admin.request("GET", "/cse-in?fu=1&ty=14&lbl=reachable:false")).body["m2m:uril"]
    assert found == [node_of(gone).lstrip("/")]
    assert (await usp_admin.update(f"{node_of(gone)}/reboot", {"m2m:rbo": {"rbo": True}})).rsc == 5103
    # The other Agent does not notice.
    assert (await usp_admin.update(f"{light_of(other)}/binarySwitch", {"cod:binSh": {"state": True}})).rsc == 2004
    await gone.power_on()
    await labelled(usp_admin, gone, reachable=True)
    assert (await usp_admin.update(f"{light_of(gone)}/binarySwitch", {"cod:binSh": {"state": True}})).rsc == 2004


async def test_a_lost_response_times_out_without_holding_up_others(usp_app, usp_admin, usp_agents):
    fleet = await usp_agents(usp_app.usp_endpoint_id, 2)
    mute, other = fleet.agents
    for agent in fleet.agents:
        await ready(usp_admin, agent)
    answer = mute._answer
    mute._answer = lambda body, originator: None if isinstance(body, Set) else answer(body, originator)
    lost = asyncio.ensure_future(
        usp_admin.update(f"{light_of(mute)}/binarySwitch", {"cod:binSh": {"state": True}}))
    # Meanwhile the other Agent is switched at once.
    assert (await usp_admin.update(f"{light_of(other)}/binarySwitch", {"cod:binSh": {"state": True}})).rsc == 2004
    reply = await asyncio.wait_for(lost, 30)
    assert reply.rsc == 4008, reply  # sent, unanswered: the outcome is unknown, and said so
    assert (await usp_admin.retrieve(f"{light_of(mute)}/binarySwitch")).body["cod:binSh"]["state"] is False
    mute._answer = answer
    assert (await usp_admin.update(f"{light_of(mute)}/binarySwitch", {"cod:binSh": {"state": True}})).rsc == 2004


async def test_lost_completion_reports_are_made_up_for_by_reading_the_agent(usp_app, usp_admin, usp_agents):
    agent = (await usp_agents(usp_app.usp_endpoint_id)).agents[0]
    path = f"{node_of(agent)}/software-0"
    await shown(usp_admin, path)
    dispatch = agent.notifier._dispatch

    def lossy(notif_type, obj_path, notification):
        if isinstance(notification, (OperationComplete, Event)) and not obj_path.endswith("Boot!"):
            return  # the Agent's reports never reach the Controller
        dispatch(notif_type, obj_path, notification)

    agent.notifier._dispatch = lossy
    assert (await usp_admin.update(path, {"m2m:swr": {"url": f"{APPS}/quiet-2.0.tar", "in": True}})).rsc == 2004
    await status(usp_admin, path, "ins", "install", 3)
    # At the action's deadline the IPE reads the Agent's state, which shows the unit installed.
    await status(usp_admin, path, "ins", "install", 1, timeout=30)
    assert (await usp_admin.retrieve(path)).pc["vr"] == "2.0"


async def test_an_agent_that_never_answers_is_not_shown_and_holds_up_nobody(
        usp_app, usp_admin, usp_agents, usp_broker, usp_tag):
    controller_id = usp_app.usp_endpoint_id
    raw = RawEndpoint(usp_broker, f"os::MUTE-{usp_tag}", controller_id, f"usp/controller/{controller_id}")
    await raw.start()
    try:
        raw.announce()
        boot = request(Notify("default-boot", Event("Device.", "Boot!", {"Cause": "LocalReboot"}), send_resp=True))
        raw.send_raw(raw.controller_topic, Record.for_message(controller_id, raw.endpoint_id, boot).to_bytes())
        agent = (await usp_agents(controller_id)).agents[0]
        await ready(usp_admin, agent)
        assert (await usp_admin.update(f"{light_of(agent)}/binarySwitch", {"cod:binSh": {"state": True}})).rsc == 2004
        assert (await usp_admin.retrieve(f"/cse-in/node-os__MUTE-{usp_tag}")).rsc == 4004
    finally:
        await raw.stop()


@pytest.mark.parametrize(
    "options, message",
    [
        ({}, "option 'broker'"),
        ({"broker": "http://127.0.0.1:1883"}, "usp driver"),
        ({"broker": "mqtt://127.0.0.1:1883", "colour": "blue"}, "unknown option"),
        ({"broker": "mqtt://127.0.0.1:1883", "request_timeout": 0}, "positive"),
        ({"broker": "mqtt://127.0.0.1:1883", "endpoint_id": "self::a/b"}, "usp driver"),
    ],
)
async def test_bad_driver_options_are_refused_clearly(options, message):
    settings = Settings(db=":memory:", http_port=free_port(), coap_port=0, plugins=["sdt"],
                        plugin_options={"sdt": {"drivers": ["usp"], "usp": options}})
    app = Application(settings)
    try:
        with pytest.raises(ValueError, match=message):
            await app.start()
    finally:
        await app.stop()
