"""CSEBase: the root of the tree, created by the CSE itself, never by a request."""

from cse.errors import RequestError
from cse.resources.behaviour import Behaviour
from cse.status import RSC


class CSEBaseBehaviour(Behaviour):
    def on_delete(self, op, resource) -> None:
        raise RequestError(RSC.OPERATION_NOT_ALLOWED, "the CSEBase cannot be deleted")
