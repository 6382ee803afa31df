"""Writing a whole legacy bundle, streaming: every file is written line by line in one pass.

Customers are generated one at a time together with everything hanging on them (their coupons, orders
and parcels, points, reviews, tickets), so memory holds the catalogue and one customer, whatever the size.
Each line's expected import outcome is tallied as it is written (truth.py).
"""

import random
import shutil
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import msgspec

from . import activity, defects
from .blobs import png
from .catalog import build_catalog, popular_variants, product_count
from .common import DAY, DEFAULT_EXPORTED_AT, HOUR, PORTALS, SHOP_OPENED, iso, parse_timestamp, pick
from .customers import ERASED, EXCLUDED, OK, QUARANTINED, UNKNOWN, Account, customer_record, new_account
from .orders import OrderMaker
from .output import JsonlWriter, write_file, write_manifest, write_tarball
from .people import address, email_as_typed_again, new_person
from .truth import CREATED, ENTITIES, LINKED, SUPERSEDED, Truth
from .truth import EXCLUDED as OUT_EXCLUDED
from .truth import QUARANTINED as OUT_QUARANTINED

PORTAL_DRAW = ("global",) * 45 + ("uk",) * 22 + ("fr",) * 21 + ("in",) * 12
ORDERS_PER_ACCOUNT = (
    (0,) * 8 + (1,) * 17 + (2,) * 19 + (3,) * 17 + (4,) * 13 + (5,) * 10 + (6,) * 7 + (7,) * 5 + (8,) * 3 + (9,) * 1
)
GUEST_ORDER_RATE = 0.25
SHOWCASE = 30  # the first accounts have a bit of everything, so every defect kind finds a record to go on
MIN_CUSTOMERS_WITH_BAD_LINES = 50
LOGIN_EXAMPLES = 4  # per kind of login listed in the truth file


class GeneratorError(Exception):
    """The bundle cannot be written as asked (the message says why)."""


@dataclass
class BundleSummary:
    path: Path  # the bundle directory, or the .tar.gz
    files: dict  # manifest entries: file name -> {"records", "sha256"}
    truth: dict
    seconds: float


def write_bundle(
    out,
    *,
    customers: int,
    seed: int = 0,
    gzip: bool = False,
    tar: bool = False,
    bad_lines: bool = True,
    exported_at: str = DEFAULT_EXPORTED_AT,
    clean: bool = False,
    truth_path=None,
) -> BundleSummary:
    """Write a legacy bundle of about `customers` accounts to directory `out` (or `out`.tar.gz with `tar`).

    The same arguments give the same bytes. Nothing is left half-written: the bundle is built beside its
    target and moved in place at the end. An existing target is an error unless `clean` (then replaced).
    `truth_path`, if given, receives the expected import outcome as JSON (also returned in the summary).
    """
    if customers < 1:
        raise GeneratorError("--customers must be at least 1")
    if bad_lines and customers < MIN_CUSTOMERS_WITH_BAD_LINES:
        raise GeneratorError(
            f"a bundle with bad lines needs --customers >= {MIN_CUSTOMERS_WITH_BAD_LINES} to hold every kind "
            "(or pass --no-bad-lines)"
        )
    try:
        exported = parse_timestamp(exported_at)
    except ValueError as error:
        raise GeneratorError(f"--exported-at {exported_at!r} is not an ISO 8601 timestamp with offset") from error
    if exported < SHOP_OPENED + 90 * DAY:
        raise GeneratorError(f"--exported-at must be after {iso(SHOP_OPENED + 90 * DAY)} (the shop opened in 2019)")
    out = Path(out)
    if out.name.endswith(".tar.gz"):
        out = out.with_name(out.name[: -len(".tar.gz")])
    target = out.with_name(out.name + ".tar.gz") if tar else out
    if target.exists() and not clean:
        raise GeneratorError(f"{target} already exists (pass --clean to replace it)")
    if not out.parent.is_dir():
        raise GeneratorError(f"{out.parent} is not a directory")

    started = time.monotonic()
    staging = out.with_name(f".{out.name}.partial")
    partial = out.with_name(f".{out.name}.tar.gz.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        generator = _Generator(
            staging, customers=customers, seed=seed, compress=gzip, bad_lines=bad_lines, exported=exported
        )
        files = generator.run()
        write_manifest(staging, iso(exported), files)
        settings = {
            "customers": customers,
            "seed": seed,
            "gzip": gzip,
            "tar": tar,
            "bad_lines": bad_lines,
            "exported_at": iso(exported),
        }
        truth = generator.truth.as_json(settings, iso(exported))
        if tar:
            write_tarball(staging, partial, top=out.name)
            _replace(partial, target)
            shutil.rmtree(staging)
        else:
            _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        partial.unlink(missing_ok=True)
        raise
    if truth_path:
        Path(truth_path).write_text(
            msgspec.json.format(msgspec.json.encode(truth), indent=1).decode() + "\n", encoding="utf-8"
        )
    return BundleSummary(target, files, truth, time.monotonic() - started)


