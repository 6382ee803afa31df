"""Load test: a mix of shopper pages and API endpoints, malformed parameters included, under gunicorn.

    python benchmarks/loadtest.py [--duration 30] [--products 20000] [--concurrency 4]

Requests every URL of the mix once, then runs the mix for a bounded time against gunicorn on 127.0.0.1
over the benchmark database (benchmarks/database.py), then prints the count of each status code, and the
URLs that answered 5xx or failed to connect. Exits 1 if any did: bad input must give a clear 4xx or a
page, never a 500.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def request_mix(product_slugs: list[str]) -> list[str]:
    """Shopper pages, the API, and the malformed or unknown requests shoppers and bots send."""
    pages = ["/uk/", "/uk/poco/", "/uk/poco/phones/", "/uk/poco/phones/?sort=price&page=3",
             "/fr/poco/phones/flagship/?color=Black&page_size=96", "/uk/search/?q=poco+model",
             "/global/search/?q=redmi&brand=redmi&category=phones&sort=-price",
             "/in/", "/in/poco/", "/in/xiaomi/audio/"]
    pages += [f"/uk/poco/p/{slug}/" for slug in product_slugs]
    malformed = ["/uk/poco/phones/?page=abc", "/uk/poco/phones/?price_min=-x&price_max=abc",
                 "/uk/poco/phones/?page=999999", "/uk/poco/phones/?page_size=100000&page=-1",
                 "/uk/search/?q=%00%ff&category=nope/none", "/uk/search/?sort=drop+table&color=" + "x" * 300,
                 "/uk/poco/phones/?price_min=10&price_max=1", "/zz/", "/zz/poco/", "/uk/nobrand/",
                 "/uk/poco/p/no-such-product/", "/uk/poco/no/such/category/"]
    api = ["/api/v1/stores/", "/api/v1/brands/poco/", "/api/v1/categories/",
           "/api/v1/stores/uk/products/?brand=poco", "/api/v1/stores/fr/products/?q=poco&ordering=price",
           f"/api/v1/stores/uk/products/poco/{product_slugs[0]}/",
           f"/api/v1/stores/uk/products/poco/{product_slugs[0]}/reviews/",
           "/api/v1/stores/uk/products/?page=abc", "/api/v1/stores/uk/products/?price_min=-x",
           "/api/v1/stores/uk/products/?page=99999", "/api/v1/stores/uk/products/?brand=nobrand",
           "/api/v1/stores/zz/products/", "/api/v1/stores/uk/products/poco/no-such-product/",
           f"/api/v1/stores/in/products/poco/{product_slugs[0]}/", "/api/v1/categories/no/such/"]
    return pages + malformed + api


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--products", type=int, default=20_000, help="generated products (default 20000)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: one per CPU)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many (default 100000)")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.products < 1 or args.concurrency < 1 or args.max_requests < 1:
        parser.error("--duration, --products, --concurrency and --max-requests must be positive")

    from .database import BenchDatabaseError, check_database_url
    from .loadgen import run_load
    from .pages import _setup_django
    from .server import default_workers, gunicorn_server

    try:
        check_database_url()
    except BenchDatabaseError as error:
        parser.error(str(error))
    _setup_django()
    from django.db import connection

    from storefront.catalog.models import Product

    from .database import bench_database_prepare

    bench_database_prepare(products=args.products)
    slugs = list(Product.objects.filter(brand__slug="poco").order_by("pk").values_list("slug", flat=True)[:5])
    connection.close()
    paths = request_mix(slugs)
    with gunicorn_server(workers=args.workers or default_workers()) as port:
        # One pass over every URL first, so each is requested however slow the machine, then the timed mix.
        result = run_load(paths, port=port, duration=max(args.duration, 120), concurrency=1,
                          max_requests=len(paths))
        result.merge(run_load(paths, port=port, duration=args.duration, concurrency=args.concurrency,
                              max_requests=args.max_requests))

    print(f"\nLoad test: {result.requests} requests over {len(paths)} URLs in {result.elapsed:.1f}s "
          f"({result.per_second:.1f} req/s), p50 {result.percentile(0.5) * 1000:.0f} ms, "
          f"p95 {result.percentile(0.95) * 1000:.0f} ms")
    print("status codes: " + ", ".join(f"{status}: {n}" for status, n in sorted(result.statuses.items())))
    print("page cache answers: " + ", ".join(f"{state}: {n}" for state, n in sorted(result.cache.items())))
    missed = [path for path in paths if path not in result.by_path]
    if missed:
        print(f"  never answered: {', '.join(missed)}")
    failing = {path: counts for path, counts in result.by_path.items() if any(s >= 500 for s in counts)}
    for path, counts in sorted(failing.items()):
        print(f"  5xx at {path}: {dict(counts)}")
    if result.errors:
        print("connection errors: " + ", ".join(f"{name}: {n}" for name, n in result.errors.items()))
    server_errors = sum(n for status, n in result.statuses.items() if status >= 500)
    print(f"server errors (5xx): {server_errors}  ->  {'FAIL' if server_errors or result.errors else 'OK'}")
    return 1 if server_errors or result.errors else 0


if __name__ == "__main__":
    __package__ = "benchmarks"
    sys.exit(main())
