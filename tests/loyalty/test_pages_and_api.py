from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from loyalty.models import LegacyCoupon, PointsEntry
from loyalty.services import (
    LegacyCouponRecord,
    LegacyPointsAccountRecord,
    LegacyPointsEvent,
    LegacyPointsLot,
    coupons_reissue_bulk,
    points_earn,
    points_lots_migrate_bulk,
    points_redeem,
)
from tests.factories import UserFactory

from .factories import CouponFactory

pytestmark = pytest.mark.django_db

CUTOVER = datetime(2024, 12, 12, tzinfo=UTC)


def migrate_points(user, legacy_id="L1"):
    far = timezone.now() + timedelta(days=300)
    points_lots_migrate_bulk(records=[LegacyPointsAccountRecord(
        legacy_id=legacy_id, user_id=user.pk,
        lots=(LegacyPointsLot(120, CUTOVER - timedelta(days=30), far),),
        history=(LegacyPointsEvent(CUTOVER - timedelta(days=30), 120, "purchase", "O000042"),),
    )], cutover=CUTOVER)


def reissued_coupon(user, legacy_id="K1", code="POCOD00005"):
    coupons_reissue_bulk(records=[LegacyCouponRecord(
        legacy_id=legacy_id, code=code, owner_id=user.pk, kind="fixed", value=Decimal("5.00"), currency="GBP",
        min_order_amount=Decimal("50.00"), valid_from=CUTOVER - timedelta(days=30),
        valid_until=datetime(2099, 12, 12, tzinfo=UTC), usage_limit=1, times_used=0, status="active", portal="uk",
    )], cutover=CUTOVER)
    return LegacyCoupon.objects.get(legacy_id=legacy_id).reissued_as


@pytest.fixture
def shopper(reference_data):
    user = UserFactory()
    migrate_points(user)
    for _ in range(3):
        points_earn(user=user, points=10)
    points_redeem(user=user, points=5)
    return user


def test_the_points_page_shows_balance_lots_with_expiry_and_history_with_migrated_lines_marked(client, shopper):
    client.force_login(shopper)
    response = client.get(reverse("loyalty:points"))

    assert response.status_code == 200
    assert response.context["overview"].balance == 145
    html = response.content.decode()
    assert "You have <strong>145</strong> points." in html
    assert "Carried over from POCO Points" in html
    assert '<tr class="legacy">' in html and "O000042" in html


def test_the_points_page_runs_a_fixed_number_of_queries(client, shopper, django_assert_num_queries):
    client.force_login(shopper)
    client.get(reverse("loyalty:points"))
    for _ in range(10):
        points_earn(user=shopper, points=1)
    # session, user, the store switcher of base.html, then lots, ledger (with orders), POCO history
    with django_assert_num_queries(6):
        client.get(reverse("loyalty:points"))


