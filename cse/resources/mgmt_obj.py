"""mgmtObj (TS-0004 clause 7.4.15, annex D): device management through the owning adapter.

Every specialization (firmware, software, reboot...) is declared in mgmt_obj_table.py with
the device actions it offers. Two kinds of attributes need more than the generic processing:

- Trigger attributes (firmware ``ud``; software ``in``, ``un``, ``act``, ``dea``; reboot
  ``rbo``, ``far``; deviceCapability ``ena``, ``dis``; eventLog ``lga``, ``lgo``) are requests
  to act, not state. An Update sets them to true; the CSE hands the action to the management
  adapter that owns the node (cse.core.adapters) and answers only once the adapter has. They
  are never stored as true: a resource always reads false for each of them.
- Status attributes (``uds``, ``ins``, ``acts``, ``cas``) are m2m:actionStatus values that
  change only when the owning adapter reports progress with an Update of its own; any other
  originator gets BAD_REQUEST, as for an attribute not permitted in an Update.

A trigger that reaches no adapter is answered TARGET_NOT_REACHABLE (5103) by the adapters'
extension point, and nothing of the update is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from cse import timestamps
from cse.errors import bad_request
from cse.primitives import Operation, Request
from cse.resources.behaviour import Behaviour

if TYPE_CHECKING:
    from cse.core.operations import CreateOp, UpdateOp

# m2m:status (TS-0004 clause 6.3.4.2): the values of the 'sus' member of m2m:actionStatus.
STATUS_UNINITIALIZED, STATUS_SUCCESSFUL, STATUS_FAILURE, STATUS_IN_PROCESS = 0, 1, 2, 3


def uninitialized_status() -> dict:
    """The m2m:actionStatus of an action that has not been requested yet."""
    return {"acn": "", "sus": STATUS_UNINITIALIZED}


@dataclass(frozen=True)
class DeviceActions:
    """What a specialization lets an originator ask the device to do.

    ``triggers`` maps each trigger attribute to the status attribute in which the adapter
    reports the progress of that action (None when the specialization has none, e.g. reboot).
    ``exclusive`` lists groups of triggers that one Update may not set together.
    ``statuses`` are the adapter-reported m2m:actionStatus attributes.
    """

    triggers: Mapping[str, str | None] = field(default_factory=dict)
    exclusive: tuple[frozenset[str], ...] = ()

    @property
    def statuses(self) -> frozenset[str]:
        return frozenset(status for status in self.triggers.values() if status)


class MgmtObjBehaviour(Behaviour):
    def __init__(self, actions: DeviceActions | None = None) -> None:
        self.actions = actions or DeviceActions()

    def on_create(self, op: "CreateOp") -> None:
        mgd, expected = op.attrs.get("mgd"), op.rtype.discriminator_value
        if mgd != expected:
            raise bad_request(
                f"attribute mgd: {mgd} does not match {op.rtype.tpe} ({op.rtype.name}), "
                f"whose mgmtDefinition is {expected}"
            )
        for name in self.actions.triggers:
            if op.attrs.get(name):
                raise bad_request(
                    f"attribute {name}: a Create cannot trigger the action; create the "
                    f"{op.rtype.name} with {name}=false and set it to true in an Update"
                )
            op.attrs[name] = False
        for name in self.actions.statuses:
            op.attrs.setdefault(name, uninitialized_status())

    def on_update(self, op: "UpdateOp") -> None:
        changes = op.changes
        reported = [name for name in self.actions.statuses if name in changes]
        if reported:
            origin = op.cse.access.normalize(op.request.fr or "")
            if not op.cse.adapters.is_owner(origin, op.resource):
                raise bad_request(
                    f"attribute {reported[0]!r} is not permitted in an Update request of "
                    f"{op.rtype.name}: only the management adapter that owns the device reports it"
                )
            for name in reported:
                if changes[name] is None:
                    raise bad_request(f"attribute {name!r} is a status and cannot be removed")
        triggered = [name for name in self.actions.triggers if name in changes]
        for name in triggered:
            if changes[name] is not True:
                raise bad_request(
                    f"attribute {name}: a trigger only accepts true, which asks the device to act; "
                    f"it always reads false"
                )
        for group in self.actions.exclusive:
            together = sorted(name for name in group if name in changes)
            if len(together) > 1:
                raise bad_request(f"attributes {' and '.join(together)} cannot be triggered in the same Update")
        if triggered:
            # The device acts before the generic processing checks the rest of the update, so
            # whatever it would refuse afterwards must be refused before the device is asked.
            expiry = changes.get("et")
            if expiry is not None and expiry <= timestamps.format_ts(timestamps.now()):
                raise bad_request(f"attribute et: {expiry} is not in the future")

    async def prepare_update(self, op: "UpdateOp") -> None:
        triggered = {name: op.changes.pop(name) for name in list(op.changes) if name in self.actions.triggers}
        if not triggered:
            return
        # The adapter gets the triggers together with the attributes the same Update sets
        # (a new 'url' with 'ud', say), so that the device acts on the values being written.
        # The triggers themselves are not stored: only the other changes are applied after.
        content = {**triggered, **op.changes}
        request = Request(
            Operation.UPDATE,
            to=op.resource.ri,
            fr=op.request.fr,
            rqi=op.request.rqi,
            rvi=op.request.rvi,
            pc={op.rtype.tpe: content},
            peer=op.request.peer,
        )
        await op.cse.adapters.forward(request, op.resource)
