"""POCO coupons in the unified store (FORMAT.md, rule 6), a batch at a time.

A coupon `active` on po.co, not past `valid_until` at the cutover and with uses left is re-issued: a
new code (`MI-XXXX-XXXX`) with the same terms and the uses it had left, for POCO products in its portal's
store; its po.co code becomes an alias that redeems the same coupon; its owner is told by e-mail, in
their language. Every other POCO coupon is kept as history (`LegacyCoupon`) and redeems nothing: typing
its code says why.

Each legacy coupon is written once (unique `legacy_id`); the e-mail is a `CouponNotification` row written
in the same transaction and sent on commit (at least once: services/coupon_notifications.py), so a resumed
or repeated import never mails twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.legacy.bulk import bulk_insert, bulk_insert_rows
from brands.legacy.lookups import select_any
from brands.models import Brand, RegionalStore
from storefront.accounts.models import User

from ..formatting import coupon_benefit, date, money
from ..models import Coupon, CouponAlias, CouponNotification, LegacyCoupon
from .coupons import codes_taken, coupon_codes_generate
from .legacy import ImportOutcome, fingerprint, require_aware

POCO_BRAND_SLUG = "poco"
CONSOLIDATED_PORTALS = ("global", "uk", "fr")  # `in` stays on poco.in (rule 1)
LEGACY_STATUSES = ("active", "used", "expired", "revoked")
SNAPSHOT_FIELDS = [
    "code", "owner", "portal", "kind", "value", "currency", "min_order_amount", "valid_from", "valid_until",
    "usage_limit", "times_used", "legacy_status", "outcome", "fingerprint", "reissued_as", "updated_at",
]


@dataclass(frozen=True)
class LegacyCouponRecord:
    """A `coupons.jsonl` record with its customer already resolved to the unified store's account id."""

    legacy_id: str
    code: str
    owner_id: int | None
    kind: str
    value: Decimal
    currency: str | None
    min_order_amount: Decimal
    valid_from: datetime
    valid_until: datetime
    usage_limit: int
    times_used: int
    status: str
    portal: str


@dataclass(frozen=True)
class ReissuedCoupon:
    """A coupon re-issued by this call, as written: the new coupon and what it was linked to."""

    coupon: Coupon
    brand_ids: tuple[int, ...]
    store_ids: tuple[int, ...]
    alias_codes: tuple[str, ...]
    category_ids: tuple[int, ...] = ()  # for all of the brand's products, as on po.co


@dataclass(frozen=True)
class CouponReissueResult:
    legacy_id: str
    outcome: ImportOutcome
    coupon_outcome: str = ""  # a LegacyCoupon.Outcome: reissued, or used / expired / revoked (history)
    new_code: str = ""
    reason: str = ""  # why a record is a conflict or quarantined
    legacy_coupon_id: int | None = None  # its LegacyCoupon row (none when quarantined, or new and in conflict)
    reissued: ReissuedCoupon | None = None  # the coupon this call re-issued it as (created or updated only)


def legacy_coupon_outcome(record: LegacyCouponRecord, cutover: datetime) -> str:
    """Re-issued, or the reason it is history only (revoked, then used, then expired, in that order)."""
    if record.status == "revoked":
        return LegacyCoupon.Outcome.REVOKED
    if record.status == "used" or record.times_used >= record.usage_limit:
        return LegacyCoupon.Outcome.USED
    if record.status == "expired" or record.valid_until <= cutover:
        return LegacyCoupon.Outcome.EXPIRED
    return LegacyCoupon.Outcome.REISSUED


def _problem(record: LegacyCouponRecord) -> str:
    """What makes a record unusable even as history, or "" when it is fine."""
    if not record.code or not record.code.strip():
        return "the code is empty"
    if record.kind not in Coupon.Kind.values:
        return f"unknown kind {record.kind!r}"
    if record.status not in LEGACY_STATUSES:
        return f"unknown status {record.status!r}"
    if record.portal not in CONSOLIDATED_PORTALS:
        return f"portal {record.portal!r} is not consolidated into the store"
    for name in ("valid_from", "valid_until"):
        value = getattr(record, name)
        if not isinstance(value, datetime) or value.tzinfo is None:
            return f"{name} is not an aware datetime"
    for name in ("value", "min_order_amount"):
        if not isinstance(getattr(record, name), Decimal) or getattr(record, name) < 0:
            return f"{name} must be a decimal >= 0"
    for name in ("usage_limit", "times_used"):
        if not isinstance(getattr(record, name), int) or getattr(record, name) < 0:
            return f"{name} must be a whole number >= 0"
    return ""


def _reissue_problem(record: LegacyCouponRecord) -> str:
    """What stops a coupon that qualifies from becoming a store coupon (history keeps any terms)."""
    if record.valid_until <= record.valid_from:
        return "valid_until is not after valid_from"
    if record.kind != Coupon.Kind.FREE_SHIPPING and record.value <= 0:
        return "value must be above zero"
    if record.kind == Coupon.Kind.PERCENT and record.value > 100:
        return "a percentage above 100"
    return ""


