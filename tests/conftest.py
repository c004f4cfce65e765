"""Fixtures: a CSE on a loopback port per test, and clients speaking oneM2M over HTTP to it."""

from __future__ import annotations

import dataclasses
from typing import AsyncIterator

import pytest

from cse.app import Application
from cse.config import Settings
from tests.onem2m_client import OneM2MClient, free_port


@pytest.fixture
def settings() -> Settings:
    """Override in a test module to change the CSE's settings."""
    return Settings(db=":memory:", http_port=free_port(), coap_port=0, expiry_interval=0.1)


@pytest.fixture
async def cse_app(settings: Settings) -> AsyncIterator[Application]:
    # free_port() can race with other processes on the machine: take another port then.
    for attempt in range(5):
        app = Application(settings)
        try:
            await app.start()
            break
        except OSError:
            await app.stop()
            if attempt == 4:
                raise
            settings = dataclasses.replace(settings, http_port=free_port())
    try:
        yield app
    finally:
        await app.stop()


@pytest.fixture
async def admin(cse_app: Application) -> AsyncIterator[OneM2MClient]:
    """A client whose originator is the admin, CAdmin."""
    async with OneM2MClient(cse_app.http.url, originator="CAdmin") as client:
        yield client


@pytest.fixture
async def client(cse_app: Application) -> AsyncIterator[OneM2MClient]:
    """A client for a plain AE; set ``originator`` per request (defaults to 'Cae')."""
    async with OneM2MClient(cse_app.http.url, originator="Cae") as c:
        yield c
