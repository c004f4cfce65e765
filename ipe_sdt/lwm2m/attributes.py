"""Notification attributes: in Discover answers (link-format) and Write-Attributes queries.

    </3/0>;pmin=10;pmax=60,</3/0/9>;gt=50;lt=10;st=1,</3/0/6>;dim=2

Write-Attributes sends them as Uri-Query options ("pmin=10"); a bare name ("pmin") unsets it.
dim and ver are read-only: Discover reports them, Write-Attributes cannot carry them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields

from .errors import CodecError, show
from .link_format import Link, format_links, parse_links
from .paths import Path, format_path, parse_path

_UNSIGNED = re.compile(r"[0-9]{1,10}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_PERIODS = ("pmin", "pmax", "epmin", "epmax")
_THRESHOLDS = ("gt", "lt", "st")
READ_ONLY = frozenset({"dim", "ver"})


@dataclass(frozen=True)
class Attributes:
    pmin: int | None = None
    pmax: int | None = None
    gt: float | None = None
    lt: float | None = None
    st: float | None = None
    epmin: int | None = None
    epmax: int | None = None
    dim: int | None = None
    """Number of instances of a multiple resource (Discover only)."""
    ver: str | None = None
    """Object version (Discover only)."""

    def __post_init__(self) -> None:
        for name in _PERIODS:
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise CodecError(f"attribute {name} must be a non-negative integer, not {show(value)}")
        for name in _THRESHOLDS:
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise CodecError(f"attribute {name} must be a finite number, not {show(value)}")
        if self.st is not None and self.st < 0:
            raise CodecError(f"attribute st must not be negative, not {show(self.st)}")
        dim = self.dim
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or not 0 <= dim <= 255):
            raise CodecError(f"attribute dim must be 0..255, not {show(dim)}")
        if self.ver is not None and not isinstance(self.ver, str):
            raise CodecError(f"attribute ver must be a string, not {show(self.ver)}")

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    @classmethod
    def from_params(cls, params: Mapping[str, str | None]) -> Attributes:
        """Attributes among link parameters; parameters we do not model are ignored here."""
        values: dict[str, object] = {}
        for name in (*_PERIODS, "dim"):
            if name in params:
                values[name] = _parse_unsigned(name, params[name])
        for name in _THRESHOLDS:
            if name in params:
                values[name] = _parse_decimal(name, params[name])
        if "ver" in params:
            if params["ver"] is None:
                raise CodecError("attribute ver needs a value")
            values["ver"] = params["ver"]
        return cls(**values)  # type: ignore[arg-type]

    def to_params(self) -> dict[str, str]:
        """Link parameters in the order LwM2M lists them, set attributes only."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = _format_number(value) if not isinstance(value, str) else value
        return out

    def to_query(self, unset: Iterable[str] = ()) -> list[str]:
        """Uri-Query values of a Write-Attributes request: "pmin=10" to set, "pmin" to unset."""
        params = self.to_params()
        for name in READ_ONLY:
            if name in params:
                raise CodecError(f"attribute {name} is read-only and cannot be written")
        out = [f"{name}={value}" for name, value in params.items()]
        writable = {f.name for f in fields(self)} - READ_ONLY
        for name in unset:
            if name not in writable:
                raise CodecError(f"cannot unset unknown or read-only attribute {name!r}")
            if name in params:
                raise CodecError(f"attribute {name} is both set and unset")
            out.append(name)
        return out

    @classmethod
    def from_query(cls, queries: Iterable[str]) -> tuple[Attributes, frozenset[str]]:
        """The attributes set, and the names unset, by Write-Attributes Uri-Query values."""
        params: dict[str, str | None] = {}
        writable = {f.name for f in fields(cls)} - READ_ONLY
        for query in queries:
            name, sep, value = query.partition("=")
            if name not in writable:
                raise CodecError(f"unknown or read-only attribute {name!r} in Write-Attributes")
            if name in params:
                raise CodecError(f"attribute {name} given twice")
            params[name] = value if sep else None
        unset = frozenset(name for name, value in params.items() if value is None)
        return cls.from_params({n: v for n, v in params.items() if v is not None}), unset


def _parse_unsigned(name: str, value: str | None) -> int:
    if value is None or not _UNSIGNED.fullmatch(value):
        raise CodecError(f"attribute {name} must be a non-negative integer, not {show(value)}")
    return int(value)


def _parse_decimal(name: str, value: str | None) -> float:
    if value is None or not _DECIMAL.fullmatch(value):
        raise CodecError(f"attribute {name} must be a number, not {show(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise CodecError(f"attribute {name} is out of range: {value!r}")
    return number


def _format_number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class DiscoveredLink:
    """One link of a Discover answer: a path and the attributes attached to it."""

    path: Path
    attributes: Attributes = Attributes()
    params: dict[str, str | None] = field(default_factory=dict)
    """Every link parameter verbatim, including ones Attributes does not model."""


def parse_discover(payload: bytes | str, root_path: str = "/") -> list[DiscoveredLink]:
    """Links of a Discover answer; targets under an alternate root path are accepted too."""
    prefix = "" if root_path.strip("/") == "" else "/" + root_path.strip("/")
    out: list[DiscoveredLink] = []
    for link in parse_links(payload):
        target = link.target
        if prefix and target.startswith(prefix + "/"):
            target = target[len(prefix) :]
        path = parse_path(target)
        if not path:
            raise CodecError("a Discover answer cannot link the root")
        out.append(DiscoveredLink(path, Attributes.from_params(link.params), dict(link.params)))
    return out


def format_discover(links: Iterable[DiscoveredLink]) -> bytes:
    """A Discover answer; params beyond the modelled attributes are written after them."""
    out = []
    for item in links:
        params: dict[str, str | None] = dict(item.attributes.to_params())
        for name, value in item.params.items():
            params.setdefault(name, value)
        out.append(Link(format_path(item.path), params))
    return format_links(out).encode("utf-8")
