"""Every resource type this CSE serves, gathered from their declaration tables."""

from cse.model.schema import ResourceType
from cse.resources.flex_container_table import FLEX_CONTAINER
from cse.resources.group_table import GROUP
from cse.resources.mgmt_obj_table import MGMT_OBJ_TYPES
from cse.resources.node_table import NODE
from cse.resources.subscription_table import SUBSCRIPTION
from cse.resources.table import BUILTIN_TYPES

ALL_TYPES: tuple[ResourceType, ...] = (*BUILTIN_TYPES, SUBSCRIPTION, NODE, *MGMT_OBJ_TYPES, GROUP, FLEX_CONTAINER)
