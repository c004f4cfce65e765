"""The Controller's per-Agent state: where to reach it, whether it is
reachable, what it last reported at boot, and which subscriptions the
Controller already holds on it."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from .agent_info import AgentInfo, BootInfo, OnboardInfo

# (NotifType, reference path) -> subscription ID on the Agent
SubscriptionKey = tuple[str, str]


@dataclass
class AgentSession:
    endpoint_id: str
    topic: str | None = None
    reachable: bool = False
    unreachable_reason: str = "not yet seen"
    first_seen: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)
    boot: BootInfo | None = None
    onboard: OnboardInfo | None = None
    subscriptions: dict[SubscriptionKey, str] = field(default_factory=dict)
    subscriptions_loaded: bool = False
    subscription_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def snapshot(self) -> AgentInfo:
        return AgentInfo(
            endpoint_id=self.endpoint_id,
            topic=self.topic,
            reachable=self.reachable,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            boot=self.boot,
            onboard=self.onboard,
            unreachable_reason="" if self.reachable else self.unreachable_reason,
        )

    def forget_subscriptions(self) -> None:
        """After a factory reset the Agent has none of them any more."""
        self.subscriptions.clear()
        self.subscriptions_loaded = False
