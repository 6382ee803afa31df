"""The checkout benchmark's shoppers and what each of them tries, written in bulk before a run.

`checkout_fixture_build(attempts=N)` expects an emptied, migrated database holding the generated catalog
(benchmarks/database.py) and adds, in the `uk` store: ample stock on every variant except one hot variant
with few units, one customer per attempt (an address, a points balance, a cart already filled, a signed-in
session for the HTTP clients), and the coupons: a public one (unlimited), a popular limited one, one
single-use code that many try, and a personal single-use coupon for some customers. Then it returns the
plan: one `Attempt` per shopper, in the order the clients take them, and what the invariants need to know
(the stock before the run, each customer's opening balance).

The plan is drawn from a seeded `random.Random`, so every run (services or HTTP, 1 or 16 clients) tries the
same checkouts; only the interleaving differs. Proportions (of attempts): see `MIX`.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from brands.models import RegionalStore
from loyalty.models import Coupon, PointsAccount, PointsEntry, PointsLot
from storefront.accounts.models import Address, User
from storefront.catalog.models import Price, Stock
from storefront.orders.models import Cart, CartLine
from storefront.orders.payments import TestGateway

STORE_CODE = "uk"
SEED = 20261125
NORMAL_STOCK = 100_000  # never the limit: only the hot variant runs short
PUBLIC_COUPON = "BENCH-PUBLIC10"  # 10 % off, unlimited
LIMITED_COUPON = "BENCH-POPULAR20"  # 20 % off, usage limit about half of those who try it
SHARED_SINGLE_USE_COUPON = "BENCH-FIRST50"  # 50 % off, one use in all, tried by several shoppers
PERSONAL_COUPON_PREFIX = "BENCH-ME-"  # one per customer of that kind: owner only, usage limit 1
CSRF_TOKEN = "benchcheckoutcsrftoken0123456789"  # 32 letters and digits: Django's CSRF secret format
EXPIRY = "12/39"
CVC = "123"

# kind of attempt -> share of the attempts. "hot" carts hold the hot variant, "declined" pay with the
# declining card (half of them with the hot variant in the cart, so releases race with sales).
MIX = {
    "plain": 0.45,
    "hot": 0.12,
    "limited_coupon": 0.12,
    "public_coupon": 0.06,
    "personal_coupon": 0.05,
    "shared_single_use_coupon": 0.03,
    "points": 0.10,
    "points_too_many": 0.03,
    "declined": 0.04,
}


@dataclass(frozen=True)
class Attempt:
    """One shopper's checkout: who, the address-book entry, the coupon, the points asked, the card."""

    index: int
    kind: str
    user_id: int
    address_id: int
    session_key: str
    coupon_code: str
    points: int
    card_number: str

    def api_body(self) -> dict:
        """The body of `POST /api/v1/stores/uk/checkout/` for this attempt."""
        body = {"address_id": self.address_id, "points": self.points,
                "card": {"number": self.card_number, "expiry": EXPIRY, "cvc": CVC}}
        if self.coupon_code:
            body["coupon_code"] = self.coupon_code
        return body


@dataclass
class Fixture:
    """What a run starts from: the attempts (the first one is the warm-up) and the state the invariants
    compare with."""

    store_id: int
    warmup: Attempt
    attempts: list[Attempt]
    hot_variant_id: int
    hot_units: int
    initial_stock: dict[int, int] = field(default_factory=dict)  # variant id -> units in the store
    opening_points: dict[int, int] = field(default_factory=dict)  # user id -> points before the run
    coupon_limits: dict[str, int] = field(default_factory=dict)  # code -> usage limit


@dataclass(frozen=True)
class _Draft:
    """An attempt before its rows exist."""

    kind: str
    lines: list[tuple[int, int]]  # (variant id, quantity)
    opening_points: int
    points: int
    coupon_code: str
    card_number: str


def _kinds(attempts: int, rng: random.Random) -> list[str]:
    """Exactly round(share * attempts) of each kind (the rest plain), shuffled."""
    kinds = []
    for kind, share in MIX.items():
        if kind != "plain":
            kinds += [kind] * round(share * attempts)
    kinds += ["plain"] * max(0, attempts - len(kinds))
    kinds = kinds[:attempts]
    rng.shuffle(kinds)
    return kinds


def _draft(kind: str, *, rng: random.Random, normal: list[int], hot: int, index: int) -> _Draft:
    lines = [(variant, rng.randint(1, 2)) for variant in rng.sample(normal, rng.choice((1, 1, 2)))]
    if kind == "hot" or (kind == "declined" and rng.random() < 0.5):
        lines = [(hot, 1)] + lines[:1]
    opening = rng.randrange(2_000, 20_000, 100)
    points = {"points": rng.randrange(300, 2_000, 100), "points_too_many": opening + 500}.get(kind, 0)
    coupon = {
        "limited_coupon": LIMITED_COUPON, "public_coupon": PUBLIC_COUPON,
        "shared_single_use_coupon": SHARED_SINGLE_USE_COUPON, "personal_coupon": f"{PERSONAL_COUPON_PREFIX}{index}",
    }.get(kind, "")
    card = TestGateway.DECLINED_NUMBER if kind == "declined" else TestGateway.APPROVED_NUMBER
    return _Draft(kind=kind, lines=lines, opening_points=opening, points=points, coupon_code=coupon,
                  card_number=card)


def _uk_variants(store) -> list[int]:
    """Variants the store prices (the generated catalog prices only what the store sells), in id order."""
    return list(Price.objects.filter(store=store, variant__product__status="active")
                .order_by("variant_id").values_list("variant_id", flat=True))


