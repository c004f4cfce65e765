"""SDT data types as TS-0004 attribute types (``cse.model.specializations.sdt_datatype``).

============================  ==============================================================
SDT                           attribute type
============================  ==============================================================
boolean                       xs:boolean
integer                       xs:integer; minValue/maxValue become bounds (minValue 0: the
                              TS-0004 xs:nonNegativeInteger)
byte                          xs:integer 0..255
float                         xs:float, with minValue/maxValue as bounds
string, blob                  xs:string (a blob as base64 text)
uri                           xs:anyURI
date, time                    xs:date, xs:time, kept as written
datetime                      m2m:timestamp (``YYYYMMDDThhmmss``), the form of every oneM2M
                              date and time
Enum (SDT 4.0)                an enumeration of its values when they are integers (as every
                              TS-0023 enumeration), otherwise xs:string
enum (SDT 3.0 simple type)    xs:integer (SDT 3.0 gives no values)
Array                         a list of the element type (SDT 3.0 simple 'array': any items)
Struct                        a structure with the fields as optional members
void                          no value: only meaningful as an action's return type
============================  ==============================================================

Other constraints (length, pattern, step...) are documentation, not checked.
"""

from __future__ import annotations

from cse.model import datatypes as dt
from cse.model.datatypes import DataType
from cse.model.specializations import SpecializationError, sdt_datatype

from .model import ArrayType, DataType as SDTDataType, DataTypeRef, EnumType, SimpleType, StructType
from .resolve import ResolutionError, SDTResolver

# SDT simple type -> the name sdt_datatype() knows it by.
_SIMPLE: dict[str, str] = {
    "boolean": "boolean",
    "integer": "integer",
    "byte": "byte",
    "float": "float",
    "string": "string",
    "blob": "blob",
    "uri": "uri",
    "date": "date",
    "time": "time",
    "datetime": "timestamp",
    "enum": "integer",
    "array": "list",
}
_BOUNDED = frozenset({"integer", "byte", "float"})
_MAX_REFERENCES = 32


class TypeProblem(Exception):
    """A data type that cannot be an attribute type; the message says why."""


def is_void(data_type: SDTDataType | None, resolver: SDTResolver) -> bool:
    if data_type is None:
        return True
    concrete, _ = _concrete(data_type, resolver)
    return isinstance(concrete.type, SimpleType) and concrete.type.type == "void"


def attribute_type(data_type: SDTDataType | None, resolver: SDTResolver) -> DataType:
    """The attribute type of an SDT data type; raises TypeProblem."""
    if data_type is None:
        raise TypeProblem("it has no data type")
    concrete, constraints = _concrete(data_type, resolver)
    match concrete.type:
        case SimpleType(type=name):
            return simple_type(name, constraints)
        case EnumType(values=values):
            try:
                numbers = [int(v.value) for v in values if v.value is not None]
            except ValueError:
                return dt.STRING  # SDT allows any enumeration values; only integers are checked
            return sdt_datatype("integer", values=numbers) if numbers else dt.INTEGER
        case ArrayType(element=element):
            item = attribute_type(element, resolver) if element is not None else None
            return sdt_datatype("list", item=item)
        case StructType(fields=fields):
            members = {field.name: attribute_type(field, resolver) for field in fields if field.name}
            return dt.Struct(members=members)
    raise TypeProblem("its data type says neither a simple type, an enumeration, an array nor a struct")


def simple_type(name: str, constraints: dict[str, str] | None = None) -> DataType:
    """The attribute type of an SDT simple type name, with minValue/maxValue bounds."""
    if name == "void":
        raise TypeProblem("its type is void, which holds no value")
    known = _SIMPLE.get(name)
    if known is None:
        raise TypeProblem(f"the simple type {name!r} has no attribute type")
    bounds: dict[str, float] = {}
    if name in _BOUNDED:
        for constraint, key in (("minValue", "minimum"), ("maxValue", "maximum")):
            text = (constraints or {}).get(constraint)
            if text is not None:
                try:
                    bounds[key] = float(text)
                except ValueError:
                    raise TypeProblem(f"its {constraint} {text!r} is not a number") from None
    try:
        if name == "byte":
            low, high = max(bounds.get("minimum", 0), 0), min(bounds.get("maximum", 255), 255)
            return sdt_datatype("integer", minimum=low, maximum=high)
        return sdt_datatype(known, **bounds)
    except SpecializationError as error:
        raise TypeProblem(str(error)) from None


def _concrete(data_type: SDTDataType, resolver: SDTResolver) -> tuple[SDTDataType, dict[str, str]]:
    """Follow references to the named type; constraints of the nearer types win."""
    constraints: dict[str, str] = {}
    current = data_type
    for _ in range(_MAX_REFERENCES):
        for constraint in current.constraints:
            if constraint.value is not None:
                constraints.setdefault(constraint.name, constraint.value)
        if not isinstance(current.type, DataTypeRef):
            return current, constraints
        try:
            current = resolver.data_type(current.type.extend)
        except ResolutionError as error:
            raise TypeProblem(error.message) from None
    raise TypeProblem("its data type refers to other data types more than 32 levels deep")
