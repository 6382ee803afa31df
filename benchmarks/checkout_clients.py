"""The checkout benchmark's clients: processes calling the services, or threads calling the API.

Both take the attempts of a `Fixture` from one shared ticket counter, in the plan's order, until none is
left, and record for each its outcome ("ok", the refusal's code, or an error) and its latency.

- `run_services(fixture, clients)`: `clients` forked processes, each with its own database connection,
  calling `checkout_place` as the checkout view does (load the customer, the cart and the address, then
  reserve, pay, place). Processes, not threads: the checkout's Python work would serialize on the GIL.
- `run_http(fixture, clients, port)`: `clients` threads, each POSTing to the checkout API of the gunicorn
  server on 127.0.0.1 (signed in by the session the fixture opened, with a CSRF cookie and header as a
  browser sends them). Threads suffice here: a client only waits on its socket.
"""

import http.client
import json
import multiprocessing
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

from .checkout_data import CSRF_TOKEN, CVC, EXPIRY, STORE_CODE, Attempt, Fixture
from .loadgen import HOST
from .paths import BENCH_DIR

CHECKOUT_PATH = f"/api/v1/stores/{STORE_CODE}/checkout/"
OK = "ok"
ERRORS_LOG = BENCH_DIR / "checkout-errors.log"
START_TIMEOUT = 300  # seconds for every client to be ready (16 processes on a loaded 2-core box)


@dataclass
class RunResult:
    """One run's outcomes: (attempt kind, outcome, latency in seconds) per attempt, and the wall time."""

    mode: str
    clients: int
    elapsed: float
    outcomes: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        return len(self.outcomes)

    @property
    def successes(self) -> int:
        return sum(1 for _kind, outcome, _latency in self.outcomes if outcome == OK)

    @property
    def refusals(self) -> Counter:
        return Counter(outcome for _kind, outcome, _latency in self.outcomes if outcome != OK)

    @property
    def errors(self) -> int:
        """Outcomes that are no refusal of the checkout: exceptions, 5xx answers, connection failures."""
        return sum(n for outcome, n in self.refusals.items() if outcome.startswith(("error:", "http_", "connection:")))

    def percentile(self, fraction: float) -> float:
        """Latency (seconds) below which `fraction` of the attempts finished (nearest rank)."""
        ordered = sorted(latency for _kind, _outcome, latency in self.outcomes)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def _log_error(text: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    with ERRORS_LOG.open("a") as log:
        log.write(text.rstrip() + "\n\n")


def checkout_in_process(attempt: Attempt, store) -> str:
    """One checkout through the services, as the API view runs it; answers its outcome."""
    from django.core.exceptions import ValidationError
    from django.db import connection

    from storefront.accounts.models import User
    from storefront.accounts.selectors import user_address_or_none
    from storefront.orders import services
    from storefront.orders.payments import Card

    try:
        user = User.objects.get(pk=attempt.user_id)
        address = user_address_or_none(user=user, pk=attempt.address_id)
        details = services.CheckoutDetails(
            email=user.email, shipping_address=services.address_snapshot(address), coupon_code=attempt.coupon_code,
            points=attempt.points, language="en",
        )
        services.checkout_place(cart=services.cart_get(store=store, user=user), user=user, details=details,
                                card=Card(number=attempt.card_number, expiry=EXPIRY, cvc=CVC))
    except ValidationError as refusal:
        return getattr(refusal, "code", None) or "refused"
    except Exception as error:  # recorded as an outcome: the benchmark reports it and fails
        _log_error(f"attempt {attempt.index} ({attempt.kind}): {traceback.format_exc()}")
        connection.close()
        return f"error:{type(error).__name__}"
    return OK


def _service_client(attempts, ticket, ready, results) -> None:
    from django.db import connection

    from brands.models import RegionalStore

    store = RegionalStore.objects.get(code=STORE_CODE)  # also opens this process's own connection
    ready.wait(timeout=START_TIMEOUT)
    outcomes = []
    while True:
        with ticket.get_lock():
            index = ticket.value
            ticket.value += 1
        if index >= len(attempts):
            break
        attempt = attempts[index]
        started = time.perf_counter()
        outcome = checkout_in_process(attempt, store)
        outcomes.append((attempt.kind, outcome, time.perf_counter() - started))
    connection.close()
    results.put((outcomes, time.monotonic()))


def run_services(fixture: Fixture, clients: int) -> RunResult:
    """Runs the fixture's attempts from `clients` forked processes; the parent's connections are closed
    first so that no child shares one."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    ticket = context.Value("i", 0)
    ready = context.Barrier(clients + 1)
    results = context.Queue()
    processes = [context.Process(target=_service_client, args=(fixture.attempts, ticket, ready, results))
                 for _ in range(clients)]
    for process in processes:
        process.start()
    ready.wait(timeout=START_TIMEOUT)
    started = time.monotonic()
    collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
    result = RunResult(mode="services", clients=clients, elapsed=max(end for _o, end in collected) - started)
    for outcomes, _end in collected:
        result.outcomes.extend(outcomes)
    return result


def checkout_over_http(connection: http.client.HTTPConnection, attempt: Attempt) -> str:
    """POSTs one checkout to the API; answers "ok" (201), the refusal's code (400) or what went wrong."""
    headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": CSRF_TOKEN,
               "Cookie": f"sessionid={attempt.session_key}; csrftoken={CSRF_TOKEN}"}
    try:
        connection.request("POST", CHECKOUT_PATH, body=json.dumps(attempt.api_body()), headers=headers)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        return f"connection:{type(error).__name__}"
    if response.status == 201:
        return OK
    if response.status == 400:
        try:
            return json.loads(body)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            pass
    text = body[:2000].decode(errors="replace")
    _log_error(f"attempt {attempt.index} ({attempt.kind}): HTTP {response.status}\n{text}")
    return f"http_{response.status}"


def http_warm_up(fixture: Fixture, *, port: int, workers: int) -> str:
    """The warm-up checkout, then a few cart reads from as many threads as workers, so that every worker
    has imported the code and opened its connection before the clock starts. Answers the warm-up's outcome."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    outcome = checkout_over_http(connection, fixture.warmup)
    connection.close()

    def read_cart():
        reader = http.client.HTTPConnection(HOST, port, timeout=60)
        for _ in range(2):
            reader.request("GET", f"/api/v1/stores/{STORE_CODE}/cart/",
                           headers={"Cookie": f"sessionid={fixture.warmup.session_key}"})
            reader.getresponse().read()
        reader.close()

    threads = [threading.Thread(target=read_cart) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def run_http(fixture: Fixture, clients: int, *, port: int) -> RunResult:
    """Runs the fixture's attempts from `clients` threads against the API on 127.0.0.1:`port`."""
    lock = threading.Lock()
    next_index = 0
    result = RunResult(mode="http", clients=clients, elapsed=0.0)
    ready = threading.Barrier(clients + 1)

    def client():
        nonlocal next_index
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        outcomes = []
        ready.wait(timeout=START_TIMEOUT)
        while True:
            with lock:
                index = next_index
                next_index += 1
            if index >= len(fixture.attempts):
                break
            attempt = fixture.attempts[index]
            started = time.perf_counter()
            outcome = checkout_over_http(connection, attempt)
            outcomes.append((attempt.kind, outcome, time.perf_counter() - started))
        connection.close()
        with lock:
            result.outcomes.extend(outcomes)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=START_TIMEOUT)
    started = time.monotonic()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - started
    return result
