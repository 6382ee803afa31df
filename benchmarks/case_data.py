"""Generated support cases of any size, written with `bulk_create` in batches, for the cases benchmark.

`cases_ensure(cases=N)` tops the generated cases up to N. Each batch brings its own customers (one per
four cases on average), their orders (one or two, each with a line) and their cases, spread over brands,
stores, statuses, kinds, priorities and agents as a busy queue is: 30% active (their deadlines from two
days breached to five days ahead), 20% resolved, 50% closed; POCO cases partly carried over from po.co
(legacy numbers, older); about 60% about an order, half with a serial number or IMEI; one to five
messages (the customer's first, agents' replies, now and then an internal note) and the status history.
Values come from a seeded `random.Random` per batch, so two runs build the same cases (but the clock is
"now" at generation: deadlines are relative to when the database was built).

`bench_staff_ensure()` creates the agents (each on a brand in some stores), and the two accounts the
benchmark measures with: `AGENT_EMAIL` (POCO and Redmi, in uk and fr) and `ADMIN_EMAIL` (Admins group).
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from aftersales.models import AgentProfile, AuthorType, Case, Kind, Message, Priority, Status, StatusChange
from aftersales.service_levels import case_deadlines_set, service_level_targets
from brands.models import Brand, RegionalStore
from brands.services import reference_data_ensure
from storefront.accounts.services import user_make_admin, user_make_support_agent
from storefront.orders.models import Order, OrderLine

User = get_user_model()

CUSTOMER_DOMAIN = "customers.bench.example"  # marks generated customers
AGENT_EMAIL = "agent@bench.example"
ADMIN_EMAIL = "admin@bench.example"
# (brand slug, store codes) of the measured agent and of the other agents cases are assigned to.
MEASURED_AGENT_SCOPE = (("poco", "redmi"), ("uk", "fr"))
OTHER_AGENTS = [
    ("xiaomi", ("global",)), ("xiaomi", ("uk", "fr")), ("xiaomi", ("in",)), ("xiaomi", ("global", "uk", "fr", "in")),
    ("redmi", ("global", "in")), ("redmi", ("uk", "fr")), ("poco", ("global",)), ("poco", ("uk", "fr")),
]
SEED = 20261125
BRAND_WEIGHTS = {"xiaomi": 50, "redmi": 25, "poco": 25}
STORE_WEIGHTS = {"global": 35, "uk": 20, "fr": 20, "in": 25}
STATUS_WEIGHTS = {Status.OPEN: 10, Status.IN_PROGRESS: 8, Status.AWAITING_CUSTOMER: 5, Status.IN_REPAIR: 7,
                  Status.RESOLVED: 20, Status.CLOSED: 50}
KIND_WEIGHTS = {Kind.REPAIR: 35, Kind.RETURN: 15, Kind.REFUND: 10, Kind.WARRANTY: 25, Kind.INQUIRY: 15}
PRIORITY_WEIGHTS = {Priority.LOW: 15, Priority.NORMAL: 55, Priority.HIGH: 22, Priority.URGENT: 8}
CARRIED_OVER_SHARE_OF_POCO = 0.6
CURRENCY = {"global": "USD", "uk": "GBP", "fr": "EUR", "in": "INR"}
SUBJECTS = ("Screen flickers", "Battery drains fast", "Charger missing", "Wrong colour delivered",
            "Refund not received", "Camera out of focus", "Speaker crackles", "Does not turn on")


@dataclass(frozen=True)
class Staff:
    agent: object
    admin: object
    # (brand id, store id) -> ids of the agents whose scope covers it
    assignees: dict[tuple[int, int], list[int]]


def _agent(email: str, brands, stores):
    user, created = User.objects.get_or_create(email=email, defaults={"is_staff": True, "first_name": "Agent"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user_make_support_agent(user=user)
        profile = AgentProfile.objects.create(user=user)
        profile.brands.set(brands)
        profile.stores.set(stores)
    return user


def bench_staff_ensure() -> Staff:
    """The agents (created once) and who may be assigned what."""
    reference_data_ensure()
    brands = {b.slug: b for b in Brand.objects.all()}
    stores = {s.code: s for s in RegionalStore.objects.all()}
    scopes = [(AGENT_EMAIL, MEASURED_AGENT_SCOPE)] + [
        (f"agent{n}@bench.example", ((brand,), codes)) for n, (brand, codes) in enumerate(OTHER_AGENTS, start=1)
    ]
    assignees: dict[tuple[int, int], list[int]] = {}
    agent = None
    for email, (brand_slugs, store_codes) in scopes:
        user = _agent(email, [brands[b] for b in brand_slugs], [stores[c] for c in store_codes])
        agent = agent or user
        for slug in brand_slugs:
            for code in store_codes:
                assignees.setdefault((brands[slug].pk, stores[code].pk), []).append(user.pk)
    admin, created = User.objects.get_or_create(email=ADMIN_EMAIL, defaults={"is_staff": True})
    if created:
        user_make_admin(user=admin)
    return Staff(agent=agent, admin=admin, assignees=assignees)


def generated_case_count() -> int:
    return Case.objects.filter(customer__email__endswith=f"@{CUSTOMER_DOMAIN}").count()


def cases_ensure(*, cases: int, batch_size: int = 4000, progress=None) -> int:
    """Tops the generated cases up to `cases` (never removes any); returns how many there are.

    `progress`, if given, is called with the number of cases written so far after each batch.
    """
    if cases < 0:
        raise ValueError(f"cases must be 0 or more, not {cases}")
    if batch_size < 4:
        raise ValueError(f"batch_size must be at least 4, not {batch_size}")
    staff = bench_staff_ensure()
    context = _BatchContext(
        brands={b.slug: b for b in Brand.objects.all()}, stores={s.code: s for s in RegionalStore.objects.all()},
        assignees=staff.assignees, targets=service_level_targets(), now=timezone.now(),
        password=make_password(None),
    )
    start = generated_case_count()
    for first in range(start, cases, batch_size):
        last = min(first + batch_size, cases)
        _write_batch(range(first, last), context)
        if progress:
            progress(last)
    return generated_case_count()


@dataclass(frozen=True)
class _BatchContext:
    brands: dict
    stores: dict
    assignees: dict
    targets: dict
    now: datetime
    password: str


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@transaction.atomic
def _write_batch(indexes: range, ctx: _BatchContext) -> None:
    """Cases `indexes` with their customers, orders, order lines, messages and status history."""
    rng = random.Random(SEED + indexes.start)
    first_customer = indexes.start // 4
    customers = User.objects.bulk_create([
        User(email=f"customer{c:07d}@{CUSTOMER_DOMAIN}", first_name=f"Customer {c}", password=ctx.password,
             date_joined=ctx.now - timedelta(days=rng.randint(30, 1500)))
        for c in range(first_customer, first_customer + max(1, len(indexes) // 4))
    ], batch_size=1000)
    orders = []
    for position, customer in enumerate(customers):
        code = _pick(rng, STORE_WEIGHTS)
        for k in range(rng.choice((1, 1, 2))):
            total = Decimal(rng.randrange(9900, 99900)) / 100
            orders.append(Order(
                number=f"BN-{code.upper()}-{(first_customer + position) * 2 + k:08d}", store=ctx.stores[code],
                user=customer, email=customer.email, currency=CURRENCY[code], status=Order.Status.DELIVERED,
                placed_at=ctx.now - timedelta(days=rng.randint(10, 900)), subtotal=total, total=total,
            ))
    Order.objects.bulk_create(orders, batch_size=1000)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, sku=f"BENCH-{order.pk}", name="Generated phone", quantity=1,
                  unit_price=order.total)
        for order in orders
    ], batch_size=1000)
    orders_of: dict[int, list[Order]] = {}
    for order in orders:
        orders_of.setdefault(order.user_id, []).append(order)

    cases = [_case(i, rng, rng.choice(customers), orders_of, ctx) for i in indexes]
    Case.objects.bulk_create(cases, batch_size=1000)
    messages, history = [], []
    for case in cases:
        messages += _thread(case, rng)
        history.append(StatusChange(case=case, from_status="", to_status=Status.OPEN, at=case.opened_at))
        if case.status != Status.OPEN:
            history.append(StatusChange(case=case, from_status=Status.OPEN, to_status=case.status,
                                        changed_by_id=case.assigned_to_id, at=case.updated_at))
    Message.objects.bulk_create(messages, batch_size=2000)
    StatusChange.objects.bulk_create(history, batch_size=2000)


def _case(i: int, rng: random.Random, customer, orders_of: dict, ctx: _BatchContext) -> Case:
    brand = ctx.brands[_pick(rng, BRAND_WEIGHTS)]
    code = _pick(rng, STORE_WEIGHTS)
    if brand.slug == "poco" and code == "in":
        code = "global"  # POCO India is poco.in: its cases are not here
    store = ctx.stores[code]
    status = _pick(rng, STATUS_WEIGHTS)
    active = status not in (Status.RESOLVED, Status.CLOSED)
    carried_over = brand.slug == "poco" and rng.random() < CARRIED_OVER_SHARE_OF_POCO and not (
        active and rng.random() < 0.8)
    if active:
        opened_at = ctx.now - timedelta(hours=rng.uniform(0.5, 9 * 24))
    else:
        opened_at = ctx.now - timedelta(days=rng.uniform(10, 700 if carried_over else 300))
    order = rng.choice(orders_of[customer.pk]) if rng.random() < 0.6 else None
    serial = ""
    if rng.random() < 0.5:
        serial = f"86{i:013d}" if rng.random() < 0.7 else f"SN{i:010d}"
    assignable = ctx.assignees.get((brand.pk, store.pk), [])
    assigned = rng.choice(assignable) if assignable and (not active or rng.random() < 0.6) else None
    case = Case(
        number=f"PS-2024-{i:06d}" if carried_over else f"MS-2026-{i:06d}",
        source=Case.Source.POCO if carried_over else Case.Source.STORE,
        legacy_id=f"bench-{i}" if carried_over else None, customer=customer, store=store, brand=brand,
        kind=_pick(rng, KIND_WEIGHTS), priority=_pick(rng, PRIORITY_WEIGHTS), status=status,
        subject=f"{rng.choice(SUBJECTS)} ({i})", order=order, serial_number=serial, assigned_to_id=assigned,
        opened_at=opened_at, imported_at=ctx.now - timedelta(days=30) if carried_over else None,
    )
    if status != Status.OPEN:
        case.first_response_at = opened_at + timedelta(hours=rng.uniform(0.2, 30))
    case.updated_at = max(case.first_response_at or opened_at, opened_at + timedelta(hours=rng.uniform(0.5, 60)))
    if not active:
        case.resolved_at = case.updated_at
        case.closed_at = case.updated_at if status == Status.CLOSED else None
    case_deadlines_set(case, targets=ctx.targets)
    return case


def _thread(case: Case, rng: random.Random) -> list[Message]:
    """The customer's first message, then (once answered) one to four more, sometimes an internal note."""
    messages = [Message(case=case, author_id=case.customer_id, author_type=AuthorType.CUSTOMER,
                        body=f"{case.subject}: it started last week.", created_at=case.opened_at)]
    if case.first_response_at is None:
        return messages
    at = case.first_response_at
    for n in range(rng.randint(1, 4)):
        internal = n > 0 and rng.random() < 0.2
        by_agent = n % 2 == 0 or internal
        messages.append(Message(
            case=case, author_id=case.assigned_to_id if by_agent else case.customer_id,
            author_type=AuthorType.AGENT if by_agent else AuthorType.CUSTOMER, is_internal=internal,
            body="Internal: check the batch." if internal else f"Reply {n} about {case.number}.", created_at=at,
        ))
        at += timedelta(hours=rng.uniform(1, 20))
    return messages
