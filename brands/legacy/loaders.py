"""The loader protocol: how a domain app turns validated records of one entity into its own rows.

The engine (brands/legacy/engine.py) does everything that is the same for every entity: reading, the
last-line-wins rule, the India portal, hard references, schema validation, fingerprints, the
unchanged/conflict decision against the legacy map, batching, checkpoints, counters and the report.
A loader only does what is particular to its entity. See docs/legacy-import.md for the full protocol.

A loader is a subclass of `Loader` in `<app>/importers.py` decorated with `@register`; the engine finds
it by its `entity` (one of brands.legacy.entities.ENTITIES) through Django's module autodiscovery.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

import msgspec
from django.db import models
from django.utils.module_loading import autodiscover_modules

from .bulk import bulk_insert_rows
from .schemas import SCHEMAS, Record, record_view

logger = logging.getLogger(__name__)

# What a loader may answer for a record (the engine itself decides unchanged and store conflicts).
CREATED, UPDATED, LINKED = "created", "updated", "linked"
QUARANTINED, EXCLUDED, CONFLICT = "quarantined", "excluded", "conflict"


@dataclass(frozen=True)
class Previous:
    """The legacy-map entry of a record imported before: the row it became and its state hash then."""

    target_pk: int | None
    state_hash: str
    fingerprint: str
    entry_pk: int  # the legacy-map row itself, rewritten when the record is imported again
    line_digest: str = ""  # of the line it was imported from ("" when imported before it was kept)


@dataclass
class Item:
    """A valid record of the batch, handed to `Loader.load`. `previous` is None for a new record."""

    line: int
    legacy_id: str
    record: Record
    fingerprint: str
    previous: Previous | None = None


@dataclass
class Loaded:
    """A loader's answer for one item.

    `target_pk` is the row the record now maps to. `owns_target` says the row is this record's own (its
    state hash is kept, so a later store edit is detected as a conflict); False for records that only
    point at a row someone else owns (a customer linked to an existing account). `target_created` says this
    record's load inserted the row. `reason` explains a quarantine, exclusion or conflict. `state_hash`, when
    the loader knows it from what it has just written, saves reading the row back (`state_hashes`); it must
    equal what `state_hashes` gives for the row (a test pins this per loader).
    """

    outcome: str
    target_pk: int | None = None
    owns_target: bool = True
    target_created: bool = False
    reason: str = ""
    state_hash: str | None = None


@dataclass(frozen=True)
class SetAside:
    """A record a loader's own checks set aside before loading (`check`)."""

    outcome: str  # QUARANTINED or EXCLUDED
    reason: str
    erased: bool = False  # an erased customer: dependants apply contract rule 2


@dataclass
class BatchResult:
    outcomes: dict[str, Loaded]  # by legacy id, one per item given
    totals: dict = field(default_factory=dict)  # merged into the report's totals (see report.merge_totals)


class Loader:
    """Base class of every entity loader. Override what your entity needs; `load` and `state_hashes` always.

    Lifecycle, for each run that reaches the entity: `__init__(context)`, `preflight()` (before anything
    is written for the whole run), `prepare()` (load the small maps you need, once), `survey(records)` per
    batch for every record that will be loaded (only when `needs_survey`), then `load(items)` per batch
    inside the batch's transaction, `finish()`. Keep nothing per record across batches: memory must stay
    flat whatever the bundle's size (look up per batch, or keep it off the heap).
    """

    entity: str = ""
    needs_survey: bool = False
    # The record's fields an overridden `totals` reads (None: the whole record). A record unchanged since its
    # import is decoded with only these and its references (`record_view`).
    totals_fields: tuple[str, ...] | None = None

    def __init__(self, context):
        self.context = context

    def preflight(self) -> str | None:
        """A reason to refuse the whole run before any write (missing reference data), or None."""
        return None

    def prepare(self) -> None:
        """Loads once what every batch needs and does not grow with the bundle (stores, the brand)."""

    def check(self, record: Record) -> SetAside | None:
        """Rules on the record's own fields that the schema cannot say (totals that must add up, erased).
        Reads nothing but the record: a record unchanged since its import is not checked again."""
        return None

    def survey(self, records: list[Record]) -> None:
        """Sees, a batch at a time, every record that will be loaded, before the first load (whole-file
        decisions)."""

    def load(self, items: list[Item]) -> BatchResult:
        """Writes the batch's rows set-wise (`rows_write`, `bulk_insert`, bulk_update) and answers one Loaded
        per item.

        Items are new records (`previous` None) and records whose content changed since their import while
        their row did not change in the store (the engine has already set aside unchanged ones and
        conflicts). Runs inside the batch's transaction; in a dry run that transaction is rolled back, so
        write as in a real run but skip side effects outside the database (files, slow hashing).
        """
        raise NotImplementedError

    def totals(self, record: Record) -> dict | None:
        """What an imported record (created, updated, linked or unchanged) adds to the report's totals. Read
        only the fields named in `totals_fields`: an unchanged record comes with those fields only."""
        return None

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """A hash of the store-editable state of each target row, in a fixed number of queries.

        Taken right after the import and compared on a later import to tell an update from a conflict;
        leave out what the store changes on its own (stock sold, a password upgraded at login).
        """
        raise NotImplementedError

    def finish(self) -> None:
        """After the last batch (release pools, ...)."""

    def record_view(self, spec) -> type[Record] | None:
        """What a record unchanged since its import is decoded into: its legacy id, its portal, its hard
        references and what `totals` reads (`schemas.record_view`); None when something reads the whole record
        of every line (`survey`, a `totals` without its `totals_fields`)."""
        reads_totals = type(self).totals is not Loader.totals
        if self.needs_survey or reads_totals and self.totals_fields is None:
            return None
        fields = ["legacy_id", *(["portal"] if spec.has_portal else []), *(ref.field for ref in spec.hard_references),
                  *(self.totals_fields if reads_totals else ())]
        return record_view(SCHEMAS[spec.name], tuple(dict.fromkeys(fields)))


