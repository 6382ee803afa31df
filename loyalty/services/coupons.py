"""Using coupons: checking one against a customer, a store and a basket, then reserving, confirming or
releasing its use at checkout.

A use counts against a coupon's limits while it is reserved (until `reserved_until`) or once confirmed.
Reserving locks the coupon row, so two checkouts can never take the last use of a coupon together.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..exceptions import CouponRefused, RedemptionStateError
from ..formatting import date, money
from ..models import Coupon, CouponAlias, LegacyCoupon, Redemption
from .legacy_messages import legacy_coupon_refusal

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are read aloud and retyped
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CartLine:
    """A basket line as a coupon sees it. `total` is the line's amount in the store's currency."""

    brand_id: int
    category_path: str
    total: Decimal


@dataclass(frozen=True)
class CouponApproval:
    """A coupon accepted for a basket: what it takes off the lines it applies to, or free shipping."""

    coupon: Coupon
    eligible_total: Decimal
    discount: Decimal
    free_shipping: bool


def normalize_code(code: str) -> str:
    return (code or "").strip()


def _customer(user):
    """The signed-in customer, or None for a guest (an AnonymousUser included)."""
    return user if user is not None and user.is_authenticated else None


def coupon_code_generate() -> str:
    """A hard-to-guess code such as `MI-7KQH-M2XD` (31^8, about 8.5e11 codes)."""
    chars = [secrets.choice(CODE_ALPHABET) for _ in range(8)]
    return f"MI-{''.join(chars[:4])}-{''.join(chars[4:])}"


def _codes_lowered(codes: Iterable[str]) -> list[str]:
    return [code.lower() for code in codes]


def codes_taken(codes: Iterable[str]) -> set[str]:
    """Which of `codes` (lower-cased) already redeem something, as a coupon's code or an alias."""
    lowered = _codes_lowered(codes)
    taken = set(Coupon.objects.annotate(c=Lower("code")).filter(c__in=lowered).values_list("c", flat=True))
    taken |= set(CouponAlias.objects.annotate(c=Lower("code")).filter(c__in=lowered).values_list("c", flat=True))
    return taken


def coupon_codes_generate(count: int) -> list[str]:
    """`count` new codes, distinct and unused (checked in two queries per round; clashes are redrawn)."""
    codes: set[str] = set()
    while len(codes) < count:
        draw = {coupon_code_generate() for _ in range(count - len(codes))} - codes
        taken = codes_taken(draw)
        codes |= {code for code in draw if code.lower() not in taken}
    return sorted(codes)


def _with_terms(coupons: QuerySet) -> QuerySet:
    return coupons.prefetch_related("brands", "categories", "stores")


def _find(code: str, coupons: QuerySet | None = None) -> Coupon | None:
    """The coupon a code redeems, by its own code or an alias, whatever the letter case."""
    lowered = Lower(Value(code))
    coupons = coupons if coupons is not None else _with_terms(Coupon.objects.all())
    coupon = coupons.alias(c=Lower("code")).filter(c=lowered).first()
    if coupon is None:
        coupon = coupons.filter(pk__in=CouponAlias.objects.alias(c=Lower("code")).filter(c=lowered)
                                .values("coupon_id")).first()
    return coupon


def _refuse_unknown(code: str):
    legacy = (
        LegacyCoupon.objects.alias(c=Lower("code")).filter(c=Lower(Value(code)), reissued_as__isnull=True)
        .order_by("-imported_at").first()
    )
    if legacy is not None:
        raise legacy_coupon_refusal(legacy)
    raise CouponRefused(
        _("No coupon has the code “%(code)s”. Check the spelling and try again.") % {"code": code}, code="unknown"
    )


def _uses(coupon: Coupon, user, now: datetime, exclude: Redemption | None = None) -> tuple[int, int]:
    """(uses in total, uses by `user`) that count now: confirmed ones and reservations not yet lapsed."""
    counting = Redemption.objects.filter(coupon=coupon).filter(
        Q(status=Redemption.Status.CONFIRMED) | Q(status=Redemption.Status.RESERVED, reserved_until__gt=now)
    )
    if exclude is not None:
        counting = counting.exclude(pk=exclude.pk)
    figures = counting.aggregate(
        total=Count("pk"), mine=Count("pk", filter=Q(user=user) if user is not None else Q(pk__in=[]))
    )
    return figures["total"], figures["mine"]


