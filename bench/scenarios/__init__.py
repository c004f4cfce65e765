"""The bench's scenarios, by name. A scenario is an async function taking the run's Context and
returning its Results; a new one (CoAP, notifications, fan-out, ...) is a new module here plus
one entry in SCENARIOS.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bench.measure import Context, Result
from bench.scenarios import content_instance, discovery, notifications

Scenario = Callable[[Context], Awaitable[list[Result]]]

SCENARIOS: dict[str, Scenario] = {
    "create": content_instance.create_scenario,
    "retrieve": content_instance.retrieve_scenario,
    "discovery": discovery.discovery_scenario,
    "notify": notifications.notification_scenario,
}
