"""Matching what comes back to what is waiting for it.

``PendingRequests``: responses by msg_id (TR-369: a response carries the
request's msg_id), checked against the Agent the request went to, so a stray
or forged response from another endpoint cannot complete it.

``CompletionWaiters``: OperationComplete notifications by Agent, command path
and command key (an OperationComplete names the object, the command and the
key, not the Request object).
"""

from __future__ import annotations

import asyncio

from ipe_sdt.usp import Message, OperationComplete


class PendingRequests:
    def __init__(self) -> None:
        self._waiting: dict[str, tuple[str, asyncio.Future[Message]]] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, msg_id: str, agent: str) -> asyncio.Future[Message]:
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._waiting[msg_id] = (agent, future)
        return future

    def resolve(self, msg_id: str, agent: str, message: Message) -> bool:
        entry = self._waiting.get(msg_id)
        if entry is None or entry[0] != agent:
            return False
        self._waiting.pop(msg_id)
        if not entry[1].done():
            entry[1].set_result(message)
        return True

    def discard(self, msg_id: str) -> None:
        self._waiting.pop(msg_id, None)

    def fail_agent(self, agent: str, exc: BaseException) -> None:
        for msg_id, (who, future) in list(self._waiting.items()):
            if who == agent:
                self._waiting.pop(msg_id)
                if not future.done():
                    future.set_exception(exc)

    def fail_all(self, exc: BaseException) -> None:
        for _, future in self._waiting.values():
            if not future.done():
                future.set_exception(exc)
        self._waiting.clear()


CompletionKey = tuple[str, str, str]  # (agent, command path, command key)


class CompletionWaiters:
    def __init__(self) -> None:
        self._waiting: dict[CompletionKey, list[asyncio.Future[OperationComplete]]] = {}

    def expect(self, agent: str, command_path: str, command_key: str) -> asyncio.Future[OperationComplete]:
        future: asyncio.Future[OperationComplete] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault((agent, command_path, command_key), []).append(future)
        return future

    def resolve(self, agent: str, complete: OperationComplete) -> bool:
        key = (agent, complete.obj_path + complete.command_name, complete.command_key)
        futures = self._waiting.get(key)
        if not futures:
            return False
        future = futures.pop(0)
        if not futures:
            del self._waiting[key]
        if not future.done():
            future.set_result(complete)
        return True

    def discard(self, future: asyncio.Future[OperationComplete]) -> None:
        for key, futures in list(self._waiting.items()):
            if future in futures:
                futures.remove(future)
                if not futures:
                    del self._waiting[key]
                return

    def fail_all(self, exc: BaseException) -> None:
        for futures in self._waiting.values():
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
        self._waiting.clear()
