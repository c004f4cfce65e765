"""Many simulated Agents in one process, started and stopped together."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ipe_sdt.usp.mtp import BrokerAddress, check_endpoint_id, controller_topic

from .agent import SimulatedAgent
from .agent_context import AgentTimings
from .device_model import Identity

# Connections opened at once: enough to onboard quickly, few enough that the
# broker's accept queue and our executor threads are not swamped.
START_CONCURRENCY = 64


def fleet_identities(count: int, controller_id: str, *, serial_prefix: str = "SIM", oui: str = "00D09E",
                     topic: str | None = None, first: int = 1) -> list[Identity]:
    """Identities ``os::<OUI>-<prefix><n>`` (TR-369 endpoint ID form)."""
    if count < 0:
        raise ValueError("count must not be negative")
    check_endpoint_id(controller_id)
    topic = topic or controller_topic(controller_id)
    out = []
    for n in range(first, first + count):
        serial = f"{serial_prefix}{n:06d}"
        out.append(Identity(check_endpoint_id(f"os::{oui}-{serial}"), serial, controller_id, topic, oui=oui))
    return out


class AgentFleet:
    def __init__(self, broker: BrokerAddress, identities: Sequence[Identity],
                 timings: AgentTimings | None = None, *, onboard_request: bool = True, qos: int = 1) -> None:
        self.agents = [
            SimulatedAgent(broker, identity, timings, onboard_request=onboard_request, qos=qos)
            for identity in identities
        ]

    def __len__(self) -> int:
        return len(self.agents)

    def by_id(self, endpoint_id: str) -> SimulatedAgent:
        for agent in self.agents:
            if agent.endpoint_id == endpoint_id:
                return agent
        raise KeyError(endpoint_id)

    async def start(self, concurrency: int = START_CONCURRENCY) -> None:
        """Start every Agent; at most ``concurrency`` connect at the same time."""
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(agent: SimulatedAgent) -> None:
            async with gate:
                await agent.start()
                # Hold the slot until connected (bounded) so the gate really
                # limits simultaneous handshakes.
                await agent.wait_connected(10.0)

        await asyncio.gather(*(one(agent) for agent in self.agents))

    async def stop(self) -> None:
        await asyncio.gather(*(agent.stop() for agent in self.agents), return_exceptions=True)

    @property
    def connected(self) -> int:
        return sum(agent.connected for agent in self.agents)
