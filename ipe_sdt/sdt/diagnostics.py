"""Diagnostics reported to template authors, and the exceptions that carry them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .model import SourceLocation


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in an SDT file, formatted like a compiler message."""

    file: str
    line: int
    path: str
    message: str
    severity: Severity = Severity.ERROR

    @classmethod
    def at(
        cls, source: SourceLocation, message: str, severity: Severity = Severity.ERROR
    ) -> Diagnostic:
        return cls(source.file, source.line, source.path, message, severity)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        # XML syntax errors happen before any element exists, so they have no path.
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {self.severity.value}: {where}{self.message}"


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by file and line and drop exact duplicates, keeping the output stable."""
    unique = dict.fromkeys(diagnostics)
    return sorted(unique, key=lambda d: (d.file, d.line, d.path, d.message))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


class SDTError(Exception):
    """Base class of all errors raised by the SDT library."""


class SDTParseError(SDTError):
    """The input cannot be turned into a model at all (not XML, include missing, ...)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


class SDTSecurityError(SDTParseError):
    """The input asked for something refused on purpose: a DTD, entities, a URL, a path escape."""
