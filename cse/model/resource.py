"""The in-memory form of one resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Resource:
    """A resource instance.

    ``attrs`` holds the attributes by short name exactly as they go on the wire (ri, ty, pi,
    rn, ct, ... included). ``srn`` is the structured path below the CSEBase ('' for the CSEBase
    itself, 'myAE/myCnt' below), so that the CSEBase can be renamed by configuration.
    ``owner`` is the originator that created the resource; it carries the default access
    rights whether or not the resource exposes a ``cr`` attribute.
    """

    ri: str
    ty: int
    pi: str | None
    srn: str
    attrs: dict[str, Any]
    owner: str | None = None

    @property
    def rn(self) -> str:
        return self.attrs["rn"]
