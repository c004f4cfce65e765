from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ipe_sdt.lwm2m.server import Event, EventStream, Lwm2mServer
from tests.lwm2m_server.lwm2m_harness import Devices, server_fixture

from .package_servers import CoapPackageServer, HttpPackageServer


@pytest.fixture
async def server() -> AsyncIterator[Lwm2mServer]:
    async for server in server_fixture():
        yield server


@pytest.fixture
def events(server: Lwm2mServer) -> EventStream[Event]:
    return server.stream()


@pytest.fixture
async def devices(server: Lwm2mServer) -> AsyncIterator[Devices]:
    made = Devices(server)
    try:
        yield made
    finally:
        await made.stop_all()


@pytest.fixture
async def http_packages() -> AsyncIterator[HttpPackageServer]:
    async with HttpPackageServer() as packages:
        yield packages


@pytest.fixture
async def coap_packages() -> AsyncIterator[CoapPackageServer]:
    async with CoapPackageServer() as packages:
        yield packages
