"""container: holds contentInstances within the limits mni, mbs and mia."""

from __future__ import annotations

from datetime import timedelta

from cse import timestamps
from cse.errors import RequestError
from cse.model.typecodes import Ty
from cse.primitives import Operation
from cse.status import RSC
from cse.resources.behaviour import Behaviour


class ContainerBehaviour(Behaviour):
    def on_create(self, op) -> None:
        op.attrs["cni"] = 0
        op.attrs["cbs"] = 0

    def after_update(self, op) -> None:
        if any(name in op.changes for name in ("mni", "mbs")):
            enforce_limits(op.cse, op.tx, op.resource, op.request)

    async def handle_virtual(self, cse, request, target):
        """'la' and 'ol' stand for the latest and oldest contentInstance on Retrieve and Delete."""
        from cse.core import operations, retrieval

        if request.op not in (Operation.RETRIEVE, Operation.DELETE) or target.rest:
            raise RequestError(RSC.OPERATION_NOT_ALLOWED, f"{request.op.name} is not allowed on '{target.virtual}'")
        order = cse.store.children_reversed if target.virtual == "la" else cse.store.children
        actual = next((child for child in order(target.resource.ri) if child.ty == Ty.CIN), None)
        if actual is None:
            # Check access first, so that an unauthorized originator learns nothing.
            cse.access.check(request.fr, target.resource, request.op, request.peer)
            if request.op == Operation.RETRIEVE:
                cse.notifications.retrieved_nothing(target.resource)
            raise RequestError(RSC.NOT_FOUND, f"'{target.virtual}' of {target.resource.ri!r} has no contentInstance")
        if request.op == Operation.RETRIEVE:
            return await retrieval.retrieve(cse, request, actual)
        return await operations.delete(cse, request, actual)


def instance_added(cse, tx, container, instance, request) -> None:
    """Count a new contentInstance, then drop the oldest ones beyond mni or mbs."""
    attrs = dict(container.attrs)
    attrs["cni"] = attrs.get("cni", 0) + 1
    attrs["cbs"] = attrs.get("cbs", 0) + instance.attrs.get("cs", 0)
    attrs["st"] = attrs.get("st", 0) + 1
    attrs["lt"] = instance.attrs["ct"]
    tx.replace_attrs(container, attrs)
    enforce_limits(cse, tx, container, request)


def instance_removed(tx, container, instance) -> None:
    attrs = dict(container.attrs)
    attrs["cni"] = max(0, attrs.get("cni", 0) - 1)
    attrs["cbs"] = max(0, attrs.get("cbs", 0) - instance.attrs.get("cs", 0))
    attrs["st"] = attrs.get("st", 0) + 1
    attrs["lt"] = timestamps.format_ts(timestamps.now())
    tx.replace_attrs(container, attrs)


def instance_expiry(container, created: str) -> str | None:
    """The latest expiration time mia allows for an instance created at ``created``."""
    mia = container.attrs.get("mia")
    if mia is None:
        return None
    return timestamps.format_ts(timestamps.parse(created) + timedelta(seconds=mia))


def enforce_limits(cse, tx, container, request) -> None:
    from cse.core.operations import delete_subtree  # the generic delete, which counts down

    mni = container.attrs.get("mni")
    mbs = container.attrs.get("mbs")
    while True:
        over_count = mni is not None and container.attrs.get("cni", 0) > mni
        over_size = mbs is not None and container.attrs.get("cbs", 0) > mbs
        if not (over_count or over_size):
            return
        oldest = next((c for c in cse.store.children(container.ri) if c.ty == Ty.CIN), None)
        if oldest is None:
            return
        delete_subtree(cse, tx, oldest, request)
