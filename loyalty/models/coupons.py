"""Coupons, the other codes that redeem them, their redemptions, and the POCO coupons they replace."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
CURRENCY_ISO = r"^[A-Z]{3}$"


class CouponKind(models.TextChoices):
    PERCENT = "percent", _("Percentage off")
    FIXED = "fixed", _("Fixed amount off")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class Coupon(models.Model):
    """A discount code and its terms. Empty brands, categories or stores mean every one of them.

    `currency` is that of the fixed amount and of the minimum order; a percentage coupon with no minimum
    needs none. Limits left empty mean unlimited.
    """

    Kind = CouponKind

    code = models.CharField(_("code"), max_length=40, help_text=_("Unique whatever the letter case"))
    kind = models.CharField(_("kind"), max_length=14, choices=CouponKind.choices)
    value = models.DecimalField(_("value"), **MONEY, help_text=_("Percent, or amount in the coupon's currency"))
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    min_order_amount = models.DecimalField(_("minimum order"), **MONEY, default=Decimal("0.00"))
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    usage_limit = models.PositiveIntegerField(_("uses in total"), null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="coupons", help_text=_("Set for a personal coupon; empty for a public code"),
    )
    brands = models.ManyToManyField("brands.Brand", verbose_name=_("brands"), blank=True, related_name="+")
    categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("categories"), blank=True, related_name="+",
        help_text=_("A category includes its subcategories"),
    )
    stores = models.ManyToManyField("brands.RegionalStore", verbose_name=_("stores"), blank=True, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="coupon_code_unique_ci"),
            models.CheckConstraint(condition=~Q(code=""), name="coupon_code_not_empty"),
            models.CheckConstraint(
                condition=Q(kind="free_shipping", value__gte=0) | Q(value__gt=0), name="coupon_value_positive"
            ),
            models.CheckConstraint(condition=~Q(kind="percent") | Q(value__lte=100), name="coupon_percent_at_most_100"),
            models.CheckConstraint(condition=Q(min_order_amount__gte=0), name="coupon_minimum_not_negative"),
            models.CheckConstraint(
                condition=Q(currency="") | Q(currency__regex=CURRENCY_ISO), name="coupon_currency_iso"
            ),
            models.CheckConstraint(
                condition=~(Q(kind="fixed") | Q(min_order_amount__gt=0)) | ~Q(currency=""),
                name="coupon_amounts_have_currency",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="coupon_valid_until_after_valid_from",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return self.code


class CouponAlias(models.Model):
    """Another code that redeems the same coupon (a re-issued POCO coupon keeps its po.co code so)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="aliases")
    code = models.CharField(_("code"), max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coupon alias")
        verbose_name_plural = _("coupon aliases")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="coupon_alias_code_unique_ci"),
            models.CheckConstraint(condition=~Q(code=""), name="coupon_alias_code_not_empty"),
        ]

    def __str__(self):
        return self.code


class Redemption(models.Model):
    """A use of a coupon: reserved while a checkout is open, then confirmed with its order, or released.

    A reservation counts against the limits until `reserved_until`; after that it no longer holds a use.
    """

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        CONFIRMED = "confirmed", _("Confirmed")
        RELEASED = "released", _("Released")

    coupon = models.ForeignKey(Coupon, verbose_name=_("coupon"), on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="coupon_redemptions",
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="coupon_redemptions",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RESERVED)
    amount = models.DecimalField(_("discount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    at = models.DateTimeField(_("date"), default=timezone.now)
    reserved_until = models.DateTimeField(_("reserved until"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="redemption_amount_not_negative"),
            models.CheckConstraint(condition=Q(currency__regex=CURRENCY_ISO), name="redemption_currency_iso"),
            models.CheckConstraint(
                condition=~Q(status="reserved") | Q(reserved_until__isnull=False), name="reservation_has_deadline"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False), name="confirmed_redemption_dated"
            ),
            models.CheckConstraint(
                condition=~Q(status="released") | Q(released_at__isnull=False), name="released_redemption_dated"
            ),
        ]
        indexes = [
            models.Index(fields=["coupon", "status"]),
            models.Index(fields=["user", "coupon", "status"]),
        ]

    def __str__(self):
        return f"{self.coupon} {self.get_status_display()} {self.amount} {self.currency}"


class LegacyCoupon(models.Model):
    """A coupon of po.co as the bundle gave it, and what became of it: re-issued, or history only.

    Re-issued coupons point to their new coupon (their code is also its alias); the others redeem nothing
    and their `outcome` says why.
    """

    class Outcome(models.TextChoices):
        REISSUED = "reissued", _("Re-issued")
        USED = "used", _("Already used")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    legacy_id = models.CharField(_("POCO coupon"), max_length=64, unique=True)
    code = models.CharField(_("POCO code"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="legacy_coupons",
    )
    portal = models.CharField(_("portal"), max_length=10)
    kind = models.CharField(_("kind"), max_length=14, choices=CouponKind.choices)
    value = models.DecimalField(_("value"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    min_order_amount = models.DecimalField(_("minimum order"), **MONEY)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    usage_limit = models.PositiveIntegerField(_("uses in total"))
    times_used = models.PositiveIntegerField(_("times used"))
    legacy_status = models.CharField(_("status on po.co"), max_length=10)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reissued_as = models.OneToOneField(
        Coupon, verbose_name=_("re-issued as"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="legacy_origin",
    )
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the record as imported"))
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("POCO coupon")
        verbose_name_plural = _("POCO coupons")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="reissued", reissued_as__isnull=False)
                | (~Q(outcome="reissued") & Q(reissued_as__isnull=True)),
                name="legacy_coupon_reissued_iff_linked",
            ),
        ]
        indexes = [
            models.Index(Lower("code"), name="legacy_coupon_code_ci"),
            models.Index(fields=["owner", "-imported_at"]),
        ]

    def __str__(self):
        return f"{self.code} ({self.get_outcome_display()})"


class CouponNotification(models.Model):
    """The e-mail telling an owner their POCO coupon has a new code: one row per coupon, written in the same
    transaction as the coupon (so a resumed import never mails twice) and sent by a task queued on commit,
    which marks it sent; one still unsent later (its task lost) is sent by a periodic task: at least once."""

    coupon = models.OneToOneField(Coupon, on_delete=models.CASCADE, related_name="notification")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    language = models.CharField(max_length=8)
    legacy_code = models.CharField(_("po.co code"), max_length=64, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("coupon notification")
        verbose_name_plural = _("coupon notifications")
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["id"], condition=Q(sent_at__isnull=True), name="coupon_notification_unsent")]

    def __str__(self):
        return f"{self.coupon} -> {self.email}"
