"""container: holds contentInstances within the limits mni, mbs and mia."""

from __future__ import annotations

from datetime import timedelta

from cse import timestamps
from cse.model.typecodes import Ty
from cse.resources.behaviour import Behaviour


class ContainerBehaviour(Behaviour):
    def on_create(self, op) -> None:
        op.attrs["cni"] = 0
        op.attrs["cbs"] = 0

    def after_update(self, op) -> None:
        if any(name in op.changes for name in ("mni", "mbs")):
            enforce_limits(op.cse, op.tx, op.resource, op.request)

    def virtual_child(self, cse, resource, name):
        if name == "la":
            order = cse.store.children_reversed(resource.ri)
        elif name == "ol":
            order = cse.store.children(resource.ri)
        else:
            return None
        return next((child for child in order if child.ty == Ty.CIN), None)


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
