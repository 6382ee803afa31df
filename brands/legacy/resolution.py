"""Resolving references: what became of each legacy id of an entity, in one in-memory map per entity.

A map is built once, the first time a later entity asks for it, from the legacy map (every record ever
imported: its row) overlaid by what the run set aside (excluded and quarantined records). Because all of
this is in the database, a resumed run rebuilds the same maps as the run it continues. Lookups are then
dictionary reads: never a query per record.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Checkpoint, ExcludedRecord, ImportRun, LegacyRecord, QuarantinedRecord

IMPORTED, EXCLUDED, QUARANTINED = "imported", "excluded", "quarantined"
KEYSET_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Resolved:
    state: str  # IMPORTED, EXCLUDED or QUARANTINED
    target_pk: int | None = None
    reason: str = ""
    erased: bool = False


class ResolutionMap:
    def __init__(self, entries: dict[str, Resolved]):
        self._entries = entries

    def get(self, legacy_id: str) -> Resolved | None:
        """What became of `legacy_id`, or None when it is unknown (in no bundle imported so far)."""
        return self._entries.get(legacy_id)

    def __len__(self):
        return len(self._entries)


class Resolution:
    """The maps of one run, built lazily per entity and cached; `forget` drops one that is being rewritten."""

    def __init__(self, run: ImportRun, entities_in_run: set[str]):
        self.run = run
        self.entities_in_run = entities_in_run
        self._maps: dict[str, ResolutionMap] = {}

    def of(self, entity: str) -> ResolutionMap:
        if entity not in self._maps:
            self._maps[entity] = self._build(entity)
        return self._maps[entity]

    def forget(self, entity: str) -> None:
        self._maps.pop(entity, None)

    def _build(self, entity: str) -> ResolutionMap:
        entries: dict[str, Resolved] = {}
        last_pk = 0
        while True:  # keyset iteration: the legacy map may hold millions of rows
            chunk = list(
                LegacyRecord.objects.filter(entity=entity, pk__gt=last_pk)
                .order_by("pk").values_list("pk", "legacy_id", "target_pk")[:KEYSET_CHUNK]
            )
            if not chunk:
                break
            for _pk, legacy_id, target_pk in chunk:
                entries[legacy_id] = Resolved(IMPORTED, target_pk)
            last_pk = chunk[-1][0]
        source_run = self._run_that_read(entity)
        if source_run is not None:
            for legacy_id, reason, erased in ExcludedRecord.objects.filter(
                run=source_run, entity=entity
            ).values_list("legacy_id", "reason", "erased").iterator(chunk_size=KEYSET_CHUNK):
                entries[legacy_id] = Resolved(EXCLUDED, None, reason, erased)
            for legacy_id, reason in QuarantinedRecord.objects.filter(
                run=source_run, entity=entity
            ).exclude(legacy_id="").values_list("legacy_id", "reason").iterator(chunk_size=KEYSET_CHUNK):
                entries[legacy_id] = Resolved(QUARANTINED, None, reason)
        return ResolutionMap(entries)

    def _run_that_read(self, entity: str) -> ImportRun | None:
        """This run when it reads `entity`; otherwise (--only) the latest real run that read it in full."""
        if entity in self.entities_in_run:
            return self.run
        checkpoint = (
            Checkpoint.objects.filter(entity=entity, done=True, run__dry_run=False)
            .exclude(run=self.run).select_related("run").order_by("-run__started_at", "-run_id").first()
        )
        return checkpoint.run if checkpoint else None
