"""Queue mode: requests to a sleeping device are held until it wakes (its next Update)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from ipe_sdt.lwm2m.server import (
    DeviceExpired,
    DeviceState,
    DeviceTimeout,
    DeviceUnreachable,
    NotificationReceived,
    QueueFull,
)

from .lwm2m_harness import TEST_CONFIG, WAIT, Devices, next_event, server_fixture

AWAKE = 0.3


@pytest.fixture
async def server():
    # The server's idea of the awake window matches the devices' here.
    config = dataclasses.replace(TEST_CONFIG, awake_time=AWAKE, max_held_requests=2)
    async for server in server_fixture(config):
        yield server


async def asleep(server, device):
    await asyncio.wait_for(device.wait_for(lambda d: d.radio is not None and not d.radio.on), WAIT)
    # The server's window closes at the same length after the same message.
    for _ in range(int(WAIT / 0.05)):
        if server.device(device.endpoint).state is DeviceState.SLEEPING:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the server never saw the device asleep")


async def test_requests_wait_for_the_next_update(server, devices: Devices):
    device = await devices.start("sleepy", queue_mode=True, awake_time=AWAKE, update_interval=1.0)
    await asleep(server, device)
    updates = device.updates
    result = await asyncio.wait_for(server.read("sleepy", "/3/0/1"), WAIT)
    assert result.value() == "SIM-LWM2M-1"
    assert device.updates > updates  # it went out after the device woke with an Update
    assert device.radio.dropped == 0  # and nothing was sent into its sleep


async def test_held_requests_are_bounded(server, devices):
    device = await devices.start("crowded", queue_mode=True, awake_time=AWAKE, update_interval=1.0)
    await asleep(server, device)
    held = [asyncio.ensure_future(server.read("crowded", "/3/0/9")) for _ in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(QueueFull):
        await server.read("crowded", "/3/0/9")
    results = await asyncio.wait_for(asyncio.gather(*held), WAIT)
    assert [r.value() for r in results] == [100, 100]


async def test_held_requests_fail_when_the_registration_expires(server, events, devices):
    device = await devices.start("vanishing", queue_mode=True, awake_time=AWAKE, update_interval=30, lifetime=1)
    await asleep(server, device)
    held = asyncio.ensure_future(server.read("vanishing", "/3/0/9"))
    await device.power_cut()
    with pytest.raises(DeviceUnreachable, match="lifetime expired"):
        await asyncio.wait_for(held, WAIT)
    await next_event(events, DeviceExpired)


async def test_a_device_asleep_earlier_than_assumed(devices):
    # The server assumes a long awake window; the device sleeps after 0.3 s.
    async for server in server_fixture(dataclasses.replace(TEST_CONFIG, awake_time=93.0)):
        made = Devices(server)
        try:
            device = await made.start("early", queue_mode=True, awake_time=AWAKE, update_interval=1.5)
            await asyncio.wait_for(device.wait_for(lambda d: not d.radio.on), WAIT)
            with pytest.raises(DeviceTimeout):
                await server.read("early", "/3/0/9", timeout=0.5)
            assert server.device("early").state is DeviceState.SLEEPING
            # From now on requests wait for the device to wake.
            assert (await asyncio.wait_for(server.read("early", "/3/0/9"), WAIT)).value() == 100
        finally:
            await made.stop_all()


async def test_hold_timeout(devices):
    config = dataclasses.replace(TEST_CONFIG, awake_time=AWAKE, hold_timeout=0.2)
    async for server in server_fixture(config):
        made = Devices(server)
        try:
            device = await made.start("deep-sleeper", queue_mode=True, awake_time=AWAKE, update_interval=60)
            await asleep(server, device)
            with pytest.raises(DeviceTimeout, match="did not wake up"):
                await server.read("deep-sleeper", "/3/0/9")
        finally:
            await made.stop_all()


async def test_notifications_wait_for_the_device_to_wake(server, events, devices):
    device = await devices.start("notifier", queue_mode=True, awake_time=AWAKE, update_interval=1.0)
    await asyncio.wait_for(server.observe("notifier", "/3342/0/5500"), WAIT)
    await asleep(server, device)
    updates = device.updates
    device.instance(3342).press(True)
    note = await next_event(events, NotificationReceived)
    assert note.values == {(3342, 0, 5500): True}
    assert device.updates > updates
