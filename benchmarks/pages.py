"""Page benchmark: POCO shopper pages and the products API under gunicorn, each beside a trivial view.

    python benchmarks/pages.py [--products 20000] [--duration 6] [--rounds 3] [--workers N] [--concurrency 4]

One run: builds or reuses the benchmark database (benchmarks/database.py), bumps the catalog version (the
run starts with no page cached), starts gunicorn on 127.0.0.1, then for each page measures in interleaved
rounds (so all three see the same machine load) the trivial view, the page **warm** (the same URL again
and again: after its first request it is served from the catalog page cache, as shoppers are between two
catalog writes) and the page **cold** (a parameter the page ignores, unique to each request, so every
request misses the cache and renders, as the first request after a catalog write does), and last counts
the SQL queries of each page in-process. It prints requests per second, p50/p95 latency and the
page/trivial throughput ratios, warm and cold. The target (at least 0.5) is judged on the warm ratio: see
docs/benchmarks.md for why. Figures go to var/bench/pages.json too.
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


def cold_path(path: str) -> str:
    """The path with a parameter no page reads, unique to each request: the page cache never has it."""
    from .loadgen import UNIQUE

    return f"{path}{'&' if '?' in path else '?'}bench_cold={UNIQUE}"


def query_counts(paths: dict[str, str]) -> dict[str, dict[str, int]]:
    """SQL queries per page, counted in-process: rendered (the cache off, after one warm-up request), and
    served from the page cache."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        return len(queries)

    client, counts = Client(), {}
    for name, path in paths.items():
        with override_settings(CATALOG_PAGE_CACHE_SECONDS=0):
            client.get(path)
            rendered = count(path)
        client.get(path)
        counts[name] = {"rendered": rendered, "cached": count(path)}
    connection.close()
    return counts


def cache_ready() -> str:
    """Says which cache serves the pages and bumps the catalog version, so nothing cached before counts;
    raises RuntimeError naming the cache when it cannot be reached."""
    from django.conf import settings
    from django.core.cache import cache

    from storefront.catalog.cache import catalog_version_bump

    configured = settings.CACHES["default"]
    described = f"{configured['BACKEND'].rsplit('.', 1)[-1]} {configured.get('LOCATION', '')}"
    try:
        cache.set("bench:probe", 1, timeout=5)
    except Exception as error:
        raise RuntimeError(f"the page cache ({described}) cannot be reached ({error}): start it, or name another "
                           "with CACHE_URL (e.g. redis://127.0.0.1:6379/1)") from error
    catalog_version_bump()
    return described.strip()


def _figures(result) -> dict:
    return {"rps": round(result.per_second, 1), "p50_ms": round(result.percentile(0.5) * 1000, 1),
            "p95_ms": round(result.percentile(0.95) * 1000, 1), "requests": result.requests,
            "non_200": sum(n for status, n in result.statuses.items() if status != 200),
            "errors": sum(result.errors.values()), "cache": dict(result.cache)}


def measure(targets, *, port, duration, warmup, concurrency, rounds) -> list[dict]:
    """Per page: a warm-up, then `rounds` rounds of (trivial, warm, cold), each `duration / rounds` seconds,
    summed: interleaved so that all three see the same swings of a shared machine's load."""
    from .loadgen import LoadResult, run_load
    from .paths import TRIVIAL_PATH

    rows = []
    for target in targets:
        run_load([TRIVIAL_PATH, target.path], port=port, duration=warmup, concurrency=concurrency)
        paths = {"trivial": TRIVIAL_PATH, "warm": target.path, "cold": cold_path(target.path)}
        results = {name: LoadResult(elapsed=0.0) for name in paths}
        for _ in range(rounds):
            for name, path in paths.items():
                results[name].merge(run_load([path], port=port, duration=duration / rounds, concurrency=concurrency))
        trivial, warm, cold = (_figures(results[name]) for name in paths)
        ratios = {name: round(page["rps"] / trivial["rps"], 3) if trivial["rps"] else 0.0
                  for name, page in (("warm", warm), ("cold", cold))}
        rows.append({"name": target.name, "path": target.path, "trivial": trivial, "warm": warm, "cold": cold,
                     "ratio_warm": ratios["warm"], "ratio_cold": ratios["cold"],
                     "meets_target": ratios["warm"] >= TARGET_RATIO})
        print(f"  measured {target.name}: warm {warm['rps']}, cold {cold['rps']} req/s beside {trivial['rps']} "
              f"(ratios {ratios['warm']:.2f}, {ratios['cold']:.2f})", file=sys.stderr)
    return rows


