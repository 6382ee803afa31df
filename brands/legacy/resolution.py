"""Resolving references: what became of the legacy ids a batch refers to, read from the database per batch.

What became of a legacy id is the legacy map (every record ever imported: its row) overlaid by what the
run that read the entity set aside (excluded and quarantined records). All of it is in the database, so a
resumed run resolves exactly as the run it continues, and a batch asks for its own ids only: one to three
indexed queries per referenced entity and batch, never a query per record, and nothing kept from one batch
to the next (a map of a whole entity grew with the bundle and kept the import's memory from being flat).
Within a batch, what was resolved is remembered: the engine checks the hard references and the loader
then reads the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Checkpoint, ExcludedRecord, ImportRun, LegacyRecord, QuarantinedRecord

IMPORTED, EXCLUDED, QUARANTINED = "imported", "excluded", "quarantined"
IDS_PER_QUERY = 5000  # under every backend's limit of query parameters


@dataclass(frozen=True, slots=True)
class Resolved:
    state: str  # IMPORTED, EXCLUDED or QUARANTINED
    target_pk: int | None = None
    reason: str = ""
    erased: bool = False


class ResolutionMap:
    """What became of the legacy ids one batch asked for."""

    def __init__(self, entries: dict[str, Resolved | None]):
        self._entries = entries

    def get(self, legacy_id: str | None) -> Resolved | None:
        """What became of `legacy_id`, or None when it is unknown (in no bundle imported so far)."""
        return self._entries.get(legacy_id)

    def __len__(self):
        return len(self._entries)


class Resolution:
    """Resolves the references of one run; only which run read each entity is kept (one row per entity)."""

    def __init__(self, run: ImportRun, entities_in_run: set[str]):
        self.run = run
        self.entities_in_run = entities_in_run
        self._source_runs: dict[str, ImportRun | None] = {}
        self._batch: dict[str, dict[str, Resolved | None]] = {}  # entity -> legacy id -> resolved, this batch

    def new_batch(self) -> None:
        """Forgets what the previous batch resolved."""
        self._batch = {}

    def of(self, entity: str, legacy_ids: Iterable[str | None]) -> ResolutionMap:
        """What became of these legacy ids of `entity` (None and repeated ids are ignored)."""
        known = self._batch.setdefault(entity, {})
        wanted = sorted({legacy_id for legacy_id in legacy_ids if isinstance(legacy_id, str)} - known.keys())
        if wanted:
            found = self._read(entity, wanted)
            known.update((legacy_id, found.get(legacy_id)) for legacy_id in wanted)
        return ResolutionMap(known)

    def _read(self, entity: str, wanted: list[str]) -> dict[str, Resolved]:
        entries: dict[str, Resolved] = {}
        source_run = self._run_that_read(entity)
        for start in range(0, len(wanted), IDS_PER_QUERY):
            ids = wanted[start:start + IDS_PER_QUERY]
            for legacy_id, target_pk in LegacyRecord.objects.filter(
                entity=entity, legacy_id__in=ids
            ).values_list("legacy_id", "target_pk"):
                entries[legacy_id] = Resolved(IMPORTED, target_pk)
            if source_run is None:
                continue
            for legacy_id, reason, erased in ExcludedRecord.objects.filter(
                run=source_run, entity=entity, legacy_id__in=ids
            ).values_list("legacy_id", "reason", "erased"):
                entries[legacy_id] = Resolved(EXCLUDED, None, reason, erased)
            for legacy_id, reason in QuarantinedRecord.objects.filter(
                run=source_run, entity=entity, legacy_id__in=ids
            ).exclude(legacy_id="").order_by("pk").values_list("legacy_id", "reason"):
                entries[legacy_id] = Resolved(QUARANTINED, None, reason)
        return entries

    def _run_that_read(self, entity: str) -> ImportRun | None:
        """This run when it reads `entity`; otherwise (--only) the latest real run that read it in full."""
        if entity in self.entities_in_run:
            return self.run
        if entity not in self._source_runs:
            checkpoint = (
                Checkpoint.objects.filter(entity=entity, done=True, run__dry_run=False)
                .exclude(run=self.run).select_related("run").order_by("-run__started_at", "-run_id").first()
            )
            self._source_runs[entity] = checkpoint.run if checkpoint else None
        return self._source_runs[entity]
