"""POCO Points become Mi Points (FORMAT.md, rule 5), a batch of legacy accounts at a time.

Each lot still live at the cutover is credited as a Mi Points lot with the same dates and
`points x LOYALTY_POCO_POINTS_RATE` rounded down; expired lots are not credited. The legacy history is
kept beside the ledger for display and never counts in the balance. A person merged from several portals
has several legacy accounts: they all land in the one Mi account. A legacy account is migrated once: a
re-import finds its `LegacyPointsMigration` row and credits nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from brands.legacy.bulk import bulk_insert_rows
from brands.legacy.lookups import select_any

from ..models import LegacyPointsHistory, LegacyPointsMigration, PointsAccount, PointsEntry, PointsLot
from .legacy import ImportOutcome, fingerprint, require_aware


@dataclass(frozen=True)
class LegacyPointsLot:
    points: int
    earned_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class LegacyPointsEvent:
    at: datetime
    delta: int
    reason: str
    order_legacy_id: str | None = None


@dataclass(frozen=True)
class LegacyPointsAccountRecord:
    """A `points.jsonl` record with its customer already resolved to the unified store's account id."""

    legacy_id: str
    user_id: int
    lots: Sequence[LegacyPointsLot]
    history: Sequence[LegacyPointsEvent] = ()


@dataclass(frozen=True)
class PointsMigrationResult:
    legacy_id: str
    outcome: ImportOutcome
    legacy_unexpired: int = 0  # legacy points of the lots live at the cutover
    credited: int = 0  # Mi Points credited for them
    reason: str = ""  # why a record is a conflict or quarantined
    migration_id: int | None = None  # its LegacyPointsMigration row (none when quarantined)
    lots: tuple[LegacyPointsLot, ...] = ()  # the Mi Points lots credited by this call, in their rows' order


@dataclass(frozen=True)
class _Migrated:
    """What a re-import needs of a legacy account migrated before."""

    id: int
    fingerprint: str
    legacy_unexpired: int
    credited: int


def poco_points_rate() -> Decimal:
    return Decimal(str(settings.LOYALTY_POCO_POINTS_RATE))


def credited_points(points: int, rate: Decimal) -> int:
    """Mi Points for `points` POCO Points: multiplied by the rate and rounded down, never up."""
    return int((Decimal(points) * rate).to_integral_value(rounding=ROUND_DOWN))


def _problem(record: LegacyPointsAccountRecord, cutover: datetime) -> str:
    """What makes a record unusable, or "" when it is fine. Lots not credited may have odd dates."""
    for number, lot in enumerate(record.lots, start=1):
        for name in ("earned_at", "expires_at"):
            value = getattr(lot, name)
            if not isinstance(value, datetime) or value.tzinfo is None:
                return f"lot {number}: {name} is not an aware datetime"
        if not isinstance(lot.points, int) or lot.points < 0:
            return f"lot {number}: points must be a whole number >= 0 (got {lot.points!r})"
        if lot.expires_at > cutover and lot.expires_at <= lot.earned_at:
            return f"lot {number}: expires_at is not after earned_at"
    for number, event in enumerate(record.history, start=1):
        if not isinstance(event.at, datetime) or event.at.tzinfo is None:
            return f"history line {number}: at is not an aware datetime"
    return ""


def _account_pks_by_user(user_ids: set[int]) -> dict[int, int]:
    """user pk -> points account pk; opens the accounts that are missing, in a fixed number of queries."""
    accounts = dict(select_any(PointsAccount, ["user_id", "id"], "user_id", user_ids))
    missing = user_ids - accounts.keys()
    if missing:
        PointsAccount.objects.bulk_create([PointsAccount(user_id=uid) for uid in missing], ignore_conflicts=True)
        accounts.update(select_any(PointsAccount, ["user_id", "id"], "user_id", missing))
    return accounts


