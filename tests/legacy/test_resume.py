"""Contract rule 9: an import killed at any moment (kill -9) and run again ends as one clean run.

Real processes on a database of their own (an SQLite file; also PostgreSQL when DATABASE_URL names one),
since the test database of pytest cannot be shared with them:
`import_legacy` is started on a generated bundle, killed with SIGKILL right after its first committed
checkpoint, then run again; its database and report are compared with those of one uninterrupted run.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .bundles import REPO, address, customer, legacy_hash, product, product_images, write_bundle

SETUP = (
    "from brands.services import reference_data_ensure; reference_data_ensure(); "
    "from storefront.accounts.models import User; User.objects.create_user('existing.7@example.com', 'mi-pw')"
)


def generated_bundle(root: Path) -> Path:
    customers = []
    for n in range(300):
        email = f"person.{n // 2 if n % 10 == 0 else n}@example.com"  # some people on two portals
        status = "erased" if n % 37 == 0 else "disabled" if n % 23 == 0 else "active"
        customers.append(customer(f"C{n:04d}", email=email.upper() if n % 3 == 0 else email,
                                  portal=("in" if n % 17 == 0 else ("global", "uk", "fr")[n % 3]), status=status,
                                  last_login_at=f"2024-01-{1 + n % 28:02d}T10:00:00Z",
                                  password_hash=legacy_hash(f"pw-{n}", f"salt{n}") if n % 11 else None,
                                  addresses=[address(f"C{n:04d}-A1"), address(f"C{n:04d}-A2", is_default=False)]))
    customers.insert(50, b"{broken")
    customers.append(customer("C0005", first_name="Superseding"))
    customers.append(customer("C9999", email="Existing.7@example.com"))
    products = [product(f"P{n:03d}", category=("Phones/POCO F", "Audio")[n % 2]) for n in range(40)]
    return write_bundle(root, {"customers": customers, "products": products},
                        attachments=product_images(*(f"P{n:03d}" for n in range(0, 40, 2))))


class Store:
    """A database of its own for one side of the comparison: an SQLite file, or a PostgreSQL database."""

    def __init__(self, tmp_path: Path, name: str, backend: str):
        self.backend = backend
        if backend == "postgres":
            server = urlsplit(os.environ["DATABASE_URL"])
            self.dbname = f"legacy_resume_{name}_{os.getpid()}"
            self.server = dict(host=server.hostname, port=server.port or 5432, user=server.username,
                               password=server.password)
            with closing(self._server_connection()) as db, db.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')
                cursor.execute(f'CREATE DATABASE "{self.dbname}"')
            url = server._replace(path=f"/{self.dbname}").geturl()
        else:
            self.path = tmp_path / f"{name}.sqlite3"
            url = f"sqlite:///{self.path}"
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "storefront.settings.base", "DATABASE_URL": url,
                    "MEDIA_ROOT": str(tmp_path / f"{name}-media"), "LEGACY_IMPORT_BATCH_SIZE": "20",
                    "LEGACY_PASSWORD_WRAP_COST": "20000", "LOG_LEVEL": "WARNING"}
        assert manage(self.env, "migrate", "--noinput").returncode == 0
        assert manage(self.env, "shell", "-c", SETUP).returncode == 0

    def _server_connection(self):
        import psycopg2

        db = psycopg2.connect(dbname="postgres", **self.server)
        db.autocommit = True
        return db

    def connect(self):
        if self.backend == "postgres":
            import psycopg2

            return psycopg2.connect(dbname=self.dbname, **self.server)
        return sqlite3.connect(self.path, timeout=1)

    def query(self, sql: str) -> list:
        with closing(self.connect()) as db:
            cursor = db.cursor()
            cursor.execute(sql)
            return sorted(tuple(row) for row in cursor.fetchall())

    def drop(self) -> None:
        if self.backend == "postgres":
            with closing(self._server_connection()) as db, db.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300, **kwargs)


def state(store: Store) -> dict:
    """What the import wrote, by natural keys (primary keys may differ between two databases)."""
    queries = {
        "accounts": "SELECT email, first_name, last_name, is_active, preferred_language, date_joined, "
                    "CASE WHEN password LIKE 'pbkdf2_wrapped%' THEN password ELSE substr(password, 1, 1) END "
                    "FROM accounts_user WHERE email != 'existing.7@example.com'",  # made at setup, not imported
        "aliases": "SELECT a.legacy_id, a.portal, u.email FROM accounts_legacyalias a JOIN accounts_user u "
                   "ON u.id = a.user_id",
        "addresses": "SELECT u.email, a.name, a.line1, a.is_default FROM accounts_address a JOIN accounts_user u "
                     "ON u.id = a.user_id",
        "products": "SELECT p.slug, p.name, c.path FROM catalog_product p JOIN catalog_category c "
                    "ON c.id = p.category_id",
        "prices": "SELECT v.sku, s.code, p.amount FROM catalog_price p JOIN catalog_variant v ON v.id = p.variant_id "
                  "JOIN brands_regionalstore s ON s.id = p.store_id",
        "images": "SELECT p.slug, i.image, i.position FROM catalog_productimage i JOIN catalog_product p "
                  "ON p.id = i.product_id",
        "legacy_map": "SELECT entity, legacy_id, fingerprint, line_digest, state_hash, target_created "
                      "FROM legacy_legacyrecord",
        "redirects": "SELECT source_url, legacy_id FROM legacy_legacyredirect",
        "excluded": "SELECT entity, legacy_id, reason, erased FROM legacy_excludedrecord",
        "quarantine": "SELECT entity, legacy_id, line, reason FROM legacy_quarantinedrecord",
        "runs": "SELECT state, dry_run FROM legacy_importrun",
    }
    return {name: store.query(sql) for name, sql in queries.items()}


def checkpoint_committed(store: Store) -> bool:
    try:
        return bool(store.query("SELECT 1 FROM legacy_checkpoint WHERE lines_done > 0"))
    except Exception:  # the table is locked or not there yet: not committed
        return False


def no_process_left(argument: str, wait: float = 5.0) -> bool:
    """True once no process runs with `argument` on its command line (Linux /proc)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        alive = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                alive += [cmdline] if argument.encode() in cmdline.read_bytes() else []
            except OSError:
                continue
        if not alive:
            return True
        time.sleep(0.1)
    return False


