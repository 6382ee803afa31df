"""The welcome of migrated po.co customers: once, at their first sign-in, with what moved with them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from brands.legacy.models import WelcomeNote
from brands.legacy.welcome import legacy_moved_counts
from loyalty.services import LegacyPointsAccountRecord, LegacyPointsLot, points_lots_migrate_bulk
from loyalty.services.coupon_reissue import LegacyCouponRecord, coupons_reissue_bulk
from storefront.accounts.models import User

from .activity import order
from .bundles import customer, legacy_hash, write_bundle

pytestmark = pytest.mark.django_db

CUTOVER = datetime(2024, 12, 12, tzinfo=UTC)


@pytest.fixture
def migrated(tmp_path, reference_data, run_import):
    """C1 (two orders, plus a guest order with its e-mail) and C2 (French, nothing else) imported."""
    bundle = write_bundle(tmp_path / "bundle", {
        "customers": [customer("C1", password_hash=legacy_hash("poco-pw")),
                      customer("C2", portal="fr", language="fr", password_hash=legacy_hash("poco-pw"))],
        "orders": [order("O1"), order("O2"), order("O3", None, guest_email="C1@example.com")],
    })
    assert run_import(bundle)[0] == 0
    return User.objects.get(email="c1@example.com")


def sign_in(client, email, password="poco-pw"):
    response = client.post(reverse("accounts:login"), {"username": email, "password": password}, follow=True)
    assert response.wsgi_request.user.is_authenticated
    client.post(reverse("accounts:logout"))
    return response


def notes(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_first_sign_in_shows_once_on_the_account_page_what_moved(client, migrated):
    first = sign_in(client, "c1@example.com")
    assert first.redirect_chain[-1][0] == reverse("accounts:account")
    assert notes(first) == ["Welcome to the Xiaomi store! Your po.co account moved here with you: 3 orders."]
    assert "moved here with you: 3 orders" in first.content.decode()
    assert notes(sign_in(client, "c1@example.com")) == []
    assert WelcomeNote.objects.get().moved["orders"] == 3


def test_points_and_coupons_that_moved_are_counted_when_the_loyalty_app_holds_them(client, migrated):
    soon = CUTOVER + timedelta(days=3650)
    points_lots_migrate_bulk(records=[LegacyPointsAccountRecord(
        legacy_id="L1", user_id=migrated.pk, lots=(LegacyPointsLot(250, CUTOVER - timedelta(days=9), soon),))],
        cutover=CUTOVER)
    coupons_reissue_bulk(records=[LegacyCouponRecord(
        legacy_id="K1", code="POCO-SAVE5", owner_id=migrated.pk, kind="fixed", value=Decimal("5.00"),
        currency="GBP", min_order_amount=Decimal("0.00"), valid_from=CUTOVER - timedelta(days=9), valid_until=soon,
        usage_limit=1, times_used=0, status="active", portal="uk")], cutover=CUTOVER)

    assert notes(sign_in(client, "c1@example.com")) == [
        "Welcome to the Xiaomi store! Your po.co account moved here with you: 3 orders, 250 Mi Points and "
        "1 coupon."]


def test_only_features_the_store_has_are_counted(migrated):
    present = {kind for kind, (app, model) in {"points": ("loyalty", "LegacyPointsMigration"),
                                               "coupons": ("loyalty", "LegacyCoupon"),
                                               "cases": ("aftersales", "Case")}.items()
               if model.lower() in {m._meta.model_name for m in apps.get_app_config(app).get_models()}}
    assert set(legacy_moved_counts(user=migrated)) == {"orders"} | present


def test_a_customer_with_nothing_moved_is_welcomed_in_their_language(client, migrated):
    assert notes(sign_in(client, "c2@example.com")) == [
        "Bienvenue sur la boutique Xiaomi ! Votre compte po.co est désormais votre compte ici, avec le même "
        "mot de passe."]


def test_an_account_that_never_was_on_po_co_gets_no_note(client, reference_data):
    User.objects.create_user("mi@example.com", "mi-password")
    assert notes(sign_in(client, "mi@example.com", "mi-password")) == []
    assert not WelcomeNote.objects.exists()