def _in_categories(line: CartLine, paths: list[str]) -> bool:
    return any(line.category_path == path or line.category_path.startswith(f"{path}/") for path in paths)


def _approve(*, coupon: Coupon, user, store, lines: Sequence[CartLine], now: datetime,
             exclude: Redemption | None = None) -> CouponApproval:
    """Applies every term of the coupon in turn; the first one not met refuses it with its reason."""
    if not coupon.is_active:
        raise CouponRefused(_("This coupon is no longer valid."), code="inactive")
    if coupon.owner_id is not None or coupon.per_customer_limit is not None:
        if user is None:
            raise CouponRefused(_("Sign in to use this coupon."), code="sign_in")
    if coupon.owner_id is not None and coupon.owner_id != user.pk:
        raise CouponRefused(_("This coupon belongs to another customer."), code="not_yours")
    if coupon.valid_from > now:
        raise CouponRefused(
            _("This coupon can be used from %(date)s.") % {"date": date(coupon.valid_from)}, code="not_yet_valid"
        )
    if coupon.valid_until is not None and coupon.valid_until <= now:
        raise CouponRefused(
            _("This coupon expired on %(date)s.") % {"date": date(coupon.valid_until)}, code="expired"
        )
    total_uses, my_uses = _uses(coupon, user, now, exclude)
    if coupon.usage_limit is not None and total_uses >= coupon.usage_limit:
        raise CouponRefused(_("This coupon has already been used as many times as it allows."), code="used_up")
    if coupon.per_customer_limit is not None and my_uses >= coupon.per_customer_limit:
        raise CouponRefused(
            ngettext(
                "You have already used this coupon (it can be used %(limit)d time per customer).",
                "You have already used this coupon %(limit)d times, as many as it allows per customer.",
                coupon.per_customer_limit,
            ) % {"limit": coupon.per_customer_limit},
            code="used_up_by_you",
        )
    stores = list(coupon.stores.all())
    if stores and store.pk not in {s.pk for s in stores}:
        raise CouponRefused(_("This coupon cannot be used in this store."), code="wrong_store")
    if coupon.currency and coupon.currency != store.currency:
        raise CouponRefused(
            _("This coupon is for orders in %(currency)s.") % {"currency": coupon.currency}, code="wrong_currency"
        )
    if not lines:
        raise CouponRefused(_("Your basket is empty."), code="empty_basket")
    brands = list(coupon.brands.all())
    eligible = [line for line in lines if not brands or line.brand_id in {b.pk for b in brands}]
    if not eligible:
        raise CouponRefused(
            _("This coupon is only for %(brands)s products.") % {"brands": ", ".join(b.name for b in brands)},
            code="wrong_brand",
        )
    categories = list(coupon.categories.all())
    if categories:
        eligible = [line for line in eligible if _in_categories(line, [c.path for c in categories])]
        if not eligible:
            raise CouponRefused(
                _("This coupon is only for products in %(categories)s.")
                % {"categories": ", ".join(c.name for c in categories)},
                code="wrong_category",
            )
    eligible_total = sum((line.total for line in eligible), Decimal("0.00"))
    if eligible_total < coupon.min_order_amount:
        raise CouponRefused(
            _("This coupon needs an order of at least %(minimum)s; the items it applies to come to %(total)s.")
            % {"minimum": money(coupon.min_order_amount, store.currency),
               "total": money(eligible_total, store.currency)},
            code="minimum_not_met",
        )
    return CouponApproval(
        coupon, eligible_total, _discount(coupon, eligible_total), coupon.kind == Coupon.Kind.FREE_SHIPPING
    )


