"""The import engine: runs a checked bundle through the entities' loaders, in the contract's order.

Per entity file: an index pass (the last line of each legacy id, in a scratch file: `superseded`), an
optional survey pass for loaders that decide on the whole file, then the import pass in batches of
`LEGACY_IMPORT_BATCH_SIZE` lines. Each line gets exactly one outcome, decided in the contract's order
(`classify`): superseded; quarantined (unreadable); excluded (India portal); its hard references; its own
fields (schema, then the loader's `check`); then unchanged or conflict against the legacy map, or whatever
the loader answers.

Each batch commits in one transaction with its rows, its legacy-map entries, what it set aside, its
counters and the checkpoint (lines done). A run that stops (even killed) leaves its ImportRun `running`;
importing the same bundle with the same options again resumes it after its last checkpoint, with its
counters, so the two together end exactly as one uninterrupted run.

A dry run does all of this inside one transaction that is rolled back at the end (loaders skip only what
lies outside the database: copying files, slow password wrapping); its quarantine and conflict lists are
then stored on its ImportRun, which is kept.
"""

from __future__ import annotations

import functools
import gc
import getpass
import hashlib
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import msgspec
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import report as reporting
from .bulk import bulk_insert, bulk_insert_rows
from .entities import ENTITIES, EXCLUDED_PORTAL, EntitySpec, Reference
from .loaders import (
    CONFLICT,
    CREATED,
    EXCLUDED,
    LINKED,
    QUARANTINED,
    UPDATED,
    Context,
    Item,
    Loaded,
    Loader,
    Previous,
    registered_loaders,
)
from .lookups import any_of, fetch, table
from .models import Checkpoint, ConflictRecord, ExcludedRecord, ImportRun, LegacyRecord, QuarantinedRecord
from .reader import Bundle, BundleFile, BundleRefused, open_bundle
from .resolution import EXCLUDED as RESOLVED_EXCLUDED
from .resolution import QUARANTINED as RESOLVED_QUARANTINED
from .resolution import Resolution, ResolutionMap
from .schemas import SCHEMAS, Record
from .superseded import SupersededLines, SupersededLookup, superseded_pairs

logger = logging.getLogger(__name__)
T = TypeVar("T")

SUPERSEDED, UNCHANGED = "superseded", "unchanged"
LEGACY_RECORD_COLUMNS = ["entity", "legacy_id", "fingerprint", "line_digest", "target_pk", "state_hash",
                         "first_run_id", "last_run_id", "target_created", "imported_at"]
IMPORTED_OUTCOMES = (CREATED, UPDATED, UNCHANGED, LINKED)


class ImportRefused(Exception):
    """The import cannot start: bad bundle, bad option, missing reference data. Nothing was written."""


@dataclass
class Options:
    bundle: str
    dry_run: bool = False
    cutover: datetime | None = None
    only: list[str] | None = None
    workers: int | None = None
    progress: bool | None = None  # None: a progress bar on a terminal, log lines otherwise

    def as_json(self) -> dict:
        return {"dry_run": self.dry_run, "cutover": self.cutover.isoformat() if self.cutover else None,
                "only": sorted(self.only) if self.only else None, "workers": self.workers}

    def resume_key(self) -> dict:
        """Options that must be equal for a run to resume another (workers may differ)."""
        key = self.as_json()
        key.pop("workers")
        return key


@dataclass
class Result:
    run: ImportRun
    report: dict
    resumed: bool = False

    @property
    def exit_code(self) -> int:
        """0: everything in; 1: something quarantined or conflicted."""
        return 1 if self.report["quarantine"] or self.report["conflicts"] else 0


@dataclass
class Line:
    """One line of a file and its outcome; `record` is set when it is valid and goes on to loading."""

    number: int
    raw: bytes
    legacy_id: str | None = None
    outcome: str | None = None
    reason: str = ""
    erased: bool = False
    record: Record | None = None
    fingerprint: str = ""
    line_digest: str = ""
    decoded: Record | dict | None = None  # between reading and validation: its record, or its JSON object
    previous: Previous | None = None  # its legacy-map entry, when it was imported before

    def value(self, name: str):
        """A top-level field of the decoded line (None when it has none)."""
        if isinstance(self.decoded, dict):
            return self.decoded.get(name)
        return getattr(self.decoded, name, None)


