"""Points held for a purchase that is not paid yet: taken out of their lots, not yet spent.

A hold moves points from lots' `remaining` into itself (`PointsHoldLot` says how many came from each lot);
it writes nothing in the ledger. Confirming it spends them (one `redeem` entry, linked to the order);
releasing it puts them back into the very lots they came from, so they keep their expiry. Hence, per
account: sum of the ledger == sum of the lots' remaining + sum of the points of the holds still reserved.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .points import PointsAccount, PointsEntry, PointsLot


class PointsHold(models.Model):
    """Points set aside for a checkout until it is paid (confirmed) or given up (released).

    `expires_at` is when the holder (the checkout) promised to have closed it; the holder releases it
    then, and the hourly expiry run releases the holds still open LOYALTY_POINTS_HOLD_GRACE_MINUTES later.
    """

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        CONFIRMED = "confirmed", _("Confirmed")
        RELEASED = "released", _("Released")

    account = models.ForeignKey(PointsAccount, on_delete=models.CASCADE, related_name="holds")
    points = models.PositiveIntegerField(_("points"))
    reference = models.CharField(_("reference"), max_length=100, help_text=_("What the points are held for"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RESERVED)
    lots = models.ManyToManyField(PointsLot, through="PointsHoldLot", related_name="holds")
    expires_at = models.DateTimeField(_("held until"))
    created_at = models.DateTimeField(_("held"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    entry = models.OneToOneField(
        PointsEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="hold",
        help_text=_("The redeem entry written when the hold was confirmed"),
    )

    class Meta:
        verbose_name = _("points hold")
        verbose_name_plural = _("points holds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_hold_points_positive"),
            models.CheckConstraint(condition=~Q(reference=""), name="points_hold_has_reference"),
            models.CheckConstraint(
                condition=Q(status__in=["reserved", "confirmed", "released"]), name="points_hold_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="reserved", closed_at__isnull=True)
                | (~Q(status="reserved") & Q(closed_at__isnull=False)),
                name="points_hold_closed_once_not_reserved",
            ),
            models.CheckConstraint(
                condition=Q(status="confirmed", entry__isnull=False)
                | (~Q(status="confirmed") & Q(entry__isnull=True)),
                name="points_hold_confirmed_has_entry",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="points_hold_expires_after_created"
            ),
        ]
        indexes = [
            # The expiry run looks for holds left open past their expiry.
            models.Index(fields=["expires_at"], condition=Q(status="reserved"), name="points_hold_open_by_expiry"),
        ]

    def __str__(self):
        return f"{self.points} held for {self.reference} ({self.get_status_display()})"


class PointsHoldLot(models.Model):
    """How many of a hold's points came from one lot (and go back to it if the hold is released)."""

    hold = models.ForeignKey(PointsHold, on_delete=models.CASCADE, related_name="draws")
    lot = models.ForeignKey(PointsLot, on_delete=models.CASCADE, related_name="hold_draws")
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        verbose_name = _("points taken from a lot")
        verbose_name_plural = _("points taken from lots")
        ordering = ["hold", "id"]  # written first to expire first
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_hold_lot_points_positive"),
            models.UniqueConstraint(fields=["hold", "lot"], name="points_hold_lot_once"),
        ]

    def __str__(self):
        return f"{self.points} from lot {self.lot_id}"
