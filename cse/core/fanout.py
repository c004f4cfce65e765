"""Fan-out: one request sent to many targets at once, the answers aggregated (TS-0001 clause
10.2.7, TS-0004 clause 7.4.14).

Every target gets its own request primitive, a real ``CSE.handle`` call: the same operation,
content and parameters, the original originator (so that each target's own access control
decides for that originator), and a request identifier of its own. The calls run concurrently,
at most ``PARALLELISM`` at a time, so that thousands of targets neither run one by one nor
flood the event loop. The answers come back in the order of the targets as one
m2m:aggregatedResponse (``m2m:agr``) of m2m:responsePrimitive entries (``m2m:rsp``), each with
rsc, rqi, pc, to (the originator) and fr (the target as it was named).

A target may be a fanOutPoint itself (a group in a group): its aggregated entries are merged
into the outer answer, one entry per final member. The fan-outs active on the current path are
tracked, so that a loop of groups that slipped past validation ends with an error entry rather
than recursing forever.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Iterator

from cse.errors import RequestError
from cse.primitives import Operation, Request, Response, ResponseType
from cse.status import RSC, for_release

if TYPE_CHECKING:
    from cse.core.engine import CSE

# Member requests in flight at once, per fan-out. Each fan-out has its own bound, so a nested
# fan-out never waits for a slot its parent holds.
PARALLELISM = 64

# The fan-outs (by key, e.g. a group's resource ID) on the path of the current request.
_active: ContextVar[frozenset[str]] = ContextVar("fan_out_path", default=frozenset())


@dataclass(frozen=True)
class Target:
    """One receiver of a fan-out."""

    # The target as the originator named it; reported as 'fr' in its entry.
    member: str
    # Where the request goes; None for a target that cannot be reached from here.
    to: str | None
    # For an unreachable target: the status and message of its entry.
    failure: tuple[RSC, str] | None = None
    # The target is a fanOutPoint: an aggregated answer from it is merged, not nested.
    nested: bool = False


@contextmanager
def entering(key: str, description: str) -> Iterator[None]:
    """Mark the fan-out ``key`` as active while the block runs; refuse to enter it twice on one
    path (a loop of nested fan-outs)."""
    path = _active.get()
    if key in path:
        raise RequestError(
            RSC.BAD_REQUEST,
            f"{description} is reached again through its own members; the loop is not followed",
        )
    token = _active.set(path | {key})
    try:
        yield
    finally:
        _active.reset(token)


async def fan_out(cse: "CSE", request: Request, targets: list[Target], parallelism: int = PARALLELISM) -> Response:
    """Send ``request`` to every target concurrently and answer with the aggregated response."""
    answers: list[list[dict[str, Any]] | None] = [None] * len(targets)
    counter = itertools.count()
    numbering = itertools.count(1)

    async def worker() -> None:
        # Each worker takes the next target until none is left: at most ``parallelism``
        # requests in flight, without a task (or a semaphore waiter) per target.
        for index in counter:
            if index >= len(targets):
                return
            answers[index] = await _one(cse, request, targets[index], numbering)

    # Tasks even for a single worker: each nesting level of groups then runs on a stack of
    # its own, so deep nesting cannot exhaust the interpreter's recursion limit.
    async with asyncio.TaskGroup() as group:
        for _ in range(min(max(parallelism, 1), len(targets))):
            group.create_task(worker())
    entries = [entry for answer in answers if answer for entry in answer]
    return Response(RSC.OK, request.rqi, pc={"m2m:agr": {"m2m:rsp": entries}})


async def _one(cse: "CSE", request: Request, target: Target, numbering: Iterator[int]) -> list[dict[str, Any]]:
    if target.to is None:
        rsc, message = target.failure or (RSC.TARGET_NOT_REACHABLE, f"{target.member!r} cannot be reached")
        return [_entry(request, target.member, for_release(rsc, request.rvi), {"m2m:dbg": message})]
    member_request = _member_request(request, target.to, f"{request.rqi}/{next(numbering)}")
    response = await cse.handle(member_request)
    if target.nested and response.rsc == RSC.OK and isinstance(response.pc, dict) and "m2m:agr" in response.pc:
        inner = response.pc["m2m:agr"] or {}
        # The inner entries answer the same original request.
        return [{**entry, "rqi": request.rqi} for entry in inner.get("m2m:rsp") or []]
    return [_entry(request, target.member, response.rsc, response.pc)]


def _member_request(request: Request, to: str, rqi: str) -> Request:
    """The original request re-addressed to one target.

    The originator stays the same, so each target's access control decides for it. The
    execution time (oet) has already been waited for; the request expiration (rqet) still
    applies to every target. Content is copied, so that no two resources share it.
    """
    pc = request.pc
    if pc is not None and request.op in (Operation.CREATE, Operation.UPDATE):
        pc = copy.deepcopy(pc)
    return replace(request, to=to, rqi=rqi, pc=pc, oet=None, rt=ResponseType.BLOCKING)


def _entry(request: Request, member: str, rsc: RSC, pc: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"rsc": int(rsc), "rqi": request.rqi}
    if pc is not None:
        entry["pc"] = pc
    entry["to"] = request.fr
    entry["fr"] = member
    return entry
