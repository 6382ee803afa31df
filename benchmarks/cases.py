"""Cases benchmark: the agents' queue (each filter), a case page and the queue API at two data sizes.

    python benchmarks/cases.py [--sizes 2000 200000] [--requests 15] [--rebuild]

Builds or reuses one database per size (benchmarks/case_data.py: SQLite `var/bench/cases-<size>.sqlite3`;
with DATABASE_URL naming a PostgreSQL database with "bench" in its name, that name plus `_<size>`), then,
for an agent (POCO and Redmi in uk and fr) and an admin (every case), requests each page in-process
(django.test.Client, logged in, DEBUG off) and records its SQL queries and the median time of `--requests`
requests. The sizes are measured in turns, page by page (a third of the requests at a time), so a change of
machine load hits both. The target: the same number of queries at every size, and the largest size within
2x the time of the smallest. Prints a table, writes var/bench/cases.json, exits 1 if a page misses.
"""

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_RATIO = 2.0
DEEP_PAGE = 300
ROUNDS = 3


@dataclass
class Page:
    """One page to measure: a name, and its URL at each size (search terms and cursors differ by size)."""

    role: str
    name: str
    urls: dict[int, str] = field(default_factory=dict)
    queries: dict[int, int] = field(default_factory=dict)
    times_ms: dict[int, list[float]] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()


def database_name(size: int) -> str:
    """The database of one size: a SQLite file under var/bench, or the DATABASE_URL's name plus the size."""
    from django.conf import settings

    from .paths import BENCH_DIR

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return str(BENCH_DIR / f"cases-{size}.sqlite3")
    return f"{urlparse(os.environ['DATABASE_URL']).path.lstrip('/')}_{size}"


def use_database(size: int) -> None:
    """Points the default connection at the database of `size` (closing the current connection)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database_name(size)


def prepare(size: int, *, rebuild: bool) -> None:
    """Migrates the database of `size` and leaves exactly `size` generated cases in it."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from .case_data import cases_ensure, generated_case_count
    from .database import create_postgres_database_if_missing
    from .paths import BENCH_DIR

    use_database(size)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
    else:
        create_postgres_database_if_missing()
    call_command("migrate", verbosity=0, interactive=False)
    existing = generated_case_count()
    if rebuild or existing > size:
        print(f"emptying {database_name(size)} ({existing} generated cases)", file=sys.stderr)
        call_command("flush", verbosity=0, interactive=False)
        existing = 0
    if existing < size:
        started = time.monotonic()
        print(f"generating cases {existing} to {size} in {database_name(size)}...", file=sys.stderr)
        cases_ensure(cases=size, progress=lambda n: print(f"  {n} cases", file=sys.stderr)
                     if n % 20_000 == 0 or n == size else None)
        with connection.cursor() as cursor:
            # Fresh planner statistics; on PostgreSQL also the visibility map, without which an index-only
            # scan still reads every row from the table (autovacuum does it in time, not before a run).
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
        print(f"  done in {time.monotonic() - started:.0f} s", file=sys.stderr)


