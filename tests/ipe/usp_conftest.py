"""Fixtures for USP Agents behind the SDT IPE: a real mosquitto, a CSE whose IPE runs the usp
driver (optionally the lwm2m driver too), and simulated Agents with short timings.

Every test gets its own Controller endpoint ID, so tests sharing the broker never see each
other's Agents. Imported by ``tests/ipe/conftest.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from cse.app import Application
from cse.config import Settings
from cse.model.specializations import register
from ipe_sdt.mapping.resources import slug
from ipe_sdt.sim.lwm2m import DeviceSettings, SimulatedDevice
from ipe_sdt.sim.usp import AgentFleet, AgentTimings, fleet_identities
from ipe_sdt.sim.usp.agent import SimulatedAgent
from ipe_sdt.sim.usp.local_broker import LocalMosquitto
from tests.mosquitto_broker import running_broker
from ipe_sdt.usp import Get
from ipe_sdt.usp.mtp import RetryPolicy, controller_topic
from tests.cse.flex_specs import ALL as LIGHT_SPECS
from tests.onem2m_client import OneM2MClient, free_port

FAST_RETRY = RetryPolicy(0.05, 2000, 0.5)
USP_TIMINGS = AgentTimings(
    boot_delay=0.05,
    transfer_time=0.05,
    install_time=0.02,
    eu_transition_time=0.01,
    notify_retry_interval=0.5,
    notify_retry_attempts=3,
    mqtt_retry=FAST_RETRY,
)
# Short enough that the fault tests end quickly, long enough for a loaded machine.
REQUEST_TIMEOUT = 2.0
COMPLETION_TIMEOUT = 3.0
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def usp_broker() -> Iterator[LocalMosquitto]:
    with running_broker() as broker:
        yield broker


@pytest.fixture
def private_broker() -> Iterator[LocalMosquitto]:
    """A broker of this test alone (for stopping and restarting it)."""
    with running_broker() as broker:
        yield broker


@pytest.fixture
def usp_tag() -> str:
    return f"I{os.getpid() % 10000:04d}{next(_ids):04d}"


def usp_options(broker: LocalMosquitto, tag: str, **overrides: Any) -> dict[str, Any]:
    return {"broker": broker.url, "endpoint_id": f"self::ipe-{tag}", "request_timeout": REQUEST_TIMEOUT,
            "completion_timeout": COMPLETION_TIMEOUT, "reboot_timeout": 10.0, **overrides}


async def start_app(plugin_options: dict[str, Any]) -> Application:
    settings = Settings(db=":memory:", http_port=free_port(), coap_port=0, plugins=["sdt"],
                        plugin_options={"sdt": plugin_options})
    app = Application(settings)
    if app.cse.registry.by_tpe("cod:devLt") is None:
        register(app.cse.registry, LIGHT_SPECS)
    await app.start()
    return app


@pytest.fixture
async def usp_app(usp_broker: LocalMosquitto, usp_tag: str) -> AsyncIterator[Application]:
    app = await start_app({"drivers": ["usp"], "usp": usp_options(usp_broker, usp_tag)})
    app.usp_endpoint_id = f"self::ipe-{usp_tag}"
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
async def usp_admin(usp_app: Application) -> AsyncIterator[OneM2MClient]:
    async with OneM2MClient(usp_app.http.url, originator="CAdmin") as client:
        yield client


AgentsFactory = Callable[..., Any]


@pytest.fixture
async def usp_agents(usp_broker: LocalMosquitto, usp_tag: str) -> AsyncIterator[AgentsFactory]:
    """``await start(endpoint_id, count=1, timings=None, broker=None, prefix=None, prepare=None,
    onboard_request=True)``: simulated Agents of the Controller ``endpoint_id``, started (each
    passed to ``prepare`` first); stopped at the end of the test."""
    fleets: list[AgentFleet] = []
    prefixes = itertools.count(1)

    async def start(endpoint_id: str, count: int = 1, *, timings: AgentTimings | None = None,
                    broker: LocalMosquitto | None = None, prefix: str | None = None,
                    prepare: Callable[[SimulatedAgent], None] | None = None,
                    onboard_request: bool = True) -> AgentFleet:
        identities = fleet_identities(count, endpoint_id, serial_prefix=prefix or f"{usp_tag}x{next(prefixes)}x",
                                      topic=controller_topic(endpoint_id))
        fleet = AgentFleet((broker or usp_broker).address, identities, timings or USP_TIMINGS,
                           onboard_request=onboard_request)
        fleets.append(fleet)
        for agent in fleet.agents:
            if prepare is not None:
                prepare(agent)
        await fleet.start()
        return fleet

    try:
        yield start
    finally:
        for fleet in fleets:
            await fleet.stop()


def node_of(agent: SimulatedAgent) -> str:
    return f"/cse-in/node-{slug(agent.endpoint_id)}"


def light_of(agent: SimulatedAgent, light_id: str = "1") -> str:
    return f"/cse-in/sdt-ipe/{slug(agent.endpoint_id)}-light-{light_id}"


async def shown(client: OneM2MClient, path: str, timeout: float = 15.0) -> Any:
    """The resource at ``path`` once it exists (bounded wait)."""
    from tests.ipe.conftest import eventually

    async def check():
        reply = await client.retrieve(path)
        return reply if reply.rsc == 2000 else None

    return await eventually(check, timeout)


async def ready(client: OneM2MClient, agent: SimulatedAgent) -> None:
    """Wait until every resource of the Agent is shown: its light's brightness is published last."""
    await shown(client, f"{light_of(agent)}/brightness")


