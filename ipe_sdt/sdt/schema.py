"""Structure rules: which attributes and child elements each SDT element may have.

SDT 3.0 follows the HGI SDT 3.0 ``domain.xsd``.  SDT 4.0 follows the oneM2M
SDT 4.0 schema (TS-0023): ``ModuleClasses``/``DeviceClasses``/``SubDevices``/
``ProductClasses``/``DataTypes`` at domain level, ``Extend`` with
``Include``/``Exclude``, ``Simple``/``Struct``/``Array``/``Enum`` type choices,
``semanticURI`` everywhere and ``minOccurs``/``maxOccurs`` on module classes and
sub-devices.

Element order inside a parent is not enforced: the published examples do not
agree on it and order carries no meaning for the model.  Counts are enforced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Mapping

from .model import MemberKind, SDTVersion


class AttrKind(Enum):
    TEXT = auto()
    NAME = auto()  # non-empty text
    URI = auto()  # non-empty, no whitespace
    BOOLEAN = auto()
    NON_NEGATIVE_INTEGER = auto()
    MAX_OCCURS = auto()  # non-negative integer or "unbounded"
    BASIC_TYPE = auto()
    MEMBER_KIND = auto()


@dataclass(frozen=True)
class Attr:
    kind: AttrKind = AttrKind.TEXT
    required: bool = False


@dataclass(frozen=True)
class Child:
    min: int = 0
    max: int | None = 1  # None: any number


@dataclass(frozen=True)
class ElementRule:
    attributes: Mapping[str, Attr] = field(default_factory=dict)
    children: Mapping[str, Child] = field(default_factory=dict)
    # Exactly one element out of this set must be present (XSD <choice>).
    choice: frozenset[str] = frozenset()
    mixed: bool = False


BASIC_TYPES: dict[SDTVersion, frozenset[str]] = {
    SDTVersion.V3: frozenset(
        {"integer", "boolean", "string", "byte", "float", "array", "enum", "date", "time", "datetime", "blob", "uri"}
    ),
    SDTVersion.V4: frozenset(
        {"boolean", "byte", "integer", "float", "string", "enum", "date", "time", "datetime", "blob", "uri", "void"}
    ),
}

MEMBER_KINDS = frozenset(kind.value for kind in MemberKind)

_REQ_NAME = Attr(AttrKind.NAME, required=True)
_BOOL = Attr(AttrKind.BOOLEAN)
_URI = Attr(AttrKind.URI)
_ANY = Child(0, None)
_SOME = Child(1, None)
_ONE = Child(1, 1)
_OPT = Child(0, 1)

_DOC_RULES: dict[str, ElementRule] = {
    "Doc": ElementRule(children={"em": _ANY, "b": _ANY, "tt": _ANY, "p": _ANY, "img": _ANY}, mixed=True),
    "p": ElementRule(children={"em": _ANY, "b": _ANY, "tt": _ANY}, mixed=True),
    "em": ElementRule(mixed=True),
    "b": ElementRule(mixed=True),
    "tt": ElementRule(mixed=True),
    "img": ElementRule(attributes={"src": Attr(AttrKind.NAME, required=True)}, children={"caption": _ONE}),
    "caption": ElementRule(mixed=True),
}

SDT3_RULES: dict[str, ElementRule] = {
    **_DOC_RULES,
    "Domain": ElementRule(
        attributes={"id": _REQ_NAME},
        children={"Doc": _OPT, "Imports": _OPT, "Modules": _OPT, "Devices": _OPT},
    ),
    "Imports": ElementRule(children={"Domain": _SOME}),
    "Domain/Modules": ElementRule(children={"ModuleClass": _SOME}),
    "Devices": ElementRule(children={"Device": _SOME}),
    "Device": ElementRule(
        attributes={"id": _REQ_NAME},
        children={"Doc": _OPT, "Properties": _OPT, "Modules": _OPT, "SubDevices": _OPT},
    ),
    "SubDevices": ElementRule(children={"SubDevice": _SOME}),
    "SubDevice": ElementRule(
        attributes={"id": _REQ_NAME},
        children={"Doc": _OPT, "Properties": _OPT, "Modules": _OPT},
    ),
    "Device/Modules": ElementRule(children={"Module": _SOME}),
    "Properties": ElementRule(children={"Property": _SOME}),
    "Property": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL, "value": Attr()},
        children={"Doc": _OPT, "SimpleType": _ONE},
    ),
    "ModuleClass": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL},
        children={
            "extends": _OPT,
            "Doc": _OPT,
            "Properties": _OPT,
            "Actions": _OPT,
            "Data": _OPT,
            "Events": _OPT,
        },
    ),
    "extends": ElementRule(attributes={"domain": _REQ_NAME, "class": _REQ_NAME}),
    "Actions": ElementRule(children={"Action": _SOME}),
    "Action": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL},
        children={"Doc": _OPT, "DataType": _OPT, "Args": _OPT},
    ),
    "Args": ElementRule(children={"Arg": _SOME}),
    "Arg": ElementRule(attributes={"name": _REQ_NAME}, children={"Doc": _OPT, "DataType": _ONE}),
    "Data": ElementRule(children={"DataPoint": _SOME}),
    "DataPoint": ElementRule(
        attributes={
            "name": _REQ_NAME,
            "optional": _BOOL,
            "writable": _BOOL,
            "readable": _BOOL,
            "eventable": _BOOL,
        },
        children={"Doc": _OPT, "DataType": _ONE},
    ),
    "Events": ElementRule(children={"Event": _SOME}),
    "Event": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL},
        children={"Doc": _OPT, "Data": _OPT},
    ),
    "DataType": ElementRule(
        attributes={"name": Attr(AttrKind.NAME), "unitOfMeasure": Attr(AttrKind.NAME)},
        children={"Doc": _OPT, "SimpleType": _OPT, "Struct": _OPT, "Array": _OPT, "Constraints": _OPT},
        choice=frozenset({"SimpleType", "Struct", "Array"}),
    ),
    "SimpleType": ElementRule(attributes={"type": Attr(AttrKind.BASIC_TYPE, required=True)}),
    "Struct": ElementRule(children={"DataType": _SOME}),
    "Array": ElementRule(children={"DataType": _ONE}),
    "Constraints": ElementRule(children={"Constraint": _SOME}),
    "Constraint": ElementRule(
        attributes={"name": _REQ_NAME, "type": Attr(AttrKind.BASIC_TYPE), "value": Attr()},
        children={"Doc": _OPT},
    ),
}
SDT3_RULES["Module"] = SDT3_RULES["ModuleClass"]

_OCCURS = {"minOccurs": Attr(AttrKind.NON_NEGATIVE_INTEGER), "maxOccurs": Attr(AttrKind.MAX_OCCURS)}

SDT4_RULES: dict[str, ElementRule] = {
    **_DOC_RULES,
    "Domain": ElementRule(
        attributes={"id": _REQ_NAME, "semanticURI": _URI},
        children={
            "Doc": _OPT,
            "Imports": _OPT,
            "DataTypes": _OPT,
            "ModuleClasses": _OPT,
            "SubDevices": _OPT,
            "DeviceClasses": _OPT,
            "ProductClasses": _OPT,
        },
    ),
    "Imports": ElementRule(children={"Domain": _SOME}),
    "DataTypes": ElementRule(children={"DataType": _SOME}),
    "ModuleClasses": ElementRule(children={"ModuleClass": _SOME}),
    "ModuleClass": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL, "semanticURI": _URI, **_OCCURS},
        children={
            "Doc": _OPT,
            "Extend": _OPT,
            "Properties": _OPT,
            "Actions": _OPT,
            "Data": _OPT,
            "Events": _OPT,
        },
    ),
    "Extend": ElementRule(
        attributes={"domain": _REQ_NAME, "entity": _REQ_NAME},
        children={"Include": _ANY, "Exclude": _ANY},
    ),
    "Include": ElementRule(attributes={"name": _REQ_NAME, "type": Attr(AttrKind.MEMBER_KIND)}),
    "Exclude": ElementRule(attributes={"name": _REQ_NAME, "type": Attr(AttrKind.MEMBER_KIND)}),
    "SubDevices": ElementRule(children={"SubDevice": _SOME}),
    "SubDevice": ElementRule(
        attributes={"id": _REQ_NAME, "semanticURI": _URI, **_OCCURS},
        children={"Doc": _OPT, "Extend": _OPT, "Properties": _OPT, "ModuleClasses": _OPT},
    ),
    "DeviceClasses": ElementRule(children={"DeviceClass": _SOME}),
    "DeviceClass": ElementRule(
        attributes={"id": _REQ_NAME, "semanticURI": _URI},
        children={"Doc": _OPT, "Properties": _OPT, "ModuleClasses": _OPT, "SubDevices": _OPT},
    ),
    "ProductClasses": ElementRule(children={"ProductClass": _SOME}),
    "ProductClass": ElementRule(
        attributes={"name": _REQ_NAME, "semanticURI": _URI},
        children={
            "Doc": _OPT,
            "Extend": _OPT,
            "ExtendDevice": _OPT,
            "Properties": _OPT,
            "ModuleClasses": _OPT,
            "SubDevices": _OPT,
        },
    ),
    "ExtendDevice": ElementRule(children={"Extend": _ONE}),
    "Properties": ElementRule(children={"Property": _SOME}),
    "Property": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL, "value": Attr(), "semanticURI": _URI},
        children={"Doc": _OPT, "Simple": _ONE},
    ),
    "Actions": ElementRule(children={"Action": _SOME}),
    "Action": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL, "semanticURI": _URI},
        children={"Doc": _OPT, "DataType": _OPT, "Args": _OPT},
    ),
    "Args": ElementRule(children={"Arg": _SOME}),
    "Arg": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL, "default": Attr(), "semanticURI": _URI},
        children={"Doc": _OPT, "DataType": _ONE},
    ),
    "Data": ElementRule(children={"DataPoint": _SOME}),
    "DataPoint": ElementRule(
        attributes={
            "name": _REQ_NAME,
            "optional": _BOOL,
            "writable": _BOOL,
            "readable": _BOOL,
            "eventable": _BOOL,
            "default": Attr(),
            "semanticURI": _URI,
        },
        children={"Doc": _OPT, "DataType": _ONE},
    ),
    "Events": ElementRule(children={"Event": _SOME}),
    "Event": ElementRule(
        attributes={"name": _REQ_NAME, "optional": _BOOL, "semanticURI": _URI},
        children={"Doc": _OPT, "Data": _OPT},
    ),
    "DataType": ElementRule(
        attributes={"name": Attr(AttrKind.NAME), "unitOfMeasure": Attr(AttrKind.NAME), "semanticURI": _URI},
        children={
            "Doc": _OPT,
            "Simple": _OPT,
            "Struct": _OPT,
            "Array": _OPT,
            "Enum": _OPT,
            "Extend": _OPT,
            "Constraints": _OPT,
        },
        choice=frozenset({"Simple", "Struct", "Array", "Enum", "Extend"}),
    ),
    "Simple": ElementRule(attributes={"type": Attr(AttrKind.BASIC_TYPE, required=True)}),
    "Struct": ElementRule(children={"DataType": _SOME}),
    "Array": ElementRule(children={"DataType": _ONE}),
    "Enum": ElementRule(children={"EnumValue": _SOME}),
    "EnumValue": ElementRule(
        attributes={
            "name": _REQ_NAME,
            "value": Attr(AttrKind.NAME, required=True),
            "type": Attr(AttrKind.BASIC_TYPE),
            "semanticURI": _URI,
        },
        children={"Doc": _OPT},
    ),
    "Constraints": ElementRule(children={"Constraint": _SOME}),
    "Constraint": ElementRule(
        attributes={"name": _REQ_NAME, "type": Attr(AttrKind.BASIC_TYPE), "value": Attr(), "semanticURI": _URI},
        children={"Doc": _OPT},
    ),
}

RULES: dict[SDTVersion, dict[str, ElementRule]] = {SDTVersion.V3: SDT3_RULES, SDTVersion.V4: SDT4_RULES}

# Attributes in these namespaces are annotations any XML tool may add (xml:base from
# XInclude processors, xsi:schemaLocation from editors); they carry no SDT meaning.
IGNORED_ATTRIBUTE_NAMESPACES = frozenset(
    {"http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2001/XMLSchema-instance"}
)
