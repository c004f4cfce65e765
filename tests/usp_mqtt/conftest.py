"""Fixtures: one real mosquitto per test session, a Controller per test, and
simulated Agents with short timings. Every test uses its own endpoint IDs, so
tests sharing the broker never see each other's records."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from ipe_sdt.sim.usp import AgentFleet, AgentTimings, fleet_identities
from ipe_sdt.sim.usp.local_broker import LocalMosquitto
from tests.mosquitto_broker import running_broker
from ipe_sdt.usp.controller import ControllerSettings, UspController
from ipe_sdt.usp.mtp import RetryPolicy

FAST_RETRY = RetryPolicy(0.05, 2000, 0.5)
FAST_TIMINGS = AgentTimings(
    boot_delay=0.05,
    transfer_time=0.05,
    install_time=0.02,
    eu_transition_time=0.01,
    notify_retry_interval=0.5,
    notify_retry_attempts=3,
    mqtt_retry=FAST_RETRY,
)
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def mosquitto() -> Iterator[LocalMosquitto]:
    with running_broker() as broker:
        yield broker


@pytest.fixture
def private_mosquitto() -> Iterator[LocalMosquitto]:
    """A broker of this test alone (for stopping and restarting it)."""
    with running_broker() as broker:
        yield broker


@pytest.fixture
def test_tag() -> str:
    """Unique per test: keeps endpoint IDs (and so topics) apart on the shared broker."""
    return f"T{os.getpid() % 10000:04d}{next(_ids):04d}"


def make_controller(broker: LocalMosquitto, tag: str, **overrides: float) -> UspController:
    settings = ControllerSettings(
        request_timeout=overrides.get("request_timeout", 10.0),
        completion_timeout=overrides.get("completion_timeout", 10.0),
        connect_timeout=5.0,
        retry=FAST_RETRY,
        probe_timeout=2.0,
    )
    return UspController(broker.url, f"self::ctl-{tag}", settings=settings)


@pytest.fixture
async def controller(mosquitto: LocalMosquitto, test_tag: str) -> AsyncIterator[UspController]:
    ctl = make_controller(mosquitto, test_tag)
    await ctl.start()
    try:
        yield ctl
    finally:
        await ctl.stop()


FleetFactory = Callable[..., AgentFleet]


@pytest.fixture
async def fleet_factory(mosquitto: LocalMosquitto, test_tag: str) -> AsyncIterator[FleetFactory]:
    """``make(count, controller, timings=None, broker=None, prefix=None)``: not yet started."""
    fleets: list[AgentFleet] = []

    def make(count: int, controller: UspController, *, timings: AgentTimings | None = None,
             broker: LocalMosquitto | None = None, prefix: str | None = None, **kw: object) -> AgentFleet:
        identities = fleet_identities(count, controller.endpoint_id, serial_prefix=prefix or test_tag,
                                      topic=controller.topic)
        fleet = AgentFleet((broker or mosquitto).address, identities, timings or FAST_TIMINGS, **kw)
        fleets.append(fleet)
        return fleet

    try:
        yield make
    finally:
        for fleet in fleets:
            await fleet.stop()
