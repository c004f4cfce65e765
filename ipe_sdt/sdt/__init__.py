"""SDT (Smart Device Template) 3.0/4.0 parser, typed model and validator.

Typical use::

    from ipe_sdt.sdt import parse_file, validate, SDTResolver, has_errors

    document = parse_file("templates/deviceLight.xml")
    diagnostics = validate(document)
    for diagnostic in diagnostics:
        print(diagnostic)            # file:line: error: <path>: <message>
    if not has_errors(diagnostics):
        resolver = SDTResolver(document.domain)
        for device in document.domain.device_classes:
            for module in device.module_classes:
                effective = resolver.effective_module_class(module)
                ...                  # effective.data_points / .actions / .events

From templates to the CSE (these modules import the CSE's specialization registry, so they are
not re-exported here):

- ``mapping.map_document``: SDT -> flexContainer specializations (TS-0023 clause 6);
- ``names``: official TS-0023 short names (shipped table, R5 or R4 forms) and the generated ones;
- ``standard.standard_specializations``: the whole TS-0023 R5.6 set from the shipped table;
- ``loader.TemplateLoader``: registers the set and the templates in a CSE, and reloads changes;
- ``cli``: ``cse sdt validate|show|shortnames|docs|example``;
- ``build_tables``: builds the shipped table from the reference facts.
"""

from .diagnostics import (
    Diagnostic,
    SDTError,
    SDTParseError,
    SDTSecurityError,
    Severity,
    has_errors,
    sort_diagnostics,
)
from .model import (
    NS_SDT3,
    NS_SDT4,
    NS_XINCLUDE,
    UNBOUNDED,
    Action,
    Arg,
    ArrayType,
    Constraint,
    DataPoint,
    DataType,
    DataTypeRef,
    DeviceClass,
    Doc,
    Domain,
    EnumType,
    EnumValue,
    Event,
    Extend,
    ExtendFilter,
    Import,
    MemberKind,
    ModuleClass,
    ProductClass,
    Property,
    SDTDocument,
    SDTElement,
    SDTVersion,
    SimpleType,
    SourceLocation,
    StructType,
    SubDevice,
    TypeChoice,
)
from .parser import parse_file, parse_string
from .resolve import EffectiveModuleClass, ResolutionError, SDTResolver, effective_module_class
from .validate import validate, validate_file, validate_string

__all__ = [
    "NS_SDT3",
    "NS_SDT4",
    "NS_XINCLUDE",
    "UNBOUNDED",
    "Action",
    "Arg",
    "ArrayType",
    "Constraint",
    "DataPoint",
    "DataType",
    "DataTypeRef",
    "DeviceClass",
    "Diagnostic",
    "Doc",
    "Domain",
    "EffectiveModuleClass",
    "EnumType",
    "EnumValue",
    "Event",
    "Extend",
    "ExtendFilter",
    "Import",
    "MemberKind",
    "ModuleClass",
    "ProductClass",
    "Property",
    "ResolutionError",
    "SDTDocument",
    "SDTElement",
    "SDTError",
    "SDTParseError",
    "SDTResolver",
    "SDTSecurityError",
    "SDTVersion",
    "Severity",
    "SimpleType",
    "SourceLocation",
    "StructType",
    "SubDevice",
    "TypeChoice",
    "effective_module_class",
    "has_errors",
    "parse_file",
    "parse_string",
    "sort_diagnostics",
    "validate",
    "validate_file",
    "validate_string",
]
