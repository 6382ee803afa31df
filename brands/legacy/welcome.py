"""The welcome a migrated po.co customer sees once, at their first sign-in: what moved with them.

A migrated customer is an account with a po.co legacy alias (made or linked by the customers loader). At
their first sign-in after the import, `legacy_welcome_take` writes their `WelcomeNote` and returns it; the
`user_logged_in` receiver (signals.py) shows it as a message, which the page after sign-in (the account
page) displays. Later sign-ins find the note and show nothing.

What moved is counted where it exists, never assumed: po.co orders the account shows (its own and guest
orders with its e-mail), and, when those apps are installed and hold such rows, Mi Points credited from
POCO Points, re-issued POCO coupons and support cases carried over. A feature whose model is absent is
left out of the note, as is anything that counts 0.
"""

from __future__ import annotations

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storefront.accounts.models import LegacyAlias, normalize_email
from storefront.orders.models import Order

from .models import WelcomeNote

SOURCE = "po.co"


def _model(app_label: str, name: str):
    """The model when its app is installed and defines it (features merged later), else None."""
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def legacy_moved_counts(*, user) -> dict[str, int]:
    """What came over from po.co for this account, by kind; kinds absent from the store are left out."""
    moved = {"orders": Order.objects.filter(
        Q(user=user) | Q(user__isnull=True, email=normalize_email(user.email)), source=Order.Source.POCO).count()}
    migrations = _model("loyalty", "LegacyPointsMigration")
    if migrations is not None:
        moved["points"] = migrations.objects.filter(account__user=user).aggregate(n=Sum("credited"))["n"] or 0
    legacy_coupons = _model("loyalty", "LegacyCoupon")
    if legacy_coupons is not None:
        moved["coupons"] = legacy_coupons.objects.filter(owner=user, outcome="reissued").count()
    cases = _model("aftersales", "Case")
    if cases is not None:
        moved["cases"] = cases.objects.filter(customer=user, source=SOURCE).count()
    return moved


def legacy_welcome_take(*, user) -> WelcomeNote | None:
    """The welcome note to show now: written at a migrated customer's first sign-in, else None."""
    if not LegacyAlias.objects.filter(user=user, source=SOURCE).exists() or \
            WelcomeNote.objects.filter(user=user).exists():
        return None
    try:
        with transaction.atomic():
            return WelcomeNote.objects.create(user=user, moved=legacy_moved_counts(user=user))
    except IntegrityError:  # a simultaneous sign-in wrote it first: that one shows it
        return None


def welcome_message(moved: dict[str, int]) -> str:
    """The note in the active language: the kinds that count more than 0, in a sentence."""
    parts = []
    if moved.get("orders"):
        parts.append(ngettext("%(count)d order", "%(count)d orders", moved["orders"]) % {"count": moved["orders"]})
    if moved.get("points"):
        parts.append(ngettext("%(count)d Mi Point", "%(count)d Mi Points", moved["points"])
                     % {"count": moved["points"]})
    if moved.get("coupons"):
        parts.append(ngettext("%(count)d coupon", "%(count)d coupons", moved["coupons"])
                     % {"count": moved["coupons"]})
    if moved.get("cases"):
        parts.append(ngettext("%(count)d support case", "%(count)d support cases", moved["cases"])
                     % {"count": moved["cases"]})
    if not parts:
        return _("Welcome to the Xiaomi store! Your po.co account is now your account here, with the same "
                 "password.")
    return _("Welcome to the Xiaomi store! Your po.co account moved here with you: %(moved)s.") % {
        "moved": get_text_list(parts, _("and"))}
