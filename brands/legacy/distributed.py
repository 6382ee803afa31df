"""The import split into chunks that Celery workers run in parallel (`--workers N`, N > 1).

The coordinator (`Coordinator`, a serial run whose `_import_file` dispatches instead of importing) goes
through the entities in the contract's order, like a serial run. For each entity it:

1. splits the entity's lines into chunks: by a *partition key* for the entities whose records share rows
   (`PARTITION_KEYS`: a customer's e-mail, so one person's records land in one chunk and no two chunks race
   to create one account; points and coupons by the account they resolve to; orders and tickets by their
   number; shipments and reviews by legacy id), products in one chunk (see `PARTITION_KEYS` for why). Which
   chunk imports each line, and which lines are superseded (decided over the whole file, whatever chunk a
   line falls in), is the entity's plan (`ChunkPlan`, `chunk_plan_write`), made once and stored; the next
   entity's plan is made while this one's chunks run, when the coordinator would otherwise only wait;
2. sends one `legacy.import_chunk` task per chunk (a Celery group) and waits until every chunk is done,
   reading their `ChunkCheckpoint` rows (so no result backend is needed); the next entity starts only
   then, since it resolves its references from what this one committed;
3. sums the chunks' counters and totals into the entity's `Checkpoint`, as a serial run would have left it.

A chunk task (`import_chunk`) is a serial run narrowed to its chunk's lines (`_ChunkRun._lines`), through
the same classification, batches and legacy map; its checkpoint is its `ChunkCheckpoint`, so a chunk killed
mid-way resumes after its last committed batch (a late-acknowledged task is delivered again; running the
import again re-sends the chunks that are not done). It takes its lines and the superseded ones from the
plan: it decodes no line of another chunk (when every chunk read the whole file's keys and indexed its
legacy ids for itself, that work grew with the number of workers).

Same result as a serial run: each chunk handles its lines in file order, and records that touch the same
rows are in the same chunk, so every record meets the same state a serial run would give it; the report
lists quarantine and conflicts in file order. Not distributed: dry runs (one transaction, rolled back), and
SQLite with a real broker (one writer at a time; refused). With no broker, Celery runs the tasks eagerly
in this process, one after the other: the same code path, the same result.

Workers must see the bundle at the same path as the coordinator (a tarball is unpacked by the coordinator
and its directory handed to the chunks) and must not be the ones the coordinator waits in: run the
`legacy.import_bundle` task and the chunks on different workers, or with a concurrency above N.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
from celery import current_app, group
from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import report as reporting
from .engine import EntityProgress, ImportRefused, Options, _heap_frozen, _Run, batches
from .entities import ENTITIES, EntitySpec
from .loaders import Context, Loader, registered_loaders
from .models import ChunkCheckpoint, ChunkPlan, ImportRun
from .reader import Bundle, BundleFile, _entity_of
from .resolution import IMPORTED, Resolution, ResolutionMap
from .superseded import (
    SupersededIndex,
    SupersededLines,
    legacy_id_of,
    pairs_packed,
    pairs_unpacked,
    superseded_store,
    superseded_stored,
)

logger = logging.getLogger(__name__)

# The coordinator looks at its chunks' checkpoints this often (the next entity starts this soon after the
# last chunk is done: at 0.5 s the waits were a tenth of a 2-worker import), and writes their progress on
# the run (admin) and the log at most this often.
POLL_SECONDS = 0.05
PROGRESS_SECONDS = 0.5
ADVISORY_LOCK_CLASS = 0x1E6AC7  # first key of the chunks' advisory locks (the second is the chunk's pk)


class ChunkFailed(Exception):
    """A chunk task failed or stopped reporting; the run is left `failed` and resumes when run again."""


# --- partitioning ------------------------------------------------------------------------------------

class KeyFields(msgspec.Struct):
    """The fields of a line its partition key reads: the plan decodes every line of the file to place it, and
    decoding only these (msgspec skips the rest) is a fraction of decoding the whole object."""

    legacy_id: Any = None
    email: Any = None
    number: Any = None
    customer_legacy_id: Any = None


_KEY_FIELDS = msgspec.json.Decoder(KeyFields)


def _email(obj: KeyFields, customers: ResolutionMap) -> str | None:
    """customers: a person (one normalized e-mail) is one account, built by their records in file order."""
    from storefront.accounts.models import normalize_email

    email = obj.email
    return normalize_email(email) if isinstance(email, str) else None


def _account(obj: KeyFields, customers: ResolutionMap) -> str | None:
    """points, coupons: one account's records together (a merged person's legacy ids give one account)."""
    customer = obj.customer_legacy_id
    if not isinstance(customer, str):
        return None
    resolved = customers.get(customer)
    if resolved is not None and resolved.state == IMPORTED:
        return f"account:{resolved.target_pk}"
    return f"customer:{customer}"


def _number(obj: KeyFields, customers: ResolutionMap) -> str | None:
    """orders, tickets: the store's order and case numbers are unique, so the records claiming one number
    (the first in the file gets it, a later one is a conflict) must meet in one chunk, in file order."""
    number = obj.number
    return f"number:{number}" if isinstance(number, str) else None


def _own_rows(obj: KeyFields, customers: ResolutionMap) -> str | None:
    """shipments, reviews: a record writes its own row and its children, and reads what earlier entities
    committed; nothing is shared with another record, so the line's legacy id decides."""
    return None