def _discount(coupon: Coupon, eligible_total: Decimal) -> Decimal:
    if coupon.kind == Coupon.Kind.PERCENT:
        return (eligible_total * coupon.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if coupon.kind == Coupon.Kind.FIXED:
        return min(coupon.value, eligible_total)
    return Decimal("0.00")


def coupon_check(*, code: str, user, store, lines: Sequence[CartLine], now: datetime | None = None) -> CouponApproval:
    """Whether `code` can be used by `user` in `store` for these basket lines, and what it takes off.

    Raises `CouponRefused` whose message says why not (unknown code, a POCO coupon that was not carried
    over, switched off, not yours, not yet valid, expired, used up, wrong store, brand or category,
    minimum not met) and whose `.code` names the rule. Writes nothing.
    """
    code = normalize_code(code)
    coupon = _find(code) if code else None
    if coupon is None:
        _refuse_unknown(code)
    return _approve(coupon=coupon, user=_customer(user), store=store, lines=lines, now=now or timezone.now())


def reservation_hold() -> timedelta:
    return timedelta(minutes=settings.LOYALTY_COUPON_RESERVATION_MINUTES)


@transaction.atomic
def coupon_reserve(*, code: str, user, store, lines: Sequence[CartLine], now: datetime | None = None) -> Redemption:
    """Holds one use of the coupon for a checkout, for LOYALTY_COUPON_RESERVATION_MINUTES.

    The coupon row is locked while its uses are counted, so the last use goes to one checkout only. The
    customer's own earlier hold on the same coupon (a checkout started again) is released first.
    """
    now = now or timezone.now()
    user = _customer(user)
    code = normalize_code(code)
    found = _find(code) if code else None
    if found is None:
        _refuse_unknown(code)
    coupon = _with_terms(Coupon.objects.select_for_update()).get(pk=found.pk)
    if user is not None:
        Redemption.objects.filter(coupon=coupon, user=user, status=Redemption.Status.RESERVED).update(
            status=Redemption.Status.RELEASED, released_at=now
        )
    approval = _approve(coupon=coupon, user=user, store=store, lines=lines, now=now)
    return Redemption.objects.create(
        coupon=coupon, user=user, status=Redemption.Status.RESERVED, amount=approval.discount,
        currency=store.currency, at=now, reserved_until=now + reservation_hold(),
    )


@transaction.atomic
def coupon_redemption_confirm(*, redemption: Redemption, order, now: datetime | None = None) -> Redemption:
    """Turns a reservation into a use by `order`. Confirming the same order again changes nothing.

    A reservation that has lapsed is still confirmed when the coupon has a use left (checked under the
    coupon's lock); otherwise `CouponRefused`. A released one cannot be confirmed.
    """
    now = now or timezone.now()
    current = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if current.status == Redemption.Status.CONFIRMED:
        if current.order_id == order.pk:
            return current
        raise RedemptionStateError(_("This coupon use is already confirmed for another order."), code="confirmed")
    if current.status == Redemption.Status.RELEASED:
        raise RedemptionStateError(
            _("This coupon reservation was released; apply the coupon again."), code="released"
        )
    if current.reserved_until <= now:
        coupon = Coupon.objects.select_for_update().get(pk=current.coupon_id)
        total_uses, my_uses = _uses(coupon, current.user, now, exclude=current)
        if (coupon.usage_limit is not None and total_uses >= coupon.usage_limit) or (
            coupon.per_customer_limit is not None and my_uses >= coupon.per_customer_limit
        ):
            raise CouponRefused(
                _("This coupon has already been used as many times as it allows."), code="used_up"
            )
    current.status = Redemption.Status.CONFIRMED
    current.order = order
    current.confirmed_at = now
    current.save(update_fields=["status", "order", "confirmed_at"])
    return current


@transaction.atomic
def coupon_reservation_release(*, redemption: Redemption, now: datetime | None = None) -> Redemption:
    """Gives a reserved use back (checkout abandoned or failed). Releasing twice changes nothing."""
    current = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if current.status == Redemption.Status.CONFIRMED:
        raise RedemptionStateError(
            _("This coupon use is confirmed with an order and cannot be released."), code="confirmed"
        )
    if current.status == Redemption.Status.RESERVED:
        current.status = Redemption.Status.RELEASED
        current.released_at = now or timezone.now()
        current.save(update_fields=["status", "released_at"])
    return current
