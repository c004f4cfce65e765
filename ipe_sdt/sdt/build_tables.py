"""Build the shipped TS-0023 table (``ts0023_table.json``) from the project's reference facts.

The CSE never reads the reference facts at run time: it ships the table this script writes. Run
it after the facts (``ts0023-r5.6-specializations.csv`` and ``ts0023-r5.6-attributes.csv``, in
the ``sdt`` folder of the reference data beside the checkout) change::

    python -m ipe_sdt.sdt.build_tables DIR           # rewrite ipe_sdt/sdt/ts0023_table.json
    python -m ipe_sdt.sdt.build_tables DIR --check   # exit 1 if the shipped table is out of date

DIR is the folder with the two CSV files; tests/sdt/test_sdt_tables.py checks that the shipped
table is what this script makes of them.

What the table keeps, from the two CSV files:

- every TS-0023 specialization (``org.onem2m.<domain>.<kind>.<name>``): its containerDefinition,
  type name (``ns:shortName``), custom attributes (long name, TS-0004 type, mandatory or not) and
  allowed child specializations;
- the official short name of every custom attribute long name (one table: TS-0023 gives one short
  name per long name across all specializations, which the build checks);
- the forms of earlier releases where they differ (:data:`EARLIER_RELEASES`).

What it leaves out, and why:

- the ``Annc`` (announced) and ``Inst`` (flexContainerInstance) variants: this CSE supports
  neither announcement nor flexContainerInstance, so nothing could be created of them;
- the ``m2m:`` rows of TS-0033 (generic interworking, AllJoyn): not TS-0023 specializations, and
  the facts give them no containerDefinition;
- the attributes every specialization of a kind carries (``rules.KIND_ATTRIBUTES``: nodeLink,
  flexNodeLink, dataGenerationTime): the mapping adds them, and the build checks every row has
  exactly them;
- which attributes are read-only: the facts do not say (the hand-written templates in
  ``sdt_models/`` do, for the models they describe).

Where the facts are known to be wrong, :data:`CORRECTIONS` fixes them, each with its reason; the
build fails if a correction no longer applies, so a fixed source retires it.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cse.model.specializations import Kind, container_definition

from .names import ONEM2M_DOMAINS
from .rules import KIND_ATTRIBUTES

TABLE = Path(__file__).with_name("ts0023_table.json")
SPECIALIZATIONS_CSV = "ts0023-r5.6-specializations.csv"
ATTRIBUTES_CSV = "ts0023-r5.6-attributes.csv"
RELEASE = "5"

# The facts of an earlier release that differ from R5, per containerDefinition: an R5 attribute
# long name and its (long name, short name) in that release.
EARLIER_RELEASES: dict[str, dict[str, dict[str, tuple[str, str]]]] = {
    # TS-0023 up to R4.x: binarySwitch's data point was powerState; R5 renamed it state.
    "4": {"org.onem2m.common.moduleclass.binarySwitch": {"state": ("powerState", "powSe")}},
}


@dataclass(frozen=True)
class Correction:
    type_name: str  # the specialization, as the CSV names it
    field: str  # 'shortname', or 'child' (one entry of its children)
    wrong: str
    right: str
    reason: str


CORRECTIONS: tuple[Correction, ...] = (
    Correction(
        "cod:deDPr", "shortname", "deDPr", "dTDPr",
        "TS-0023 table 6.3.2-1 gives dTDPr for device3DPrinter: the specification wins",
    ),
    # subDeviceCuff's modules are the common domain's binarySwitch, sphygmomanometer and
    # pulsemeter; no home-domain specializations of those names exist (an R4 left-over).
    *(
        Correction(
            "hed:suDCf", "child", f"hod:{name}", f"cod:{name}",
            f"cod:{name} is the only specialization with that short name; hod:{name} does not exist",
        )
        for name in ("binSh", "sphyr", "pulsr")
    ),
)

# Left as the facts give them (a child name that names nothing is allowed and never matches):
#  - hod:deWPr (deviceWaterPurifier) lists cod:waFIo, which no row defines; which module class is
#    meant cannot be told from the facts.

_VARIANTS = ("Annc", "Inst")


class BuildError(Exception):
    """The facts break an assumption of the table; the message says which row and why."""


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except OSError as error:
        raise BuildError(f"cannot read {path}: {error.strerror}") from None


def _is_variant(type_name: str) -> bool:
    return type_name.endswith(_VARIANTS)


def build(source: Path) -> dict:
    """The table as a JSON-ready dict, from the CSV files in ``source``."""
    rows = _read(source / SPECIALIZATIONS_CSV)
    attribute_rows = _read(source / ATTRIBUTES_CSV)
    used = Counter()

    def corrected(type_name: str, field: str, value: str) -> str:
        for fix in CORRECTIONS:
            if (fix.type_name, fix.field, fix.wrong) == (type_name, field, value):
                used[fix] += 1
                return fix.right
        return value

    specs: dict[str, dict] = {}
    renamed: dict[str, str] = {}  # CSV type name -> corrected one
    for row in rows:
        type_name = f"{row['ns']}:{row['shortname']}"
        if row["ns"] == "m2m" or _is_variant(row["shortname"]):
            continue
        kind, cnd, name = row["sdttype"], row["cnd"], row["longname"]
        domain = cnd.split(".")[2] if cnd.count(".") == 4 else ""
        if kind not in {k.value for k in Kind} or cnd != container_definition(domain, kind, name):
            raise BuildError(f"{type_name}: containerDefinition {cnd!r} is not org.onem2m.<domain>.{kind}.{name}")
        if ONEM2M_DOMAINS.get(domain) != row["ns"]:
            raise BuildError(
                f"{type_name}: domain {domain!r} does not have the prefix {row['ns']!r} in DOMAIN_NAMESPACES"
            )
        short = corrected(type_name, "shortname", row["shortname"])
        final = f"{row['ns']}:{short}"
        renamed[type_name] = final
        if cnd in specs:
            raise BuildError(f"{type_name}: containerDefinition {cnd!r} appears twice")
        specs[cnd] = {"cnd": cnd, "type": final, "kind": kind, "csv": type_name, "children": row["children"].split()}

    if len(set(renamed.values())) != len(renamed):
        raise BuildError("two specializations share a type name")
    by_type = {spec["csv"]: spec for spec in specs.values()}

    names: dict[str, str] = {}
    members: dict[str, list[list]] = {cnd: [] for cnd in specs}
    kind_seen: dict[str, list[str]] = {cnd: [] for cnd in specs}
    for row in attribute_rows:
        spec = by_type.get(row["type"])
        if spec is None:
            continue  # a variant or a TS-0033 row
        long, short = row["lname"], row["sname"]
        if names.setdefault(long, short) != short:
            raise BuildError(f"{row['type']}: attribute {long!r} is {short!r} here but {names[long]!r} elsewhere")
        if row["car"] not in ("1", "01"):
            raise BuildError(f"{row['type']}: attribute {long!r} has cardinality {row['car']!r}, not 1 or 01")
        rule = {a.name: a for a in KIND_ATTRIBUTES[Kind(spec["kind"])]}
        if long in rule:
            if (row["atype"], row["car"]) != (rule[long].type, "01"):
                raise BuildError(f"{row['type']}: {long!r} is not an optional {rule[long].type} as rules.py says")
            kind_seen[spec["cnd"]].append(long)
            continue
        members[spec["cnd"]].append([long, row["atype"], row["car"] == "1"])
    if len(set(names.values())) != len(names):
        clashes = sorted(s for s, n in Counter(names.values()).items() if n > 1)
        raise BuildError(f"short names given to two long names: {', '.join(clashes)}")

    for cnd, spec in specs.items():
        expected = [a.name for a in KIND_ATTRIBUTES[Kind(spec["kind"])]]
        if kind_seen[cnd] != expected:
            raise BuildError(
                f"{spec['csv']}: has {kind_seen[cnd]} where rules.py says every {spec['kind']} has {expected}"
            )
        children: list[str] = []
        for child in spec.pop("children"):
            if _is_variant(child.partition(":")[2]):
                continue
            child = renamed.get(child, corrected(spec["csv"], "child", child))
            if child not in children:  # a device with two modules of a class lists it twice
                children.append(child)
        spec["children"] = children
        spec["attributes"] = members[cnd]
        del spec["csv"], spec["kind"]  # the kind is the cnd's fourth segment

    stale = [fix for fix in CORRECTIONS if not used[fix]]
    if stale:
        raise BuildError("corrections that no longer apply (remove them): " + "; ".join(
            f"{fix.type_name} {fix.field} {fix.wrong!r}" for fix in stale))
    for release, forms in EARLIER_RELEASES.items():
        for cnd, renames in forms.items():
            known = {a[0] for a in specs[cnd]["attributes"]} if cnd in specs else set()
            missing = [long for long in renames if long not in known]
            if missing:
                raise BuildError(f"release {release}: {cnd} has no attribute(s) {missing} to rename")

    return {
        "about": f"TS-0023 R5.6 flexContainer specializations, generated by ipe_sdt/sdt/build_tables.py "
        f"from {SPECIALIZATIONS_CSV} and {ATTRIBUTES_CSV}; do not edit",
        "release": RELEASE,
        "attributes": dict(sorted(names.items())),
        "specializations": [specs[cnd] for cnd in sorted(specs)],
        "releases": {
            release: {
                cnd: {long: list(form) for long, form in sorted(renames.items())}
                for cnd, renames in sorted(forms.items())
            }
            for release, forms in sorted(EARLIER_RELEASES.items())
        },
    }


def render(table: dict) -> str:
    """The table as text: one entry a line, so that a change of the facts reads as a small diff."""
    lines = ["{"]
    keys = list(table)
    for index, key in enumerate(keys):
        value = table[key]
        end = "," if index < len(keys) - 1 else ""
        if isinstance(value, dict) and value and key != "releases":
            lines.append(f"{json.dumps(key)}: {{")
            items = list(value.items())
            lines += [
                f"  {json.dumps(k)}: {json.dumps(v)}" + ("," if i < len(items) - 1 else "")
                for i, (k, v) in enumerate(items)
            ]
            lines.append("}" + end)
        elif isinstance(value, list):
            lines.append(f"{json.dumps(key)}: [")
            lines += [f"  {json.dumps(v)}" + ("," if i < len(value) - 1 else "") for i, v in enumerate(value)]
            lines.append("]" + end)
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ipe_sdt.sdt.build_tables",
        description=f"Build {TABLE.name} (shipped with the CSE) from the TS-0023 reference facts.",
    )
    parser.add_argument(
        "source", type=Path, metavar="DIR", help=f"the folder with {SPECIALIZATIONS_CSV} and {ATTRIBUTES_CSV}"
    )
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the shipped table differs")
    args = parser.parse_args(argv)
    try:
        text = render(build(args.source))
    except BuildError as error:
        print(f"build_tables: {error}", file=sys.stderr)
        return 1
    if args.check:
        current = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
        if current != text:
            print(f"build_tables: {TABLE} is out of date; run python -m ipe_sdt.sdt.build_tables {args.source}",
                  file=sys.stderr)
            return 1
        print(f"{TABLE.name} is up to date")
        return 0
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