def test_account_pages_send_a_visitor_to_sign_in(client, settings):
    settings.LOGIN_URL = "/account/login/"
    for name in ("loyalty:points", "loyalty:coupons"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith("/account/login/")


def test_the_coupons_page_shows_own_coupons_with_reissued_ones_marked_and_poco_coupons_not_carried_over(
    client, shopper
):
    coupon = reissued_coupon(shopper)
    CouponFactory(code="SOMEONEELSE", owner=UserFactory())
    LegacyCoupon.objects.create(
        legacy_id="K9", code="POCOX", owner=shopper, portal="uk", kind="percent", value=10, min_order_amount=0,
        valid_from=CUTOVER - timedelta(days=90), valid_until=CUTOVER - timedelta(days=1), usage_limit=1,
        times_used=0, legacy_status="expired", outcome="expired", fingerprint="x",
    )
    client.force_login(shopper)
    html = client.get(reverse("loyalty:coupons")).content.decode()

    assert coupon.code in html
    assert "Replaces your POCO coupon POCOD00005, which still works too." in html
    assert "1 use left." in html and "For orders of £50.00 or more." in html
    assert "SOMEONEELSE" not in html
    assert "POCOX" in html and "This POCO coupon had expired before the move to the Xiaomi store." in html


def test_the_coupons_page_runs_a_fixed_number_of_queries(client, shopper, django_assert_num_queries):
    client.force_login(shopper)
    reissued_coupon(shopper)
    client.get(reverse("loyalty:coupons"))
    for n in range(5):
        reissued_coupon(shopper, legacy_id=f"K{n + 10}", code=f"POCO{n}")
    # session, user, the store switcher of base.html, coupons (+ origin), brands, categories, stores, aliases,
    # POCO coupons not carried over
    with django_assert_num_queries(9):
        client.get(reverse("loyalty:coupons"))


def test_the_api_gives_the_customers_balance_and_live_lots(client, shopper, django_assert_num_queries):
    client.force_login(shopper)
    with django_assert_num_queries(3):  # session, user, lots
        data = client.get(reverse("api:loyalty:points")).json()
    assert data["balance"] == 145
    assert sum(lot["remaining"] for lot in data["lots"]) == 145


def test_the_api_lists_ledger_entries_with_migrated_ones_marked(client, shopper, django_assert_num_queries):
    client.force_login(shopper)
    with django_assert_num_queries(4):  # session, user, count, page
        data = client.get(reverse("api:loyalty:points-entries")).json()
    assert data["count"] == 5
    assert [e["is_migrated"] for e in data["results"] if e["kind"] == "migrate"] == [True]
    history = client.get(reverse("api:loyalty:points-poco-history")).json()
    assert history["results"][0]["order_legacy_id"] == "O000042"


def test_the_api_lists_own_coupons_with_the_poco_code_they_replace(client, shopper, django_assert_num_queries):
    reissued_coupon(shopper)
    CouponFactory(owner=UserFactory())
    client.force_login(shopper)
    with django_assert_num_queries(8):  # session, user, count, coupons, brands, categories, stores, aliases
        data = client.get(reverse("api:loyalty:coupons")).json()
    [coupon] = data["results"]
    assert (coupon["reissued_from"], coupon["aliases"], coupon["uses_left"]) == ("POCOD00005", ["POCOD00005"], 1)
    assert (coupon["stores"], coupon["brands"], coupon["benefit"]) == (["uk"], ["poco"], "£5.00 off")


def test_another_customers_coupon_or_points_entry_is_a_404(client, shopper):
    other = UserFactory()
    their_coupon = CouponFactory(owner=other)
    their_entry = points_earn(user=other, points=3)
    client.force_login(shopper)
    assert client.get(reverse("api:loyalty:coupon", args=[their_coupon.pk])).status_code == 404
    assert client.get(reverse("api:loyalty:points-entry", args=[their_entry.pk])).status_code == 404
    mine = PointsEntry.objects.filter(account__user=shopper).first()
    assert client.get(reverse("api:loyalty:points-entry", args=[mine.pk])).status_code == 200


def test_the_api_needs_a_signed_in_customer(client):
    for name in ("api:loyalty:points", "api:loyalty:points-entries", "api:loyalty:coupons"):
        assert client.get(reverse(name)).status_code == 403


def test_the_account_pages_speak_the_customers_language(client, shopper):
    reissued_coupon(shopper)
    client.force_login(shopper)
    points = client.get(reverse("loyalty:points"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    coupons = client.get(reverse("loyalty:coupons"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vous avez <strong>145</strong> points." in points and "Repris des POCO Points" in points
    assert "Remplace votre bon POCO POCOD00005, qui reste utilisable." in coupons
    assert "Pour les commandes de 50,00\xa0£GB ou plus." in coupons  # CLDR's French symbol for GBP


def test_the_account_nav_leads_to_the_points_and_coupons_pages_and_marks_the_current_one(client, shopper):
    client.force_login(shopper)
    account = client.get(reverse("accounts:account")).content.decode()
    assert f'href="{reverse("loyalty:points")}"' in account and f'href="{reverse("loyalty:coupons")}"' in account
    points = client.get(reverse("loyalty:points")).content.decode()
    assert f'<a href="{reverse("loyalty:points")}" aria-current="page">' in points
