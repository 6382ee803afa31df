"""The legacy loaders of POCO Points accounts and POCO coupons (FORMAT.md rules 5 and 6), thin over the
loyalty services `points_lots_migrate_bulk` and `coupons_reissue_bulk` (see docs/loyalty.md).

What the engine already does for both: India records (`portal` `in`) and records hanging on an excluded
customer, an erased one included (rule 2: `Reference(on_erased="exclude")`), are `excluded`; a reference
to an unknown or quarantined customer is `quarantined`; a record seen before with the same content is
`unchanged` (nothing reaches the service).

What these loaders add: the customer resolved to the unified store's account (a merged person's legacy
ids all give one account, so their points land in one Mi Points account); the cross-field checks the
schema cannot say (lots adding up to the balance; a coupon's currency); the report's totals; the state
hash that tells a bundle update from a conflict with the store (rule 9), taken from what the services say
they wrote (the lots credited, the coupon re-issued and its links) rather than read back, and the same as
`state_hashes` gives for the rows (a test pins the two equal):

- A points account's row is its `LegacyPointsMigration`. Its state is the account it landed in and the
  lots it credited (points and dates). Spending and expiring lower the lots' `remaining`: points are spent
  by design, so that is NOT a change in the store and is left out.
- A coupon's row is its `LegacyCoupon`. Its state is its outcome and, once re-issued, the new coupon's
  terms as an admin can edit them (kind, value, currency, minimum, validity, limits, owner, active flag,
  brands, categories, stores and alias codes). Redemptions are uses, not edits, and are left out.

E-mail: the coupon service writes one `CouponNotification` per re-issued coupon in the batch's transaction
and queues its sending on commit, so a dry run (rolled back) sends nothing and a resumed or repeated import
never re-issues, hence never mails, a coupon twice; a sending lost on the way is done by the periodic
resend (loyalty/services/coupon_notifications.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from brands.legacy.entities import PORTAL_CURRENCY
from brands.legacy.limits import too_long, unfit_amount
from brands.legacy.loaders import (
    CONFLICT,
    CREATED,
    EXCLUDED,
    QUARANTINED,
    UPDATED,
    BatchResult,
    Item,
    Loaded,
    Loader,
    SetAside,
    register,
    state_digest,
)
from brands.legacy.lookups import select_any
from brands.legacy.schemas import Coupon as CouponRecord
from brands.legacy.schemas import Points as PointsRecord
from storefront.accounts.models import User

from .models import Coupon, CouponAlias, LegacyCoupon, LegacyPointsMigration, PointsEntry, PointsLot
from .services import (
    ImportOutcome,
    LegacyCouponRecord,
    LegacyPointsAccountRecord,
    LegacyPointsEvent,
    LegacyPointsLot,
    coupons_reissue_bulk,
    points_lots_migrate_bulk,
)
from .services.coupon_reissue import ReissuedCoupon, legacy_coupon_outcome
from .services.points_migration import credited_points, poco_points_rate

# A service answer -> the loader protocol's outcome. The service says `unchanged` only when the engine saw
# a change it does not keep (a merged person's other legacy customer id, same account): nothing to write,
# but the legacy map takes the new fingerprint, so it counts as `updated`.
OUTCOME = {
    ImportOutcome.CREATED: CREATED,
    ImportOutcome.UPDATED: UPDATED,
    ImportOutcome.UNCHANGED: UPDATED,
    ImportOutcome.CONFLICT: CONFLICT,
    ImportOutcome.QUARANTINED: QUARANTINED,
}


class _CustomerResolving(Loader):
    """Resolves `customer_legacy_id` to the store account, and checks the accounts still exist."""

    def _accounts(self, items: list[Item]) -> tuple[dict[str, int | None], dict[str, Loaded]]:
        """legacy id -> account pk (None: a public coupon), and the items set aside because their account is gone.

        The engine lets through only records whose customer was imported (a hard reference), so the map
        has its account; but the account may have been deleted from the store since an earlier run: such a
        record is excluded rather than given to nobody.
        """
        customers = self.context.resolution.of("customers", (item.record.customer_legacy_id for item in items))
        wanted = {
            item.legacy_id: None if item.record.customer_legacy_id is None
            else customers.get(item.record.customer_legacy_id).target_pk
            for item in items
        }
        existing = {pk for (pk,) in select_any(User, ["id"], "id", {pk for pk in wanted.values() if pk})}
        aside = {
            legacy_id: Loaded(EXCLUDED, reason="its customer's account was deleted from the store")
            for legacy_id, pk in wanted.items() if pk is not None and pk not in existing
        }
        return {legacy_id: pk for legacy_id, pk in wanted.items() if legacy_id not in aside}, aside


@register
class PointsLoader(_CustomerResolving):
    """POCO Points accounts -> Mi Points lots (rule 5); one `LegacyPointsMigration` row per legacy account."""

    entity = "points"
    totals_fields = ("lots",)

    def check(self, record: PointsRecord) -> SetAside | None:
        total = sum(lot.points for lot in record.lots)
        if total != record.balance:
            return SetAside(QUARANTINED, f"lots add up to {total} points, not to the balance {record.balance}")
        return None

    def load(self, items: list[Item]) -> BatchResult:
        accounts, outcomes = self._accounts(items)
        records = [
            LegacyPointsAccountRecord(
                legacy_id=item.legacy_id, user_id=accounts[item.legacy_id],
                lots=[LegacyPointsLot(lot.points, lot.earned_at, lot.expires_at) for lot in item.record.lots],
                history=[LegacyPointsEvent(event.at, event.delta, event.reason, event.order_legacy_id)
                         for event in item.record.history],
            )
            for item in items if item.legacy_id in accounts
        ]
        results = points_lots_migrate_bulk(records=records, cutover=self.context.cutover) if records else []
        for result in results:
            created = result.outcome == ImportOutcome.CREATED
            outcomes[result.legacy_id] = Loaded(
                OUTCOME[result.outcome], result.migration_id, target_created=created, reason=result.reason,
                state_hash=_points_state(accounts[result.legacy_id], (
                    (lot.points, lot.earned_at, lot.expires_at) for lot in result.lots)) if created else None,
            )
        return BatchResult(outcomes)

    def totals(self, record: PointsRecord) -> dict:
        """The lots live at the cutover and the Mi Points they give at the rate (the service's own rule)."""
        cutover, rate = self.context.cutover, poco_points_rate()
        live = [lot.points for lot in record.lots if lot.expires_at > cutover]
        return {"points": {"legacy_unexpired": sum(live), "credited": sum(credited_points(p, rate) for p in live)}}

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """The account each migration landed in and the lots it credited, without what spending lowers."""
        migrations = list(LegacyPointsMigration.objects.filter(pk__in=list(pks)).values_list(
            "pk", "legacy_id", "account_id", "account__user_id"))
        lots: dict[str, list] = {}
        for legacy_id, points, earned_at, expires_at in PointsLot.objects.filter(
            entries__kind=PointsEntry.Kind.MIGRATE,
            entries__account_id__in={account_id for _, _, account_id, _ in migrations},
            entries__legacy_account_id__in=[legacy_id for _, legacy_id, _, _ in migrations],
        ).order_by("pk").values_list("entries__legacy_account_id", "points", "earned_at", "expires_at"):
            lots.setdefault(legacy_id, []).append((points, earned_at, expires_at))
        return {pk: _points_state(user_id, lots.get(legacy_id, [])) for pk, legacy_id, _, user_id in migrations}


@register
class CouponsLoader(_CustomerResolving):
    """POCO coupons -> re-issued store coupons or history (rule 6); one `LegacyCoupon` row per legacy coupon."""

    entity = "coupons"
    totals_fields = ("status", "times_used", "usage_limit", "valid_until")

    def check(self, record: CouponRecord) -> SetAside | None:
        expected = PORTAL_CURRENCY[record.portal]
        if record.currency is None and record.kind != "percent":
            return SetAside(QUARANTINED, f"currency: required for a {record.kind} coupon (only percent may omit it)")
        if record.currency is not None and record.currency != expected:
            return SetAside(QUARANTINED, f"currency {record.currency} is not the {record.portal} portal's ({expected})")
        problem = (unfit_amount(LegacyCoupon, "value", Decimal(record.value))
                   or unfit_amount(LegacyCoupon, "min_order_amount", Decimal(record.min_order_amount))
                   or too_long(LegacyCoupon, {"code": record.code.strip()}))
        return SetAside(QUARANTINED, problem) if problem else None

    def load(self, items: list[Item]) -> BatchResult:
        owners, outcomes = self._accounts(items)
        records = [
            LegacyCouponRecord(
                legacy_id=item.legacy_id, code=item.record.code, owner_id=owners[item.legacy_id],
                kind=item.record.kind, value=Decimal(item.record.value), currency=item.record.currency,
                min_order_amount=Decimal(item.record.min_order_amount), valid_from=item.record.valid_from,
                valid_until=item.record.valid_until, usage_limit=item.record.usage_limit,
                times_used=item.record.times_used, status=item.record.status, portal=item.record.portal,
            )
            for item in items if item.legacy_id in owners
        ]
        results = coupons_reissue_bulk(records=records, cutover=self.context.cutover) if records else []
        for result in results:
            written = result.outcome in (ImportOutcome.CREATED, ImportOutcome.UPDATED)
            outcomes[result.legacy_id] = Loaded(
                OUTCOME[result.outcome], result.legacy_coupon_id,
                target_created=result.outcome == ImportOutcome.CREATED, reason=result.reason,
                state_hash=_written_coupon_state(result.coupon_outcome, result.reissued) if written else None,
            )
        return BatchResult(outcomes)

    def totals(self, record: CouponRecord) -> dict:
        """Re-issued or history, by the service's own rule at this run's cutover."""
        reissued = legacy_coupon_outcome(record, self.context.cutover) == LegacyCoupon.Outcome.REISSUED
        return {"coupons": {"reissued": int(reissued), "history": int(not reissued)}}

    def state_hashes(self, pks: Iterable[int]) -> dict[int, str]:
        """The outcome and, when re-issued, the new coupon's editable terms (its uses left out)."""
        legacy = list(LegacyCoupon.objects.filter(pk__in=list(pks)).values_list("pk", "outcome", "reissued_as_id"))
        coupon_ids = [coupon_id for _, _, coupon_id in legacy if coupon_id]
        terms = {row[0]: row[1:] for row in Coupon.objects.filter(pk__in=coupon_ids).values_list("pk", *COUPON_TERMS)}
        linked = {coupon_id: {"brands": [], "categories": [], "stores": [], "aliases": []} for coupon_id in coupon_ids}
        for name, through, column in (("brands", Coupon.brands.through, "brand_id"),
                                      ("categories", Coupon.categories.through, "category_id"),
                                      ("stores", Coupon.stores.through, "regionalstore_id")):
            for coupon_id, value in through.objects.filter(coupon_id__in=coupon_ids).order_by(column).values_list(
                    "coupon_id", column):
                linked[coupon_id][name].append(value)
        for coupon_id, code in CouponAlias.objects.filter(coupon_id__in=coupon_ids).order_by("code").values_list(
                "coupon_id", "code"):
            linked[coupon_id]["aliases"].append(code)
        return {
            pk: _coupon_state(outcome, terms.get(coupon_id), linked.get(coupon_id))
            for pk, outcome, coupon_id in legacy
        }


# A re-issued coupon's terms as an admin can edit them, in the state hash's order.
COUPON_TERMS = ["code", "kind", "value", "currency", "min_order_amount", "valid_from", "valid_until", "usage_limit",
                "per_customer_limit", "owner_id", "is_active"]


def _points_state(user_id: int, lots: Iterable[tuple[int, datetime, datetime]]) -> str:
    """A points account's state from its account and lots (points, earned, expiry), as credited or as read back."""
    return state_digest(user_id, [(points, _utc(earned), _utc(expires)) for points, earned, expires in lots])


def _coupon_state(outcome: str, terms: tuple | None, linked: dict | None) -> str:
    """A legacy coupon's state from its outcome and its new coupon's terms (`COUPON_TERMS`) and links, as
    written or as read back: amounts at the column's decimal places and times in UTC, as the database
    gives them back."""
    if terms is not None:
        terms = tuple(_as_stored(name, value) for name, value in zip(COUPON_TERMS, terms, strict=True))
    return state_digest(outcome, terms, linked)


def _written_coupon_state(outcome: str, reissued: ReissuedCoupon | None) -> str:
    if reissued is None:
        return _coupon_state(outcome, None, None)
    return _coupon_state(outcome, tuple(getattr(reissued.coupon, name) for name in COUPON_TERMS), {
        "brands": sorted(reissued.brand_ids), "categories": sorted(reissued.category_ids),
        "stores": sorted(reissued.store_ids), "aliases": sorted(reissued.alias_codes)})


def _as_stored(name: str, value):
    if isinstance(value, Decimal):
        places = Coupon._meta.get_field(name).decimal_places
        return value.quantize(Decimal(1).scaleb(-places)) + 0  # exact: `check` let no more places through
    return _utc(value) if isinstance(value, datetime) else value


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
