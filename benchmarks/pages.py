"""Page benchmark: POCO shopper pages and the products API under gunicorn, each beside a trivial view.

    python benchmarks/pages.py [--products 20000] [--duration 6] [--workers N] [--concurrency 4]

One run: builds or reuses the benchmark database (benchmarks/database.py), counts the SQL queries of each
page in-process, starts gunicorn on 127.0.0.1, then for each page measures the trivial view and the page
back to back (so both see the same machine load) and prints requests per second, p50/p95 latency and the
page/trivial throughput ratio against the target (at least 0.5). Figures go to var/bench/pages.json too.
"""

import argparse
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_RATIO = 0.5


@dataclass(frozen=True)
class Target:
    name: str
    path: str


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()


def benchmark_targets() -> tuple[list[Target], list[str]]:
    """The pages to measure, and notes on any that cannot be (the API before it lands)."""
    from django.test import Client

    from storefront.catalog.models import Product

    product = (Product.objects.filter(brand__slug="poco", reviews__status="published")
               .order_by("pk").values_list("slug", flat=True).first())
    targets = [
        Target("category", "/uk/poco/phones/"),
        Target("product", f"/uk/poco/p/{product}/"),
        Target("search", "/uk/search/?q=poco"),
    ]
    notes = []
    api = Target("products API", API_PRODUCTS_PATH)
    status = Client().get(api.path).status_code
    if status == 200:
        targets.append(api)
    else:
        notes.append(f"products API skipped: GET {api.path} answered {status} (the API has not landed here)")
    return targets, notes


API_PRODUCTS_PATH = "/api/v1/stores/uk/products/?brand=poco"


def query_counts(paths: dict[str, str]) -> dict[str, int]:
    """SQL queries per page, counted in-process after one warm-up request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, counts = Client(), {}
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counts[name] = len(queries)
    connection.close()
    return counts


def _figures(result) -> dict:
    return {"rps": round(result.per_second, 1), "p50_ms": round(result.percentile(0.5) * 1000, 1),
            "p95_ms": round(result.percentile(0.95) * 1000, 1), "requests": result.requests,
            "non_200": sum(n for status, n in result.statuses.items() if status != 200),
            "errors": sum(result.errors.values())}


def measure(targets, *, port, duration, warmup, concurrency) -> list[dict]:
    from .loadgen import run_load
    from .paths import TRIVIAL_PATH

    rows = []
    for target in targets:
        run_load([TRIVIAL_PATH, target.path], port=port, duration=warmup, concurrency=concurrency)
        trivial = _figures(run_load([TRIVIAL_PATH], port=port, duration=duration, concurrency=concurrency))
        page = _figures(run_load([target.path], port=port, duration=duration, concurrency=concurrency))
        ratio = page["rps"] / trivial["rps"] if trivial["rps"] else 0.0
        rows.append({"name": target.name, "path": target.path, "page": page, "trivial": trivial,
                     "ratio": round(ratio, 3), "meets_target": ratio >= TARGET_RATIO})
        print(f"  measured {target.name}: {page['rps']} req/s beside {trivial['rps']} (ratio {ratio:.2f})",
              file=sys.stderr)
    return rows


def print_report(report: dict) -> None:
    print(f"\nPages benchmark, {report['date']}, {report['products']} products, {report['database']}, "
          f"gunicorn {report['workers']} sync workers, client {report['concurrency']} threads, "
          f"{report['duration']}s per measurement, {report['cpus']} CPUs (client and server share them)")
    print(f"{'page':<14}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'trivial req/s':>15}{'ratio':>8}  target >= "
          f"{TARGET_RATIO}")
    for row in report["rows"]:
        page, trivial = row["page"], row["trivial"]
        verdict = "meets" if row["meets_target"] else "MISSES"
        print(f"{row['name']:<14}{page['rps']:>9}{page['p50_ms']:>9}{page['p95_ms']:>9}{trivial['rps']:>15}"
              f"{row['ratio']:>8.2f}  {verdict}")
        if page["non_200"] or page["errors"] or trivial["non_200"] or trivial["errors"]:
            print(f"  warning: {page['non_200']} non-200 answers and {page['errors']} connection errors")
    print("\nSQL queries per page at this catalog size:")
    for name, count in report["queries"].items():
        print(f"  {name:<14}{count:>4}")
    for note in report["notes"]:
        print(f"note: {note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=20_000, help="generated products (default 20000)")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per measurement (default 6)")
    parser.add_argument("--warmup", type=float, default=1.5, help="seconds of warm-up per page (default 1.5)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: one per CPU)")
    parser.add_argument("--rebuild", action="store_true", help="empty and regenerate the benchmark database")
    args = parser.parse_args(argv)
    if args.products < 1 or args.duration <= 0 or args.warmup <= 0 or args.concurrency < 1:
        parser.error("--products, --duration, --warmup and --concurrency must be positive")

    from .database import BenchDatabaseError, check_database_url
    from .paths import BENCH_DIR
    from .server import default_workers, gunicorn_server

    try:
        check_database_url()
    except BenchDatabaseError as error:
        parser.error(str(error))
    _setup_django()
    from django.conf import settings

    from .database import bench_database_prepare

    bench_database_prepare(products=args.products, rebuild=args.rebuild)
    targets, notes = benchmark_targets()
    counted = {"store home": "/uk/", "brand landing": "/uk/poco/", **{t.name: t.path for t in targets}}
    workers = args.workers or default_workers()
    with gunicorn_server(workers=workers) as port:
        rows = measure(targets, port=port, duration=args.duration, warmup=args.warmup,
                       concurrency=args.concurrency)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "products": args.products,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1], "workers": workers,
        "concurrency": args.concurrency, "duration": args.duration, "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rows": rows, "queries": query_counts(counted), "notes": notes,
    }
    print_report(report)
    (BENCH_DIR / "pages.json").write_text(json.dumps(report, indent=2))
    return 0 if all(row["meets_target"] for row in rows) else 1


if __name__ == "__main__":
    __package__ = "benchmarks"
    sys.exit(main())