async def attribute(client: OneM2MClient, path: str, name: str, expected: Any, timeout: float = 15.0) -> Any:
    from tests.ipe.conftest import eventually

    async def check():
        reply = await client.retrieve(path)
        value = reply.pc.get(name) if reply.rsc == 2000 else None
        return value if value == expected else None

    return await eventually(check, timeout)


def sim_value(agent: SimulatedAgent, path: str) -> str:
    """A parameter of the simulated Agent, read in-process (what the device itself holds)."""
    return agent.processor.get(Get((path,))).flat()[path]


def press(agent: SimulatedAgent, on: bool, capability: int = 1) -> None:
    """Someone switches the light at the device: its value changes and it notifies."""
    cap = agent.root.children["IoTCapability"].instances[capability]
    agent.update(cap.children["BinaryControl"], f"Device.IoTCapability.{capability}.BinaryControl.", "Value",
                 "true" if on else "false")


async def status(client: OneM2MClient, path: str, name: str, action: str, sus: int, timeout: float = 15.0) -> Any:
    return await attribute(client, path, name, {"acn": action, "sus": sus}, timeout)


# -- one LwM2M device and USP Agents behind the same IPE ------------------------------------------


def free_udp_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def mixed_app(usp_broker: LocalMosquitto, usp_tag: str) -> AsyncIterator[Application]:
    lwm2m_port = free_udp_port()
    app = await start_app({"drivers": ["lwm2m", "usp"], "lwm2m": {"port": lwm2m_port, "request_timeout": 3.0},
                           "usp": usp_options(usp_broker, usp_tag)})
    app.lwm2m_port = lwm2m_port
    app.usp_endpoint_id = f"self::ipe-{usp_tag}"
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
async def mixed_admin(mixed_app: Application) -> AsyncIterator[OneM2MClient]:
    async with OneM2MClient(mixed_app.http.url, originator="CAdmin") as client:
        yield client


@pytest.fixture
async def mixed_lwm2m_device(mixed_app: Application) -> AsyncIterator[SimulatedDevice]:
    simulated = SimulatedDevice(DeviceSettings(
        endpoint="lamp-1", server_uri=f"coap://127.0.0.1:{mixed_app.lwm2m_port}", bind_host="127.0.0.1", lifetime=60,
    ))
    await simulated.start()
    await asyncio.wait_for(simulated.wait_registered(), 10)
    yield simulated
    await simulated.stop()
