"""Ready-to-send Create requests for a device and everything below it.

One request per resource, parents first: the device, each of its module classes and sub-devices,
and each module class's actions, named as the template names them (module instance names) or,
for the TS-0023 table's devices, after the long names of their specializations. Each carries the
containerDefinition and a value for every mandatory custom attribute: false, 0 (or the lower
bound), 0.0, a fixed timestamp, the first enumeration value, an empty list or structure, and for
text the attribute's long name as a placeholder to replace.
"""

from __future__ import annotations

from typing import Any, Mapping

from cse.model import datatypes as dt
from cse.model.datatypes import DataType
from cse.model.specializations import Bounded

from .mapping import MappedSpecialization

SAMPLE_TIMESTAMP = "20250101T000000"


def sample_value(dtype: DataType, long_name: str) -> Any:
    match dtype:
        case dt.Bool():
            return False
        case dt.Enum(values=values):
            return min(values)
        case dt.Int(minimum=low, maximum=high):
            return low if low is not None else (high if high is not None and high < 0 else 0)
        case Bounded(minimum=low, maximum=high):
            return float(low) if low is not None else (float(high) if high is not None and high < 0 else 0.0)
        case dt.Float():
            return 0.0
        case dt.Timestamp():
            return SAMPLE_TIMESTAMP
        case dt.ListOf():
            return []
        case dt.Struct():
            return {}
        case dt.Str():
            return long_name
    return long_name


def create_content(mapped: MappedSpecialization, rn: str) -> dict[str, Any]:
    spec = mapped.spec
    attrs: dict[str, Any] = {"rn": rn, "cnd": spec.cnd}
    for attribute in spec.attributes:
        if attribute.mandatory:
            attrs[attribute.sn] = sample_value(attribute.dtype, attribute.ln)
    return {spec.tpe: attrs}


def example_requests(device: MappedSpecialization, by_tpe: Mapping[str, MappedSpecialization],
                     parent: str, rn: str | None = None) -> list[dict[str, Any]]:
    """The Create requests (``to``, ``ty``, ``pc``) for ``device`` under ``parent``."""
    requests: list[dict[str, Any]] = []

    def add(mapped: MappedSpecialization, name: str, to: str, path: tuple[str, ...]) -> None:
        requests.append({"to": to, "ty": 28, "pc": create_content(mapped, name)})
        for child_name, child_tpe in mapped.child_names:
            child = by_tpe.get(child_tpe)
            if child is not None and child_tpe not in path:  # a type below itself would never end
                add(child, child_name, f"{to}/{name}", (*path, child_tpe))

    add(device, rn or device.spec.name, parent.rstrip("/"), (device.spec.tpe,))
    return requests
