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

from .lookups import any_of, fetch, table
from .models import Checkpoint, ExcludedRecord, ImportRun, LegacyRecord, QuarantinedRecord

IMPORTED, EXCLUDED, QUARANTINED = "imported", "excluded", "quarantined"
IDS_PER_QUERY = 2000  # three times this stays under every backend's limit of query parameters
LAYERS = (IMPORTED, EXCLUDED, QUARANTINED)  # what overlays what, in this order
FALSE = "1 = 0"  # a false boolean on every backend


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
        """One query per IDS_PER_QUERY ids: the legacy map, overlaid by what the source run excluded, then
        by what it quarantined (in the order it did)."""
        entries: dict[str, Resolved] = {}
        source_run = self._run_that_read(entity)
        for start in range(0, len(wanted), IDS_PER_QUERY):
            ids = wanted[start:start + IDS_PER_QUERY]
            in_ids, id_params = any_of("legacy_id", ids)
            sql = (f"SELECT 0 AS layer, 0 AS position, legacy_id, target_pk, '', {FALSE} FROM {table(LegacyRecord)}"
                   f" WHERE entity = %s AND {in_ids}")
            params = [entity, *id_params]
            if source_run is not None:
                sql += (f" UNION ALL SELECT 1, 0, legacy_id, NULL, reason, erased FROM {table(ExcludedRecord)}"
                        f" WHERE run_id = %s AND entity = %s AND {in_ids}"
                        f" UNION ALL SELECT 2, id, legacy_id, NULL, reason, {FALSE} FROM {table(QuarantinedRecord)}"
                        f" WHERE run_id = %s AND entity = %s AND legacy_id <> '' AND {in_ids}")
                params += [source_run.pk, entity, *id_params, source_run.pk, entity, *id_params]
            for layer, _position, legacy_id, target_pk, reason, erased in fetch(sql + " ORDER BY 1, 2", params):
                entries[legacy_id] = Resolved(LAYERS[layer], target_pk, reason, bool(erased))
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
