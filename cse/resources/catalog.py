"""Every resource type this CSE serves, gathered from their declaration tables."""

from cse.model.schema import ResourceType
from cse.resources.subscription_table import SUBSCRIPTION
from cse.resources.table import BUILTIN_TYPES

ALL_TYPES: tuple[ResourceType, ...] = (*BUILTIN_TYPES, SUBSCRIPTION)