def _snapshot(record: LegacyCouponRecord, digest: str, outcome: str) -> dict:
    return dict(
        code=record.code.strip(), owner_id=record.owner_id, portal=record.portal, kind=record.kind,
        value=record.value, currency=record.currency or "", min_order_amount=record.min_order_amount,
        valid_from=record.valid_from, valid_until=record.valid_until, usage_limit=record.usage_limit,
        times_used=record.times_used, legacy_status=record.status, outcome=outcome, fingerprint=digest,
    )


def _new_coupon(record: LegacyCouponRecord, code: str, store: RegionalStore) -> Coupon:
    """The same terms, the uses that were left, and the portal's currency where the record has none."""
    return Coupon(
        code=code, kind=record.kind, value=record.value, currency=record.currency or store.currency,
        min_order_amount=record.min_order_amount, valid_from=record.valid_from, valid_until=record.valid_until,
        usage_limit=record.usage_limit - record.times_used, owner_id=record.owner_id,
    )


@transaction.atomic
def coupons_reissue_bulk(*, records: Iterable[LegacyCouponRecord], cutover: datetime) -> list[CouponReissueResult]:
    """Re-issues or keeps as history a batch of POCO coupons; one result per record, in the order given.

    Seen before with the same content: `unchanged`. Seen before as history and now different: the history
    is updated, or the coupon re-issued if it now qualifies (`updated`). Already re-issued and now
    different: a `conflict` (the owner holds and was told the new code; the store keeps it). A legacy code
    that already redeems another coupon: a `conflict`. Unusable content: `quarantined`. Owners whose
    account is inactive (disabled on po.co) get their coupon but no e-mail.
    """
    require_aware("cutover", cutover)
    records = list(records)
    ids = [record.legacy_id for record in records]
    if len(set(ids)) != len(ids):
        raise ValueError("A POCO coupon legacy_id appears twice in one batch.")
    known = _known(ids)
    results: dict[str, CouponReissueResult] = {}
    pending = []
    for record in records:
        digest = fingerprint(record)
        previous = known.get(record.legacy_id)
        if previous is not None and previous.fingerprint == digest:
            new_code = previous.reissued_as.code if previous.reissued_as else ""
            results[record.legacy_id] = CouponReissueResult(
                record.legacy_id, ImportOutcome.UNCHANGED, previous.outcome, new_code, legacy_coupon_id=previous.pk
            )
        elif problem := _problem(record):
            results[record.legacy_id] = CouponReissueResult(record.legacy_id, ImportOutcome.QUARANTINED, reason=problem)
        elif previous is not None and previous.outcome == LegacyCoupon.Outcome.REISSUED:
            results[record.legacy_id] = CouponReissueResult(
                record.legacy_id, ImportOutcome.CONFLICT, previous.outcome, previous.reissued_as.code,
                "already re-issued and announced to its owner; the store keeps the coupon as it is", previous.pk,
            )
        elif (outcome := legacy_coupon_outcome(record, cutover)) == LegacyCoupon.Outcome.REISSUED and (
            problem := _reissue_problem(record)
        ):
            results[record.legacy_id] = CouponReissueResult(record.legacy_id, ImportOutcome.QUARANTINED, reason=problem)
        else:
            pending.append((record, digest, outcome, previous))

    to_reissue = _without_code_clashes(
        [item for item in pending if item[2] == LegacyCoupon.Outcome.REISSUED], results
    )
    reissued = _reissue(to_reissue)
    legacy_new, legacy_changed = [], []
    for record, digest, outcome, previous in pending:
        if record.legacy_id in results:
            continue
        new = reissued.get(record.legacy_id)
        coupon = new.coupon if new else None
        fields = _snapshot(record, digest, outcome)
        if previous is None:
            legacy_new.append({"legacy_id": record.legacy_id, "reissued_as_id": coupon.pk if coupon else None,
                               **fields})
        else:
            for name, value in fields.items():
                setattr(previous, name, value)
            previous.reissued_as = coupon
            previous.updated_at = timezone.now()
            legacy_changed.append(previous)
        results[record.legacy_id] = CouponReissueResult(
            record.legacy_id, ImportOutcome.CREATED if previous is None else ImportOutcome.UPDATED, outcome,
            coupon.code if coupon else "", legacy_coupon_id=previous.pk if previous is not None else None,
            reissued=new,
        )
    # New rows as value tuples (brands.legacy.bulk.bulk_insert_rows): most coupons of a bundle are history,
    # a row each, and a model instance costs more to build than its row to write.
    names = list(legacy_new[0]) if legacy_new else []
    pks = bulk_insert_rows(LegacyCoupon, names, [tuple(row[name] for name in names) for row in legacy_new])
    for row, pk in zip(legacy_new, pks, strict=True):
        results[row["legacy_id"]] = replace(results[row["legacy_id"]], legacy_coupon_id=pk)
    LegacyCoupon.objects.bulk_update(legacy_changed, SNAPSHOT_FIELDS)
    _notify_owners([(reissued[record.legacy_id].coupon, record.code.strip()) for record, *_ in to_reissue])
    return [results[record.legacy_id] for record in records]


