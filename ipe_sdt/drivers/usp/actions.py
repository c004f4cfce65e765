"""Device actions under way on a USP Agent, and how their outcome is read from the Agent.

An action (firmware download then activation; install, update or uninstall of a deployment
unit; activation or deactivation of its execution units) starts with an Operate and ends
when the Agent says so: its OperationComplete, a DUStateChange! or TransferComplete! with a
fault, a ValueChange of an execution unit's Status, or the Boot! after an activation. When
such a report is lost (a broker outage, an Agent that rebooted or forgot), the driver reads
the Agent's state instead and ``decide`` tells what that state means. Either way the outcome
is what the Agent reports, never assumed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum

from ipe_sdt.drivers.usp import paths as p
from ipe_sdt.drivers.usp.picture import rows


class Kind(str, Enum):
    DOWNLOAD = "download"  # firmware image Download()
    ACTIVATE_IMAGE = "activate-image"  # firmware image Activate()
    INSTALL = "install"  # InstallDU()
    UPDATE = "update"  # DeploymentUnit Update()
    UNINSTALL = "uninstall"  # DeploymentUnit Uninstall()
    ACTIVATE = "activate"  # ExecutionUnit SetRequestedState(Active)
    DEACTIVATE = "deactivate"  # ExecutionUnit SetRequestedState(Idle)


# The m2m:actionStatus each kind reports in (field) and under which action name (acn). An
# update is asked for with 'in' like an install, so it reports as one.
FIELD = {Kind.DOWNLOAD: "firmware", Kind.ACTIVATE_IMAGE: "firmware", Kind.INSTALL: "install",
         Kind.UPDATE: "install", Kind.UNINSTALL: "install", Kind.ACTIVATE: "activation",
         Kind.DEACTIVATE: "activation"}
ACTION_NAME = {Kind.DOWNLOAD: "update", Kind.ACTIVATE_IMAGE: "update", Kind.INSTALL: "install",
               Kind.UPDATE: "install", Kind.UNINSTALL: "uninstall", Kind.ACTIVATE: "activate",
               Kind.DEACTIVATE: "deactivate"}
# What each kind must read to be decided (besides the Request table).
STATE_OF = {Kind.DOWNLOAD: p.DEVICE_INFO, Kind.ACTIVATE_IMAGE: p.DEVICE_INFO}


class Outcome(Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DOWNLOADED = "downloaded"  # a firmware image is ready: the activation is next


@dataclass
class Action:
    kind: Kind
    package: str  # the software package ('' for firmware)
    key: str  # command key of the Operate under way ('' for SetRequestedState, synchronous)
    target: str = ""  # the object acted on: firmware image, deployment unit ('' until installed)
    targets: tuple[str, ...] = ()  # execution units (activate, deactivate)
    url: str = ""
    uuid: str = ""  # the deployment unit's UUID (install, uninstall)
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    @property
    def field(self) -> str:
        return FIELD[self.kind]

    @property
    def action_name(self) -> str:
        return ACTION_NAME[self.kind]

    @property
    def state_path(self) -> str:
        return STATE_OF.get(self.kind, p.SOFTWARE_MODULES)

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def running(action: Action, state: dict[str, str]) -> bool:
    """Whether the Agent still holds a Request object for the action's command."""
    if not action.key:
        return False
    return any(row.get("CommandKey") == action.key for row in rows(state, p.REQUESTS).values())


def unit_with_uuid(state: dict[str, str], uuid: str) -> tuple[str, dict[str, str]] | None:
    for path, row in rows(state, p.DEPLOYMENT_UNITS).items():
        if row.get("UUID") == uuid:
            return path, row
    return None


def decide(action: Action, state: dict[str, str], ended: bool) -> Outcome:
    """The outcome the Agent's state shows.

    ``ended``: the Agent said the command is over (its OperationComplete, or a report that
    only comes at the end). An asynchronous command is also over once the Agent no longer
    holds its Request object. Until it is over, a state short of the goal means "under way".
    """
    if action.key:
        ended = ended or not running(action, state)
    kind = action.kind
    if kind == Kind.DOWNLOAD:
        if state.get(action.target + "Status", "") == p.IMAGE_AVAILABLE:
            return Outcome.DOWNLOADED
    elif kind == Kind.ACTIVATE_IMAGE:
        if p.as_object(state.get(p.ACTIVE_IMAGE, "")) == action.target:
            return Outcome.SUCCEEDED
    elif kind == Kind.INSTALL:
        found = unit_with_uuid(state, action.uuid)
        if found is not None and found[1].get("Status") == p.DU_INSTALLED:
            return Outcome.SUCCEEDED
    elif kind == Kind.UNINSTALL:
        if unit_with_uuid(state, action.uuid) is None:
            return Outcome.SUCCEEDED
    elif kind == Kind.UPDATE:
        row = rows(state, p.DEPLOYMENT_UNITS).get(action.target)
        if row is None:
            return Outcome.FAILED
        # TR-181: a unit's URL is the one its latest successful install or update used.
        if ended and row.get("Status") == p.DU_INSTALLED and row.get("URL") == action.url:
            return Outcome.SUCCEEDED
    else:
        wanted = p.EU_WANTED[kind.value]
        units = rows(state, p.EXECUTION_UNITS)
        statuses = [units.get(unit, {}).get("Status", "") for unit in action.targets]
        if statuses and all(status == wanted for status in statuses):
            return Outcome.SUCCEEDED
        if any(status in p.EU_TRANSITIONS for status in statuses):
            return Outcome.RUNNING
    return Outcome.FAILED if ended else Outcome.RUNNING
