from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ipe_sdt.lwm2m.server import Event, EventStream, Lwm2mServer

from .lwm2m_harness import Devices, server_fixture


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
