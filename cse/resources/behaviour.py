"""Type-specific rules around the generic Create, Update and Delete processing.

The generic operations (cse.core.operations) validate attributes against the type table and
do everything common to all types; they call these hooks for what is special to one type.
The defaults do nothing, so a type without special rules needs no module at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cse.errors import RequestError
from cse.status import RSC

if TYPE_CHECKING:
    from cse.core.addressing import Target
    from cse.core.engine import CSE
    from cse.primitives import Request, Response
    from cse.core.operations import CreateOp, DeleteOp, UpdateOp
    from cse.model.resource import Resource


class Behaviour:
    def on_create(self, op: "CreateOp") -> None:
        """Check type rules and fill derived attributes before the resource enters the tree."""

    async def prepare_create(self, op: "CreateOp") -> None:
        """Act before the resource enters the tree, e.g. verify notification targets; may await."""

    def after_create(self, op: "CreateOp") -> None:
        """Adjust other resources (inside the same transaction) once the resource is in the tree."""

    def on_update(self, op: "UpdateOp") -> None:
        """Check type rules of an update before it is applied."""

    def after_update(self, op: "UpdateOp") -> None:
        """Adjust other resources (inside the same transaction) after an update."""

    def on_delete(self, op: "DeleteOp", resource: "Resource") -> None:
        """Called for each resource of a deleted subtree, children first, before it leaves the tree."""

    def accepts_empty_update(self) -> bool:
        """Whether an Update without attributes means something (invoking an action)."""
        return False

    async def prepare_update(self, op: "UpdateOp") -> None:
        """Act before an update is applied, e.g. drive a device; may await. Raise to refuse."""

    async def handle_virtual(self, cse: "CSE", request: "Request", target: "Target") -> "Response":
        """Answer a request addressed to a virtual child of a resource of this type."""
        raise RequestError(RSC.NOT_FOUND, f"{target.resource.ri!r} has no virtual resource {target.virtual!r}")
