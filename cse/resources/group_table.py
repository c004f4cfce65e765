"""The group resource type (TS-0001 clause 9.6.13, TS-0004 clause 7.4.13), declared as data.

Its virtual child 'fopt' is the fanOutPoint (TS-0001 clause 9.6.14, TS-0004 clause 7.4.14),
served by the behaviour module; a group may hold subscriptions. Where a group may itself be
created (under the CSEBase and under an AE) is declared with those parent types.
"""

from __future__ import annotations

from cse.model import datatypes as dt
from cse.model.schema import M, NP, O, Attribute as A, ResourceType, attributes
from cse.model.typecodes import Ty
from cse.resources import table
from cse.resources.group import FANOUT_POINT, ConsistencyStrategy, GroupBehaviour

GROUP = ResourceType(
    ty=Ty.GRP,
    tpe="m2m:grp",
    name="group",
    ri_prefix="grp",
    attributes=attributes(
        table.UNIVERSAL,
        table.COMMON,
        table.CREATOR,
        # 0 stands for 'mixed'; any other value is the resource type all members must have.
        A("mt", "memberType", dt.NON_NEG_INT, M, O),
        A("cnm", "currentNrOfMembers", dt.NON_NEG_INT, NP, NP),
        A("mnm", "maxNrOfMembers", dt.POSITIVE_INT, M, O),
        A("mid", "memberIDs", dt.ListOf(item=dt.Str(max_length=1024)), M, O),
        A("macp", "membersAccessControlPolicyIDs", dt.URI_LIST, O, O),
        A("mtv", "memberTypeValidated", dt.BOOLEAN, NP, NP),
        # Write-once: a group keeps the strategy it was created with.
        A("csy", "consistencyStrategy", dt.Enum(values=frozenset(int(c) for c in ConsistencyStrategy)), O, NP),
        A("gn", "groupName", dt.STRING, O, O),
        A("ssi", "semanticSupportIndicator", dt.BOOLEAN, NP, NP, since="2"),
    ),
    children=frozenset({Ty.SUB}),
    behaviour=GroupBehaviour(),
    virtual_children=frozenset({FANOUT_POINT}),
)
