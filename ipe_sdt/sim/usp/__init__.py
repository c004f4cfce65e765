"""Simulated USP Agents (TR-369 over MQTT, TR-181 Device:2) for tests, demos and load runs."""

from .agent import AgentStats, SimulatedAgent
from .agent_context import AgentTimings
from .device_model import Identity
from .fleet import AgentFleet, fleet_identities

__all__ = ["AgentFleet", "AgentStats", "AgentTimings", "Identity", "SimulatedAgent", "fleet_identities"]