# Entities split by a key; a key of None falls back to the line's legacy id. Every other entity is one
# chunk (one task, in file order), because its loader keeps state across records that chunks cannot share:
# products create the shared category tree as they go and claim slugs and SKUs across records (a small
# entity: under 1% of an import's time).
# The one case where a chunked run may end otherwise than a serial one: a re-import in which an order's or a
# ticket's number moved to another legacy id (numbers are stable on po.co). Chunks then race for the number;
# the unique constraint keeps it on one row, and the other is a conflict or fails its batch and is retried
# (resumed) against what the first committed.
# A key gets the line's key fields and, when it is in READS_CUSTOMERS, what became of the customers its block of
# lines refers to (resolved per block: `chunks_of`); its plan is made once the customers are imported.
PARTITION_KEYS: dict[str, Callable[[KeyFields, ResolutionMap], str | None]] = {
    "customers": _email,
    "points": _account,
    "coupons": _account,
    "orders": _number,
    "tickets": _number,
    "shipments": _own_rows,
    "reviews": _own_rows,
}


READS_CUSTOMERS = {_account}


def chunks_of(lines: list[tuple[int, bytes]], key: Callable[[KeyFields, ResolutionMap], str | None],
              resolution: Resolution, chunks: int) -> tuple[list[int], list[tuple[int, str]]]:
    """The chunk of each line of a block: a stable hash (not Python's salted `hash`) of its partition key,
    modulo chunks. A line that is no JSON object goes by its line number (one that is not UTF-8 in a field
    the key does not read goes by its key): it is quarantined whichever chunk reads it.

    And the block's (line number, legacy id) pairs for the superseded index, from the same decoding: what
    `superseded.legacy_ids` would read from these lines."""
    objects, ids = [], []
    for number, raw in lines:
        try:
            obj = _KEY_FIELDS.decode(raw)
        except msgspec.DecodeError:  # not JSON (invalid UTF-8 in a field read included), or not an object
            obj, legacy_id = None, legacy_id_of(raw)  # the failing field may be one the key reads, not the id
        else:
            legacy_id = obj.legacy_id if isinstance(obj.legacy_id, str) else None
        objects.append(obj)
        if legacy_id is not None:
            ids.append((number, legacy_id))
    customers = resolution.of("customers", (obj.customer_legacy_id for obj in objects if obj is not None)) \
        if key in READS_CUSTOMERS else ResolutionMap({})
    result = []
    for (number, _raw), obj in zip(lines, objects, strict=True):
        value = None
        if obj is not None:
            value = key(obj, customers) or (obj.legacy_id if isinstance(obj.legacy_id, str) else None)
        result.append(zlib.crc32((value if value is not None else f"line:{number}").encode()) % chunks)
    return result, ids


