"""Fixtures: a CSE listening for CoAP (and HTTP) on loopback, and clients of either binding."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from cse.app import Application
from cse.config import Settings
from tests.coap.coap_client import CoapClient, free_udp_port
from tests.onem2m_client import OneM2MClient, free_port


@pytest.fixture
def settings() -> Settings:
    return Settings(db=":memory:", http_port=free_port(), coap_port=free_udp_port(), expiry_interval=0.1)


@pytest.fixture
async def coap(cse_app: Application) -> AsyncIterator[CoapClient]:
    """A CoAP client for a plain AE; set ``originator`` per request (defaults to 'Cae')."""
    async with CoapClient(cse_app.coap.url, originator="Cae") as client:
        yield client


@pytest.fixture
async def coap_admin(cse_app: Application) -> AsyncIterator[CoapClient]:
    async with CoapClient(cse_app.coap.url, originator="CAdmin") as client:
        yield client


@pytest.fixture(params=["http", "coap"])
async def any_client(request: pytest.FixtureRequest, cse_app: Application) -> AsyncIterator[OneM2MClient | CoapClient]:
    """The same client interface over HTTP and over CoAP: a test using it runs once per binding."""
    if request.param == "http":
        async with OneM2MClient(cse_app.http.url, originator="Cae") as client:
            yield client
    else:
        async with CoapClient(cse_app.coap.url, originator="Cae") as client:
            yield client
