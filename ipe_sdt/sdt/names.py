"""Names of what the mapping produces: containerDefinitions, type names, attribute short names.

Official names come first. The shipped TS-0023 table (``ts0023_table.json``, built by
:mod:`.build_tables`) gives the type name of every TS-0023 specialization, by containerDefinition,
and the short name of every custom attribute long name: R5 names by default, the forms of an
earlier release (R4: binarySwitch ``powerState``/``powSe`` instead of ``state``) on request.

Generated names are only for what the table does not know (non-standard models), by
:func:`generated_short_name`. A generated name is never changed to avoid a clash: the mapping
reports the clash and the author renames the element.

containerDefinitions and prefixes follow TS-0023 clause 6.4 and table 6.5.1-1:

- a template domain whose id is ``org.onem2m.<domain>`` or starts with it (TS-0023 files are
  split by kind or topic: ``org.onem2m.common.moduleclass``, ``org.onem2m.common.deviceLight``)
  is that oneM2M domain: cnd ``org.onem2m.<domain>.<kind>.<name>``, its TS-0023 prefix (``cod``)
  and XML namespace;
- any other domain id is its own domain: cnd ``<id>.<kind>.<name>``, where a trailing kind
  segment of the id is dropped first (domain ``com.acme.lights.device`` gives
  ``com.acme.lights.moduleclass.<name>`` to its module classes); the prefix is the last remaining
  segment (letters and digits only: ``lights``), the XML namespace ``urn:sdt:<id without kind>``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from cse.model.specializations import DOMAIN_NAMESPACES, Kind

from .rules import KINDS

TABLE = Path(__file__).with_name("ts0023_table.json")

# The oneM2M domains by name ('common'), with their prefix ('cod'): TS-0023 table 6.5.1-1 names
# each domain's namespace '.../protocols/<name>domain'.
ONEM2M_DOMAINS: dict[str, str] = {
    uri.rsplit("/", 1)[1].removesuffix("domain"): prefix
    for prefix, uri in DOMAIN_NAMESPACES.items()
    if uri.endswith("domain")
}

SHORT_NAME_LENGTH = 5


def generated_short_name(long_name: str) -> str:
    """The short name of a name the TS-0023 table does not know.

    TS-0023 abbreviates camelCase names to five characters: the first characters, the capitals
    of the following words, and the last character (``binarySwitch`` -> ``binSh``,
    ``deviceAirConditioner`` -> ``deACr``). Precisely:

    - a name of at most five characters is its own short name (``state``);
    - otherwise: the head (the first k characters), then every capital letter after the head
      but before the last character, then the last character; with the largest k (at most 4)
      for which that is at most five characters (``dmAgent`` -> ``dmAg`` + ``t``);
    - a last character that is a capital counts among the capitals (``cellID`` -> ``celID``);
    - with more capitals than fit even after a one-character head, the first character and the
      first four capitals (``deviceHomeCCTV`` -> ``dHCCT``).

    This reproduces 95 % of the official R5.6 short names; the rest are TS-0023's own choices
    (``dataGenerationTime`` -> ``dgt``) and its clash resolutions (``powerSave`` -> ``powS0``).
    """
    if len(long_name) <= SHORT_NAME_LENGTH:
        return long_name
    last = long_name[-1]
    for head in range(SHORT_NAME_LENGTH - 1, 0, -1):
        capitals = [c for c in long_name[head:-1] if c.isupper()]
        tail = last
        if last.isupper():
            capitals.append(last)
            tail = ""
        if head + len(capitals) + len(tail) <= SHORT_NAME_LENGTH:
            return long_name[:head] + "".join(capitals) + tail
    capitals = [c for c in long_name[1:] if c.isupper()]
    return (long_name[0] + "".join(capitals))[:SHORT_NAME_LENGTH]


@dataclass(frozen=True)
class DomainNaming:
    """How the specializations of one template domain are named."""

    base: str  # the containerDefinition prefix: org.onem2m.common, com.acme.lights
    prefix: str  # of the type names: cod
    namespace: str  # the XML namespace of the prefix
    official: bool  # a oneM2M (TS-0023) domain

    def cnd(self, kind: Kind, name: str) -> str:
        return f"{self.base}.{kind.value}.{name}"


def domain_naming(domain_id: str) -> DomainNaming:
    parts = domain_id.split(".")
    if len(parts) >= 3 and parts[:2] == ["org", "onem2m"] and parts[2] in ONEM2M_DOMAINS:
        prefix = ONEM2M_DOMAINS[parts[2]]
        return DomainNaming(".".join(parts[:3]), prefix, DOMAIN_NAMESPACES[prefix], True)
    base_parts = parts[:-1] if len(parts) > 1 and parts[-1] in KINDS else parts
    base = ".".join(base_parts)
    prefix = re.sub(r"[^A-Za-z0-9]", "", base_parts[-1]) or "sdt"
    if not prefix[0].isalpha() or prefix.lower().startswith("xml"):
        prefix = "d" + prefix  # an XML prefix starts with a letter and never with 'xml'
    return DomainNaming(base, prefix, f"urn:sdt:{base}", False)


@dataclass(frozen=True)
class StandardEntry:
    """One TS-0023 specialization of the shipped table, with the R5 attribute long names."""

    cnd: str
    tpe: str
    # (long name, TS-0004 type name, mandatory), the kind attributes of rules.py not included.
    attributes: tuple[tuple[str, str, bool], ...]
    children: tuple[str, ...]

    @property
    def kind(self) -> Kind:
        return Kind(self.cnd.split(".")[3])

    @property
    def name(self) -> str:
        return self.cnd.split(".", 4)[4]


class NameTable:
    """The official names of one release."""

    def __init__(self, data: Mapping, release: str) -> None:
        self.release = release
        self.entries: dict[str, StandardEntry] = {
            entry["cnd"]: StandardEntry(
                entry["cnd"],
                entry["type"],
                tuple((long, kind, bool(mandatory)) for long, kind, mandatory in entry["attributes"]),
                tuple(entry["children"]),
            )
            for entry in data["specializations"]
        }
        self.by_type: dict[str, StandardEntry] = {entry.tpe: entry for entry in self.entries.values()}
        self._short: dict[str, str] = dict(data["attributes"])
        # Release forms: cnd -> R5 long name -> (long name, short name) in this release.
        self._forms: dict[str, dict[str, tuple[str, str]]] = {
            cnd: {long: (form[0], form[1]) for long, form in renames.items()}
            for cnd, renames in data["releases"].get(release, {}).items()
        }
        self._long_of: dict[str, str] = {short: long for long, short in self._short.items()}
        for renames in self._forms.values():
            for long, short in renames.values():
                self._long_of.setdefault(short, long)

    def type_name(self, cnd: str) -> str | None:
        entry = self.entries.get(cnd)
        return entry.tpe if entry is not None else None

    def attribute(self, cnd: str, long_name: str) -> tuple[str, str] | None:
        """(long name, short name) of an attribute in this release, or None when the table does
        not know the long name (the mapping then generates the short name)."""
        form = self._forms.get(cnd, {}).get(long_name)
        if form is not None:
            return form
        short = self._short.get(long_name)
        return (long_name, short) if short is not None else None

    def official_long_name(self, short_name: str) -> str | None:
        """The long name the table gives ``short_name`` to, if any."""
        return self._long_of.get(short_name)


def _load() -> dict:
    return json.loads(TABLE.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _data() -> dict:
    return _load()


def releases() -> tuple[str, ...]:
    """The releases whose names can be selected: the table's own, then the earlier ones."""
    data = _data()
    return (data["release"], *sorted(data["releases"], reverse=True))


@lru_cache(maxsize=None)
def name_table(release: str) -> NameTable:
    if release not in releases():
        raise ValueError(f"TS-0023 release {release!r} is not one of {', '.join(releases())}")
    return NameTable(_data(), release)