# --- the plan ----------------------------------------------------------------------------------------

PLAN_PIECE = 1 << 20  # bytes of a plan's assignment (one a line) decompressed at a time


def chunk_plan_write(*, run: ImportRun, file: BundleFile, chunks: int, resolution: Resolution,
                     block: int) -> ChunkPlan:
    """Decides which of `chunks` chunks imports each line of `file` (`chunks_of`, by `block` lines) and which
    lines are superseded (over the whole file), in one pass over it, and stores it. Nothing per line stays on
    the heap but the assignment, compressed as it is made (a byte a line before), and the superseded lines."""
    key = PARTITION_KEYS[file.entity]
    compressor, parts = zlib.compressobj(1), []

    def one_pass() -> Iterator[tuple[int, str]]:
        """Assigns each block's lines to their chunks, and hands its legacy ids on to the superseded index."""
        for lines in batches(file.lines(), block):
            resolution.new_batch()  # what a block's customers became is not kept for the next
            assignment, legacy_ids = chunks_of(lines, key, resolution, chunks)
            parts.append(compressor.compress(bytes(assignment)))
            yield from legacy_ids

    superseded = superseded_stored(file)
    if superseded is None:
        with SupersededIndex(one_pass()) as index:
            superseded = superseded_store(file, index)
    else:  # these bytes were indexed before: the pass only assigns the lines
        deque(one_pass(), maxlen=0)
    parts.append(compressor.flush())
    return ChunkPlan.objects.create(run=run, entity=file.entity, chunks=chunks, assignment=b"".join(parts),
                                    superseded=pairs_packed(superseded))


def chunk_plan_assignment(plan: ChunkPlan) -> Iterator[int]:
    """The chunk of each line of the plan's file, in line order, decompressed a piece at a time."""
    decompressor, tail = zlib.decompressobj(), bytes(plan.assignment)
    while not decompressor.eof:
        piece = decompressor.decompress(tail, PLAN_PIECE)
        tail = decompressor.unconsumed_tail
        if not piece and not tail:
            raise ChunkFailed(f"{plan.entity}: the run's plan of its chunks is cut short")
        yield from piece


def chunk_plan_superseded(plan: ChunkPlan) -> array:
    """The plan's superseded lines: (line, last line of its legacy id) pairs, flat, in line order."""
    return pairs_unpacked(plan.superseded)


# --- the coordinator ---------------------------------------------------------------------------------

def distributes(options: Options, bundle: Bundle) -> bool:
    """Whether this import runs chunked: `--workers` above 1 (not a dry run), or it resumes a chunked run."""
    if options.dry_run:
        return False
    if (options.workers or 1) <= 1 and not _resumes_chunked(options, bundle):
        return False
    if connection.vendor == "sqlite" and not current_app.conf.task_always_eager:
        raise ImportRefused(
            "--workers N imports in parallel with Celery workers, which needs PostgreSQL (SQLite takes one "
            "writer at a time): use --workers 1, or PostgreSQL")
    return True


def _resumes_chunked(options: Options, bundle: Bundle) -> bool:
    """The run this import would resume has chunks not done: it must go on with the same chunks."""
    for candidate in ImportRun.objects.filter(
        bundle_digest=bundle.digest, dry_run=False, state__in=[ImportRun.State.RUNNING, ImportRun.State.FAILED],
    ).order_by("-started_at", "-pk"):
        if candidate.options.get("resume_key") == options.resume_key():
            return candidate.chunk_checkpoints.filter(done=False).exists()
    return False


