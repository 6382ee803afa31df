"""Fuzzes the API with schemathesis against its own OpenAPI schema: `make fuzz` (or `python scripts/fuzz_api.py`).

1. Makes a throwaway store: a SQLite file in a temporary folder (or the empty database FUZZ_DATABASE_URL
   names, e.g. a PostgreSQL one made for the run), migrated and seeded with a small catalog by the test
   factories.
2. Serves it with gunicorn on a free loopback port, DEBUG off as in production (errors come from the
   handlers, not Django's debug pages); the server's log, with a traceback for any 5xx, is kept in
   var/fuzz-api-server.log.
3. Runs `schemathesis run` on /api/schema/ with every check (settings in scripts/schemathesis.toml).

The exit status is schemathesis': 0 when no request answered a 5xx or broke the schema. Arguments after `--`
go to `schemathesis run` (e.g. `make fuzz FUZZ_ARGS="--max-examples 300"`)."""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONFIG = Path(__file__).with_name("schemathesis.toml")
HOST = "127.0.0.1"
SERVER_LOG = BASE_DIR / "var" / "fuzz-api-server.log"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def store_environment(workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "storefront.settings.base",
        "DATABASE_URL": os.environ.get("FUZZ_DATABASE_URL", f"sqlite:///{workdir / 'fuzz.sqlite3'}"),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "CELERY_BROKER_URL": "",
    }


def seed_catalog() -> None:
    """A small catalog covering what the API distinguishes: stores and brands (POCO external in `in`), a
    category subtree, products priced and stocked per store with images, a discontinued product, published
    and pending reviews with a reply. Runs inside this process once Django is set up."""
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.utils import timezone

    from brands.services import reference_data_ensure
    from storefront.catalog.models import Product, ProductImage, ReviewReply
    from tests.factories import (
        CategoryFactory,
        PriceFactory,
        ProductFactory,
        ReviewFactory,
        StockFactory,
        VariantFactory,
        get_brand,
        get_store,
    )

    call_command("migrate", verbosity=0)
    reference_data_ensure()
    phones = CategoryFactory(name="Phones", slug="phones")
    poco_f = CategoryFactory(name="POCO F", slug="poco-f", parent=phones)
    audio = CategoryFactory(name="Audio", slug="audio")
    prices = {"global": "399.00", "uk": "349.99", "fr": "379.90", "in": "29999.00"}
    catalog = [
        ("poco", "POCO F6", poco_f, ["global", "uk", "fr"]),
        ("poco", "POCO X6 Pro", phones, ["global", "uk", "in"]),
        ("redmi", "Redmi Note 13", phones, ["global", "uk", "fr", "in"]),
        ("xiaomi", "Xiaomi Buds 5", audio, ["global", "fr", "in"]),
        ("xiaomi", "Mi Band 6", audio, ["global", "uk"]),
    ]
    for brand, name, category, stores in catalog:
        product = ProductFactory(brand=get_brand(brand), name=name, category=category)
        ProductImage.objects.create(product=product, image=f"products/{product.slug}.jpg", alt=name)
        for position, (color, storage) in enumerate([("Black", "8GB+256GB"), ("Yellow", "12GB+512GB")]):
            variant = VariantFactory(product=product, position=position,
                                     attributes={"color": color, "storage": storage})
            for code in stores:
                PriceFactory(variant=variant, store=get_store(code), amount=Decimal(prices[code]) + position)
                StockFactory(variant=variant, store=get_store(code), quantity=position * 7)
        reviews = [
            ReviewFactory(product=product, rating=rating, status=status,
                          created_at=timezone.now() - timedelta(days=days))
            for days, rating, status in [(3, 5, "published"), (2, 4, "published"), (1, 1, "pending")]
        ]
        ReviewReply.objects.create(review=reviews[0], author_name="Xiaomi Care", body="Thank you for your review.")
    Product.objects.filter(name="Mi Band 6").update(status=Product.Status.DISCONTINUED)


def wait_until_serving(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server stopped before serving (exit status {server.returncode}).")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The server did not answer {url} within {timeout:.0f}s.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20261125, help="schemathesis' random seed (reproducible runs)")
    parser.add_argument("schemathesis_args", nargs="*", help="more arguments for `schemathesis run`, after --")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fuzz-api-") as tmp:
        workdir = Path(tmp)
        env = store_environment(workdir)
        os.environ.update(env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        seed_catalog()

        (workdir / "static").mkdir()
        SERVER_LOG.parent.mkdir(exist_ok=True)
        port = free_port()
        origin = f"http://{HOST}:{port}"
        server_log = SERVER_LOG.open("w")
        server = subprocess.Popen(
            # Sync workers, as in production: drf-spectacular's lazy loading of its extensions is not
            # thread-safe (two threads building the first schema at once can fail).
            [BIN / "gunicorn", "storefront.wsgi", "--bind", f"{HOST}:{port}", "--workers", "4",
             "--log-level", "warning"],
            cwd=BASE_DIR, env=env, stdout=server_log, stderr=subprocess.STDOUT,
        )
        try:
            wait_until_serving(f"{origin}/api/v1/stores/", server)
            command = [
                BIN / "schemathesis", "--config-file", CONFIG, "run", f"{origin}/api/schema/",
                "--seed", str(args.seed), *args.schemathesis_args,
            ]
            print("$", " ".join(str(part) for part in command), flush=True)
            return subprocess.run(command, cwd=BASE_DIR).returncode
        finally:
            server.terminate()
            server.wait(timeout=10)
            server_log.close()
            print(f"Server log: {SERVER_LOG.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    sys.exit(main())
