"""The link-format payload of Register and Update: which objects and instances a client has.

    </>;rt="oma.lwm2m";ct=110,</1>;ver=1.1,</1/0>,</3/0>,</5>

A link with rt="oma.lwm2m" names the root of the client's objects (</> by default, or an
alternate path such as </lwm2m>) and its ct the content formats it supports. Object links
may carry ver=; an object link without instances announces an object with none yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import CodecError
from .link_format import Link, format_links, parse_links
from .paths import INSTANCE_DEPTH, MAX_ID

LWM2M_RESOURCE_TYPE = "oma.lwm2m"
_ID = re.compile(r"[0-9]{1,5}")


@dataclass(frozen=True)
class RegisteredObject:
    id: int
    version: str | None = None
    """The ver= the client announced; None means the object's default (usually 1.0)."""
    instances: tuple[int, ...] = ()


@dataclass(frozen=True)
class Registration:
    root_path: str = "/"
    """Where the client's objects live: "/" or an alternate path like "/lwm2m"."""
    content_formats: tuple[int, ...] = ()
    """The ct of the root link: formats the client supports (LwM2M 1.1+); may be empty."""
    objects: dict[int, RegisteredObject] = field(default_factory=dict)
    other_links: tuple[Link, ...] = ()
    """Links that are not LwM2M objects or instances under the root; kept, not interpreted."""

    def object_paths(self) -> list[tuple[int, ...]]:
        """/oid for objects without instances and /oid/iid for each instance."""
        out: list[tuple[int, ...]] = []
        for obj in self.objects.values():
            out.extend([(obj.id, iid) for iid in obj.instances] or [(obj.id,)])
        return out


def parse_content_formats(value: str | None) -> tuple[int, ...]:
    """ct="110 112" or ct=11543; CodecError for anything but numbers."""
    if value is None:
        return ()
    numbers = value.split()
    if not numbers or not all(n.isascii() and n.isdigit() and len(n) <= 5 and int(n) <= 0xFFFF for n in numbers):
        raise CodecError(f"bad ct value {value!r}")
    return tuple(int(n) for n in numbers)


def _is_lwm2m_root(link: Link) -> bool:
    rt = link.params.get("rt")
    return rt is not None and LWM2M_RESOURCE_TYPE in rt.split()


def _normalize_root(target: str) -> str:
    return "/" + target.strip("/")


def parse_registration(payload: bytes | str) -> Registration:
    """Objects, instances, versions, root path and formats of a Register/Update payload.

    Lenient where clients differ (spaces after commas, targets without a leading slash, ver on
    an instance link); links that are not objects or instances are kept in other_links.
    """
    links = parse_links(payload)
    roots = [link for link in links if _is_lwm2m_root(link)]
    if len(roots) > 1:
        raise CodecError("registration names more than one rt=\"oma.lwm2m\" root")
    root = _normalize_root(roots[0].target) if roots else "/"
    formats = parse_content_formats(roots[0].params.get("ct")) if roots else ()
    prefix = "" if root == "/" else root
    versions: dict[int, str] = {}
    instances: dict[int, set[int]] = {}
    others: list[Link] = []
    for link in links:
        if roots and link is roots[0]:
            continue
        target = link.target if link.target.startswith("/") else "/" + link.target
        path = _object_path(target, prefix)
        if path is None:
            others.append(link)
            continue
        oid = path[0]
        known = instances.setdefault(oid, set())
        if len(path) == INSTANCE_DEPTH:
            known.add(path[1])
        version = link.params.get("ver")
        if version is not None:
            versions.setdefault(oid, version)
    objects = {
        oid: RegisteredObject(oid, versions.get(oid), tuple(sorted(iids))) for oid, iids in sorted(instances.items())
    }
    return Registration(root, formats, objects, tuple(others))


def _object_path(target: str, prefix: str) -> tuple[int, ...] | None:
    if prefix:
        if not target.startswith(prefix + "/"):
            return None
        target = target[len(prefix) :]
    parts = target[1:].split("/")
    if not 1 <= len(parts) <= INSTANCE_DEPTH or not all(_ID.fullmatch(p) and int(p) <= MAX_ID for p in parts):
        return None
    return tuple(int(p) for p in parts)


def format_registration(
    objects: Iterable[RegisteredObject],
    *,
    root_path: str = "/",
    content_formats: Iterable[int] = (),
) -> bytes:
    """The Register payload a client (our simulator) sends: root link first, objects by id.

    The root link is written when there is something to say on it: an alternate root path or
    content formats.
    """
    root = _normalize_root(root_path)
    prefix = "" if root == "/" else root
    links: list[Link] = []
    formats = [int(cf) for cf in content_formats]
    if root != "/" or formats:
        params: dict[str, str | None] = {"rt": LWM2M_RESOURCE_TYPE}
        if formats:
            params["ct"] = " ".join(str(cf) for cf in formats)
        links.append(Link(root, params))
    for obj in sorted(objects, key=lambda o: o.id):
        # The object link itself is only needed to carry ver= or to announce zero instances.
        if obj.version is not None or not obj.instances:
            links.append(Link(f"{prefix}/{obj.id}", {} if obj.version is None else {"ver": obj.version}))
        links.extend(Link(f"{prefix}/{obj.id}/{iid}") for iid in sorted(obj.instances))
    return format_links(links).encode("utf-8")