def print_report(report: dict) -> None:
    print(f"\nPages benchmark, {report['date']}, {report['products']} products, {report['database']}, "
          f"gunicorn {report['workers']} sync workers, client {report['concurrency']} threads, "
          f"{report['duration']}s per measurement in {report['rounds']} rounds, {report['cpus']} CPUs (client and "
          f"server share them), page cache {report['cache']}, load average {report['load_average']}")
    print(f"{'page':<14}{'trivial':>9}{'warm':>8}{'p50':>7}{'p95':>7}{'ratio':>7}{'cold':>8}{'p50':>7}{'p95':>7}"
          f"{'ratio':>7}  target: warm ratio >= {TARGET_RATIO}")
    for row in report["rows"]:
        trivial, warm, cold = row["trivial"], row["warm"], row["cold"]
        verdict = "meets" if row["meets_target"] else "MISSES"
        print(f"{row['name']:<14}{trivial['rps']:>9}{warm['rps']:>8}{warm['p50_ms']:>7.0f}{warm['p95_ms']:>7.0f}"
              f"{row['ratio_warm']:>7.2f}{cold['rps']:>8}{cold['p50_ms']:>7.0f}{cold['p95_ms']:>7.0f}"
              f"{row['ratio_cold']:>7.2f}  {verdict}")
        for name in ("trivial", "warm", "cold"):
            figures = row[name]
            if figures["non_200"] or figures["errors"]:
                print(f"  warning ({name}): {figures['non_200']} non-200 answers, {figures['errors']} connection "
                      "errors")
        print(f"  page cache answers: warm {row['warm']['cache']}, cold {row['cold']['cache']}")
    print("(req/s; p50 and p95 in ms)")
    print("\nSQL queries per page at this catalog size (rendered / served from the page cache):")
    for name, count in report["queries"].items():
        print(f"  {name:<14}{count['rendered']:>4} / {count['cached']}")
    for note in report["notes"]:
        print(f"note: {note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=20_000, help="generated products (default 20000)")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per measurement (default 6)")
    parser.add_argument("--warmup", type=float, default=1.5, help="seconds of warm-up per page (default 1.5)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="slices each measurement is cut into, interleaved with the others (default 3)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: one per CPU)")
    parser.add_argument("--rebuild", action="store_true", help="empty and regenerate the benchmark database")
    args = parser.parse_args(argv)
    if args.products < 1 or args.duration <= 0 or args.warmup <= 0 or args.concurrency < 1 or args.rounds < 1:
        parser.error("--products, --duration, --warmup, --concurrency and --rounds must be positive")

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
    try:
        cache = cache_ready()
    except RuntimeError as error:
        parser.error(str(error))
    targets, notes = benchmark_targets()
    counted = {"store home": "/uk/", "brand landing": "/uk/poco/", **{t.name: t.path for t in targets}}
    workers = args.workers or default_workers()
    with gunicorn_server(workers=workers) as port:
        rows = measure(targets, port=port, duration=args.duration, warmup=args.warmup, rounds=args.rounds,
                       concurrency=args.concurrency)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "products": args.products,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1], "workers": workers,
        "concurrency": args.concurrency, "duration": args.duration, "rounds": args.rounds, "cpus": os.cpu_count(),
        "cache": cache,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "rows": rows, "queries": query_counts(counted), "notes": notes,
    }
    print_report(report)
    (BENCH_DIR / "pages.json").write_text(json.dumps(report, indent=2))
    return 0 if all(row["meets_target"] for row in rows) else 1


if __name__ == "__main__":
    __package__ = "benchmarks"
    sys.exit(main())
