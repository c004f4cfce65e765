"""A management adapter for tests: records the actions the CSE asks for, answers as told, and
reports progress the way a real adapter does, with Update requests over HTTP under its own
originator (cse.core.adapters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cse.model.resource import Resource
from cse.primitives import Request, Response
from cse.resources.mgmt_obj_table import MGMT_OBJ_TYPES
from cse.status import RSC
from tests.onem2m_client import OneM2MClient, Reply

# Which status attribute reports on which trigger, as the mgmtObj table declares it.
STATUS_OF = {
    trigger: status
    for rtype in MGMT_OBJ_TYPES
    for trigger, status in rtype.behaviour.actions.triggers.items()
    if status
}


@dataclass
class Asked:
    """One action the CSE asked for: the forwarded Update and the resource it targets."""

    request: Request
    resource_ri: str
    path: str

    @property
    def attrs(self) -> dict[str, Any]:
        """The attributes of the forwarded Update, without the root element."""
        (value,) = self.request.pc.values()
        return value


@dataclass
class RecordingAdapter:
    base_url: str
    originator: str
    asked: list[Asked] = field(default_factory=list)
    # The status the device answers with; anything but a success refuses the action.
    rsc: RSC = RSC.OK
    # When set, the adapter reports "in process" (sus 3) while it handles the action.
    report_in_process: bool = True
    # Raise instead of answering (a broken adapter).
    explode: bool = False
    _client: OneM2MClient | None = None

    async def start(self, cse_app) -> "RecordingAdapter":
        self._client = await OneM2MClient(self.base_url, originator=self.originator).__aenter__()
        cse_app.cse.adapters.register(self.originator, self)
        return self

    async def stop(self, cse_app) -> None:
        cse_app.cse.adapters.unregister(self.originator)
        if self._client is not None:
            await self._client.__aexit__(None, None, None)
            self._client = None

    async def handle(self, request: Request, resource: Resource) -> Response:
        path = f"/cse-in/{resource.srn}"
        self.asked.append(Asked(request, resource.ri, path))
        if self.explode:
            raise RuntimeError("the device link is down")
        if not RSC(self.rsc).is_success:
            return Response(RSC(self.rsc), request.rqi, pc={"m2m:dbg": "the device refused the action"})
        if self.report_in_process:
            (tpe, attrs), = request.pc.items()
            for trigger in attrs:
                if trigger in STATUS_OF:
                    reply = await self.report(path, tpe, STATUS_OF[trigger], trigger, 3)
                    assert reply.rsc == 2004, reply
        return Response(RSC.UPDATED, request.rqi)

    async def report(self, path: str, tpe: str, status: str, action: str, sus: int) -> Reply:
        """Report the progress of ``action`` in ``status`` of the resource at ``path``."""
        assert self._client is not None
        return await self._client.update(path, {tpe: {status: {"acn": action, "sus": sus}}})
