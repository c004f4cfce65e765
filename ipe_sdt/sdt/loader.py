"""Keeps a CSE's flexContainer specializations in line with the TS-0023 table and SDT templates.

At start the CSE registers every TS-0023 specialization (:mod:`.standard`), then what the
templates (``*.xml``, searched recursively) of the shipped ``sdt_models/`` and of each directory
of the ``sdt_dirs`` setting describe; a template's description of a TS-0023 specialization
replaces the table's. Every ``sdt_reload_interval`` seconds the loader compares the files'
modification times and sizes (those of the files they include too) with what it read, and reads
again what changed:

- an added or changed template that maps without errors is registered at once;
- a broken one (not XML, invalid SDT, a short-name clash, a containerDefinition or type name that
  another template already describes differently) is reported with file:line and skipped; a
  template that worked before keeps its last good version registered;
- the specializations of a removed template (or that a changed one no longer describes) are
  unregistered, or go back to the table's description, unless resources of them exist: then they
  stay registered, with a warning.

Templates are read at most once per change in a process: CSEs started one after another (tests)
share what was read.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from cse.model import specializations
from cse.model.specializations import SpecializationError
from cse.model.typecodes import Ty

from .diagnostics import SDTParseError, Severity
from .mapping import MappedSpecialization, map_document
from .parser import parse_file
from .standard import standard_specializations
from .validate import validate

if TYPE_CHECKING:
    from cse.core.engine import CSE

log = logging.getLogger("cse.sdt")

TABLE_ORIGIN = "the TS-0023 table"


def shipped_directory() -> Path:
    """The templates that come with the CSE."""
    import sdt_models

    return Path(sdt_models.__file__).resolve().parent


Signature = tuple[tuple[str, int | None, int | None], ...]


@dataclass(frozen=True)
class TemplateRead:
    """What one reading of a template gave."""

    signature: Signature  # the file and the files it includes, as they were read
    mapped: tuple[MappedSpecialization, ...] | None  # None: broken
    problems: tuple[str, ...] = ()  # errors (when broken) or warnings, as file:line messages

    @property
    def broken(self) -> bool:
        return self.mapped is None


def _signature(paths: Iterable[str]) -> Signature:
    entries = []
    for path in paths:
        try:
            stat = os.stat(path)
            entries.append((path, stat.st_mtime_ns, stat.st_size))
        except OSError:
            entries.append((path, None, None))
    return tuple(entries)


# (file, release, allowed directories) -> the last reading; shared by every loader of the process.
_READS: dict[tuple[str, str, tuple[str, ...]], TemplateRead] = {}


def read_template(path: Path, release: str, allowed_dirs: Sequence[Path]) -> TemplateRead:
    """Parse, validate and map one template, unless it is unchanged since it was last read."""
    key = (str(path), release, tuple(str(d) for d in allowed_dirs))
    cached = _READS.get(key)
    if cached is not None and _signature(p for p, _, _ in cached.signature) == cached.signature:
        return cached
    before = _signature([str(path)])  # taken first: a change while reading shows next time
    try:
        document = parse_file(path, allowed_dirs=allowed_dirs)
    except SDTParseError as error:
        read = TemplateRead(before, None, (str(error.diagnostic),))
    else:
        signature = before + _signature(f for f in document.files if f != str(path))
        diagnostics = validate(document)
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        warnings = tuple(str(d) for d in diagnostics if d.severity is not Severity.ERROR)
        if errors:
            read = TemplateRead(signature, None, tuple(str(d) for d in errors))
        else:
            mapping = map_document(document, release)
            if mapping.diagnostics:
                read = TemplateRead(signature, None, tuple(str(d) for d in mapping.diagnostics))
            else:
                read = TemplateRead(signature, tuple(mapping.specializations), warnings)
    _READS[key] = read
    return read


@dataclass
class _File:
    read: TemplateRead
    good: tuple[MappedSpecialization, ...] | None  # what is used: the last reading without errors


class TemplateLoader:
    def __init__(self, cse: "CSE", directories: Sequence[Path], release: str, interval: float) -> None:
        self.cse = cse
        self.directories = [Path(d).resolve() for d in directories]
        self.release = release
        self.interval = interval
        self._files: dict[Path, _File] = {}
        # What is registered: containerDefinition -> (description, where it comes from).
        self.active: dict[str, tuple[MappedSpecialization, str]] = {}
        self._missing: set[Path] = set()
        self._conflicts: dict[Path, str] = {}
        self._task: asyncio.Task | None = None

    @classmethod
    def for_cse(cls, cse: "CSE") -> "TemplateLoader":
        settings = cse.settings
        directories = [shipped_directory(), *(Path(d) for d in settings.sdt_dirs)]
        return cls(cse, directories, settings.sdt_release, settings.sdt_reload_interval)

    # -- life cycle --------------------------------------------------------------------------

    def load(self) -> None:
        """Register the table and every template; broken templates are reported and skipped."""
        started = time.perf_counter()
        self._apply(self._scan())
        from_files = sum(1 for _, origin in self.active.values() if origin != TABLE_ORIGIN)
        log.info(
            "SDT: %d flexContainer specializations (TS-0023 R5.6 with R%s names; %d described by %d "
            "template(s) in %s) in %.3f s",
            len(self.active), self.release, from_files, sum(1 for f in self._files.values() if f.good),
            ", ".join(str(d) for d in self.directories), time.perf_counter() - started,
        )

    def start(self) -> None:
        """Watch the directories for changes."""
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._watch(), name="sdt-templates")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def reload(self) -> bool:
        """Read what changed and register it; whether anything changed."""
        reads = await asyncio.to_thread(self._scan)
        if reads.keys() == self._files.keys() and all(reads[p] is self._files[p].read for p in reads):
            return False
        self._apply(reads)
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.reload()
            except Exception:
                log.exception("SDT: checking the templates for changes failed")

    # -- reading -----------------------------------------------------------------------------

    def templates(self) -> list[Path]:
        found: dict[Path, None] = {}
        for directory in self.directories:
            if not directory.is_dir():
                if directory not in self._missing:
                    self._missing.add(directory)
                    log.warning("SDT: template directory %s does not exist (yet)", directory)
                continue
            self._missing.discard(directory)
            for path in sorted(directory.rglob("*.xml")):
                if path.is_file() and not any(part.startswith(".") for part in path.relative_to(directory).parts):
                    found.setdefault(path.resolve(), None)
        return list(found)

    def _scan(self) -> dict[Path, TemplateRead]:
        return {path: read_template(path, self.release, self.directories) for path in self.templates()}

    # -- registering -------------------------------------------------------------------------

    def _apply(self, reads: dict[Path, TemplateRead]) -> None:
        files: dict[Path, _File] = {}
        for path, read in reads.items():
            previous = self._files.get(path)
            changed = previous is None or previous.read is not read
            good = read.mapped if not read.broken else (previous.good if previous else None)
            if changed:
                self._report(path, read, kept=good is not None and read.broken, first=previous is None)
            files[path] = _File(read, good)
        for path in self._files.keys() - files.keys():
            log.info("SDT: template %s was removed", path)
            for key in [k for k in _READS if k[0] == str(path)]:
                del _READS[key]
        self._files = files

        desired: dict[str, tuple[MappedSpecialization, str]] = {
            m.spec.cnd: (m, TABLE_ORIGIN) for m in standard_specializations(self.release)
        }
        conflicts: dict[Path, str] = {}
        for path, state in files.items():
            if not state.good:
                continue
            conflict = _conflict(state.good, desired)
            if conflict:
                if self._conflicts.get(path) != conflict:  # said once, not at every change elsewhere
                    log.error("SDT: template %s skipped: %s", path, conflict)
                conflicts[path] = conflict
                continue
            for mapped in state.good:
                # A specialization several templates describe alike (through xi:include) belongs to
                # the first of them.
                if desired.get(mapped.spec.cnd, (None, TABLE_ORIGIN))[1] == TABLE_ORIGIN:
                    desired[mapped.spec.cnd] = (mapped, str(path))

        gone = [cnd for cnd in self.active if cnd not in desired]
        if gone:
            in_use = self._cnds_in_use()
            for cnd in gone:
                if cnd in in_use:
                    mapped, origin = self.active[cnd]
                    log.warning(
                        "SDT: %s (%s) is no longer described by %s, but resources of it exist: it stays registered",
                        mapped.spec.tpe, cnd, origin,
                    )
                    desired[cnd] = self.active[cnd]
        self._conflicts = conflicts
        self._register(desired)

    def _report(self, path: Path, read: TemplateRead, kept: bool, first: bool) -> None:
        if read.broken:
            consequence = "its last good version stays registered" if kept else "it is skipped"
            log.error("SDT: template %s has errors; %s:\n  %s", path, consequence, "\n  ".join(read.problems))
            return
        for warning in read.problems:
            log.warning("SDT: %s", warning)
        # At start the summary says it all; a template that appears or changes later is news.
        log.log(logging.DEBUG if first and not self.active else logging.INFO,
                "SDT: template %s: %d specialization(s)", path, len(read.mapped or ()))

    def _register(self, desired: dict[str, tuple[MappedSpecialization, str]]) -> None:
        registry = self.cse.registry
        for cnd in [c for c in self.active if c not in desired]:
            specializations.unregister(registry, self.active.pop(cnd)[0].spec.tpe)
        batches: dict[str, list[MappedSpecialization]] = {}
        for cnd, (mapped, origin) in desired.items():
            current = self.active.get(cnd)
            if current is not None and current[0].spec == mapped.spec:
                self.active[cnd] = (mapped, origin)
                continue
            if current is not None and current[0].spec.tpe != mapped.spec.tpe:
                # Same resources, new type name: the old name must go for the new one to hold the cnd.
                specializations.unregister(registry, current[0].spec.tpe)
                del self.active[cnd]
            batches.setdefault(origin, []).append(mapped)
        standard = {m.spec.cnd: m for m in standard_specializations(self.release)}
        for origin, batch in batches.items():
            try:
                specializations.register(registry, [m.spec for m in batch])
            except SpecializationError as error:
                log.error("SDT: the specializations of %s cannot be registered: %s", origin, error)
                # What the template meant to replace stays served as the table describes it.
                batch = [standard[m.spec.cnd] for m in batch
                         if m.spec.cnd in standard and m.spec.cnd not in self.active]
                origin = TABLE_ORIGIN
                if not batch:
                    continue
                specializations.register(registry, [m.spec for m in batch])
            for mapped in batch:
                self.active[mapped.spec.cnd] = (mapped, origin)

    def _cnds_in_use(self) -> set[str]:
        store = self.cse.store
        return {
            resource.attrs.get("cnd")
            for resource, _ in store.descendants(self.cse.settings.cse_ri)
            if resource.ty == Ty.FCNT
        }


def _conflict(
    mapped: tuple[MappedSpecialization, ...], desired: dict[str, tuple[MappedSpecialization, str]]
) -> str | None:
    """Why a template's specializations cannot join those described so far, if they cannot."""
    by_tpe = {m.spec.tpe: (m, origin) for m, origin in desired.values()}
    namespaces = {m.spec.prefix: (m.spec.namespace_uri, origin) for m, origin in desired.values()}
    for item in mapped:
        spec = item.spec
        namespace, origin = namespaces.get(spec.prefix, (spec.namespace_uri, None))
        if namespace != spec.namespace_uri:
            return (f"its prefix {spec.prefix!r} names the XML namespace {namespace} in {origin}, "
                    f"not {spec.namespace_uri}")
        other = desired.get(spec.cnd)
        if other is not None and other[1] != TABLE_ORIGIN and other[0].spec != spec:
            return f"{spec.tpe} ({spec.cnd}) is described differently by {other[1]}"
        holder = by_tpe.get(spec.tpe)
        if holder is not None and holder[0].spec.cnd != spec.cnd:
            return f"the type name {spec.tpe} of {spec.cnd} is that of {holder[0].spec.cnd} in {holder[1]}"
    return None
