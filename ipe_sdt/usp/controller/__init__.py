"""USP Controller over MQTT (TR-369): agent sessions, requests, notifications.

Public API for the IPE driver: ``UspController`` and the types below.
"""

from .agent_info import AgentInfo, BootInfo, OnboardInfo
from .controller import ControllerSettings, ControllerStats, UspController
from .errors import (
    AgentUnreachable,
    ControllerError,
    ParamFailure,
    UnknownAgent,
    UspAgentError,
    UspProtocolError,
    UspTimeout,
)
from .events import (
    AgentBooted,
    AgentOffline,
    AgentOnboardRequested,
    AgentOnline,
    ControllerEvent,
    EventStream,
    NotificationReceived,
)
from .results import AddResult, CommandResult, Subscription

__all__ = [
    "AddResult",
    "AgentBooted",
    "AgentInfo",
    "AgentOffline",
    "AgentOnboardRequested",
    "AgentOnline",
    "AgentUnreachable",
    "BootInfo",
    "CommandResult",
    "ControllerError",
    "ControllerEvent",
    "ControllerSettings",
    "ControllerStats",
    "EventStream",
    "NotificationReceived",
    "OnboardInfo",
    "ParamFailure",
    "Subscription",
    "UnknownAgent",
    "UspAgentError",
    "UspController",
    "UspProtocolError",
    "UspTimeout",
]