def _deep_cursor(scope, filters, now) -> tuple[str, int]:
    """The cursor that opens page DEEP_PAGE of the queue under `filters` (its last full page if shorter)."""
    from django.conf import settings
    from django.db.models import F

    from aftersales.selectors import case_queue, cursor_encode

    size = settings.AFTERSALES_QUEUE_PAGE_SIZE
    total = case_queue(scope=scope, filters=filters, now=now).count()
    page = max(2, min(DEEP_PAGE, total // size))
    ordered = case_queue(scope=scope, filters=filters, now=now).order_by(F("due_at").asc(nulls_last=True), "id")
    last_of_previous = ordered.only("pk", "due_at")[(page - 1) * size - 1]
    return cursor_encode(last_of_previous), page


def page_urls(user) -> dict[str, tuple[str, str]]:
    """name -> (URL, note) of every page measured for `user`, in the database now in use."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils import timezone

    from aftersales.models import Case, Status
    from aftersales.scope import agent_scope
    from aftersales.selectors import QueueFilters
    from aftersales.transitions import ACTIVE
    from brands.models import Brand, RegionalStore

    scope, now = agent_scope(user), timezone.now()
    # A case on the agent's default (active) queue, answered (a thread), about an order, with an IMEI.
    case = (scope.cases(Case.objects.filter(status__in=ACTIVE[1:], order__isnull=False,
                                            serial_number__startswith="86"))
            .select_related("customer", "order").order_by("pk").first())
    # Deep pages of the active queue (cases with a deadline) and of the closed cases (without one).
    deep_active, deep_active_page = _deep_cursor(scope, QueueFilters(active_only=True), now)
    deep_closed, deep_closed_page = _deep_cursor(scope, QueueFilters(status=Status.CLOSED), now)
    queue, api = reverse("aftersales:queue"), reverse("api:aftersales:support-queue")
    queue_params = {
        "queue (active)": {}, "brand": {"brand": Brand.objects.get(slug="poco").pk},
        "store": {"store": RegionalStore.objects.get(code="uk").pk}, "status": {"status": "in_repair"},
        "kind": {"kind": "warranty"}, "priority": {"priority": "urgent"}, "mine": {"assigned": "me"},
        "unassigned": {"assigned": "unassigned"}, "due soon": {"due": "soon"}, "breached": {"due": "breached"},
        "carried over": {"source": "po.co"}, "new": {"source": "store"},
        "search number": {"q": case.number}, "search e-mail": {"q": case.customer.email},
        "search order": {"q": case.order.number}, "search IMEI": {"q": case.serial_number},
        "deep page": {"cursor": deep_active}, "deep page closed": {"status": "closed", "cursor": deep_closed},
    }
    urls = {name: (f"{queue}?{urlencode(params)}" if params else queue, "") for name, params in queue_params.items()}
    urls["deep page"] = (urls["deep page"][0], f"page {deep_active_page}")
    urls["deep page closed"] = (urls["deep page closed"][0], f"page {deep_closed_page}")
    urls["case page"] = (reverse("aftersales:case", args=[case.number]), "")
    urls["queue API"] = (api, "")
    urls["queue API deep"] = (f"{api}?{urlencode({'cursor': deep_active})}", f"page {deep_active_page}")
    return urls


def logged_in_client(email: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(email=email)
    client = Client()
    client.force_login(user)
    return client, user


def _get(client, url: str) -> float:
    """Milliseconds for one request; a non-200 answer stops the benchmark (it would measure an error)."""
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return elapsed


def measure(sizes: list[int], *, requests: int) -> list[Page]:
    """Every page of both roles at every size: queries of one request, then timed requests in turns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .case_data import ADMIN_EMAIL, AGENT_EMAIL

    pages: dict[tuple[str, str], Page] = {}
    clients = {}
    for size in sizes:
        use_database(size)
        for role, email in (("agent", AGENT_EMAIL), ("admin", ADMIN_EMAIL)):
            client, user = logged_in_client(email)
            clients[size, role] = client
            for name, (url, note) in page_urls(user).items():
                page = pages.setdefault((role, name), Page(role=role, name=name))
                page.urls[size], page.notes[size], page.times_ms[size] = url, note, []
    per_round = max(1, requests // ROUNDS)
    for page in pages.values():
        for round_number in range(ROUNDS):
            for size in sizes:
                use_database(size)
                client, url = clients[size, page.role], page.urls[size]
                _get(client, url)  # warm-up: connection, caches
                if round_number == 0:
                    with CaptureQueriesContext(connection) as queries:
                        _get(client, url)
                    page.queries[size] = len(queries)
                page.times_ms[size] += [_get(client, url) for _ in range(per_round)]
        print(f"  measured {page.role} {page.name}", file=sys.stderr)
    connection.close()
    return list(pages.values())


def report_rows(pages: list[Page], sizes: list[int]) -> list[dict]:
    small, large = sizes[0], sizes[-1]
    rows = []
    for page in pages:
        medians = {size: statistics.median(page.times_ms[size]) for size in sizes}
        ratio = medians[large] / medians[small]
        same_queries = len(set(page.queries.values())) == 1
        rows.append({
            "role": page.role, "page": page.name, "queries": {str(s): page.queries[s] for s in sizes},
            "median_ms": {str(s): round(medians[s], 1) for s in sizes}, "ratio": round(ratio, 2),
            "same_queries": same_queries, "within_target": ratio <= TARGET_RATIO,
            "notes": {str(s): page.notes[s] for s in sizes if page.notes[s]},
            "urls": {str(s): page.urls[s] for s in sizes},
        })
    return rows


def print_report(report: dict) -> None:
    sizes = report["sizes"]
    small, large = str(sizes[0]), str(sizes[-1])
    print(f"\nCases benchmark, {report['date']}, {report['database']}, in-process (django.test.Client, DEBUG off), "
          f"median of {report['requests']} requests per page and size, {report['cpus']} CPUs, load average "
          f"{' '.join(map(str, report['load_average_before']))} before, "
          f"{' '.join(map(str, report['load_average_after']))} after")
    print(f"{'role':<6}{'page':<20}{'queries ' + small:>13}{'queries ' + large:>15}{'ms ' + small:>10}"
          f"{'ms ' + large:>12}{'ratio':>8}  verdict")
    for row in report["rows"]:
        verdict = "ok" if row["within_target"] and row["same_queries"] else "MISSES"
        if not row["same_queries"]:
            verdict += " (queries differ)"
        if not row["within_target"]:
            verdict += f" (over {TARGET_RATIO:g}x)"
        notes = "; ".join(f"{size}: {note}" for size, note in row["notes"].items())
        print(f"{row['role']:<6}{row['page']:<20}{row['queries'][small]:>13}{row['queries'][large]:>15}"
              f"{row['median_ms'][small]:>10}{row['median_ms'][large]:>12}{row['ratio']:>8.2f}  {verdict}"
              f"{'  [' + notes + ']' if notes else ''}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 200_000],
                        help="numbers of generated cases, smallest first (default 2000 200000)")
    parser.add_argument("--requests", type=int, default=15, help="timed requests per page and size (default 15)")
    parser.add_argument("--rebuild", action="store_true", help="empty and regenerate the databases")
    args = parser.parse_args(argv)
    if len(args.sizes) < 2 or any(s < 100 for s in args.sizes) or args.sizes != sorted(set(args.sizes)):
        parser.error("--sizes needs two or more distinct sizes of at least 100 cases, smallest first")
    if args.requests < ROUNDS:
        parser.error(f"--requests must be at least {ROUNDS}")

    from .database import BenchDatabaseError, check_database_url
    from .paths import BENCH_DIR

    try:
        check_database_url()
    except BenchDatabaseError as error:
        parser.error(str(error))
    _setup_django()
    from django.conf import settings

    for size in args.sizes:
        prepare(size, rebuild=args.rebuild)
    load_before = [round(x, 2) for x in os.getloadavg()]
    pages = measure(args.sizes, requests=args.requests)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "sizes": args.sizes,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1], "requests": args.requests,
        "cpus": os.cpu_count(), "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()], "rows": report_rows(pages, args.sizes),
    }
    print_report(report)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    (BENCH_DIR / f"cases-{report['database']}.json").write_text(json.dumps(report, indent=2))
    return 0 if all(row["within_target"] and row["same_queries"] for row in report["rows"]) else 1


if __name__ == "__main__":
    __package__ = "benchmarks"
    sys.exit(main())
