"""Typed results of Controller operations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CommandResult:
    """Outcome of ``UspController.operate``.

    ``completed`` is False only for an asynchronous command started with
    ``wait_for_completion=False``: then ``request_path`` names the Agent's
    ``Device.LocalAgent.Request.{i}.`` object and the OperationComplete
    arrives later as a ``NotificationReceived`` event with ``command_key``.
    """

    command: str
    command_key: str
    output_args: Mapping[str, str] = field(default_factory=dict)
    request_path: str | None = None
    completed: bool = True


@dataclass(frozen=True)
class AddResult:
    path: str  # the new instance, e.g. Device.LocalAgent.Subscription.3.
    unique_keys: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Subscription:
    """A ``Device.LocalAgent.Subscription.{i}.`` the Controller created on an Agent."""

    agent: str
    subscription_id: str
    path: str
    notif_type: str
    reference_list: tuple[str, ...]
