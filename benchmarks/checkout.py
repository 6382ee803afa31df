"""Checkout benchmark: checkouts per second on PostgreSQL under 1, 4 and 16 simultaneous clients, the share
of each refusal, the invariants after each run, and the throughput of importing points and coupons.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/checkout_bench python benchmarks/checkout.py
        [--attempts 400] [--clients 1,4,16] [--mode both|services|http] [--workers N]
        [--import-customers 10000 | --import-customers 0]

Each run starts from the same state: the database (its name must contain "bench"; created if missing) is
emptied, migrated, given a generated catalog and then the fixture of benchmarks/checkout_data.py (customers
with points, addresses and filled carts; a hot variant with little stock; public, limited and single-use
coupons). One warm-up checkout, then the clients (benchmarks/checkout_clients.py) take the attempts until
none is left. After each run the invariants (benchmarks/checkout_invariants.py) are checked.

Then, unless --import-customers 0: a generated legacy bundle of that many customers is imported with
`import_legacy BUNDLE --only customers,points,coupons` into the emptied database, and the points and coupons
phases of the run's timings give records per second.

Figures go to stdout and to var/bench/checkout.json. Exit status 1 when an invariant fails or an attempt
ended in an error (an exception, a 5xx, a lost connection): see var/bench/checkout-errors.log.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CATALOG_PRODUCTS = 200
IMPORTED_ENTITIES = ("customers", "points", "coupons")
SERVER_STARTUP_TIMEOUT = 300  # seconds: gunicorn workers importing Django on a loaded 2-core machine


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    # Order e-mails are rendered and queued as in production; only the delivery is skipped (the console
    # backend would print every one). Set here so the gunicorn server and the import inherit it.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    import django

    django.setup()


def _fresh_fixture(attempts: int):
    from .checkout_data import checkout_fixture_build
    from .database import bench_database_prepare

    bench_database_prepare(products=CATALOG_PRODUCTS, rebuild=True)
    return checkout_fixture_build(attempts=attempts)


def _warm_up_in_process(fixture) -> str:
    """The warm-up checkout in the parent, so the forked clients start with the code loaded."""
    from brands.models import RegionalStore

    from .checkout_clients import checkout_in_process
    from .checkout_data import STORE_CODE

    return checkout_in_process(fixture.warmup, RegionalStore.objects.get(code=STORE_CODE))


def measure_run(*, mode: str, clients: int, attempts: int, workers: int | None) -> dict:
    from .checkout_clients import OK, http_warm_up, run_http, run_services
    from .checkout_invariants import invariants_check
    from .server import gunicorn_server

    fixture = _fresh_fixture(attempts)
    if mode == "services":
        warm = _warm_up_in_process(fixture)
        if warm != OK:
            raise RuntimeError(f"the warm-up checkout did not succeed: {warm}")
        result = run_services(fixture, clients)
        server_workers = None
    else:
        server_workers = workers or min(clients, 2 * (os.cpu_count() or 1) + 1)
        with gunicorn_server(workers=server_workers, startup_timeout=SERVER_STARTUP_TIMEOUT) as port:
            warm = http_warm_up(fixture, port=port, workers=server_workers)
            if warm != OK:
                raise RuntimeError(f"the warm-up checkout did not succeed over HTTP: {warm}")
            result = run_http(fixture, clients, port=port)
    checks = invariants_check(fixture, successes=result.successes)
    row = {
        "mode": mode, "clients": clients, "gunicorn_workers": server_workers, "attempts": result.attempts,
        "successes": result.successes, "seconds": round(result.elapsed, 2),
        "attempts_per_s": round(result.attempts / result.elapsed, 1),
        "successes_per_s": round(result.successes / result.elapsed, 1),
        "p50_ms": round(result.percentile(0.5) * 1000, 1), "p95_ms": round(result.percentile(0.95) * 1000, 1),
        "refusals": {code: round(100 * n / result.attempts, 1) for code, n in result.refusals.most_common()},
        "errors": result.errors, "hot_units": fixture.hot_units,
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
    }
    _print_run(row)
    return row


def _print_run(row: dict) -> None:
    print(f"\n{row['mode']}, {row['clients']} clients: {row['attempts']} attempts in {row['seconds']} s, "
          f"{row['successes']} orders", file=sys.stderr)
    for check in row["checks"]:
        print(f"  [{'ok' if check['ok'] else 'FAILED'}] {check['name']}: {check['detail']}", file=sys.stderr)


def _manage(*args: str) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=os.environ.copy(),
                          capture_output=True, text=True)


def measure_import(customers: int) -> dict:
    """Imports customers, points and coupons of a generated bundle into the emptied database; the points and
    coupons figures come from the run's report (records read) and timings (seconds per entity)."""
    from brands.legacy.models import ImportRun
    from brands.services import reference_data_ensure

    from .database import bench_database_prepare
    from .paths import BENCH_DIR

    bundle = BENCH_DIR / f"legacy-bundle-{customers}"
    if not (bundle / "manifest.json").exists():
        print(f"writing a legacy bundle of {customers} customers to {bundle}...", file=sys.stderr)
        made = _manage("make_legacy_bundle", str(bundle), "--customers", str(customers), "--clean")
        if made.returncode:
            raise RuntimeError(f"make_legacy_bundle failed:\n{made.stdout}\n{made.stderr}")
    bench_database_prepare(products=0, rebuild=True)
    reference_data_ensure()
    report_path = BENCH_DIR / "checkout-import-report.json"
    print(f"importing {', '.join(IMPORTED_ENTITIES)} of {bundle.name} (passwords are wrapped: minutes)...",
          file=sys.stderr)
    started = time.perf_counter()
    imported = _manage("import_legacy", str(bundle), "--only", ",".join(IMPORTED_ENTITIES),
                       "--report", str(report_path))
    wall = time.perf_counter() - started
    if imported.returncode not in (0, 1):  # 1: some lines quarantined, as the generator intends
        raise RuntimeError(f"import_legacy failed ({imported.returncode}):\n{imported.stdout}\n{imported.stderr}")
    report = json.loads(report_path.read_text())
    timings = ImportRun.objects.order_by("-started_at", "-id").values_list("timings", flat=True).first()
    figures = {"customers": customers, "wall_seconds": round(wall, 1), "timings": timings, "entities": {}}
    for entity in IMPORTED_ENTITIES:
        counts, seconds = report["entities"][entity], timings.get(entity)
        figures["entities"][entity] = {
            "read": counts["read"], "created": counts["created"], "seconds": seconds,
            "records_per_s": round(counts["read"] / seconds, 1) if seconds else None,
        }
    return figures