@dataclass
class EntityProgress:
    counters: dict = field(default_factory=reporting.empty_counters)
    totals: dict = field(default_factory=dict)
    lines_done: int = 0
    done: bool = False


def import_bundle(options: Options) -> Result:
    """Imports a bundle (see the module docstring); raises ImportRefused before any write when it cannot."""
    loaders = registered_loaders()
    if options.only:
        unknown = sorted(set(options.only) - set(ENTITIES))
        if unknown:
            raise ImportRefused(f"--only: unknown entities {', '.join(unknown)} (known: {', '.join(ENTITIES)})")
    try:
        bundle = open_bundle(options.bundle)
    except BundleRefused as exc:
        raise ImportRefused(str(exc)) from exc
    with bundle:
        # --- hook: chunked import by Celery workers (brands/legacy/distributed.py) ---
        from .distributed import Coordinator, distributes

        if distributes(options, bundle):
            return Coordinator(options, bundle, loaders).execute()
        # --- end of hook ---
        return _Run(options, bundle, loaders).execute()


def parse_cutover(value: str, *, origin: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ImportRefused(f"{origin}: {value!r} is not an ISO 8601 timestamp") from exc
    if moment.tzinfo is None:
        raise ImportRefused(f"{origin}: {value!r} has no offset (write Z or +hh:mm)")
    return moment


class _Run:
    def __init__(self, options: Options, bundle: Bundle, loaders: dict[str, type[Loader]]):
        self.options = options
        self.bundle = bundle
        self.cutover = options.cutover or parse_cutover(bundle.exported_at, origin="manifest.json exported_at")
        self.in_scope = [entity for entity in ENTITIES if not options.only or entity in options.only]
        self.loaders = {entity: loaders[entity] for entity in self.in_scope if entity in loaders}
        self.progress = {entity: EntityProgress() for entity in ENTITIES}
        self.not_loaded = {entity for entity in ENTITIES if entity not in self.loaders}
        self.dry_quarantine: list[QuarantinedRecord] = []
        self.dry_conflicts: list[ConflictRecord] = []
        self.batch_size = settings.LEGACY_IMPORT_BATCH_SIZE
        self.map_was_empty = False  # of the entity being imported, when its pass started (`_import_file`)
        self.view: type[Record] | None = None  # what its unchanged lines decode into (`Loader.record_view`)
        self.view_first = False  # decode lines into the view first: most lines of the last batch were unchanged
        self.show_bar = sys.stderr.isatty() if options.progress is None else options.progress

    # --- the run -------------------------------------------------------------------------------------

    def execute(self) -> Result:
        self.context = Context(run=None, bundle=self.bundle, cutover=self.cutover, dry_run=self.options.dry_run,
                               workers=self.options.workers, resolution=None)
        instances = {entity: cls(self.context) for entity, cls in self.loaders.items()}
        for entity, loader in instances.items():
            problem = loader.preflight() if entity in self.bundle.files else None
            if problem:
                raise ImportRefused(f"{loader.entity}: {problem}")
        run, resumed = self._start_run()
        self.context.run = run
        self.context.resolution = Resolution(run, set(self.in_scope))
        started = time.monotonic()
        try:
            if self.options.dry_run:
                with _heap_frozen(), transaction.atomic():
                    self._import_entities(instances)
                    transaction.set_rollback(True)
                QuarantinedRecord.objects.bulk_create(self.dry_quarantine, batch_size=1000)
                ConflictRecord.objects.bulk_create(self.dry_conflicts, batch_size=1000)
            else:
                with _heap_frozen():
                    self._import_entities(instances)
        except BaseException as exc:  # KeyboardInterrupt too; a failed run resumes like a killed one
            run.refresh_from_db()
            run.state = ImportRun.State.FAILED
            run.message = f"{type(exc).__name__}: {exc}"
            run.save(update_fields=["state", "message"])
            raise
        self.context.add_timing("total", time.monotonic() - started)
        report = self._report(run)
        run.state = ImportRun.State.FINISHED
        run.finished_at = timezone.now()
        run.counters = report["entities"]
        run.totals = report["totals"]
        run.timings = {**run.timings, **{k: round(v, 3) for k, v in self.context.timings.items()}}
        run.save(update_fields=["state", "finished_at", "counters", "totals", "timings"])
        return Result(run=run, report=report, resumed=resumed)

    def _start_run(self) -> tuple[ImportRun, bool]:
        if not self.options.dry_run:
            for candidate in ImportRun.objects.filter(
                bundle_digest=self.bundle.digest, dry_run=False,
                state__in=[ImportRun.State.RUNNING, ImportRun.State.FAILED],
            ).order_by("-started_at", "-pk"):
                if candidate.options.get("resume_key") == self.options.resume_key():
                    self._restore(candidate)
                    candidate.state, candidate.message = ImportRun.State.RUNNING, ""
                    candidate.save(update_fields=["state", "message"])
                    logger.info("Resuming import run #%s of %s", candidate.pk, candidate.bundle)
                    return candidate, True
        run = ImportRun.objects.create(
            started_by=_operator(), bundle=self.bundle.location, bundle_digest=self.bundle.digest,
            source=self.bundle.source, exported_at=_parse_or_none(self.bundle.exported_at), cutover=self.cutover,
            dry_run=self.options.dry_run,
            options={**self.options.as_json(), "resume_key": self.options.resume_key()},
        )
        return run, False

    def _restore(self, run: ImportRun) -> None:
        for checkpoint in run.checkpoints.all():
            self.progress[checkpoint.entity] = EntityProgress(
                counters={**reporting.empty_counters(), **checkpoint.counters}, totals=checkpoint.totals,
                lines_done=checkpoint.lines_done, done=checkpoint.done,
            )

    def _import_entities(self, instances: dict[str, Loader]) -> None:
        for entity, spec in ENTITIES.items():
            file = self.bundle.files.get(entity)
            progress = self.progress[entity]
            if entity in self.not_loaded:
                progress.counters["read"] = file.records if file else 0
                if entity in self.in_scope and file:
                    logger.info("%s: no loader yet, %d lines counted and left alone", entity, file.records)
                continue
            if progress.done or file is None:
                continue
            self._import_file(spec, file, instances[entity], progress)
            self._statistics_refreshed(spec, progress)

    def _statistics_refreshed(self, spec: EntitySpec, progress: EntityProgress) -> None:
        """PostgreSQL's statistics of the bookkeeping tables the entity wrote, refreshed (ANALYZE), as after any
        bulk load: the legacy map whenever the entity wrote entries to it (the next import of the entity looks
        its records up there, and later entities their references), the excluded and quarantined records when
        a later entity of the bundle resolves its references against them.

        The planner otherwise plans those lookups with what it knew before: taking an entity's entries for a
        few hundred rows, it read all of them and filtered, for each batch (35 ms a batch at 100,000
        customers against 7 ms once analyzed: the lookups grew with the square of the bundle). Autovacuum
        would analyze the tables too, but a minute later at best, or never where it is off.

        Not in a dry run: its one transaction would hold ANALYZE's lock on the tables until it ends, and a real
        import running meanwhile would wait for it at its own ANALYZE (what the dry run wrote is rolled back).
        """
        if connection.vendor != "postgresql" or self.options.dry_run:
            return
        counters = progress.counters
        referenced = any(
            ref.entity == spec.name for later in ENTITIES.values()
            if later.name in self.in_scope and later.name in self.bundle.files for ref in later.references
        )
        # The legacy map's lookups filter on these two columns only: analyzing just them is a quarter of the
        # time (0.12 s against 0.25 to 0.6 s for 390,000 entries).
        entries = counters["created"] + counters["updated"] + counters["linked"]
        tables = [what for what, written in (
            (f"{table(LegacyRecord)} (entity, legacy_id)", entries),
            (table(ExcludedRecord), referenced and counters["excluded"]),
            (table(QuarantinedRecord), referenced and counters["quarantined"]),
        ) if written]
        if tables:
            started = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(tables)}")
            self.context.add_timing("statistics", time.monotonic() - started)

    # --- one entity ----------------------------------------------------------------------------------

    def _import_file(self, spec: EntitySpec, file: BundleFile, loader: Loader, progress: EntityProgress) -> None:
        started = time.monotonic()
        # No entry of the entity in the legacy map (its first import): none will be met during this pass
        # either, since the lines it imports have distinct legacy ids, so no batch needs to look.
        self.map_was_empty = not LegacyRecord.objects.filter(entity=spec.name).exists()
        self.view = loader.record_view(spec)
        self.view_first = self.view is not None and not self.map_was_empty
        superseded = self._superseded_lines(file)
        loader.prepare()
        try:  # a failed run too releases what the loader holds (a process pool, scratch files)
            if loader.needs_survey:
                for batch in self._classify(spec, file, loader, superseded.lookup()):
                    loader.survey([line.record for line in batch if line.record is not None])
            bar = self._progress_bar(file, progress.lines_done)
            after = progress.lines_done
            for batch in self._classify(spec, file, loader, superseded.lookup(after), after=after):
                self._commit(spec.name, loader, batch, progress)
                bar.advance(len(batch))
            bar.close()
        finally:
            loader.finish()
        progress.done = True
        self._save_checkpoint(spec.name, progress)
        self.context.add_timing(spec.name, time.monotonic() - started)

    def _classify(self, spec: EntitySpec, file: BundleFile, loader: Loader, superseded: SupersededLookup,
                  after: int = 0) -> Iterator[list[Line]]:
        """Every line after line `after`, in batches: each line with its outcome when it is set aside, its
        record when valid. A batch's references are resolved together (`_validate`)."""
        for batch in batches(self._read(spec, file, superseded, after), self.batch_size):
            yield self._validate(spec, loader, batch)

    def _read(self, spec: EntitySpec, file: BundleFile, superseded: SupersededLookup, after: int) -> Iterator[Line]:
        """The outcomes a line has on its own: unreadable, superseded, excluded portal; else its JSON object,
        or its record when the line decodes straight into the entity's schema (into the entity's view while
        the lines are mostly unchanged: `_validate`).

        Decoding into the schema is a fifth of the cost of decoding to Python objects and converting them
        (msgspec); the record is the same (a test compares the two on generated bundles). A line that does not
        decode so takes the long way, which reports its problem in the contract's order: references are
        looked at before the schema, and a record that fails the schema may still be excluded first."""
        record_decoder = msgspec.json.Decoder(SCHEMAS[spec.name])
        view_decoder = msgspec.json.Decoder(self.view) if self.view is not None else None
        for number, raw in self._lines(file):
            if number <= after:
                continue
            line = Line(number, raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield _set_aside(line, QUARANTINED, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            try:
                line.decoded = (view_decoder if self.view_first else record_decoder).decode(text)
            except msgspec.DecodeError:  # not JSON, or not the schema: found out the long way
                try:
                    line.decoded = msgspec.json.decode(text)
                except msgspec.DecodeError as exc:
                    yield _set_aside(line, QUARANTINED, f"not valid JSON ({exc})")
                    continue
                if not isinstance(line.decoded, dict) or not isinstance(line.decoded.get("legacy_id"), str):
                    yield _set_aside(line, QUARANTINED, "not a JSON object with a string legacy_id")
                    continue
            line.legacy_id = line.value("legacy_id")
            last_line = superseded.last_line_if_superseded(number)
            if last_line is not None:
                yield _set_aside(line, SUPERSEDED, f"superseded by line {last_line}")
                continue
            if spec.has_portal and line.value("portal") == EXCLUDED_PORTAL:
                yield _set_aside(line, EXCLUDED, "portal `in`: POCO India keeps its own site")
                continue
            yield line

    def _validate(self, spec: EntitySpec, loader: Loader, batch: list[Line]) -> list[Line]:
        """The rest of the contract's order for the batch's readable lines: hard references, schema, check.

        A record whose content is the same as at its last import (the legacy map's fingerprint) is
        `unchanged` without the loader's check: its content passed that check when it was imported (the
        checks read nothing but the record), so a second import does not pay for it again. A line whose
        bytes are those it was imported from (`line_digest`) is not even encoded again for the fingerprint:
        the same bytes decode into the same record, under the same schema (which the digest covers). Nor is
        it decoded whole, while most lines are such (a re-import): `_read` decodes it into the entity's view
        (its references and what the report totals, a third of the cost for an order), and only a line that
        turns out new or changed is decoded again, whole."""
        schema, schema_digest = SCHEMAS[spec.name], _schema_digest(spec.name)
        pending = [line for line in batch if line.outcome is None]
        self.context.resolution.new_batch()
        resolved = {
            ref: self.context.resolution.of(ref.entity, (line.value(ref.field) for line in pending))
            for ref in spec.hard_references
        }
        readable: list[tuple[Line, Record]] = []
        for line in pending:
            verdict = _hard_references(spec, line, resolved)
            decoded, line.decoded = line.decoded, None
            if verdict:
                _set_aside(line, *verdict)
                continue
            try:
                record = decoded if isinstance(decoded, (schema, self.view or schema)) else msgspec.convert(
                    decoded, schema)
            except msgspec.ValidationError as exc:
                _set_aside(line, QUARANTINED, str(exc))
                continue
            digest = schema_digest.copy()
            digest.update(line.raw)
            line.line_digest = digest.hexdigest()
            readable.append((line, record))
        previous = self._legacy_map_entries(spec.name, [line.legacy_id for line, _record in readable])
        for line, record in readable:
            line.previous = before = previous.get(line.legacy_id)
            if before is not None and before.line_digest == line.line_digest:
                line.record, line.outcome, line.fingerprint = record, UNCHANGED, before.fingerprint
                continue
            if not isinstance(record, schema):  # its view: new or changed, so decoded whole
                try:
                    record = _whole_record(line.raw, schema)
                except msgspec.ValidationError as exc:
                    _set_aside(line, QUARANTINED, str(exc))
                    continue
            line.fingerprint = hashlib.sha256(msgspec.json.encode(record, order="sorted")).hexdigest()
            if before is not None and before.fingerprint == line.fingerprint:
                line.record, line.outcome = record, UNCHANGED
                continue
            aside = loader.check(record)
            if aside is not None:
                line.erased = aside.erased
                _set_aside(line, aside.outcome, aside.reason)
                continue
            line.record = record
        if self.view is not None and readable:
            unchanged = sum(line.outcome == UNCHANGED for line, _record in readable)
            self.view_first = 2 * unchanged >= len(readable)
        return batch

    def _legacy_map_entries(self, entity: str, legacy_ids: list[str]) -> dict[str, Previous]:
        """The legacy-map entries of these records, by legacy id (none to look for in an entity's first import).

        Read before the batch's transaction, which rewrites them: safe, since a batch is validated only once the
        one before it committed (the batches are made lazily), and no other chunk holds these legacy ids."""
        if not legacy_ids or self.map_was_empty:
            return {}
        in_ids, params = any_of("legacy_id", legacy_ids)
        return {
            legacy_id: Previous(target_pk, state_hash, fingerprint, entry_pk, line_digest)
            for legacy_id, target_pk, state_hash, fingerprint, entry_pk, line_digest in fetch(
                f"SELECT legacy_id, target_pk, state_hash, fingerprint, id, line_digest FROM {table(LegacyRecord)}"
                f" WHERE entity = %s AND {in_ids}", [entity, *params])
        }

    def _commit(self, entity: str, loader: Loader, batch: list[Line], progress: EntityProgress) -> None:
        """One batch, one transaction: rows, legacy map, set-aside rows, counters and checkpoint."""
        counters = dict(progress.counters)
        totals: dict = {}
        with transaction.atomic():
            valid = [line for line in batch if line.record is not None]
            to_load, previous = self._against_legacy_map(loader, valid)
            result = loader.load(to_load) if to_load else None
            if result is not None:
                reporting.merge_totals(totals, result.totals)
                self._record_loaded(entity, loader, to_load, result.outcomes, batch, previous)
            for line in valid:
                if line.outcome in IMPORTED_OUTCOMES:
                    contribution = loader.totals(line.record)
                    if contribution:
                        reporting.merge_totals(totals, contribution)
            self._write_set_aside(entity, batch)
            for line in batch:
                counters[reporting.COUNTER_OF[line.outcome]] += 1
            counters["read"] += len(batch)
            new_totals = reporting.merge_totals(_copy(progress.totals), totals)
            self._save_checkpoint(entity, EntityProgress(counters, new_totals, batch[-1].number))
        progress.counters, progress.totals, progress.lines_done = counters, new_totals, batch[-1].number

    def _lines(self, file: BundleFile) -> Iterator[tuple[int, bytes]]:
        """The lines this run imports (every line; a chunk of a distributed run narrows them)."""
        return file.lines()

    def _superseded_lines(self, file: BundleFile) -> SupersededLines:
        """Which lines of the file are superseded, indexed once for its bytes (`superseded_pairs`); a chunk of a
        distributed run has them from its run's plan."""
        return SupersededLines(superseded_pairs(file))

    def _save_checkpoint(self, entity: str, progress: EntityProgress) -> None:
        """How far the entity got (in the batch's transaction); a chunk of a distributed run keeps its own.
        One UPDATE per batch once the row exists (update_or_create would read it first, every batch)."""
        values = dict(lines_done=progress.lines_done, counters=progress.counters, totals=progress.totals,
                      done=progress.done)
        if not Checkpoint.objects.filter(run=self.context.run, entity=entity).update(**values,
                                                                                  updated_at=timezone.now()):
            Checkpoint.objects.create(run=self.context.run, entity=entity, **values)

    def _against_legacy_map(self, loader: Loader, valid: list[Line]) -> tuple[list[Item], dict]:
        """Marks the lines in conflict (the unchanged ones are marked already); returns the items to load and
        the previous legacy-map entries."""
        previous = {line.legacy_id: line.previous for line in valid if line.previous is not None}
        changed = [line for line in valid if line.outcome is None]
        watched = [before.target_pk for line in changed if (before := line.previous) is not None
                   and before.state_hash and before.target_pk]
        current_state = loader.state_hashes(watched) if watched else {}
        to_load: list[Item] = []
        for line in changed:
            before = line.previous
            if before is not None and before.state_hash and current_state.get(before.target_pk) != before.state_hash:
                line.outcome = CONFLICT
                line.reason = (
                    "changed in the bundle and, since its last import, in the store: kept as the store has it"
                    if before.target_pk in current_state else
                    "changed in the bundle, and its row was deleted from the store since its last import"
                )
            else:
                to_load.append(Item(line.number, line.legacy_id, line.record, line.fingerprint, before))
        return to_load, previous

    def _record_loaded(self, entity, loader, items, outcomes, batch, previous) -> None:
        """Applies the loader's answers to the lines and writes their legacy-map entries set-wise."""
        by_id = {line.legacy_id: line for line in batch if line.record is not None}
        missing = [item.legacy_id for item in items if item.legacy_id not in outcomes]
        if missing:
            raise RuntimeError(f"{type(loader).__name__}.load gave no outcome for {', '.join(missing[:5])}")
        imported = {lid: loaded for lid, loaded in outcomes.items() if loaded.outcome in (CREATED, UPDATED, LINKED)}
        owned = [loaded.target_pk for loaded in imported.values()
                 if loaded.owns_target and loaded.target_pk and loaded.state_hash is None]
        states = loader.state_hashes(owned) if owned else {}
        now = timezone.now()
        run = self.context.run
        creates, updates = [], []
        for legacy_id, loaded in outcomes.items():
            line = by_id[legacy_id]
            line.outcome, line.reason = loaded.outcome, loaded.reason
            if legacy_id not in imported:
                continue
            if legacy_id in previous:
                updates.append(LegacyRecord(
                    pk=previous[legacy_id].entry_pk, fingerprint=line.fingerprint, line_digest=line.line_digest,
                    target_pk=loaded.target_pk, state_hash=_state_hash(loaded, states), last_run=run, imported_at=now))
            else:
                creates.append((entity, legacy_id, line.fingerprint, line.line_digest, loaded.target_pk,
                                _state_hash(loaded, states), run.pk, run.pk, loaded.target_created, now))
        bulk_insert_rows(LegacyRecord, LEGACY_RECORD_COLUMNS, creates, keys=False)
        LegacyRecord.objects.bulk_update(
            updates, ["fingerprint", "line_digest", "target_pk", "state_hash", "last_run", "imported_at"],
            batch_size=1000,
        )

    def _write_set_aside(self, entity: str, batch: list[Line]) -> None:
        run = self.context.run
        quarantine = [
            QuarantinedRecord(run=run, entity=entity, legacy_id=line.legacy_id or "", line=line.number,
                              reason=line.reason, raw=line.raw.decode("utf-8", errors="backslashreplace"))
            for line in batch if line.outcome == QUARANTINED
        ]
        conflicts = [
            ConflictRecord(run=run, entity=entity, legacy_id=line.legacy_id, line=line.number, reason=line.reason)
            for line in batch if line.outcome == CONFLICT
        ]
        bulk_insert(quarantine)
        bulk_insert(conflicts)
        bulk_insert_rows(ExcludedRecord, ["run_id", "entity", "legacy_id", "reason", "erased"], [
            (run.pk, entity, line.legacy_id, line.reason[:200], line.erased)
            for line in batch if line.outcome == EXCLUDED], keys=False)
        if self.options.dry_run:  # rolled back with the rest: stored on the run after the rollback
            for row in quarantine + conflicts:
                row.pk = None
            self.dry_quarantine += quarantine
            self.dry_conflicts += conflicts

    # --- report and progress -------------------------------------------------------------------------

    def _report(self, run: ImportRun) -> dict:
        quarantine = [
            {"entity": entity, "legacy_id": legacy_id or None, "line": line, "reason": reason}
            for entity, legacy_id, line, reason in run.quarantine.order_by("pk").values_list(
                "entity", "legacy_id", "line", "reason")
        ]
        order = {entity: position for position, entity in enumerate(ENTITIES)}
        # In file order, whatever order the rows were written in (chunks of a distributed run interleave).
        conflicts = [
            {"entity": entity, "legacy_id": legacy_id, "reason": reason}
            for entity, legacy_id, reason, _line in sorted(
                run.conflicts.values_list("entity", "legacy_id", "reason", "line"),
                key=lambda row: (order[row[0]], row[3]))
        ]
        quarantine.sort(key=lambda row: (order[row["entity"]], row["line"]))
        totals: dict = {}
        for progress in self.progress.values():
            reporting.merge_totals(totals, progress.totals)
        return reporting.build(
            bundle=self.bundle, cutover=self.cutover.isoformat().replace("+00:00", "Z"), dry_run=self.options.dry_run,
            counters={entity: progress.counters for entity, progress in self.progress.items()},
            not_loaded=self.not_loaded, totals=totals, quarantine=quarantine, conflicts=conflicts,
        )

    def _progress_bar(self, file: BundleFile, initial: int):
        return _Progress(file.entity, file.records, initial, bar=self.show_bar)


class _Progress:
    """A tqdm bar on a terminal (records/s, ETA); otherwise a log line every LEGACY_IMPORT_LOG_EVERY s."""

    def __init__(self, entity: str, total: int, initial: int, *, bar: bool):
        self.entity, self.total, self.done = entity, total, initial
        self.started = self.last_log = time.monotonic()
        self.tqdm = None
        if bar:
            from tqdm import tqdm

            self.tqdm = tqdm(total=total, initial=initial, desc=entity, unit=" rec", dynamic_ncols=True)

    def advance(self, count: int) -> None:
        self.done += count
        if self.tqdm is not None:
            self.tqdm.update(count)
            return
        now = time.monotonic()
        if now - self.last_log >= settings.LEGACY_IMPORT_LOG_EVERY:
            self.last_log = now
            rate = self.done / max(now - self.started, 1e-9)
            logger.info("%s: %d/%d lines, %.0f rec/s", self.entity, self.done, self.total, rate)

    def close(self) -> None:
        if self.tqdm is not None:
            self.tqdm.close()
        else:
            logger.info("%s: %d lines in %.1f s", self.entity, self.done, time.monotonic() - self.started)


def _hard_references(spec: EntitySpec, line: Line, resolved_by_ref: dict[Reference, ResolutionMap]
                     ) -> tuple[str, str] | None:
    for ref in spec.hard_references:
        value = line.value(ref.field)
        if value is None and ref.nullable or not isinstance(value, str):
            continue  # a missing or mistyped field is the schema's to report
        resolved = resolved_by_ref[ref].get(value)
        if resolved is None:
            return QUARANTINED, f"{ref.field} {value}: no such {ref.entity} record"
        if resolved.state == RESOLVED_QUARANTINED:
            return QUARANTINED, f"{ref.field} {value}: that {ref.entity} record is quarantined"
        if resolved.state == RESOLVED_EXCLUDED and not (resolved.erased and ref.on_erased == "keep"):
            return EXCLUDED, f"{ref.field} {value}: that {ref.entity} record is excluded ({resolved.reason})"
    return None


@functools.cache
def _schema_digest(entity: str):
    """A SHA-256 already fed with the entity's schema (its JSON Schema, canonical): the line digests of one
    line under two versions of the schema differ, so a release that reads more of a record imports it again."""
    schema = msgspec.json.encode(msgspec.json.schema(SCHEMAS[entity]), order="sorted")
    return hashlib.sha256(schema + b"\n")


def _whole_record(raw: bytes, schema: type[Record]) -> Record:
    """The record of a line already known to be JSON with a legacy id; msgspec.ValidationError when it fails the
    schema, with the message the long way gives (`_read`)."""
    try:
        return msgspec.json.decode(raw, type=schema)
    except msgspec.ValidationError:
        return msgspec.convert(msgspec.json.decode(raw), schema)


def _state_hash(loaded: Loaded, read_back: dict[int, str]) -> str:
    """The state hash to keep for a record's row: the loader's, or the one read back; none when not its own."""
    if not loaded.owns_target:
        return ""
    return loaded.state_hash if loaded.state_hash is not None else read_back.get(loaded.target_pk, "")


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter); itertools.batched from Python 3.12."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """The objects alive before the import (Django's, the loaders') out of the cyclic collector's sight until
    it ends (`gc.freeze`): each full collection scanned them all again, about 8% of a first import (20.5 s
    against 18.9 s at 10,000 customers). Garbage cycles made during the import are still collected; those
    made before wait until the heap is unfrozen after, as it was (a worker process goes on). No collection
    first: in a worker process that full collection cost about 80 ms, for every chunk."""
    already_frozen = gc.get_freeze_count() > 0
    if not already_frozen:
        gc.freeze()
    try:
        yield
    finally:
        if not already_frozen:
            gc.unfreeze()


def _set_aside(line: Line, outcome: str, reason: str) -> Line:
    line.outcome, line.reason, line.decoded = outcome, reason, None
    return line


def _copy(totals: dict) -> dict:
    return {key: _copy(value) if isinstance(value, dict) else value for key, value in totals.items()}


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _parse_or_none(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else None