def _known(legacy_ids: list[str]) -> dict[str, LegacyCoupon]:
    """The legacy coupons of these ids written before, with their new coupon; by legacy id. Looked for in plain
    SQL first: on a first import there are none, and a re-import brings only the records that changed."""
    found = [pk for (pk,) in select_any(LegacyCoupon, ["id"], "legacy_id", legacy_ids)]
    if not found:
        return {}
    return {c.legacy_id: c for c in LegacyCoupon.objects.filter(pk__in=found).select_related("reissued_as")}


def _without_code_clashes(items: list, results: dict) -> list:
    """Drops (as conflicts) the coupons whose po.co code already redeems something in the store."""
    taken = codes_taken(record.code.strip() for record, *_ in items)
    kept = []
    for item in items:
        record, previous = item[0], item[3]
        code = record.code.strip().lower()
        if code in taken:
            results[record.legacy_id] = CouponReissueResult(
                record.legacy_id, ImportOutcome.CONFLICT, reason=f"the code {record.code!r} already redeems a coupon",
                legacy_coupon_id=previous.pk if previous is not None else None,
            )
            continue
        taken.add(code)
        kept.append(item)
    return kept


def _reissue(items: list) -> dict[str, ReissuedCoupon]:
    """Creates the new coupons with their store, brand and alias; returns them by legacy id."""
    if not items:
        return {}
    poco = Brand.objects.filter(slug=POCO_BRAND_SLUG).first()
    if poco is None:
        raise ValueError("The POCO brand is missing: load the reference data (brands, stores) first.")
    stores = {store.code: store for store in RegionalStore.objects.filter(code__in=CONSOLIDATED_PORTALS)}
    missing = {record.portal for record, *_ in items} - stores.keys()
    if missing:
        raise ValueError(f"Regional store(s) {', '.join(sorted(missing))} missing: load the reference data first.")
    codes = coupon_codes_generate(len(items))
    reissued = {
        record.legacy_id: ReissuedCoupon(_new_coupon(record, code, stores[record.portal]), (poco.pk,),
                                         (stores[record.portal].pk,), (record.code.strip(),))
        for (record, *_), code in zip(items, codes, strict=True)
    }
    bulk_insert(new.coupon for new in reissued.values())
    bulk_insert_rows(Coupon.stores.through, ["coupon_id", "regionalstore_id"], [
        (new.coupon.pk, store_id) for new in reissued.values() for store_id in new.store_ids], keys=False)
    bulk_insert_rows(Coupon.brands.through, ["coupon_id", "brand_id"], [
        (new.coupon.pk, brand_id) for new in reissued.values() for brand_id in new.brand_ids], keys=False)
    bulk_insert_rows(CouponAlias, ["coupon_id", "code"], [
        (new.coupon.pk, code) for new in reissued.values() for code in new.alias_codes], keys=False)
    return reissued


def _notify_owners(reissued: list[tuple[Coupon, str]]) -> None:
    """Records one notification per re-issued personal coupon of an active owner; its e-mail is sent on
    commit, at least once (services/coupon_notifications.py)."""
    from .coupon_notifications import coupon_notifications_queue

    owners = {pk: (email, language) for pk, email, language in select_any(
        User, ["id", "email", "preferred_language"], "id", {coupon.owner_id for coupon, _code in reissued
                                                            if coupon.owner_id}, also="is_active")}
    notices = [(coupon.pk, coupon.owner_id, *owners[coupon.owner_id], legacy_code)
               for coupon, legacy_code in reissued if coupon.owner_id in owners]
    notification_ids = bulk_insert_rows(
        CouponNotification, ["coupon_id", "user_id", "email", "language", "legacy_code"], notices)
    coupon_notifications_queue(notification_ids=notification_ids)


def reissued_coupon_email(*, coupon: Coupon, legacy_code: str, user) -> tuple[str, str]:
    """The subject and text of the e-mail announcing a re-issued coupon, in the owner's language."""
    with translation.override(user.preferred_language):
        context = {
            "user": user, "coupon": coupon, "legacy_code": legacy_code, "benefit": coupon_benefit(coupon),
            "valid_until": date(coupon.valid_until) if coupon.valid_until else "",
            "minimum": money(coupon.min_order_amount, coupon.currency) if coupon.min_order_amount else "",
        }
        subject = _("Your POCO coupon %(legacy_code)s has a new code: %(code)s") % {
            "legacy_code": legacy_code, "code": coupon.code,
        }
        return subject, render_to_string("loyalty/email/coupon_reissued.txt", context)