class Coordinator(_Run):
    """A run whose entities are imported by chunk tasks; everything else (resume, report) is the serial run's."""

    def _import_file(self, spec: EntitySpec, file: BundleFile, loader: Loader, progress: EntityProgress) -> None:
        run = self.context.run
        if progress.lines_done and not ChunkCheckpoint.objects.filter(run=run, entity=spec.name).exists():
            # A serial run stopped in this entity: it goes on serially, here, after its checkpoint.
            super()._import_file(spec, file, loader, progress)
            return
        started = time.monotonic()
        chunks = self._chunks(spec.name)
        if chunks > 1:
            self._plan(spec.name, chunks)
        for chunk in range(chunks):
            ChunkCheckpoint.objects.get_or_create(run=run, entity=spec.name, chunk=chunk, defaults={"chunks": chunks})
        pending = list(ChunkCheckpoint.objects.filter(run=run, entity=spec.name, done=False)
                       .order_by("chunk").values_list("chunk", flat=True))
        ChunkCheckpoint.objects.filter(run=run, entity=spec.name, chunk__in=pending).update(
            error="", updated_at=timezone.now())
        logger.info("%s: %d lines in %d chunk(s), %d to import", spec.name, file.records, chunks, len(pending))
        if pending:
            self._dispatch(spec.name, chunks, pending)
            self._plan_next(spec.name)
        rows = self._wait(spec.name)
        progress.counters, progress.totals = reporting.empty_counters(), {}
        for row in rows:
            for counter, value in row.counters.items():
                progress.counters[counter] += value
            reporting.merge_totals(progress.totals, row.totals)
            for phase, seconds in row.timings.items():
                if phase != spec.name:  # the entity's own time is the coordinator's wall time, below
                    self.context.add_timing(phase, seconds)
        progress.lines_done, progress.done = file.records, True
        self._save_checkpoint(spec.name, progress)
        self.context.add_timing(spec.name, time.monotonic() - started)

    def _dispatch(self, entity: str, chunks: int, pending: list[int]) -> None:
        """One task per chunk. A real worker wraps passwords on its own core (a prefork worker cannot start a
        process pool); run eagerly, in this process, a chunk may use the pool of --workers processes."""
        from .tasks import import_chunk

        eager = current_app.conf.task_always_eager
        group(
            import_chunk.si(run_id=self.context.run.pk, entity=entity, chunk=chunk, chunks=chunks,
                            root=str(self.bundle.root), cpu_workers=self.options.workers if eager else 1)
            for chunk in pending
        ).apply_async(queue=settings.LEGACY_IMPORT_QUEUE or None)

    def _plan(self, entity: str, chunks: int) -> None:
        """The entity's plan in `chunks` chunks, unless the run has it (made ahead, or a resumed run's). One made
        ahead for another number of chunks (the run stopped before the entity, and resumes with other
        --workers) is made again."""
        run = self.context.run
        if ChunkPlan.objects.filter(run=run, entity=entity, chunks=chunks).exists():
            return
        ChunkPlan.objects.filter(run=run, entity=entity).delete()
        started = time.monotonic()
        chunk_plan_write(run=run, file=self.bundle.files[entity], chunks=chunks,
                         resolution=Resolution(run, set(self.in_scope)), block=self.batch_size)
        self.context.add_timing("chunk_plans", time.monotonic() - started)

    def _plan_next(self, entity: str) -> None:
        """The plan of the next entity to be split, made while this one's chunks run (the coordinator would
        only wait): not while the customers are imported when its partition reads what they became."""
        names = list(ENTITIES)
        for later in names[names.index(entity) + 1:]:
            progress = self.progress[later]
            if later not in self.loaders or later not in self.bundle.files or progress.done or progress.lines_done:
                continue  # not imported, or a serial run stopped in it goes on serially
            chunks = self._chunks(later)
            if chunks == 1:
                continue
            if PARTITION_KEYS[later] in READS_CUSTOMERS and entity == "customers":
                return
            self._plan(later, chunks)
            return

    def _chunks(self, entity: str) -> int:
        """The entity's chunk count: that of its chunks already started (a resumed run), else from --workers."""
        started = ChunkCheckpoint.objects.filter(run=self.context.run, entity=entity).values_list(
            "chunks", flat=True).first()
        if started:
            return started
        return (self.options.workers or 1) if entity in PARTITION_KEYS else 1

    def _wait(self, entity: str) -> list[ChunkCheckpoint]:
        """Until every chunk of the entity is done; keeps the run's counters current for the admin meanwhile.

        Raises ChunkFailed when a chunk task reports an error, or when no chunk has committed anything for
        LEGACY_IMPORT_CHUNK_STALL seconds (a lost task, no worker listening).
        """
        run = self.context.run
        last_change, last_seen, shown_at, shown = time.monotonic(), None, 0.0, None
        while True:
            rows = list(ChunkCheckpoint.objects.filter(run=run, entity=entity).order_by("chunk"))
            failed = [row for row in rows if row.error]
            if failed:
                raise ChunkFailed("; ".join(f"{entity} chunk {row.chunk + 1}/{row.chunks}: {row.error}"
                                            for row in failed))
            if all(row.done for row in rows):
                return rows
            seen, now = max(row.updated_at for row in rows), time.monotonic()
            if seen != last_seen:
                last_seen, last_change = seen, now
            if seen != shown and now - shown_at >= PROGRESS_SECONDS:
                shown, shown_at = seen, now
                self._show_progress(entity, rows)
            if now - last_change > settings.LEGACY_IMPORT_CHUNK_STALL:
                raise ChunkFailed(f"{entity}: no chunk committed anything for {settings.LEGACY_IMPORT_CHUNK_STALL} s "
                                  f"(is a Celery worker consuming queue {settings.LEGACY_IMPORT_QUEUE or 'celery'}?)")
            time.sleep(POLL_SECONDS)

    def _show_progress(self, entity: str, rows: list[ChunkCheckpoint]) -> None:
        counters = reporting.empty_counters()
        for row in rows:
            for counter, value in row.counters.items():
                counters[counter] += value
        run = self.context.run
        run.counters = {**{name: progress.counters for name, progress in self.progress.items()}, entity: counters}
        run.save(update_fields=["counters"])
        logger.info("%s: %d lines read, %d/%d chunks done", entity, counters["read"],
                    sum(row.done for row in rows), len(rows))