@transaction.atomic
def points_lots_migrate_bulk(
    *, records: Iterable[LegacyPointsAccountRecord], cutover: datetime, rate: Decimal | None = None
) -> list[PointsMigrationResult]:
    """Carries a batch of POCO Points accounts over; one result per record, in the order given.

    A record already migrated is `unchanged` when its content is the same, and a `conflict` when it
    differs (its points were credited once and customers may have spent them: the store keeps what it
    has). A record with an unusable lot or history line is `quarantined` with the reason. The batch is one
    transaction, so a killed run leaves either the whole batch or none of it.
    """
    require_aware("cutover", cutover)
    rate = poco_points_rate() if rate is None else Decimal(str(rate))
    if rate < 0:
        raise ValueError(f"The POCO Points rate cannot be negative (got {rate}).")
    records = list(records)
    seen: set[str] = set()
    for record in records:
        if record.legacy_id in seen:
            raise ValueError(f"POCO Points account {record.legacy_id} appears twice in one batch.")
        seen.add(record.legacy_id)

    done = {row[0]: _Migrated(*row[1:]) for row in select_any(
        LegacyPointsMigration, ["legacy_id", "id", "fingerprint", "legacy_unexpired", "credited"], "legacy_id", seen)}
    results: dict[str, PointsMigrationResult] = {}
    to_migrate = []
    for record in records:
        digest = fingerprint(record)
        previous = done.get(record.legacy_id)
        if previous is not None:
            same = previous.fingerprint == digest
            results[record.legacy_id] = PointsMigrationResult(
                record.legacy_id,
                ImportOutcome.UNCHANGED if same else ImportOutcome.CONFLICT,
                previous.legacy_unexpired, previous.credited,
                "" if same else "already migrated with other content; the credited points are kept as they are",
                previous.id,
            )
        elif problem := _problem(record, cutover):
            results[record.legacy_id] = PointsMigrationResult(
                record.legacy_id, ImportOutcome.QUARANTINED, reason=problem
            )
        else:
            to_migrate.append((record, digest))

    account_pks = _account_pks_by_user({record.user_id for record, _ in to_migrate})
    now = timezone.now()
    # Rows as value tuples (brands.legacy.bulk.bulk_insert_rows): a model instance costs more to build than
    # its row to write, and a batch writes about ten rows per record.
    migrations, credits_of = [], []
    for record, digest in to_migrate:
        account_id = account_pks[record.user_id]
        live = [lot for lot in record.lots if lot.expires_at > cutover]
        credits = [(lot, credited_points(lot.points, rate)) for lot in live]
        credits = [(lot, points) for lot, points in credits if points > 0]
        unexpired, credited = sum(lot.points for lot in live), sum(points for _, points in credits)
        migrations.append((record.legacy_id, account_id, digest, cutover, now, unexpired, credited))
        credits_of.append((record, account_id, credits))
        results[record.legacy_id] = PointsMigrationResult(
            record.legacy_id, ImportOutcome.CREATED, unexpired, credited,
            lots=tuple(LegacyPointsLot(points, lot.earned_at, lot.expires_at) for lot, points in credits))
    migration_pks = bulk_insert_rows(LegacyPointsMigration, [
        "legacy_id", "account_id", "fingerprint", "cutover", "migrated_at", "legacy_unexpired", "credited"],
        migrations)
    for (legacy_id, *_values), migration_pk in zip(migrations, migration_pks, strict=True):
        results[legacy_id] = replace(results[legacy_id], migration_id=migration_pk)
    credited_lots = [(record, account_id, lot, points) for record, account_id, credits in credits_of
                     for lot, points in credits]
    lot_pks = bulk_insert_rows(PointsLot, ["account_id", "points", "remaining", "earned_at", "expires_at"], [
        (account_id, points, points, lot.earned_at, lot.expires_at) for _, account_id, lot, points in credited_lots])
    bulk_insert_rows(PointsEntry, ["account_id", "kind", "delta", "at", "lot_id", "legacy_account_id"], [
        (account_id, PointsEntry.Kind.MIGRATE, points, now, lot_pk, record.legacy_id)
        for (record, account_id, _, points), lot_pk in zip(credited_lots, lot_pks, strict=True)], keys=False)
    bulk_insert_rows(LegacyPointsHistory, ["account_id", "migration_id", "at", "delta", "reason", "order_legacy_id"], [
        (account_id, migration_pk, event.at, event.delta, event.reason[:255], event.order_legacy_id or "")
        for (record, account_id, _), migration_pk in zip(credits_of, migration_pks, strict=True)
        for event in record.history], keys=False)
    return [results[record.legacy_id] for record in records]
