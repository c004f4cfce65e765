"""Bad input and faults: malformed records, unknown agents, lost responses,
agents that crash or are killed mid-operation. Each is handled with a
truthful status, nothing hangs, and other Agents are unaffected."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import paho.mqtt.client as paho
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ipe_sdt.sim.usp.local_broker import free_port
from ipe_sdt.usp import (
    Disconnect,
    ErrorCode,
    Get,
    GetResp,
    NoSessionContext,
    Notify,
    Record,
    ValueChange,
    request,
    response_to,
    usp_record_1_4_pb2,
)
from ipe_sdt.usp.controller import (
    AgentOffline,
    AgentOnline,
    AgentUnreachable,
    ControllerError,
    ControllerSettings,
    UnknownAgent,
    UspController,
    UspTimeout,
)
from ipe_sdt.usp.mtp import RetryPolicy

from .conftest import FAST_TIMINGS, make_controller
from .event_helpers import booted, next_matching, onboard
from .raw_endpoints import RawEndpoint


def _online(agent: str):
    return lambda e: isinstance(e, AgentOnline) and e.agent.endpoint_id == agent


def _offline(agent: str):
    return lambda e: isinstance(e, AgentOffline) and e.agent.endpoint_id == agent


@pytest.fixture
async def raw_factory(mosquitto, test_tag):
    made: list[RawEndpoint] = []

    async def make(ctl: UspController) -> RawEndpoint:
        endpoint = RawEndpoint(mosquitto, f"os::RAW-{test_tag}-{len(made)}", ctl.endpoint_id, ctl.topic)
        made.append(endpoint)
        await endpoint.start()
        return endpoint

    try:
        yield make
    finally:
        for endpoint in made:
            await endpoint.stop()


@pytest.fixture
async def raw(controller, raw_factory):
    return await raw_factory(controller)


async def test_malformed_records_on_the_controller_topic_are_dropped_with_a_log(
        controller, fleet_factory, raw, caplog):
    fleet = fleet_factory(1, controller)
    (agent,) = await onboard(controller, fleet)
    session = usp_record_1_4_pb2.Record(version="1.4", to_id=controller.endpoint_id, from_id=raw.endpoint_id)
    session.session_context.session_id = 1
    caplog.set_level(logging.INFO, logger="ipe_sdt.usp.controller")
    with controller.events() as stream:
        raw.send_raw(controller.topic, b"\xff\x00 not protobuf")
        raw.send_raw(controller.topic, Record(controller.endpoint_id, raw.endpoint_id,
                                              NoSessionContext(b"\x08\x08garbage")).to_bytes())
        raw.send_raw(controller.topic, session.SerializeToString())
        raw.send_raw(controller.topic, Record("os::someone-else", raw.endpoint_id,
                                              NoSessionContext(b"x")).to_bytes())
        stray = response_to(request(Get(("Device.",))), GetResp(()))
        raw.send_raw(controller.topic, Record.for_message(controller.endpoint_id, raw.endpoint_id, stray).to_bytes())
        raw.announce()  # records from one publisher arrive in order: this one comes last
        await next_matching(stream, _online(raw.endpoint_id))
    assert controller.stats.malformed == 3
    assert controller.stats.misaddressed == 1
    assert controller.stats.unmatched_responses == 1
    assert "malformed USP record" in caplog.text and "undecodable message" in caplog.text
    assert await controller.get(agent, ["Device.LocalAgent.EndpointID"]) == {"Device.LocalAgent.EndpointID": agent}


async def test_wrong_content_type_is_not_taken_for_a_record(controller, raw, mosquitto):
    # A publisher whose Content Type says "not USP" (R-MQTT.27a).
    props = Properties(PacketTypes.PUBLISH)
    props.ContentType = "text/plain"
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    client.connect("127.0.0.1", mosquitto.port)
    client.loop_start()
    try:
        client.publish(controller.topic, b"hello", 1, properties=props).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()
    with controller.events() as stream:
        raw.announce()
        await next_matching(stream, _online(raw.endpoint_id))
    assert controller.stats.malformed == 1


async def test_requests_from_an_agent_get_a_usp_error(controller, raw):
    with controller.events() as stream:
        raw.announce()
        await next_matching(stream, _online(raw.endpoint_id))
    question = request(Get(("Device.",)))
    raw.send_raw(controller.topic, Record.for_message(controller.endpoint_id, raw.endpoint_id, question).to_bytes())
    inbound = await raw.received.get()
    answer = Record.from_bytes(inbound.payload).message()
    assert answer.msg_id == question.msg_id and answer.is_error
    assert answer.body.err_code == ErrorCode.MESSAGE_NOT_SUPPORTED


async def test_notify_from_an_unknown_agent_registers_it_and_is_acknowledged(controller, raw):
    note = request(Notify("s1", ValueChange("Device.X.Y", "1"), send_resp=True))
    with controller.events() as stream:
        raw.send_raw(controller.topic, Record.for_message(controller.endpoint_id, raw.endpoint_id, note).to_bytes())
        await next_matching(stream, _online(raw.endpoint_id))
    ack = Record.from_bytes((await raw.received.get()).payload).message()
    assert ack.msg_id == note.msg_id and ack.body.subscription_id == "s1"
    assert controller.agent(raw.endpoint_id).topic == raw.topic


async def test_malformed_records_on_the_agent_topic_are_dropped(controller, fleet_factory, raw, caplog):
    fleet = fleet_factory(1, controller)
    (agent,) = await onboard(controller, fleet)
    sim = fleet.agents[0]
    caplog.set_level(logging.WARNING, logger="ipe_sdt.sim.usp")
    raw.send_raw(sim.topic, b"\x00\x01\x02")
    raw.send_raw(sim.topic, Record(agent, raw.endpoint_id, NoSessionContext(b"\xff\xff")).to_bytes())
    raw.send_raw(sim.topic, Record("os::not-this-agent", raw.endpoint_id, NoSessionContext(b"x")).to_bytes())
    # A request with a reply-to topic still gets its answer afterwards.
    question = request(Get(("Device.DeviceInfo.SerialNumber",)))
    raw.send_raw(sim.topic, Record.for_message(agent, raw.endpoint_id, question).to_bytes())
    answer = Record.from_bytes((await raw.received.get()).payload).message()
    assert answer.body.flat() == {"Device.DeviceInfo.SerialNumber": sim.identity.serial_number}
    assert sim.stats.dropped == 3
    assert "dropped record" in caplog.text
    # An Agent does not accept Notify: USP Error 7001.
    odd = request(Notify("x", ValueChange("Device.A", "1")))
    raw.send_raw(sim.topic, Record.for_message(agent, raw.endpoint_id, odd).to_bytes())
    answer = Record.from_bytes((await raw.received.get()).payload).message()
    assert answer.is_error and answer.body.err_code == ErrorCode.MESSAGE_NOT_SUPPORTED


async def test_unknown_agent_fails_at_once(controller):
    with pytest.raises(UnknownAgent):
        await controller.get("os::never-seen", ["Device."])
    with pytest.raises(UnknownAgent):
        controller.agent("os::never-seen")


async def test_lost_response_times_out(controller, raw):
    with controller.events() as stream:
        raw.announce()
        await next_matching(stream, _online(raw.endpoint_id))
    with pytest.raises(UspTimeout) as info:
        await controller.get(raw.endpoint_id, ["Device.DeviceInfo."], timeout=0.5)
    assert isinstance(info.value, TimeoutError)
    assert "Get" in str(info.value)
    # The answer arriving late is dropped, not mistaken for another request's.
    late = Record.from_bytes((await raw.received.get()).payload).message()
    raw.send_raw(controller.topic, Record.for_message(
        controller.endpoint_id, raw.endpoint_id, response_to(late, GetResp(()))).to_bytes())
    with controller.events() as stream:
        raw.send_raw(controller.topic, Record(controller.endpoint_id, raw.endpoint_id,
                                              Disconnect("bye", 0)).to_bytes())
        await next_matching(stream, _offline(raw.endpoint_id))
    assert controller.stats.unmatched_responses == 1
    # A timeout alone does not make the agent unreachable; its goodbye does.
    assert controller.agent(raw.endpoint_id).unreachable_reason == "agent disconnected: bye"


async def test_agent_crash_fails_waiting_requests_as_unreachable(controller, raw):
    with controller.events() as stream:
        raw.announce()
        await next_matching(stream, _online(raw.endpoint_id))
        task = asyncio.ensure_future(controller.get(raw.endpoint_id, ["Device."], timeout=60.0))
        await raw.received.get()  # the request reached the "agent"
        await raw.mqtt.abort()  # crash: the broker publishes the Will (a DisconnectRecord)
        offline = await next_matching(stream, _offline(raw.endpoint_id))
    with pytest.raises(AgentUnreachable) as info:
        await task
    assert "MQTT connection lost" in info.value.reason
    assert "MQTT connection lost" in offline.reason
    assert not controller.agent(raw.endpoint_id).reachable
    with pytest.raises(AgentUnreachable):
        await controller.get(raw.endpoint_id, ["Device."])


async def test_killed_agent_process_mid_operation(controller, fleet_factory, test_tag):
    # Another agent in this process must not notice.
    bystanders = fleet_factory(1, controller)
    (bystander,) = await onboard(controller, bystanders)
    sim = subprocess.Popen(
        [sys.executable, "-m", "ipe_sdt.sim.usp", "--count", "1", "--broker", controller.broker.url,
         "--controller-id", controller.endpoint_id, "--serial-prefix", f"K{test_tag}",
         "--transfer-time", "60", "--boot-delay", "0.05"],
        stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        with controller.events() as stream:
            event = await next_matching(stream, booted(), timeout=30)
            victim = event.agent.endpoint_id
            operation = asyncio.ensure_future(controller.operate(
                victim, "Device.DeviceInfo.FirmwareImage.2.Download()", {"URL": "https://fw.example/big-2.0.bin"},
                completion_timeout=3.0))
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:  # until the download is running on the agent
                if await controller.get_instances(victim, ["Device.LocalAgent.Request."]):
                    break
                await asyncio.sleep(0.05)
            sim.send_signal(signal.SIGKILL)
            sim.wait(timeout=10)
            offline = await next_matching(stream, _offline(victim))
        with pytest.raises(AgentUnreachable) as info:
            await operation
        assert "MQTT connection lost" in info.value.reason and "Download()" in info.value.reason
        assert "MQTT connection lost" in offline.reason
        assert not controller.agent(victim).reachable
        assert controller.agent(bystander).reachable
        assert (await controller.get(bystander, ["Device.LocalAgent.EndpointID"]))["Device.LocalAgent.EndpointID"] \
            == bystander
    finally:
        if sim.poll() is None:
            sim.kill()
            sim.wait(timeout=10)


async def test_in_process_crash_and_power_on(controller, fleet_factory):
    fleet = fleet_factory(2, controller)
    await onboard(controller, fleet)
    first, second = (a.endpoint_id for a in fleet.agents)
    with controller.events() as stream:
        await fleet.agents[0].crash()
        await next_matching(stream, _offline(first))
        assert (await controller.get(second, ["Device.LocalAgent.EndpointID"]))
        await fleet.agents[0].power_on()
        boot = await next_matching(stream, booted(first))
    assert boot.boot.cause == "LocalReboot"
    assert controller.agent(first).reachable


async def test_stopped_controller_ends_event_streams_and_refuses_requests(mosquitto, raw_factory, test_tag):
    ctl = make_controller(mosquitto, test_tag + "s")
    await ctl.start()
    raw = await raw_factory(ctl)
    with ctl.events() as stream:
        raw.announce()
        await next_matching(stream, _online(raw.endpoint_id))
        pending = asyncio.ensure_future(ctl.get(raw.endpoint_id, ["Device."], timeout=60.0))
        await raw.received.get()
        await ctl.stop()
        with pytest.raises(StopAsyncIteration):
            while True:
                await stream.get(5.0)
    with pytest.raises(ControllerError):
        await pending
    with pytest.raises(AgentUnreachable):
        await ctl.get(raw.endpoint_id, ["Device."])


async def test_controller_start_fails_clearly_without_a_broker(test_tag):
    ctl = UspController(f"mqtt://127.0.0.1:{free_port()}", f"self::nobroker-{test_tag}",
                        settings=ControllerSettings(connect_timeout=0.5, retry=RetryPolicy(0.05, 2000, 0.1)))
    with pytest.raises(ControllerError, match="cannot connect"):
        await ctl.start()
    assert not ctl.connected


def test_fast_timings_are_valid():
    assert replace(FAST_TIMINGS, boot_delay=0.0).boot_delay == 0.0
    with pytest.raises(ValueError):
        replace(FAST_TIMINGS, notify_retry_attempts=0)


async def test_garbage_from_unknown_endpoints_registers_nobody(controller, raw):
    stranger = "os::stranger"
    raw.send_raw(controller.topic, Record(controller.endpoint_id, stranger, NoSessionContext(b"\xff")).to_bytes())
    raw.send_raw(controller.topic, Record(controller.endpoint_id, stranger, Disconnect("x", 0)).to_bytes())
    with controller.events() as stream:
        raw.announce()
        await next_matching(stream, _online(raw.endpoint_id))
    assert [a.endpoint_id for a in controller.agents()] == [raw.endpoint_id]


async def test_stopping_the_controller_reports_why_agents_are_unreachable(mosquitto, raw_factory, test_tag):
    ctl = make_controller(mosquitto, test_tag + "x")
    await ctl.start()
    raw = await raw_factory(ctl)
    with ctl.events() as stream:
        raw.announce()
        await next_matching(stream, _online(raw.endpoint_id))
        await ctl.stop()
        offline = await next_matching(stream, _offline(raw.endpoint_id))
    assert offline.reason == "controller stopped"