# --- a chunk -----------------------------------------------------------------------------------------

def run_chunk(*, run_id: int, entity: str, chunk: int, chunks: int, root: str, cpu_workers: int | None) -> None:
    """Imports one chunk of one entity of a run (the body of the `legacy.import_chunk` task).

    A failure is written on the chunk's checkpoint for the coordinator to report, then raised.
    """
    checkpoint = ChunkCheckpoint.objects.select_related("run").get(run_id=run_id, entity=entity, chunk=chunk)
    if checkpoint.done:
        return
    if checkpoint.chunks != chunks:
        raise ChunkFailed(f"{entity} chunk {chunk}: the run splits it in {checkpoint.chunks}, not {chunks}")
    run = checkpoint.run
    with _chunk_lock(checkpoint) as mine:
        if not mine:
            logger.info("%s chunk %d/%d of run #%s is being imported by another task", entity, chunk + 1, chunks,
                        run_id)
            return
        checkpoint.refresh_from_db()  # another task may have finished it while this one waited in the queue
        if checkpoint.done:
            return
        try:
            bundle = reopen_bundle(root, run.bundle_digest)
            options = Options(bundle=run.bundle, cutover=run.cutover, only=run.options.get("only"),
                              workers=cpu_workers, progress=False)
            _ChunkRun(options, bundle, registered_loaders(), checkpoint).import_chunk()
        except BaseException as exc:
            ChunkCheckpoint.objects.filter(pk=checkpoint.pk).update(error=f"{type(exc).__name__}: {exc}"[:2000],
                                                                     updated_at=timezone.now())
            raise


