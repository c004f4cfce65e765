"""A CSE with the SDT IPE and its LwM2M driver, and simulated LwM2M devices talking to it."""

from __future__ import annotations

import asyncio
import socket
from typing import AsyncIterator

import pytest

from cse.app import Application
from cse.config import Settings
from ipe_sdt.sim.lwm2m import DeviceSettings, SimulatedDevice
from tests.onem2m_client import OneM2MClient, free_port

def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def ipe_app() -> AsyncIterator[Application]:
    lwm2m_port = free_udp_port()
    settings = Settings(
        db=":memory:", http_port=free_port(), coap_port=0, plugins=["sdt"],
        plugin_options={"sdt": {"drivers": ["lwm2m"], "lwm2m": {"port": lwm2m_port, "request_timeout": 3.0}}},
    )
    app = Application(settings)  # deviceLight & co. come from the CSE's own SDT templates
    await app.start()
    app.lwm2m_port = lwm2m_port
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
async def admin(ipe_app) -> AsyncIterator[OneM2MClient]:
    async with OneM2MClient(ipe_app.http.url, originator="CAdmin") as client:
        yield client


@pytest.fixture
async def device(ipe_app) -> AsyncIterator[SimulatedDevice]:
    simulated = SimulatedDevice(DeviceSettings(
        endpoint="lamp-1", server_uri=f"coap://127.0.0.1:{ipe_app.lwm2m_port}", bind_host="127.0.0.1", lifetime=60,
    ))
    await simulated.start()
    await asyncio.wait_for(simulated.wait_registered(), 10)
    yield simulated
    await simulated.stop()


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):
    """Poll ``check`` (an async callable) until it returns something truthy (bounded)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {result!r})")
        await asyncio.sleep(interval)


# USP Agents behind the same IPE: fixtures of tests/ipe/usp_conftest.py, made visible to every
# module here (a session-scoped broker is then started once).
from tests.ipe.usp_conftest import (  # noqa: E402,F401
    mixed_admin,
    mixed_app,
    mixed_lwm2m_device,
    private_broker,
    usp_admin,
    usp_agents,
    usp_app,
    usp_broker,
    usp_tag,
)
