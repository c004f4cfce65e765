"""flexContainer: the rules of TS-0004 clause 7.4.37 beyond the attribute table.

Create
  - the content's root element names the specialization (the registry answers
    SPECIALIZATION_SCHEMA_NOT_FOUND for an unknown one, and for a bare 'm2m:fcnt');
  - ``cnd`` must be the specialization's containerDefinition: one that names no registered
    specialization is SPECIALIZATION_SCHEMA_NOT_FOUND (the schema it refers to is unknown),
    one that belongs to another specialization is BAD_REQUEST;
  - under a flexContainer, only the specializations its own specialization allows may be
    created: INVALID_CHILD_RESOURCE_TYPE otherwise;
  - ``nl`` (nodeLink), when given, must name a <node>;
  - ``cs`` (contentSize) is computed, see cse.model.specializations.content_size.
Update
  - read-only custom attributes may be changed by the device's owner (or the admin) only;
  - when the resource is served by a management adapter and the Update changes device-backed
    custom attributes, or the resource is an action (an Update of an action invokes it), the
    Update is forwarded to the adapter before anything is stored, so that the device acts
    before the CSE acknowledges; a refusal reaches the originator and nothing is stored. The
    owning adapter's own Updates (the device reporting its state) are stored directly, and so
    are Updates of flexContainers no adapter serves (those an ordinary AE created);
  - ``cs`` follows the custom attributes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from cse import timestamps
from cse.errors import RequestError, bad_request
from cse.model import specializations
from cse.model.typecodes import Ty
from cse.resources.behaviour import Behaviour
from cse.status import RSC

if TYPE_CHECKING:
    from cse.core.operations import CreateOp, UpdateOp
    from cse.model.specializations import Specialization


class FlexContainerBehaviour(Behaviour):
    def __init__(self, specialization: "Specialization | None") -> None:
        # None: the plain flexContainer type, which is never created itself.
        self.specialization = specialization

    def accepts_empty_update(self) -> bool:
        # An action without arguments is invoked by an Update that carries nothing.
        return self.specialization is not None and self.specialization.is_action

    def on_create(self, op: "CreateOp") -> None:
        spec = self.specialization
        registry = op.cse.registry
        if spec is None:
            raise RequestError(
                RSC.SPECIALIZATION_SCHEMA_NOT_FOUND,
                "a flexContainer is created as one of its specializations: the content's root must "
                "name one, e.g. {\"cod:devLt\": {...}}",
            )
        cnd = op.attrs["cnd"]
        if cnd != spec.cnd:
            other = specializations.by_cnd_in(registry, cnd)
            if other is None:
                raise RequestError(
                    RSC.SPECIALIZATION_SCHEMA_NOT_FOUND,
                    f"containerDefinition {cnd!r} names no specialization this CSE knows; "
                    f"a {spec.tpe} ({spec.name}) has {spec.cnd!r}",
                )
            raise bad_request(
                f"containerDefinition {cnd!r} is that of {other.tpe} ({other.name}); "
                f"a {spec.tpe} ({spec.name}) has {spec.cnd!r}"
            )
        parent_type = registry.of(op.parent)
        if parent_type is not None and parent_type.ty == Ty.FCNT:
            parent_spec = specializations.of_type(parent_type)
            allowed = parent_spec.children if parent_spec is not None else frozenset()
            if spec.tpe not in allowed:
                where = f"{parent_spec.tpe} ({parent_spec.name})" if parent_spec else "flexContainer of no known specialization"
                listed = ", ".join(sorted(allowed)) or "none"
                raise RequestError(
                    RSC.INVALID_CHILD_RESOURCE_TYPE,
                    f"a {spec.tpe} ({spec.name}) cannot be created under a {where}; "
                    f"allowed child specializations: {listed}",
                )
        _check_node_link(op.cse, op.attrs.get("nl"))
        op.attrs["cs"] = specializations.content_size(spec, op.attrs)

    def on_update(self, op: "UpdateOp") -> None:
        _check_node_link(op.cse, op.changes.get("nl"))
        spec = self.specialization
        if spec is None:
            return
        read_only = [
            name for name in op.changes if (attr := spec.attribute(name)) is not None and not attr.writable
        ]
        if read_only and not _is_device_side(op):
            names = ", ".join(repr(name) for name in read_only)
            raise bad_request(
                f"attribute(s) {names} of {spec.tpe} ({spec.name}) are read-only: "
                "only the device's owner may change them"
            )

    async def prepare_update(self, op: "UpdateOp") -> None:
        spec = self.specialization
        if spec is None:
            return
        drives_device = spec.is_action or any(
            (attr := spec.attribute(name)) is not None and attr.device_backed for name in op.changes
        )
        if not drives_device:
            return
        adapters = op.cse.adapters
        if adapters.adapter_for(op.resource) is None:
            return  # no device behind it: the values are simply stored
        if adapters.is_owner(op.cse.access.normalize(op.request.fr or ""), op.resource):
            return  # the device's adapter reporting what the device did
        # The device acts before the generic processing checks the rest of the update: refuse
        # now what it would refuse afterwards.
        expiry = op.changes.get("et")
        if expiry is not None and expiry <= timestamps.format_ts(timestamps.now()):
            raise bad_request(f"attribute et: {expiry} is not in the future")
        # The adapter sees the validated changes (XML text already turned into typed values).
        forwarded = replace(op.request, pc={spec.tpe: dict(op.changes)}, lenient_types=False)
        await adapters.forward(forwarded, op.resource)

    def after_update(self, op: "UpdateOp") -> None:
        spec = self.specialization
        if spec is None or not any(spec.attribute(name) is not None for name in op.changes):
            return
        resource = op.resource
        size = specializations.content_size(spec, resource.attrs)
        if resource.attrs.get("cs") != size:
            assert op.tx is not None
            op.tx.replace_attrs(resource, {**resource.attrs, "cs": size})
            op.changes["cs"] = size  # changed along with them: shown as modified


def _check_node_link(cse, nl) -> None:
    """nodeLink must name a <node> resource (TS-0004 clause 7.4.37)."""
    if nl is None:
        return
    node = cse.lookup(nl)
    if node is None or node.ty != Ty.NODE:
        raise bad_request(f"attribute nl: {nl!r} is not a node resource")


def _is_device_side(op: "UpdateOp") -> bool:
    """Whether the originator speaks for the device: its owner (the adapter or the AE that
    created it) or the CSE's admin."""
    cse = op.cse
    origin = cse.access.normalize(op.request.fr or "")
    return origin == cse.settings.admin or origin == cse.adapters.owner_of(op.resource)
