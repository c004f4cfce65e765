"""What a Controller operation can fail with; each says why in plain terms.

* ``UspAgentError``: the Agent answered, and the answer is a failure (USP
  Error message, CommandFailure, a failed Set/Add/Delete) with its TR-369 code.
* ``AgentUnreachable``: the request could not reach the Agent, or the Agent
  went away (DisconnectRecord, MQTT Will, broker connection lost) before it answered.
* ``UspTimeout``: the request was sent but no answer came in time; the Agent
  may or may not have acted on it.
* ``UspProtocolError``: the Agent answered with something TR-369 does not allow.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipe_sdt.usp import error_name


class ControllerError(Exception):
    """Base class of Controller operation failures."""


@dataclass(frozen=True)
class ParamFailure:
    """One path or parameter the Agent could not handle."""

    path: str
    code: int
    message: str = ""


class UspAgentError(ControllerError):
    def __init__(self, agent: str, code: int, message: str, failures: tuple[ParamFailure, ...] = ()) -> None:
        self.agent = agent
        self.code = int(code)
        self.message = message
        self.failures = failures
        super().__init__(f"{agent}: USP error {self.code} ({self.name}): {message}")

    @property
    def name(self) -> str:
        """TR-369 name of the code, e.g. "Invalid path"."""
        return error_name(self.code)


class AgentUnreachable(ControllerError):
    def __init__(self, agent: str, reason: str) -> None:
        self.agent = agent
        self.reason = reason
        super().__init__(f"{agent}: unreachable: {reason}")


class UnknownAgent(AgentUnreachable):
    """No record has ever come from this endpoint ID, so there is no topic to use."""

    def __init__(self, agent: str) -> None:
        super().__init__(agent, "no such agent has connected")


class UspTimeout(ControllerError, TimeoutError):
    def __init__(self, agent: str, what: str, timeout: float) -> None:
        self.agent = agent
        self.what = what
        self.timeout = timeout
        super().__init__(f"{agent}: no answer to {what} within {timeout:g} s")


class UspProtocolError(ControllerError):
    def __init__(self, agent: str, message: str) -> None:
        self.agent = agent
        super().__init__(f"{agent}: protocol error: {message}")
