"""Controller pieces that need no broker: correlation, event streams, boot info."""

from __future__ import annotations

import asyncio

import pytest

from ipe_sdt.usp import Get, GetResp, OperationComplete, OutputArgs, request, response_to
from ipe_sdt.usp.controller import AgentUnreachable, BootInfo, UspAgentError
from ipe_sdt.usp.controller.agent_info import AgentInfo
from ipe_sdt.usp.controller.controller import _wildcard
from ipe_sdt.usp.controller.correlation import CompletionWaiters, PendingRequests
from ipe_sdt.usp.controller.events import AgentOffline, EventHub


async def test_responses_only_complete_requests_to_the_same_agent():
    pending = PendingRequests()
    req = request(Get(("Device.",)))
    future = pending.add(req.msg_id, "os::a")
    reply = response_to(req, GetResp(()))
    assert not pending.resolve(req.msg_id, "os::intruder", reply)
    assert not pending.resolve("other-id", "os::a", reply)
    assert pending.resolve(req.msg_id, "os::a", reply)
    assert await future is reply
    assert not pending.resolve(req.msg_id, "os::a", reply)  # a duplicate finds nothing


async def test_failing_an_agent_leaves_the_others_waiting():
    pending = PendingRequests()
    a, b = pending.add("1", "os::a"), pending.add("2", "os::b")
    pending.fail_agent("os::a", AgentUnreachable("os::a", "gone"))
    with pytest.raises(AgentUnreachable):
        await a
    assert not b.done() and len(pending) == 1


async def test_completion_waiters_match_command_and_key():
    waiters = CompletionWaiters()
    future = waiters.expect("os::a", "Device.X.1.Go()", "k1")
    other = waiters.expect("os::a", "Device.X.1.Go()", "k2")
    done = OperationComplete("Device.X.1.", "Go()", "k1", OutputArgs({"r": "1"}))
    assert not waiters.resolve("os::b", done)
    assert waiters.resolve("os::a", done)
    assert (await future).outcome == OutputArgs({"r": "1"})
    assert not other.done()
    waiters.discard(other)
    assert not waiters.resolve("os::a", OperationComplete("Device.X.1.", "Go()", "k2", OutputArgs()))


def test_wildcard_reference_for_completion_subscriptions():
    assert _wildcard("Device.DeviceInfo.FirmwareImage.2.Download()") == "Device.DeviceInfo.FirmwareImage.*.Download()"
    assert _wildcard("Device.A.1.B.22.Go()") == "Device.A.*.B.*.Go()"
    assert _wildcard("Device.Reboot()") == "Device.Reboot()"


def test_boot_info_tolerates_bad_parameter_maps():
    good = BootInfo.from_event({"Cause": "RemoteReboot", "CommandKey": "k", "FirmwareUpdated": "true",
                                "ParameterMap": '{"Device.A":"1","Device.B":2}'}, 0.0)
    assert good.firmware_updated and good.parameters == {"Device.A": "1", "Device.B": "2"}
    for bad in ("not json", "[1,2]", '{"x": {"nested": 1}}', ""):
        info = BootInfo.from_event({"Cause": "LocalReboot", "ParameterMap": bad}, 0.0)
        assert info.cause == "LocalReboot" and info.parameters == {}
    assert BootInfo.from_event({"Cause": "RemoteFactoryReset"}, 0.0).factory_reset


async def test_event_streams_are_independent_and_bounded():
    hub = EventHub()
    small, big = hub.stream(maxsize=1), hub.stream(maxsize=10)
    info = AgentInfo("os::a", None, False, 0.0, 0.0)
    for n in range(3):
        hub.publish(AgentOffline(info, str(n)))
    assert (await small.get(1)).reason == "2" and small.dropped == 2
    assert [(await big.get(1)).reason for _ in range(3)] == ["0", "1", "2"]
    with pytest.raises(TimeoutError):
        await big.get(0.01)
    hub.close()
    with pytest.raises(StopAsyncIteration):
        await big.get(1)
    with pytest.raises(ValueError):
        hub.stream(maxsize=0)


def test_agent_error_names_the_code():
    err = UspAgentError("os::a", 7026, "Device.X.: no such object")
    assert err.name == "Invalid path" and "7026" in str(err) and "os::a" in str(err)
    assert UspAgentError("os::a", 7850, "vendor").name == "Vendor-specific error 7850"


async def test_event_stream_iteration_ends_when_closed():
    hub = EventHub()
    stream = hub.stream()
    hub.publish(AgentOffline(AgentInfo("os::a", None, False, 0.0, 0.0), "r"))
    stream.close()
    seen = [event async for event in stream]
    assert len(seen) == 1
    await asyncio.sleep(0)