def backends():
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    return ["sqlite", pytest.param("postgres", marks=pytest.mark.skipif(
        not postgres, reason="needs PostgreSQL (DATABASE_URL)"))]


@pytest.fixture(params=backends())
def stores(request, tmp_path):
    made = []

    def make(name):
        made.append(Store(tmp_path, name, request.param))
        return made[-1]

    yield make
    for store in made:
        store.drop()


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux: SIGKILL and /proc")
def test_a_run_killed_after_its_first_checkpoint_and_run_again_ends_as_one_clean_run(tmp_path, stores):
    bundle = generated_bundle(tmp_path / "bundle")
    clean_store = stores("clean")
    clean = manage(clean_store.env, "import_legacy", str(bundle), "--report", str(tmp_path / "clean.json"))
    assert clean.returncode == 1, clean.stderr  # the bundle has a bad line

    killed_store = stores("killed")
    process = subprocess.Popen([sys.executable, "manage.py", "import_legacy", str(bundle)], cwd=REPO,
                               env=killed_store.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not checkpoint_committed(killed_store) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL, "the import finished before it could be killed"
    assert state(killed_store)["runs"] == [("running", False)]
    assert no_process_left(str(bundle)), "password-wrapping workers outlived the killed import"

    resumed = manage(killed_store.env, "import_legacy", str(bundle), "--report", str(tmp_path / "resumed.json"))
    assert resumed.returncode == 1, resumed.stderr
    assert "(resumed)" in resumed.stdout
    assert json.loads((tmp_path / "resumed.json").read_text()) == json.loads((tmp_path / "clean.json").read_text())
    resumed_state, clean_state = state(killed_store), state(clean_store)
    for table, rows in clean_state.items():
        assert resumed_state[table] == rows, table
