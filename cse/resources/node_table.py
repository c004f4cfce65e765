"""The node resource type (TS-0004 clause 7.4.18), declared as data.

A node stands for a device; its mgmtObj children describe and manage it. Whoever creates a
node owns it, and with it the node's mgmtObjs: a management adapter's AE that creates the node
of a device is the one the CSE asks to act on that device (cse.core.adapters). The node has no
type-specific rules, so it uses the generic processing only.
"""

from __future__ import annotations

from cse.model import datatypes as dt
from cse.model.schema import M, NP, O, Attribute as A, ResourceType, attributes
from cse.model.typecodes import Ty
from cse.resources import table
from cse.resources.behaviour import Behaviour

NODE = ResourceType(
    ty=Ty.NODE,
    tpe="m2m:nod",
    name="node",
    ri_prefix="nod",
    attributes=attributes(
        table.UNIVERSAL,
        table.EXPIRATION,
        table.ACPI,
        table.LABELS,
        table.ANNOUNCE,
        table.DACI,
        table.CUSTODIAN,
        A("ni", "nodeID", dt.STRING, M, O),  # the M2M-Node-ID of the device
        A("hcl", "hostedCSELink", dt.ID, O, O),
        A("hael", "hostedAELinks", dt.ListOf(item=dt.ID), O, O),
        A("hsl", "hostedServiceLinks", dt.ListOf(item=dt.ID), O, O),
        A("mgca", "mgmtClientAddress", dt.STRING, O, O),
        A("nid", "networkID", dt.STRING, NP, NP),  # set by the CSE from the underlying network
        A("rms", "roamingStatus", dt.BOOLEAN, NP, NP),
        A("nty", "nodeType", dt.NON_NEG_INT, O, O),
    ),
    children=frozenset({Ty.MGMTOBJ, Ty.SUB}),
    behaviour=Behaviour(),
)
