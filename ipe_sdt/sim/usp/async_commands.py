"""Asynchronous commands: the ``Device.LocalAgent.Request.{i}.`` object that
represents each one while it runs, and the OperationComplete that ends it.

TR-369: the OperateResp of an asynchronous command carries the Request
object's path; when the command finishes the Request object is removed and an
OperationComplete notification goes to the subscribed Controllers.

A reboot interrupts what is running. A command that completes *through* the
reboot (firmware ``Activate()``) is reported successful after the boot; every
other one is reported failed after the boot, so no Controller waits forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ipe_sdt.usp import CommandFailure, ErrorCode, OperationComplete, OutputArgs

from .data_model import CommandSpec, Obj, Table
from .request_processor import CommandCall, CommandError

log = logging.getLogger(__name__)

REQUEST_TABLE = "Device.LocalAgent.Request."


@dataclass
class _Running:
    call: CommandCall
    task: asyncio.Task[None]
    completes_through_reboot: bool = False


class AsyncCommandRunner:
    def __init__(
        self,
        root: Callable[[], Obj],
        complete: Callable[[OperationComplete], None],
        created: Callable[[str, dict[str, str]], None],
        deleted: Callable[[str], None],
    ) -> None:
        self._root = root
        self._complete = complete
        self._created = created
        self._deleted = deleted
        self._running: dict[str, _Running] = {}
        # Outcomes to report once the Agent has booted again.
        self._after_boot: list[OperationComplete] = []

    def _requests(self) -> Table:
        table = self._root().children["LocalAgent"].children["Request"]  # type: ignore[union-attr]
        assert isinstance(table, Table)
        return table

    def start(self, spec: CommandSpec, call: CommandCall) -> str:
        """Create the Request object and run the handler; returns the Request path."""
        assert spec.handler is not None
        table = self._requests()
        number, req = table.add()
        for name, value in {
            "Originator": call.originator, "Command": call.command_path,
            "CommandKey": call.command_key, "Status": "Active",
        }.items():
            req.params[name].value = value
        path = f"{REQUEST_TABLE}{number}."
        self._created(path, {})
        coro = spec.handler(call)
        task = asyncio.get_running_loop().create_task(self._run(path, number, call, coro))
        self._running[path] = _Running(call, task)
        return path

    def completes_through_reboot(self, call: CommandCall) -> None:
        """Mark the running command ``call`` as one that a reboot finishes."""
        for running in self._running.values():
            if running.call is call:
                running.completes_through_reboot = True

    async def _run(self, path: str, number: int, call: CommandCall,
                   coro: Awaitable[dict[str, str]]) -> None:
        outcome: OutputArgs | CommandFailure
        try:
            outcome = OutputArgs(await coro)
        except CommandError as exc:
            outcome = CommandFailure(exc.code, exc.message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a simulator bug still ends the command truthfully
            log.exception("%s failed", call.command_path)
            outcome = CommandFailure(ErrorCode.INTERNAL_ERROR, f"internal error: {exc}")
        self._running.pop(path, None)
        if self._requests().instances.pop(number, None) is not None:
            self._deleted(path)
        self._complete(OperationComplete(call.obj_path, call.name, call.command_key, outcome))

    def interrupt_all(self) -> None:
        """The Agent goes down: stop every command and remember how to report it."""
        for running in list(self._running.values()):
            running.task.cancel()
            call = running.call
            outcome: OutputArgs | CommandFailure = (
                OutputArgs({})
                if running.completes_through_reboot
                else CommandFailure(ErrorCode.COMMAND_FAILURE, "interrupted by a reboot of the Agent")
            )
            self._after_boot.append(OperationComplete(call.obj_path, call.name, call.command_key, outcome))
        self._running.clear()
        self._requests().instances.clear()

    def report_after_boot(self) -> None:
        pending, self._after_boot = self._after_boot, []
        for complete in pending:
            self._complete(complete)

    @property
    def running(self) -> int:
        return len(self._running)