def _replace(built: Path, target: Path):
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    built.rename(target)


class _Generator:
    def __init__(self, root: Path, *, customers: int, seed: int, compress: bool, bad_lines: bool, exported: int):
        self.root = root
        self.target_accounts = customers
        self.rng = random.Random(seed)
        self.exported = exported
        self.exported_iso = iso(exported)
        self.bad_lines = bad_lines
        self.truth = Truth()
        self.plan = defects.DefectPlan(self.rng, bad_lines)
        self.encode = msgspec.json.Encoder().encode
        self.writers = {entity: JsonlWriter(root, entity, compress) for entity in ENTITIES}
        self.deferred: dict[str, list] = {entity: [] for entity in ENTITIES}
        self.last_id: dict[str, str] = {}
        self.ids = dict.fromkeys(("customers", "reviews", "points", "coupons", "tickets", "ghosts"), 0)
        self.recent_emails: deque = deque(maxlen=256)
        self.public_coupons: dict[str, list] = {portal: [] for portal in PORTALS}
        self.login_kinds: dict[str, int] = {}
        # (from which account number, what): customers every bundle holds, however small
        self.showcase = [(6, "india"), (9, "erased"), (13, "disabled"), (17, "twin")]

    # --- plumbing ------------------------------------------------------------------------------------

    def emit(
        self,
        entity: str,
        legacy_id: str,
        line: bytes,
        outcome: str,
        reason: str | None = None,
        ref: str | None = None,
        defect: str | None = None,
    ):
        number = self.writers[entity].write(line)
        self.truth.line(entity, number, legacy_id, outcome, reason, ref)
        if defect:
            self.truth.defect(entity, legacy_id, number, defect)
        self.last_id[entity] = legacy_id
        waiting = self.deferred[entity]
        if waiting:
            for entry in waiting:
                entry[0] -= 1
            due = [entry for entry in waiting if entry[0] <= 0]
            if due:
                self.deferred[entity] = [entry for entry in waiting if entry[0] > 0]
                for _, args in due:
                    self.emit(*args)

    def emit_record(self, entity: str, record: dict, outcome: str, reason=None, ref=None, kind=None):
        """Write `record`, spoiled by defect `kind` if any (then quarantined unless the kind is harmless)."""
        legacy_id = record["legacy_id"]
        if kind == "superseded":
            self.emit(entity, legacy_id, self.encode(_older_copy(entity, record)), SUPERSEDED, defect=kind)
            later = (entity, legacy_id, self.encode(record), outcome, reason, ref)
            self.deferred[entity].append([3 + int(self.rng.random() * 20), later])
        elif kind and kind not in defects.HARMLESS:
            line = defects.corrupt(self.rng, entity, kind, record, self.encode)
            self.emit(entity, legacy_id, line, OUT_QUARANTINED, reason=kind, defect=kind)
        else:  # a reference to a customer the bundle lacks is a defect of the referring line
            defect = kind or (reason if reason == "unknown_customer" else None)
            self.emit(entity, legacy_id, self.encode(record), outcome, reason, ref, defect=defect)

    def next_id(self, kind: str, prefix: str, width: int = 6) -> str:
        self.ids[kind] += 1
        return f"{prefix}{self.ids[kind]:0{width}d}"

    def login(self, kind: str, email: str, password: str, logs_in: bool, why: str):
        if self.login_kinds.get(kind, 0) < LOGIN_EXAMPLES:
            self.login_kinds[kind] = self.login_kinds.get(kind, 0) + 1
            self.truth.logins.append(
                {"email": email.strip().casefold(), "password": password, "logs_in": logs_in, "why": why}
            )

    # --- the run -------------------------------------------------------------------------------------

    def run(self) -> dict:
        try:
            self.products()
            self.order_maker = OrderMaker(self.rng, popular_variants(self.rng, self.catalog), self.exported)
            self.truth.staff = list(activity.AGENTS[:2])
            self.coupons_public()
            accounts = 0
            while accounts < self.target_accounts:
                accounts += self.person(showcase=accounts < SHOWCASE, room=self.target_accounts - accounts)
                if self.rng.random() < GUEST_ORDER_RATE:
                    self.guest_order()
            for entity in ENTITIES:
                waiting, self.deferred[entity] = self.deferred[entity], []
                for _, args in waiting:
                    self.emit(*args)
            missing = self.plan.missing()
            if missing:
                raise GeneratorError(f"the bundle is too small to hold these bad-line kinds: {missing}")
            files = {}
            for entity in ENTITIES:
                unterminated = self.bad_lines and entity == "reviews"
                if unterminated:
                    self.truth.defect(entity, self.last_id[entity], self.writers[entity].lines, "no_final_newline")
                files[self.writers[entity].name] = self.writers[entity].close(final_newline=not unterminated)
            return files
        except BaseException:
            for writer in self.writers.values():
                writer.abort()
            raise

    def products(self):
        rng = self.rng
        self.catalog = build_catalog(rng, product_count(self.target_accounts))
        self.phones_by_product = {p.legacy_id: p.category.startswith("Smartphones") for p in self.catalog}
        kinds = {p.legacy_id: self.plan.draw("products") for p in reversed(self.catalog)}
        self.bad_products = set()
        for product in self.catalog:
            kind = kinds[product.legacy_id]
            for n, image in enumerate(product.images):
                last = n == len(product.images) - 1
                if kind == "image_missing" and last:
                    continue
                data = image.data
                if kind == "image_checksum_mismatch" and last:
                    data = png(8, 8, (255, 0, 0), (0, 0, 0))  # replaced on the legacy server, checksum not
                write_file(self.root, image.path, data)
            quarantined = kind in ("missing_field", "float_amount")
            if quarantined:
                self.bad_products.add(product.legacy_id)
            else:
                self.truth.files["copied"] += len(product.images) - (1 if kind else 0)
                if kind:
                    self.truth.files["missing" if kind == "image_missing" else "mismatched"] += 1
            self.emit_record("products", product.record(), CREATED, kind=kind)

    def coupons_public(self):
        for n in range(max(4, self.target_accounts // 2000)):
            portal = PORTALS[n % len(PORTALS)]
            valid_from = self.exported - int(self.rng.random() * 400 * DAY)
            self.coupon(None, portal, valid_from, public=True)

    # --- a person and their accounts -----------------------------------------------------------------

    def person(self, showcase: bool, room: int) -> int:
        """One person: usually one account, sometimes two on two portals (same e-mail, typed differently).
        Returns the number of customer records written."""
        rng = self.rng
        portal = pick(rng, PORTAL_DRAW)
        roll = rng.random()
        status = "erased" if roll < 0.01 else ("disabled" if roll < 0.035 else "active")
        feature = None
        if showcase and self.showcase and self.showcase[0][0] <= self.ids["customers"] and room >= 2:
            feature = self.showcase.pop(0)[1]  # a small bundle still holds each kind of customer
            portal = "in" if feature == "india" else ("global" if portal == "in" else portal)
            status = feature if feature in ("erased", "disabled") else "active"
        plain = portal != "in" and status == "active"
        twin = plain and room >= 2 and (rng.random() < 0.03 or feature == "twin")
        existing = (
            plain
            and not twin
            and ((not self.truth.store_customers and self.ids["customers"] >= 5) or rng.random() < 0.001)
        )
        kind = None if not plain or twin or existing else self.plan.draw("customers")
        ghost = kind == "unknown_customer"
        if ghost:
            self.ids["ghosts"] += 1
        serial = self.target_accounts + 1000 + self.ids["ghosts"] if ghost else self.ids["customers"] + 1
        person = new_person(rng, portal, serial)  # e-mail `first.last.<n>@...` for legacy id `C<n>`
        if ghost:
            account = new_account(
                rng,
                legacy_id=f"C{serial:06d}",
                portal=portal,
                person=person,
                email_as_typed=person.email,
                status=status,
                exported_at=self.exported,
                opened=SHOP_OPENED,
            )
            account.fate = UNKNOWN
            self.dependents(account, showcase=True)
            return 0
        first = self.account(person, portal, person.email, status, kind, existing, has_twin=twin)
        self.dependents(first, showcase)
        if not twin:
            return 1
        other = pick(rng, [p for p in ("global", "uk", "fr") if p != portal])
        second = self.account(
            person, other, email_as_typed_again(rng, person.email), "active", None, False, twin_of=first, has_twin=True
        )
        self.dependents(second, showcase)
        return 2

    def account(
        self,
        person,
        portal,
        email_as_typed,
        status,
        kind,
        existing,
        twin_of: Account | None = None,
        has_twin: bool = False,
    ):
        rng = self.rng
        legacy_id = self.next_id("customers", "C")
        account = new_account(
            rng,
            legacy_id=legacy_id,
            portal=portal,
            person=person,
            email_as_typed=email_as_typed,
            status=status,
            exported_at=self.exported,
            opened=SHOP_OPENED,
        )
        if has_twin:  # both records of a merged person have a password and distinct last logins: a clear winner
            account.last_login_at = account.last_login_at or account.created_at + HOUR
            if twin_of and account.last_login_at == twin_of.last_login_at:
                account.last_login_at += 1
            account.has_password = True
        record = customer_record(rng, account)
        if portal == "in":
            account.fate, outcome, reason = EXCLUDED, OUT_EXCLUDED, "india_portal"
        elif status == "erased":
            account.fate, outcome, reason = ERASED, OUT_EXCLUDED, "erased"
        elif kind and kind != "superseded":
            account.fate, outcome, reason = QUARANTINED, OUT_QUARANTINED, kind
        else:
            outcome, reason = (LINKED if existing or twin_of else CREATED), None
        self.emit_record("customers", record, outcome, reason, kind=kind)
        self.recent_emails.append(person.email)
        if not (has_twin and not twin_of):  # a merged person's logins are noted with their second record
            self.note_logins(account, record, existing, twin_of)
        return account

    def note_logins(self, account: Account, record: dict, existing: bool, twin_of: Account | None):
        email, password = account.email_as_typed, account.password
        if account.fate == EXCLUDED:
            self.login("india", email, password, False, "India portal: not migrated")
        elif account.fate == ERASED:
            self.login("erased", email, password, False, "erased customer: no account")
        elif account.fate == QUARANTINED:
            self.login("quarantined", email, password, False, "customer record quarantined")
        elif existing:
            store_password = f"mi-existing-{len(self.truth.store_customers)}"
            self.truth.store_customers.append({"email": email.strip().casefold(), "password": store_password})
            self.login("existing_store", email, store_password, True, "existing store account keeps its password")
            self.login(
                "existing_legacy", email, password, False, "legacy password does not replace an existing account's"
            )
        elif twin_of:
            newer, older = (account, twin_of) if account.last_login_at > twin_of.last_login_at else (twin_of, account)
            self.login("merged_newer", email, newer.password, True, "merged person: latest account's password")
            self.login("merged_older", email, older.password, False, "merged person: older account's password")
        elif record["password_hash"] is None:
            self.login("no_password", email, password, False, "no legacy password: unusable password")
        elif account.status == "disabled":
            self.login("disabled", email, password, False, "disabled account")
        else:
            self.login("migrated", email, password, True, "migrated legacy password")

    # --- what hangs on an account --------------------------------------------------------------------

    def hard_reference(self, account: Account, portal: str | None, erased_imports: bool = False):
        """(outcome, reason, ref) forced by the customer reference (and own portal), or None to go on."""
        if portal == "in":
            return OUT_EXCLUDED, "india_portal", None
        fate = account.fate
        if fate == OK or (fate == ERASED and erased_imports):
            return None
        if fate in (QUARANTINED, UNKNOWN):
            reason = "unknown_customer" if fate == UNKNOWN else "customer_quarantined"
            return OUT_QUARANTINED, reason, account.legacy_id
        return OUT_EXCLUDED, "erased_customer" if fate == ERASED else "india_portal", account.legacy_id

    def dependents(self, account: Account, showcase: bool):
        rng = self.rng
        coupons = []
        for _ in range(1 if showcase else pick(rng, (0,) * 7 + (1,) * 8 + (2,) * 4 + (3,))):
            valid_from = account.created_at + int(rng.random() * (self.exported - account.created_at))
            coupons.append(self.coupon(account, account.portal, valid_from))
        orders = []
        count = pick(rng, ORDERS_PER_ACCOUNT)
        for _ in range(max(2, count) if showcase else count):
            orders.append(self.customer_order(account, coupons))
        if showcase or rng.random() < 0.85:
            self.points(account, orders)
        reviews = 1 if showcase else (0 if rng.random() < 0.55 else (1 if rng.random() < 0.9 else 2))
        for _ in range(reviews):
            self.review(account, orders)
        if showcase or rng.random() < 0.15:
            self.ticket(account, orders)

    def coupon(self, account: Account | None, portal: str, valid_from: int, public: bool = False):
        legacy_id = self.next_id("coupons", "K")
        record = activity.coupon(
            self.rng,
            legacy_id=legacy_id,
            serial=self.ids["coupons"],
            customer_id=account.legacy_id if account else None,
            portal=portal,
            valid_from=valid_from,
            exported_at=self.exported,
            public=public,
        )
        forced = (
            self.hard_reference(account, portal)
            if account
            else ((OUT_EXCLUDED, "india_portal", None) if portal == "in" else None)
        )
        kind = None
        if forced is None:
            kind = self.plan.draw("coupons")
            if not kind:
                reissued = activity.coupon_reissued(record, self.exported_iso)
                self.truth.coupons["reissued" if reissued else "history"] += 1
        pair = (record["code"], record["kind"])  # taken before a defect may spoil the record
        if public:
            self.public_coupons[portal].append(pair)
        self.emit_record("coupons", record, *(forced or (CREATED, None, None)), kind=kind)
        return pair

    def customer_order(self, account: Account, coupons: list) -> tuple:
        rng = self.rng
        placed_at = account.created_at + int(rng.random() * (self.exported - account.created_at))
        coupon = None
        if rng.random() < 0.1:
            choices = coupons or self.public_coupons[account.portal]
            coupon = pick(rng, choices) if choices else None
        ship_to = pick(rng, account.addresses) if account.addresses else None
        return self.order(account.portal, account.person, account, None, placed_at, ship_to, coupon)

    def guest_order(self):
        rng = self.rng
        portal = pick(rng, PORTAL_DRAW)
        person = new_person(rng, portal, 10_000_000 + self.order_maker.orders)
        # A guest who also has an account (the store shows the order there) or a one-off shopper.
        email = pick(rng, self.recent_emails) if self.recent_emails and rng.random() < 0.3 else person.email
        placed_at = SHOP_OPENED + int(rng.random() * (self.exported - SHOP_OPENED))
        self.order(portal, person, None, email, placed_at, None, None)

    def order(self, portal, person, account: Account | None, guest_email, placed_at, ship_to, coupon) -> tuple:
        rng = self.rng
        record, total, shipments = self.order_maker.order(
            portal=portal,
            person=person,
            customer_id=account.legacy_id if account else None,
            guest_email=guest_email,
            placed_at=placed_at,
            ship_to=ship_to or address(rng, person, True),
            coupon=coupon,
        )
        if account:
            forced = self.hard_reference(account, portal, erased_imports=True)
        else:
            forced = (OUT_EXCLUDED, "india_portal", None) if portal == "in" else None
        kind = self.plan.draw("orders") if forced is None else None
        created = forced is None and kind in (None, "superseded")
        if created:
            self.truth.orders_by_currency[record["currency"]] += total
        self.emit_record("orders", record, *(forced or (CREATED, None, None)), kind=kind)
        for shipment in shipments:
            if created:
                ship_forced = None
                ship_kind = self.plan.draw("shipments")
            else:
                outcome = forced[0] if forced else OUT_QUARANTINED
                ship_forced = (outcome, "order_" + outcome, record["legacy_id"])
                ship_kind = None
            self.emit_record("shipments", shipment, *(ship_forced or (CREATED, None, None)), kind=ship_kind)
        first_line = record["lines"][0]
        return record["legacy_id"], placed_at, first_line["sku"], first_line["product_legacy_id"]

    def points(self, account: Account, orders: list):
        legacy_id = self.next_id("points", "L")
        record, unexpired = activity.points_account(
            self.rng,
            legacy_id=legacy_id,
            customer_id=account.legacy_id,
            since=account.created_at,
            exported_at=self.exported,
            orders=[(o[0], o[1]) for o in orders],
        )
        forced = self.hard_reference(account, None)
        kind = self.plan.draw("points") if forced is None else None
        if forced is None and not kind:
            self.truth.points_unexpired += unexpired
        self.emit_record("points", record, *(forced or (CREATED, None, None)), kind=kind)

    def review(self, account: Account, orders: list):
        rng = self.rng
        bought = [o for o in orders if o[3] in self.phones_by_product]
        if bought and rng.random() < 0.7:
            order = pick(rng, bought)
            product_id, verified = order[3], True
            created_at = min(self.exported, order[1] + 3 * DAY + int(rng.random() * 30 * DAY))
        else:
            product_id, verified = pick(rng, self.catalog).legacy_id, False
            created_at = account.created_at + int(rng.random() * (self.exported - account.created_at))
        guest = rng.random() < 0.05
        person = account.person
        record = activity.review(
            rng,
            legacy_id=self.next_id("reviews", "R"),
            product_id=product_id,
            customer_id=None if guest else account.legacy_id,
            author=f"{person.first_name} {person.last_name[0]}.",
            language=account.language,
            created_at=created_at,
            verified=verified,
            exported_at=self.exported,
        )
        if product_id in self.bad_products:
            self.emit_record("reviews", record, OUT_QUARANTINED, "product_quarantined", product_id)
        else:
            self.emit_record("reviews", record, CREATED, kind=self.plan.draw("reviews"))

    def ticket(self, account: Account, orders: list):
        rng = self.rng
        order = None
        if orders and rng.random() < 0.7:
            order_id, placed_at, sku, product_id = pick(rng, orders)
            opened_at = min(self.exported - HOUR, placed_at + DAY + int(rng.random() * 60 * DAY))
            known = product_id in self.phones_by_product
            order = (order_id, sku if known else None, known and self.phones_by_product[product_id])
        else:
            opened_at = account.created_at + int(rng.random() * (self.exported - account.created_at))
        legacy_id = self.next_id("tickets", "T")
        record, files = activity.ticket(
            rng,
            legacy_id=legacy_id,
            number=self.ids["tickets"],
            portal=account.portal,
            customer_id=account.legacy_id,
            customer_email=account.person.email,
            opened_at=opened_at,
            exported_at=self.exported,
            order=order,
        )
        forced = self.hard_reference(account, account.portal)
        kind = self.plan.draw("tickets", unfit=() if files else ("attachment_missing",)) if forced is None else None
        for n, attachment in enumerate(files):
            missing = kind == "attachment_missing" and n == len(files) - 1
            if not missing:
                write_file(self.root, attachment.path, attachment.data)
            if forced is None and kind in (None, "attachment_missing"):
                self.truth.files["missing" if missing else "copied"] += 1
        self.emit_record("tickets", record, *(forced or (CREATED, None, None)), kind=kind)


def _older_copy(entity: str, record: dict) -> dict:
    """The record as an earlier export run saw it (a later line with its legacy_id supersedes it)."""
    older = dict(record)
    if entity == "customers":
        older["last_login_at"] = None
        older["marketing_opt_in"] = not record["marketing_opt_in"]
    else:
        older["status"] = "paid" if record["status"] != "paid" else "pending"
    return older
