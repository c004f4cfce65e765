"""contentInstance: immutable content inside a container."""

from __future__ import annotations

import orjson

from cse.errors import RequestError, bad_request
from cse.resources import container
from cse.resources.behaviour import Behaviour
from cse.status import RSC


class ContentInstanceBehaviour(Behaviour):
    def on_create(self, op) -> None:
        con = op.attrs["con"]
        op.attrs["cs"] = content_size(con)
        cnf = op.attrs.get("cnf")
        if cnf is not None and "/" not in cnf.split(":", 1)[0]:
            raise bad_request(f"attribute cnf: {cnf!r} is not 'type/subtype[:encoding]'")
        mbs = op.parent.attrs.get("mbs")
        if mbs is not None and op.attrs["cs"] > mbs:
            raise RequestError(
                RSC.NOT_ACCEPTABLE,
                f"content of {op.attrs['cs']} bytes exceeds the container's maximum byte size {mbs}",
            )
        op.attrs["st"] = op.parent.attrs.get("st", 0) + 1
        latest = container.instance_expiry(op.parent, op.attrs["ct"])
        if latest is not None and (op.attrs.get("et") is None or op.attrs["et"] > latest):
            op.attrs["et"] = latest

    def after_create(self, op) -> None:
        container.instance_added(op.cse, op.tx, op.parent, op.resource, op.request)

    def on_delete(self, op, resource) -> None:
        parent = op.cse.store.get(resource.pi)
        if parent is not None and parent.ri not in op.removed:
            container.instance_removed(op.tx, parent, resource)


def content_size(con) -> int:
    if isinstance(con, str):
        return len(con.encode("utf-8"))
    return len(orjson.dumps(con))