@contextmanager
def _chunk_lock(checkpoint: ChunkCheckpoint) -> Iterator[bool]:
    """Whether this task may import the chunk: no other task is at it (PostgreSQL session advisory lock).

    Two tasks can be sent for one chunk: a coordinator killed and run again re-sends the chunks not done
    while the first tasks may still run. The lock is the database session's, so a worker that dies frees
    it. SQLite runs chunks eagerly, one at a time: nothing to lock.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, checkpoint.pk])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_CLASS, checkpoint.pk])


def reopen_bundle(root: str, digest: str) -> Bundle:
    """The bundle the coordinator opened and checked, read again from its directory without re-checking it.

    Only the manifest's digest is compared: the coordinator verified every file already, and checksumming
    the whole bundle again in every chunk would cost more than the chunk.
    """
    manifest_path = Path(root) / "manifest.json"
    try:
        manifest_bytes = manifest_path.read_bytes()
    except OSError as exc:
        raise ChunkFailed(f"{manifest_path}: cannot be read by this worker ({exc})") from exc
    if hashlib.sha256(manifest_bytes).hexdigest() != digest:
        raise ChunkFailed(f"{manifest_path}: not the manifest of the run's bundle (its digest differs)")
    manifest = json.loads(manifest_bytes)
    bundle = Bundle(location=root, root=Path(root), manifest=manifest, digest=digest)
    for name, entry in manifest["files"].items():
        entity = _entity_of(name)
        if entity is not None:
            bundle.files[entity] = BundleFile(entity=entity, name=name, path=Path(root) / name,
                                              records=entry["records"], sha256=entry["sha256"].lower())
    return bundle


class _ChunkRun(_Run):
    """A serial run of one entity narrowed to one chunk's lines, checkpointed on its ChunkCheckpoint."""

    def __init__(self, options: Options, bundle: Bundle, loaders: dict[str, type[Loader]],
                 checkpoint: ChunkCheckpoint):
        super().__init__(options, bundle, loaders)
        self.checkpoint = checkpoint

    def import_chunk(self) -> None:
        checkpoint, entity = self.checkpoint, self.checkpoint.entity
        self.context = Context(run=checkpoint.run, bundle=self.bundle, cutover=self.cutover, dry_run=False,
                               workers=self.options.workers, resolution=None)
        self.context.resolution = Resolution(checkpoint.run, set(self.in_scope))
        self.plan = None
        if checkpoint.chunks > 1:
            self.plan = ChunkPlan.objects.filter(run=checkpoint.run, entity=entity, chunks=checkpoint.chunks).first()
            if self.plan is None:
                raise ChunkFailed(f"{entity} chunk {checkpoint.chunk}: the run has no plan of its {checkpoint.chunks} "
                                  "chunks (the coordinator makes it before sending them)")
        progress = EntityProgress(counters={**reporting.empty_counters(), **checkpoint.counters},
                                  totals=checkpoint.totals, lines_done=checkpoint.lines_done)
        with _heap_frozen():
            self._import_file(ENTITIES[entity], self.bundle.files[entity], self.loaders[entity](self.context),
                              progress)

    def _lines(self, file: BundleFile) -> Iterator[tuple[int, bytes]]:
        """The chunk's lines, by its run's plan: the others are skipped unread."""
        if self.plan is None:
            return file.lines()
        mine = self.checkpoint.chunk
        return (line for line, chunk in zip(file.lines(), chunk_plan_assignment(self.plan), strict=True)
                if chunk == mine)

    def _superseded_lines(self, file: BundleFile) -> SupersededLines:
        if self.plan is None:
            return super()._superseded_lines(file)
        return SupersededLines(chunk_plan_superseded(self.plan))

    def _save_checkpoint(self, entity: str, progress: EntityProgress) -> None:
        ChunkCheckpoint.objects.filter(pk=self.checkpoint.pk).update(
            lines_done=progress.lines_done, counters=progress.counters, totals=progress.totals, done=progress.done,
            timings={phase: round(seconds, 3) for phase, seconds in self.context.timings.items()},
            updated_at=timezone.now(),  # update() skips auto_now; the coordinator watches it for stalls
        )
