"""Semantic validation of parsed SDT documents.

The parser already reports structure problems (unknown elements/attributes,
missing required attributes, bad booleans/integers, unknown simple types).  This
module adds the rules a schema cannot express and returns every problem of the
whole document, including imported domains, sorted by file and line:

* Extend/extends references that name an unknown domain, module class,
  sub-device, device class or data type, Include/Exclude of members the extended
  class does not have, inheritance loops;
* duplicate names in a scope (module classes, data points, actions, events,
  properties, args, struct fields, enum values, devices, sub-devices, ...);
* constraints that contradict their data type or each other;
* ``minOccurs`` above ``maxOccurs``; default and property values that do not fit
  their simple type.

One deliberate leniency, because the published SDT 3.0 examples rely on it: a
module repeated in the same device (``example2``/``example3``) or a struct field
repeated in the same struct (``energyAtHome``) with *identical* content is a
warning; a second, *different* definition under the same name is an error.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Sequence, TypeVar

from .diagnostics import Diagnostic, Severity, sort_diagnostics
from .model import (
    ArrayType,
    DataPoint,
    DataType,
    DataTypeRef,
    DeviceClass,
    Domain,
    EnumType,
    Extend,
    ModuleClass,
    Occurrence,
    ProductClass,
    Property,
    SDTDocument,
    SDTElement,
    SDTVersion,
    SimpleType,
    SourceLocation,
    StructType,
    SubDevice,
)
from .parser import PathInput, parse_file, parse_string
from .resolve import ResolutionError, SDTResolver, filter_problems

_R = TypeVar("_R")

_INTEGER_TYPES = frozenset({"integer", "byte"})
_NUMERIC_TYPES = _INTEGER_TYPES | {"float"}
_TEMPORAL_TYPES = frozenset({"date", "time", "datetime"})
_TEXT_TYPES = frozenset({"string", "uri", "blob"})

_VALUE_CONSTRAINTS = frozenset({"minValue", "maxValue", "step"})
_LENGTH_CONSTRAINTS = frozenset({"minLength", "maxLength", "length"})
_PATTERN_CONSTRAINTS = frozenset({"pattern"})


def validate(document: SDTDocument) -> list[Diagnostic]:
    """All structure and semantic problems of ``document``, sorted by file and line."""
    return _Validator(document).run()


def validate_file(path: PathInput, *, allowed_dirs: Sequence[PathInput] | None = None) -> list[Diagnostic]:
    """Parse and validate a file.

    Raises :class:`SDTParseError`/:class:`SDTSecurityError` when no model can be
    built at all; everything else is returned as diagnostics.
    """
    return validate(parse_file(path, allowed_dirs=allowed_dirs))


def validate_string(
    text: str | bytes,
    *,
    source_name: str = "<string>",
    base_dir: PathInput | None = None,
    allowed_dirs: Sequence[PathInput] | None = None,
) -> list[Diagnostic]:
    return validate(parse_string(text, source_name=source_name, base_dir=base_dir, allowed_dirs=allowed_dirs))


def _named(what: str, name: str) -> str:
    return f"{what} '{name}'" if name else f"this {what}"


def _where(earlier: SourceLocation, later: SourceLocation) -> str:
    return f"line {earlier.line}" if earlier.file == later.file else f"{earlier.file}:{earlier.line}"


def _describe(data_type: DataType) -> str:
    match data_type.type:
        case SimpleType(type=name):
            return f"of simple type '{name}'"
        case StructType():
            return "a struct"
        case ArrayType():
            return "an array"
        case EnumType():
            return "an enum"
        case _:
            return "of unknown type"


def _value_problem(simple_type: str, literal: str) -> str | None:
    """Why ``literal`` is not a value of ``simple_type``, or ``None`` if it is (or cannot be checked)."""
    text = literal.strip()
    if simple_type == "boolean":
        return None if text in ("true", "false", "1", "0") else "is not 'true' or 'false'"
    if simple_type in _INTEGER_TYPES:
        try:
            number = int(text)
        except ValueError:
            return f"is not a whole number, as type '{simple_type}' requires"
        if simple_type == "byte" and not 0 <= number <= 255:
            return "is outside the range 0 to 255 of type 'byte'"
        return None
    if simple_type == "float":
        try:
            value = float(text)
        except ValueError:
            return "is not a number, as type 'float' requires"
        return None if math.isfinite(value) or text in ("INF", "-INF", "NaN") else "is not a finite number"
    return None


class _Validator:
    def __init__(self, document: SDTDocument) -> None:
        self._root = document.domain
        self._resolver = SDTResolver(self._root)
        self._out: list[Diagnostic] = list(document.diagnostics)

    def run(self) -> list[Diagnostic]:
        domains = list(self._root.iter_domains())
        self._duplicates(domains, "id", "domain id", "this document and its imports")
        for domain in domains:
            self._domain(domain)
        return sort_diagnostics(self._out)

    # ----------------------------------------------------------------- helpers

    def _error(self, source: SourceLocation, message: str) -> None:
        self._out.append(Diagnostic.at(source, message))

    def _warning(self, source: SourceLocation, message: str) -> None:
        self._out.append(Diagnostic.at(source, message, Severity.WARNING))

    def _duplicates(
        self,
        items: Iterable[SDTElement],
        key: str,
        what: str,
        scope: str,
        *,
        identical_is_warning: bool = False,
    ) -> None:
        first: dict[str, SDTElement] = {}
        for item in items:
            name = getattr(item, key)
            if not name:
                continue  # a missing name was reported by the parser
            earlier = first.get(name)
            if earlier is None:
                first[name] = item
            elif identical_is_warning and item == earlier:
                self._warning(
                    item.source,
                    f"{what} '{name}' is defined a second time in {scope} with the same content "
                    f"(first at {_where(earlier.source, item.source)}); the repetition has no effect.",
                )
            else:
                self._error(
                    item.source,
                    f"{what} '{name}' is already defined in {scope} at {_where(earlier.source, item.source)}; "
                    "names must be unique there.",
                )

    def _occurrence(self, item: Occurrence, source: SourceLocation, what: str) -> None:
        if item.max_occurs is not None and item.min_occurs > item.max_occurs:
            self._error(
                source,
                f"minOccurs ({item.min_occurs}) is greater than maxOccurs ({item.max_occurs}), so no number "
                f"of {what} instances can satisfy both.",
            )

    def _resolve(self, action: Callable[[], _R]) -> _R | None:
        try:
            return action()
        except ResolutionError as exc:
            self._out.append(exc.diagnostic)
            return None

    # ---------------------------------------------------------------- elements

    def _domain(self, domain: Domain) -> None:
        scope = _named("domain", domain.id)
        device_word = "device" if domain.version is SDTVersion.V3 else "device class"
        self._duplicates(domain.data_types, "name", "data type", scope)
        self._duplicates(domain.module_classes, "name", "module class", scope)
        self._duplicates(domain.sub_devices, "id", "sub-device", scope)
        self._duplicates(domain.device_classes, "id", device_word, scope)
        self._duplicates(domain.product_classes, "name", "product class", scope)
        for data_type in domain.data_types:
            if not data_type.name:
                self._error(
                    data_type.source,
                    "a <DataType> in <DataTypes> needs a 'name' attribute, otherwise nothing can refer to it.",
                )
            self._data_type(data_type)
        for module in domain.module_classes:
            self._module_class(module)
        for sub_device in domain.sub_devices:
            self._sub_device(sub_device)
        for device in domain.device_classes:
            self._device(device, device_word)
        for product in domain.product_classes:
            self._product(product)

    def _device(self, device: DeviceClass, device_word: str) -> None:
        scope = _named(device_word, device.id)
        self._duplicates(device.properties, "name", "property", scope)
        self._duplicates(device.module_classes, "name", "module", scope, identical_is_warning=True)
        self._duplicates(device.sub_devices, "id", "sub-device", scope)
        for prop in device.properties:
            self._property(prop)
        for module in device.module_classes:
            self._module_class(module)
        for sub_device in device.sub_devices:
            self._sub_device(sub_device)

    def _sub_device(self, sub_device: SubDevice) -> None:
        scope = _named("sub-device", sub_device.id)
        self._occurrence(sub_device, sub_device.source, "sub-device")
        extend = sub_device.extend
        if extend is not None:
            self._check_filters_are_unused(extend, "sub-device")
            self._resolve(lambda: self._resolver.sub_device(extend))
        self._duplicates(sub_device.properties, "name", "property", scope)
        self._duplicates(sub_device.module_classes, "name", "module", scope, identical_is_warning=True)
        for prop in sub_device.properties:
            self._property(prop)
        for module in sub_device.module_classes:
            self._module_class(module)

    def _product(self, product: ProductClass) -> None:
        scope = _named("product class", product.name)
        extend = product.extend
        if extend is not None:
            self._check_filters_are_unused(extend, "product class")
            self._resolve(lambda: self._resolver.device_class(extend))
        self._duplicates(product.properties, "name", "property", scope)
        self._duplicates(product.module_classes, "name", "module class", scope, identical_is_warning=True)
        self._duplicates(product.sub_devices, "id", "sub-device", scope)
        for prop in product.properties:
            self._property(prop)
        for module in product.module_classes:
            self._module_class(module)
        for sub_device in product.sub_devices:
            self._sub_device(sub_device)

    def _check_filters_are_unused(self, extend: Extend, what: str) -> None:
        # Include/Exclude select members of a module class; on other entities they would be
        # silently meaningless, so say so.
        for item in (*extend.includes, *extend.excludes):
            self._error(
                item.source,
                f"Include/Exclude is only supported when extending a module class, not a {what}.",
            )

    def _module_class(self, module: ModuleClass) -> None:
        what = "module" if module.element == "Module" else "module class"
        scope = _named(what, module.name)
        self._occurrence(module, module.source, what)
        self._duplicates(module.properties, "name", "property", scope)
        self._duplicates(module.data_points, "name", "data point", scope)
        self._duplicates(module.actions, "name", "action", scope)
        self._duplicates(module.events, "name", "event", scope)
        for prop in module.properties:
            self._property(prop)
        for point in module.data_points:
            self._data_point(point)
        for action in module.actions:
            if action.return_type is not None:
                self._data_type(action.return_type)
            self._duplicates(action.args, "name", "argument", _named("action", action.name))
            for arg in action.args:
                if arg.type is not None:
                    self._data_type(arg.type)
                    self._default(arg.default, arg.type, arg.source, f"argument '{arg.name}'")
        for event in module.events:
            self._duplicates(event.data_points, "name", "data point", _named("event", event.name))
            for point in event.data_points:
                self._data_point(point)
        if module.extend is not None:
            self._extend(module.extend)

    def _extend(self, extend: Extend) -> None:
        base = self._resolve(lambda: self._resolver.module_class(extend))
        if base is None:
            return
        effective = self._resolve(lambda: self._resolver.effective_module_class(base))
        if effective is None:
            return
        for item, message in filter_problems(extend, effective, extend.domain):
            self._error(item.source, message)

    def _property(self, prop: Property) -> None:
        if prop.type is not None and prop.type.type and prop.value is not None:
            problem = _value_problem(prop.type.type, prop.value)
            if problem:
                self._error(prop.source, f"the value {prop.value!r} of property '{prop.name}' {problem}.")

    def _data_point(self, point: DataPoint) -> None:
        if point.type is not None:
            self._data_type(point.type)
            self._default(point.default, point.type, point.source, f"data point '{point.name}'")

    def _default(self, default: str | None, data_type: DataType, source: SourceLocation, owner: str) -> None:
        if default is None:
            return
        concrete = self._resolve(lambda: self._resolver.concrete_data_type(data_type))
        if concrete is not None and concrete.simple_type:
            problem = _value_problem(concrete.simple_type, default)
            if problem:
                self._error(source, f"the default value {default!r} of {owner} {problem}.")

    def _data_type(self, data_type: DataType) -> None:
        match data_type.type:
            case StructType(fields=fields):
                for field_type in fields:
                    if not field_type.name:
                        self._error(
                            field_type.source,
                            "every <DataType> inside a <Struct> needs a 'name' attribute to identify the field.",
                        )
                    self._data_type(field_type)
                self._duplicates(fields, "name", "struct field", "this struct", identical_is_warning=True)
            case ArrayType(element=element) if element is not None:
                self._data_type(element)
            case EnumType(values=values):
                self._duplicates(values, "name", "enum value", "this enum")
                self._duplicates(values, "value", "enum value", "this enum")
                for value in values:
                    if value.type and value.value is not None:
                        problem = _value_problem(value.type, value.value)
                        if problem:
                            self._error(
                                value.source, f"the value {value.value!r} of enum value '{value.name}' {problem}."
                            )
            case DataTypeRef(extend=extend):
                self._check_filters_are_unused(extend, "data type")
                self._resolve(lambda: self._resolver.concrete_data_type(data_type))
        self._constraints(data_type)

    def _constraints(self, data_type: DataType) -> None:
        if not data_type.constraints:
            return
        self._duplicates(data_type.constraints, "name", "constraint", "this data type")
        concrete = self._resolve(lambda: self._resolver.concrete_data_type(data_type))
        if concrete is None or concrete.type is None:
            return
        simple = concrete.simple_type
        is_array = isinstance(concrete.type, ArrayType)
        numbers: dict[str, tuple[float, SourceLocation]] = {}
        for constraint in data_type.constraints:
            name = constraint.name
            if name not in _VALUE_CONSTRAINTS | _LENGTH_CONSTRAINTS | _PATTERN_CONSTRAINTS:
                continue  # SDT allows free-form constraints; only the well-known ones have rules
            value = (constraint.value or "").strip()
            if not value:
                self._error(constraint.source, f"the constraint '{name}' needs a 'value'.")
                continue
            if name in _VALUE_CONSTRAINTS:
                if simple not in _NUMERIC_TYPES | _TEMPORAL_TYPES:
                    self._error(
                        constraint.source,
                        f"the constraint '{name}' limits numeric values, but the data type is {_describe(concrete)}.",
                    )
                    continue
                if simple in _TEMPORAL_TYPES:
                    continue
                problem = _value_problem(simple, value)
                if problem:
                    self._error(constraint.source, f"the value {value!r} of constraint '{name}' {problem}.")
                    continue
                number = float(value)
                if name == "step" and number <= 0:
                    self._error(constraint.source, f"the constraint 'step' must be greater than 0, but it is {value}.")
                    continue
                numbers[name] = (number, constraint.source)
            elif name in _LENGTH_CONSTRAINTS:
                if simple not in _TEXT_TYPES and not is_array:
                    self._error(
                        constraint.source,
                        f"the constraint '{name}' limits the length of strings, URIs, blobs or arrays, "
                        f"but the data type is {_describe(concrete)}.",
                    )
                    continue
                if not (value.isascii() and value.isdigit()):
                    self._error(
                        constraint.source,
                        f"the constraint '{name}' must be a whole number of 0 or more, not {value!r}.",
                    )
                    continue
                numbers[name] = (int(value), constraint.source)
            elif simple not in _TEXT_TYPES:
                self._error(
                    constraint.source,
                    f"the constraint '{name}' applies to text, but the data type is {_describe(concrete)}.",
                )
        self._ordered(numbers, "minValue", "maxValue", "value")
        self._ordered(numbers, "minLength", "maxLength", "length")
        if "length" in numbers:
            length, source = numbers["length"]
            low = numbers.get("minLength", (0, source))[0]
            high = numbers.get("maxLength", (math.inf, source))[0]
            if not low <= length <= high:
                self._error(
                    source,
                    f"the constraint 'length' ({length:g}) lies outside the range allowed by minLength/maxLength.",
                )

    def _ordered(self, numbers: dict[str, tuple[float, SourceLocation]], low: str, high: str, what: str) -> None:
        if low in numbers and high in numbers and numbers[low][0] > numbers[high][0]:
            self._error(
                numbers[high][1],
                f"{low} ({numbers[low][0]:g}) is greater than {high} ({numbers[high][0]:g}), so no {what} "
                "can satisfy both constraints.",
            )