def print_report(report: dict) -> None:
    print(f"\nCheckout benchmark, {report['date']}, PostgreSQL {report['postgres']}, {report['cpus']} CPUs "
          f"(clients, server and database share them), load before {report['load_before']}, after "
          f"{report['load_after']}, {report['attempts']} attempts per run")
    print(f"{'mode':<9}{'clients':>8}{'attempts/s':>12}{'orders/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
          "  refusals (% of attempts)")
    for row in report["rows"]:
        refusals = ", ".join(f"{code} {share}" for code, share in row["refusals"].items()) or "none"
        print(f"{row['mode']:<9}{row['clients']:>8}{row['attempts_per_s']:>12}{row['successes_per_s']:>10}"
              f"{row['p50_ms']:>9}{row['p95_ms']:>9}{row['errors']:>8}  {refusals}")
    failed = [(row, c) for row in report["rows"] for c in row["checks"] if not c["ok"]]
    print(f"invariants: {'all held after every run' if not failed else f'{len(failed)} FAILED'}")
    for row, check in failed:
        print(f"  {row['mode']} {row['clients']} clients: {check['name']}: {check['detail']}")
    imported = report.get("import")
    if imported:
        print(f"\nimport_legacy --only {','.join(IMPORTED_ENTITIES)}, {imported['customers']} customers: "
              f"{imported['wall_seconds']} s wall; timings {imported['timings']}")
        for entity, figures in imported["entities"].items():
            print(f"  {entity:<10} {figures['read']:>7} read {figures['created']:>7} created "
                  f"{figures['seconds']:>8} s  {figures['records_per_s']} records/s")


def _positive_ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not values or any(value < 1 for value in values):
        raise argparse.ArgumentTypeError(f"expected positive numbers, got {text!r}")
    return values


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=400, help="checkout attempts per run (default 400)")
    parser.add_argument("--clients", type=_positive_ints, default=[1, 4, 16],
                        help="simultaneous clients, one run each (default 1,4,16)")
    parser.add_argument("--mode", choices=("both", "services", "http"), default="both",
                        help="processes calling the services, threads calling the API, or both (default)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers for the HTTP runs (default: the run's clients, at most 2 x CPUs + 1)")
    parser.add_argument("--import-customers", type=int, default=10_000,
                        help="customers of the imported legacy bundle; 0 skips the import (default 10000)")
    args = parser.parse_args(argv)
    if args.attempts < 10:
        parser.error("--attempts must be at least 10")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.import_customers < 0:
        parser.error("--import-customers must be 0 or more")

    from .database import BenchDatabaseError, check_database_url

    if not os.environ.get("DATABASE_URL"):
        parser.error("the checkout benchmark measures PostgreSQL (SQLite runs one writer at a time): set "
                     "DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/checkout_bench")
    try:
        check_database_url()
    except BenchDatabaseError as error:
        parser.error(str(error))
    _setup_django()
    from django.db import connection

    from .paths import BENCH_DIR

    load_before = [round(x, 2) for x in os.getloadavg()]
    modes = ["services", "http"] if args.mode == "both" else [args.mode]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(), "postgres": postgres,
        "attempts": args.attempts, "load_before": load_before, "load_after": None, "rows": [], "import": None,
    }
    results = BENCH_DIR / "checkout.json"
    for mode in modes:
        for clients in args.clients:
            report["rows"].append(measure_run(mode=mode, clients=clients, attempts=args.attempts,
                                              workers=args.workers))
            results.write_text(json.dumps(report, indent=2))  # what was measured survives a later failure
    report["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.import_customers:
        report["import"] = measure_import(args.import_customers)
    print_report(report)
    results.write_text(json.dumps(report, indent=2))
    rows = report["rows"]
    failed = any(not check["ok"] for row in rows for check in row["checks"]) or any(row["errors"] for row in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    __package__ = "benchmarks"
    sys.exit(main())