@dataclass
class Context:
    """What every loader gets: the run, the bundle, the cutover, dry_run, resolution maps, and helpers."""

    run: object  # brands.legacy.models.ImportRun
    bundle: object  # brands.legacy.reader.Bundle
    cutover: datetime
    dry_run: bool
    workers: int | None
    resolution: object  # brands.legacy.resolution.Resolution: `.of(entity, legacy_ids).get(legacy_id)`
    timings: dict[str, float] = field(default_factory=dict)

    def add_timing(self, phase: str, seconds: float) -> None:
        self.timings[phase] = self.timings.get(phase, 0.0) + seconds


_REGISTRY: dict[str, type[Loader]] = {}


def register(loader: type[Loader]) -> type[Loader]:
    """Class decorator: makes `loader` the loader of its entity."""
    from .entities import ENTITIES

    if loader.entity not in ENTITIES:
        raise ValueError(f"{loader.__name__}.entity {loader.entity!r} is not an entity of the bundle format")
    existing = _REGISTRY.get(loader.entity)
    if existing is not None and existing is not loader:
        raise ValueError(f"two loaders for {loader.entity}: {existing.__name__} and {loader.__name__}")
    _REGISTRY[loader.entity] = loader
    return loader


def registered_loaders() -> dict[str, type[Loader]]:
    """Every loader, after importing each installed app's `importers` module."""
    autodiscover_modules("importers")
    return dict(_REGISTRY)


def state_digest(*values) -> str:
    """The state hash of a row from the values that make its store-editable state (any msgspec-encodable)."""
    return hashlib.sha256(msgspec.json.encode(values, order="sorted")).hexdigest()


@dataclass
class RowsWritten:
    """What `rows_write` wrote, by legacy id: the new rows as the values written (a namespace of the fields
    given and `pk`: no model instances, which cost more to build than their rows to write), the rewritten
    ones as their model instances."""

    created: dict[str, SimpleNamespace]
    updated: dict[str, models.Model]

    @property
    def rows(self) -> dict[str, SimpleNamespace | models.Model]:
        return {**self.created, **self.updated}

    def outcomes(self) -> dict[str, Loaded]:
        outcomes = {legacy_id: Loaded(CREATED, row.pk, target_created=True) for legacy_id, row in self.created.items()}
        outcomes.update({legacy_id: Loaded(UPDATED, row.pk) for legacy_id, row in self.updated.items()})
        return outcomes


def rows_write(model: type[models.Model], fields_of: Iterable[tuple[Item, dict]], *, update_fields: list[str],
               children: Iterable[tuple[type[models.Model], str]] = ()) -> RowsWritten:
    """Writes one row per record, set-wise: a new record's row is created, a re-imported one's previous row
    rewritten in place; the child rows (`children`: (model, foreign key name)) of rewritten rows are deleted,
    so the caller writes every row's children afresh. The fields are given by attribute name (`order_id`),
    the same ones for every record. A fixed number of queries whatever the batch size."""
    fields_of = list(fields_of)
    existing = model.objects.in_bulk([item.previous.target_pk for item, _ in fields_of if item.previous])
    new = [(item, fields) for item, fields in fields_of if item.previous is None]
    created: dict[str, SimpleNamespace] = {}
    if new:
        names = list(new[0][1])
        pks = bulk_insert_rows(model, names, [tuple(fields[name] for name in names) for _, fields in new])
        created = {item.legacy_id: SimpleNamespace(pk=pk, **fields)
                   for (item, fields), pk in zip(new, pks, strict=True)}
    updated: dict[str, models.Model] = {}
    for item, fields in fields_of:
        if item.previous is None:
            continue
        row = existing[item.previous.target_pk]
        for name, value in fields.items():
            setattr(row, name, value)
        updated[item.legacy_id] = row
    model.objects.bulk_update(updated.values(), update_fields, batch_size=500)
    for child, foreign_key in children:
        child.objects.filter(**{f"{foreign_key}__in": [row.pk for row in updated.values()]}).delete()
    return RowsWritten(created, updated)
