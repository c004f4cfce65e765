"""Queue mode and registration expiry of LwM2M devices, seen through the oneM2M API."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import pytest

from cse.app import Application
from cse.config import Settings
from ipe_sdt.sim.lwm2m import DeviceSettings, SimulatedDevice
from tests.ipe.conftest import eventually, free_udp_port
from tests.onem2m_client import OneM2MClient, free_port

AWAKE = 1.0
WAIT = 20.0


@pytest.fixture
async def app() -> AsyncIterator[Application]:
    port = free_udp_port()
    # The server's idea of a queue-mode device's awake window matches the devices' here.
    lwm2m = {"port": port, "request_timeout": 3.0, "awake_time": AWAKE}
    settings = Settings(db=":memory:", http_port=free_port(), coap_port=0, plugins=["sdt"],
                        plugin_options={"sdt": {"drivers": ["lwm2m"], "lwm2m": lwm2m}})
    application = Application(settings)
    await application.start()
    application.lwm2m_port = port
    try:
        yield application
    finally:
        await application.stop()


@pytest.fixture
async def admin(app) -> AsyncIterator[OneM2MClient]:
    async with OneM2MClient(app.http.url, originator="CAdmin") as client:
        yield client


async def exists(admin, path):
    async def check():
        return (await admin.retrieve(path)).rsc == 2000

    await eventually(check, WAIT)


async def test_queue_mode_light_switched_while_asleep_is_answered_once_it_wakes(app, admin):
    device = SimulatedDevice(DeviceSettings(
        endpoint="sleepy", server_uri=f"coap://127.0.0.1:{app.lwm2m_port}", bind_host="127.0.0.1",
        lifetime=60, queue_mode=True, awake_time=AWAKE, update_interval=2.0,
    ))
    await device.start()
    try:
        switch = "/cse-in/sdt-ipe/sleepy-light-0/binarySwitch"
        await exists(admin, switch)
        await asyncio.wait_for(device.wait_for(lambda d: d.radio is not None and not d.radio.on), WAIT)
        updates = device.updates
        reply = await asyncio.wait_for(admin.update(switch, {"cod:binSh": {"state": True}}), WAIT)
        assert reply.rsc == 2004, reply.body
        assert device.instance(3311, 0).get(5850) is True
        assert device.updates > updates  # the write went out after the device woke with an Update
        assert device.radio.dropped == 0  # and nothing was sent into its sleep
    finally:
        await device.stop()


async def test_expired_registration_shows_the_node_unreachable(app, admin):
    device = SimulatedDevice(DeviceSettings(
        endpoint="short-lived", server_uri=f"coap://127.0.0.1:{app.lwm2m_port}", bind_host="127.0.0.1", lifetime=2,
    ))
    await device.start()
    node = "/cse-in/node-short-lived"

    async def labelled(label):
        async def check():
            reply = await admin.retrieve(node)
            return reply.rsc == 2000 and label in reply.pc.get("lbl", [])

        return check

    await eventually(await labelled("reachable:true"), WAIT)
    await device.stop(deregister=False)  # gone without a word: only the lifetime tells
    await eventually(await labelled("reachable:false"), WAIT)
