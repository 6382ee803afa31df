"""The database state an import leaves, modulo primary keys: to compare two imports of one bundle.

Every row of the apps the loaders write is taken as its field values with foreign keys (and the legacy
map's `target_pk`) replaced by the referenced row's own values, recursively; rows are compared as sorted
lists per model. What differs between two identical runs by nature is masked: times taken from the clock
during the import (`now`), random values and digests over primary keys (`MASKED`), and the runs themselves
(ImportRun, checkpoints, chunk plans: compared through the report).
"""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.db import models

from brands.legacy.models import Checkpoint, ChunkCheckpoint, ChunkPlan, ImportRun, IndexedFile

APPS = ("accounts", "catalog", "legacy", "loyalty", "aftersales")
RUN_MODELS = (ImportRun, Checkpoint, ChunkCheckpoint, ChunkPlan, IndexedFile)
# Target table of the legacy map's (and the redirects') `target_pk`, per entity.
TARGETS = {"customers": "accounts.User", "products": "catalog.Product", "orders": "orders.Order",
           "brands": "brands.Brand", "categories": "catalog.Category",
           "shipments": "orders.Shipment", "reviews": "catalog.Review", "points": "loyalty.LegacyPointsMigration",
           "coupons": "loyalty.LegacyCoupon", "tickets": "aftersales.Case"}
# (model label, field) -> what is compared instead of the value: random by design (salted passwords, new
# coupon codes, stored file names), or digests over primary keys (the loyalty services fingerprint a record
# with its account's pk; state hashes include the pks of accounts and stores): the rows they digest are
# compared themselves.
MASKED = {
    ("accounts.User", "password"): lambda value: value.split("$", 1)[0] if "$" in value else value[:1],
    ("loyalty.Coupon", "code"): bool,
    ("aftersales.Attachment", "file"): bool,
    ("loyalty.LegacyPointsMigration", "fingerprint"): bool,
    ("loyalty.LegacyCoupon", "fingerprint"): bool,
    ("legacy.LegacyRecord", "state_hash"): bool,
}
NOW = "<now>"


def snapshot(since: datetime) -> dict[str, list[str]]:
    """model label -> sorted rows; a datetime at or after `since` (the import's own clock) reads `<now>`."""
    return _Snapshot(since).take()


class _Snapshot:
    def __init__(self, since: datetime):
        self.since = since
        self.memo: dict[tuple[type, object], object] = {}

    def take(self) -> dict[str, list[str]]:
        state = {}
        for label in APPS:
            for model in apps.get_app_config(label).get_models():
                if model in RUN_MODELS:
                    continue
                rows = [repr(self.row(model, obj)) for obj in model.objects.order_by("pk")]
                state[model._meta.label] = sorted(rows)
        return state

    def row(self, model: type[models.Model], obj: models.Model) -> tuple:
        values = []
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            value = getattr(obj, field.attname)
            values.append((field.name, self.value(model, obj, field, value)))
        for field in model._meta.many_to_many:
            values.append((field.name, sorted(repr(self.natural(field.related_model, pk))
                                              for pk in getattr(obj, field.name).values_list("pk", flat=True))))
        return tuple(values)

    def value(self, model, obj, field, value):
        masked = MASKED.get((model._meta.label, field.name))
        if masked is not None:
            return masked(value)
        if field.is_relation and value is not None:
            if field.related_model in RUN_MODELS:
                return "<run>"
            return self.natural(field.related_model, value)
        if field.name == "target_pk" and value is not None and hasattr(obj, "entity"):
            return self.natural(apps.get_model(TARGETS[obj.entity]), value)
        if isinstance(value, datetime) and value >= self.since:
            return NOW
        if isinstance(field, models.FileField):
            return str(value)
        return value

    def natural(self, model: type[models.Model], pk) -> object:
        key = (model, pk)
        if key not in self.memo:
            obj = model.objects.filter(pk=pk).first()
            self.memo[key] = None if obj is None else self.row(model, obj)
        return self.memo[key]
