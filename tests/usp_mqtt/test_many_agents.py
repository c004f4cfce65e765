"""A hundred and more Agents at once: all onboard, all answer, none is lost."""

from __future__ import annotations

import asyncio

from .event_helpers import onboard

COUNT = 120


async def test_many_agents_onboard_and_answer(controller, fleet_factory):
    fleet = fleet_factory(COUNT, controller)
    booted = await onboard(controller, fleet)
    assert sorted(booted) == sorted(a.endpoint_id for a in fleet.agents)
    assert sum(info.reachable for info in controller.agents()) == COUNT

    results = await asyncio.gather(*(controller.get(a.endpoint_id, ["Device.DeviceInfo."]) for a in fleet.agents))
    for agent, values in zip(fleet.agents, results, strict=True):
        assert values["Device.DeviceInfo.SerialNumber"] == agent.identity.serial_number

    await asyncio.gather(*(controller.set(a.endpoint_id, {"Device.IoTCapability.1.BinaryControl.Value": True})
                           for a in fleet.agents))
    switched = await asyncio.gather(*(controller.get(a.endpoint_id, ["Device.IoTCapability.1.BinaryControl.Value"])
                                      for a in fleet.agents))
    assert all(v == {"Device.IoTCapability.1.BinaryControl.Value": "true"} for v in switched)
