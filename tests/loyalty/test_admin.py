import pytest
from django.urls import reverse

from loyalty.models import PointsEntry
from loyalty.selectors import points_balance
from loyalty.services import points_earn
from tests.factories import UserFactory

from .factories import CouponAliasFactory, CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_an_agent_adjusts_points_with_a_reason_recorded_in_the_ledger(client, agent):
    customer = UserFactory()
    account = points_earn(user=customer, points=50).account
    url = reverse("admin:loyalty_pointsaccount_adjust", args=[account.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"delta": "-20", "reason": "Returned the phone"})

    assert response.status_code == 302
    entry = PointsEntry.objects.get(kind="adjust")
    assert (entry.delta, entry.reason, entry.created_by) == (-20, "Returned the phone", agent)
    assert points_balance(user=customer) == 30


def test_an_adjustment_beyond_the_balance_shows_the_refusal_and_writes_nothing(client, agent):
    account = points_earn(user=UserFactory(), points=5).account
    url = reverse("admin:loyalty_pointsaccount_adjust", args=[account.pk])
    response = client.post(url, {"delta": "-20", "reason": "Fraud"})
    assert response.status_code == 200
    assert "You have 5 points; 20 were asked for." in response.content.decode()
    assert not PointsEntry.objects.filter(kind="adjust").exists()


def test_an_adjustment_of_zero_points_is_refused_by_the_form(client, agent):
    account = points_earn(user=UserFactory(), points=5).account
    response = client.post(reverse("admin:loyalty_pointsaccount_adjust", args=[account.pk]),
                           {"delta": "0", "reason": "Nothing"})
    assert "An adjustment of zero points changes nothing." in response.content.decode()


def test_the_ledger_cannot_be_edited_in_the_admin(client, agent):
    entry = points_earn(user=UserFactory(), points=5)
    assert client.get(reverse("admin:loyalty_pointsentry_changelist")).status_code == 200
    response = client.post(reverse("admin:loyalty_pointsentry_change", args=[entry.pk]), {"delta": "500"})
    assert response.status_code == 403
    assert PointsEntry.objects.get(pk=entry.pk).delta == 5


def test_coupons_are_found_in_the_admin_by_an_alias(client, agent):
    alias = CouponAliasFactory(code="POCOD00005", coupon=CouponFactory(code="MI-AAAA-BBBB"))
    CouponFactory(code="OTHER")
    response = client.get(reverse("admin:loyalty_coupon_changelist"), {"q": "pocod00005"})
    assert list(response.context["cl"].result_list) == [alias.coupon]


def test_the_coupon_list_runs_a_fixed_number_of_queries(client, agent, django_assert_max_num_queries):
    CouponFactory.create_batch(15, owner=UserFactory())
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:loyalty_coupon_changelist")).status_code == 200


def test_a_coupon_code_already_used_as_an_alias_is_refused_in_the_admin(client, agent):
    CouponAliasFactory(code="POCOD00005")
    response = client.post(reverse("admin:loyalty_coupon_add"), {
        "code": "pocod00005", "kind": "percent", "value": "10", "currency": "", "min_order_amount": "0",
        "valid_from_0": "2024-01-01", "valid_from_1": "00:00:00", "is_active": "on",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "redemptions-TOTAL_FORMS": "0", "redemptions-INITIAL_FORMS": "0",
    })
    assert "The code “pocod00005” already redeems another coupon (as its code or an alias)." in (
        response.content.decode()
    )


@pytest.mark.parametrize("model", [
    "pointsaccount", "pointsentry", "legacypointsmigration", "coupon", "redemption", "legacycoupon",
    "couponnotification",
])
def test_every_loyalty_admin_list_opens(client, agent, model):
    points_earn(user=UserFactory(), points=5)
    assert client.get(reverse(f"admin:loyalty_{model}_changelist")).status_code == 200


def test_a_coupon_and_a_points_account_open_in_the_admin_with_their_inlines(client, agent):
    coupon = CouponAliasFactory().coupon
    account = points_earn(user=UserFactory(), points=5).account
    assert client.get(reverse("admin:loyalty_coupon_change", args=[coupon.pk])).status_code == 200
    response = client.get(reverse("admin:loyalty_pointsaccount_change", args=[account.pk]))
    assert "Adjust points" in response.content.decode()
