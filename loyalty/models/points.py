"""Mi Points: one account per customer, points held in lots that expire, and an append-only ledger.

The ledger (`PointsEntry`) says why every point came and went; the lots (`PointsLot`) say which points are
still there and when they expire; holds (`points_holds.PointsHold`) set points aside while a checkout is
paid. Every write goes through `loyalty.services`, which keeps the sum of the ledger equal to the sum of
the lots' remaining points plus the points of the holds still reserved.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PointsAccount(models.Model):
    """A customer's Mi Points account. Its row is the lock that serializes spending (`select_for_update`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="points_account"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        verbose_name = _("Mi Points account")
        verbose_name_plural = _("Mi Points accounts")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return str(self.user)


class PointsLot(models.Model):
    """Points credited together, expiring together. Spending lowers `remaining`; `points` never changes."""

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="lots")
    points = models.PositiveIntegerField(_("points credited"))
    remaining = models.PositiveIntegerField(_("points remaining"))
    earned_at = models.DateTimeField(_("earned"))
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        ordering = ["expires_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_lot_points_positive"),
            models.CheckConstraint(condition=Q(remaining__gte=0), name="points_lot_remaining_not_negative"),
            models.CheckConstraint(condition=Q(remaining__lte=F("points")), name="points_lot_remaining_within_points"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("earned_at")), name="points_lot_expires_after_earned"),
        ]
        indexes = [
            # The expiry sweep and FIFO spending read the lots that still hold points, by expiry.
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="points_lot_live_by_expiry"),
            models.Index(fields=["account", "expires_at"], name="points_lot_account_expiry"),
        ]

    def __str__(self):
        return f"{self.remaining}/{self.points} until {self.expires_at:%Y-%m-%d}"


class AppendOnlyQuerySet(models.QuerySet):
    """Ledger rows are written once: bulk updates and deletes are refused.

    (Deleting a customer still removes their ledger: Django's cascade deletes rows without this queryset.)
    """

    def update(self, **kwargs):
        raise TypeError("The points ledger is append-only: write a new entry instead of updating one.")

    def delete(self):
        raise TypeError("The points ledger is append-only: entries are never deleted.")


class PointsEntry(models.Model):
    """One line of the ledger. Positive entries credit a lot; negative ones spend or expire lots."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")
        MIGRATE = "migrate", _("Carried over from POCO Points")
        ADJUST = "adjust", _("Adjusted")

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    delta = models.IntegerField(_("points"))
    at = models.DateTimeField(_("date"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    lot = models.ForeignKey(
        PointsLot, null=True, blank=True, on_delete=models.CASCADE, related_name="entries",
        help_text=_("The lot credited or expired by this entry"),
    )
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="points_entries"
    )
    legacy_account_id = models.CharField(
        _("POCO Points account"), max_length=64, blank=True, help_text=_("Set on entries carried over from po.co")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(kind__in=["earn", "migrate"]) & Q(delta__gt=0))
                    | (Q(kind__in=["redeem", "expire"]) & Q(delta__lt=0))
                    | (Q(kind="adjust") & ~Q(delta=0))
                ),
                name="points_entry_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjust") | ~Q(reason=""), name="points_adjustment_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["account", "-at", "-id"], name="points_entry_account_recent")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.delta:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The points ledger is append-only: write a new entry instead of updating one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The points ledger is append-only: entries are never deleted.")


class LegacyPointsMigration(models.Model):
    """A POCO Points account carried over: one row per legacy account, so a re-import never credits twice."""

    legacy_id = models.CharField(_("POCO Points account"), max_length=64, unique=True)
    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="legacy_migrations")
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the legacy lots and history as imported"))
    legacy_unexpired = models.PositiveIntegerField(_("legacy points not expired at the cutover"))
    credited = models.PositiveIntegerField(_("Mi Points credited"))
    cutover = models.DateTimeField(_("cutover"))
    migrated_at = models.DateTimeField(_("migrated"), default=timezone.now)

    class Meta:
        verbose_name = _("POCO Points migration")
        verbose_name_plural = _("POCO Points migrations")
        ordering = ["-migrated_at", "-id"]

    def __str__(self):
        return f"{self.legacy_id}: {self.credited}"


class LegacyPointsHistory(models.Model):
    """A line of a POCO Points account's history, kept for display only: it never counts in the balance."""

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="legacy_history")
    migration = models.ForeignKey(LegacyPointsMigration, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(_("date"))
    delta = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    order_legacy_id = models.CharField(_("POCO order"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("POCO Points history line")
        verbose_name_plural = _("POCO Points history")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at", "-id"], name="legacy_points_account_recent")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} {self.delta:+d} {self.reason}"
