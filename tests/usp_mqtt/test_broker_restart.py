"""The broker goes away and comes back on the same port: the Controller
reports every Agent unreachable, refuses requests at once meanwhile, and
after the restart Controller and Agents reconnect and work again."""

from __future__ import annotations

import pytest

from ipe_sdt.usp.controller import AgentOffline, AgentOnline, AgentUnreachable, ControllerSettings, UspController
from ipe_sdt.usp.mtp import RetryPolicy

from .conftest import make_controller
from .event_helpers import collect, onboard


@pytest.fixture
async def restart_controller(private_mosquitto, test_tag):
    ctl = make_controller(private_mosquitto, test_tag)
    await ctl.start()
    try:
        yield ctl
    finally:
        await ctl.stop()


async def test_broker_restart(private_mosquitto, restart_controller, fleet_factory):
    controller = restart_controller
    fleet = fleet_factory(3, controller, broker=private_mosquitto)
    await onboard(controller, fleet)
    ids = {a.endpoint_id for a in fleet.agents}
    await controller.subscribe(fleet.agents[0].endpoint_id, "ValueChange",
                               ["Device.IoTCapability.1.BinaryControl.Value"])

    with controller.events() as stream:
        private_mosquitto.stop()
        offline = await collect(stream, lambda e: isinstance(e, AgentOffline), 3)
        assert {e.agent.endpoint_id for e in offline} == ids
        # Either the Controller noticed first, or the broker published an
        # Agent's Will while shutting down.
        assert all("broker" in e.reason or "MQTT connection lost" in e.reason for e in offline)
        assert not controller.connected
        with pytest.raises(AgentUnreachable, match="broker"):
            await controller.get(fleet.agents[0].endpoint_id, ["Device.DeviceInfo."])

        private_mosquitto.start()
        online = await collect(stream, lambda e: isinstance(e, AgentOnline), 3, timeout=30)
    assert {e.agent.endpoint_id for e in online} == ids
    assert controller.connected
    for agent in fleet.agents:
        assert agent.connected
        values = await controller.get(agent.endpoint_id, ["Device.DeviceInfo.SerialNumber"])
        assert values == {"Device.DeviceInfo.SerialNumber": agent.identity.serial_number}
    # The Agents did not reboot: no new Boot!, and their subscriptions are intact.
    assert all(a.stats.boots == 1 for a in fleet.agents)
    subs = await controller.get(fleet.agents[0].endpoint_id, ["Device.LocalAgent.Subscription.*.NotifType"])
    assert sorted(subs.values()) == ["Event", "ValueChange"]


async def test_agents_back_before_the_controller_are_found_by_probing(private_mosquitto, test_tag, fleet_factory):
    # The Controller retries slowly, the Agents quickly: their MQTTConnectRecords
    # are published while the Controller is not yet subscribed, so only the
    # Controller's probe can find them again.
    settings = ControllerSettings(retry=RetryPolicy(1.0, 2000, 2.0), connect_timeout=5.0, probe_timeout=2.0)
    controller = UspController(private_mosquitto.url, f"self::slow-{test_tag}", settings=settings)
    await controller.start()
    try:
        fleet = fleet_factory(2, controller, broker=private_mosquitto)
        await onboard(controller, fleet)
        with controller.events() as stream:
            private_mosquitto.stop()
            await collect(stream, lambda e: isinstance(e, AgentOffline), 2)
            private_mosquitto.start()
            online = await collect(stream, lambda e: isinstance(e, AgentOnline), 2, timeout=30)
        assert {e.agent.endpoint_id for e in online} == {a.endpoint_id for a in fleet.agents}
        for agent in fleet.agents:
            assert await controller.get(agent.endpoint_id, ["Device.LocalAgent.EndpointID"])
    finally:
        await controller.stop()
