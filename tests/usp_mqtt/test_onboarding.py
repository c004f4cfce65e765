"""An Agent that connects appears to the Controller: MQTTConnectRecord,
OnBoardRequest on the first boot, then Boot! (acknowledged with NotifyResp)."""

from __future__ import annotations

from ipe_sdt.usp import OnBoardRequest
from ipe_sdt.usp.controller import AgentBooted, AgentOnboardRequested, AgentOnline, NotificationReceived

from .event_helpers import booted, collect, next_matching, onboard


async def test_first_boot_announces_onboard_request_and_boot(controller, fleet_factory):
    fleet = fleet_factory(2, controller)
    with controller.events() as stream:
        await fleet.start()
        seen = await collect(stream, lambda e: isinstance(e, AgentOnline | AgentOnboardRequested | AgentBooted), 6)
    ids = {a.endpoint_id for a in fleet.agents}
    online = [e for e in seen if isinstance(e, AgentOnline)]
    assert {e.agent.endpoint_id for e in online} == ids
    assert all(e.via == "connect record" for e in online)
    onboards = [e for e in seen if isinstance(e, AgentOnboardRequested)]
    assert {e.request.serial_number for e in onboards} == {a.identity.serial_number for a in fleet.agents}
    assert all(e.request.oui == "00D09E" and e.request.product_class == "USPSimLight" for e in onboards)
    boots = [e for e in seen if isinstance(e, AgentBooted)]
    assert {e.agent.endpoint_id for e in boots} == ids
    for event in boots:
        assert event.boot.cause == "LocalFactoryReset"
        assert event.boot.command_key == ""
        assert event.boot.firmware_updated is False
        assert event.boot.parameters["Device.DeviceInfo.SoftwareVersion"] == "1.0.0"


async def test_registry_describes_each_agent(controller, fleet_factory):
    fleet = fleet_factory(3, controller)
    await onboard(controller, fleet)
    infos = {a.endpoint_id: a for a in controller.agents()}
    for agent in fleet.agents:
        info = infos[agent.endpoint_id]
        assert info.reachable and info.unreachable_reason == ""
        assert info.topic == agent.topic
        assert info.boot is not None and info.boot.cause == "LocalFactoryReset"
        assert info.onboard is not None and info.onboard.serial_number == agent.identity.serial_number
        assert info.first_seen <= info.last_seen
    assert controller.agent(fleet.agents[0].endpoint_id).reachable


async def test_boot_notifications_are_acknowledged(controller, fleet_factory):
    fleet = fleet_factory(1, controller)
    with controller.events() as stream:
        await fleet.start()
        note = await next_matching(stream, lambda e: isinstance(e, NotificationReceived)
                                   and isinstance(e.notification, OnBoardRequest))
        await next_matching(stream, booted())
    assert note.subscription_id == ""
    agent = fleet.agents[0]
    # NotifyResp answered both (OnBoardRequest and Boot! ask for one), so
    # nothing is left to retry; one more round trip makes sure the responses arrived.
    await controller.get(agent.endpoint_id, ["Device.LocalAgent.EndpointID"])
    assert agent.notifier.pending_count == 0


async def test_without_onboard_request_the_boot_still_announces_the_agent(controller, fleet_factory):
    fleet = fleet_factory(1, controller, onboard_request=False)
    with controller.events() as stream:
        await fleet.start()
        first = await next_matching(stream, lambda e: isinstance(e, AgentOnboardRequested | AgentBooted))
    assert isinstance(first, AgentBooted)
    assert controller.agent(fleet.agents[0].endpoint_id).onboard is None