@transaction.atomic
def checkout_fixture_build(*, attempts: int, seed: int = SEED) -> Fixture:
    """Writes the shoppers, coupons and stock of one run (see the module's docstring) and returns its plan."""
    if attempts < 10:
        raise ValueError(f"a run needs at least 10 attempts to hold every kind of checkout, not {attempts}")
    rng = random.Random(seed)
    store = RegionalStore.objects.get(code=STORE_CODE)
    variants = _uk_variants(store)
    if len(variants) < 20:
        raise ValueError(f"the {STORE_CODE} store prices only {len(variants)} variants; generate more products")
    hot, normal = variants[0], variants[1:]
    kinds = _kinds(attempts, rng)
    drafts = [_draft("plain", rng=rng, normal=normal, hot=hot, index=0)]  # the warm-up
    drafts += [_draft(kind, rng=rng, normal=normal, hot=hot, index=i + 1) for i, kind in enumerate(kinds)]
    hot_units = max(1, kinds.count("hot") // 2)
    limited_limit = max(1, kinds.count("limited_coupon") // 2)

    Stock.objects.filter(store=store).update(quantity=NORMAL_STOCK)
    Stock.objects.filter(store=store, variant_id=hot).update(quantity=hot_units)
    users = _customers_create(len(drafts))
    addresses = Address.objects.bulk_create(
        Address(user=user, name=f"{user.first_name} {user.last_name}", line1=f"{n} High Street", city="Leeds",
                postcode="LS1 1AA", country="GB", is_default=True)
        for n, user in enumerate(users, start=1)
    )
    _points_open(users, [draft.opening_points for draft in drafts])
    _carts_fill(store, users, [draft.lines for draft in drafts])
    coupon_limits = _coupons_create(store, users, drafts, limited_limit=limited_limit)
    sessions = _sessions_open(users)

    planned = [
        Attempt(index=index, kind=draft.kind, user_id=user.pk, address_id=address.pk, session_key=session,
                coupon_code=draft.coupon_code, points=draft.points, card_number=draft.card_number)
        for index, (draft, user, address, session) in enumerate(zip(drafts, users, addresses, sessions, strict=True))
    ]
    transaction.on_commit(_analyze)
    return Fixture(
        store_id=store.pk, warmup=planned[0], attempts=planned[1:], hot_variant_id=hot, hot_units=hot_units,
        initial_stock=dict(Stock.objects.filter(store=store).values_list("variant_id", "quantity")),
        opening_points={user.pk: draft.opening_points for user, draft in zip(users, drafts, strict=True)},
        coupon_limits=coupon_limits,
    )


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics for the tables just filled


def _customers_create(count: int) -> list[User]:
    password = make_password("bench-checkout")  # hashed once: 1,000 PBKDF2 runs would take minutes
    return User.objects.bulk_create(
        User(email=f"shopper{n}@bench.example.com", first_name="Bench", last_name=f"Shopper{n}", password=password,
             preferred_language="en")
        for n in range(count)
    )


def _points_open(users: list[User], balances: list[int]) -> None:
    """One lot and its earn entry per customer: the ledger and the lots agree from the start."""
    now = timezone.now()
    accounts = PointsAccount.objects.bulk_create(PointsAccount(user=user) for user in users)
    lots = PointsLot.objects.bulk_create(
        PointsLot(account=account, points=points, remaining=points, earned_at=now - timedelta(days=30),
                  expires_at=now + timedelta(days=335))
        for account, points in zip(accounts, balances, strict=True)
    )
    PointsEntry.objects.bulk_create(
        PointsEntry(account=lot.account, kind=PointsEntry.Kind.EARN, delta=lot.points, at=lot.earned_at, lot=lot,
                    reason="Benchmark opening balance")
        for lot in lots
    )


def _carts_fill(store, users: list[User], lines: list[list[tuple[int, int]]]) -> None:
    carts = Cart.objects.bulk_create(Cart(store=store, user=user) for user in users)
    CartLine.objects.bulk_create(
        CartLine(cart=cart, variant_id=variant, quantity=quantity)
        for cart, cart_lines in zip(carts, lines, strict=True) for variant, quantity in cart_lines
    )


def _coupons_create(store, users: list[User], drafts: list[_Draft], *, limited_limit: int) -> dict[str, int]:
    """The shared coupons and the personal single-use ones; returns each limited coupon's usage limit."""
    valid_from = timezone.now() - timedelta(days=1)
    shared = [
        Coupon(code=PUBLIC_COUPON, kind="percent", value=Decimal("10"), valid_from=valid_from),
        Coupon(code=LIMITED_COUPON, kind="percent", value=Decimal("20"), usage_limit=limited_limit,
               valid_from=valid_from),
        Coupon(code=SHARED_SINGLE_USE_COUPON, kind="percent", value=Decimal("50"), usage_limit=1,
               valid_from=valid_from),
    ]
    personal = [
        Coupon(code=draft.coupon_code, kind="fixed", value=Decimal("15.00"), currency=store.currency, owner=user,
               usage_limit=1, per_customer_limit=1, valid_from=valid_from)
        for user, draft in zip(users, drafts, strict=True) if draft.kind == "personal_coupon"
    ]
    Coupon.objects.bulk_create(shared + personal)
    return {coupon.code: coupon.usage_limit for coupon in shared + personal if coupon.usage_limit is not None}


def _sessions_open(users: list[User]) -> list[str]:
    """A signed-in session per customer, as `login()` leaves it, so HTTP clients skip the password check."""
    store = SessionStore()
    expire = timezone.now() + timedelta(days=1)
    keys = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in users]
    Session.objects.bulk_create(
        Session(session_key=key, expire_date=expire, session_data=store.encode({
            "_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }))
        for key, user in zip(keys, users, strict=True)
    )
    return keys
