"""The contract's table of entities: their order, and which references are hard or soft.

A hard reference to a record that is unknown or quarantined quarantines the referring record; to an
excluded one, excludes it. Erased customers are the exception (contract rule 2): `on_erased` says what a
hard reference to one does ("keep": import the record without the personal link, e.g. a guest order;
"exclude": exclude it). Soft references never set a record aside; the loader reads the resolution map of
the referenced entity and leaves the link empty when it does not resolve.
"""

from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Reference:
    entity: str
    field: str | None  # top-level field holding the legacy id; None: nested, resolved by the loader
    hard: bool
    nullable: bool = False
    on_erased: str = "exclude"


@dataclass(frozen=True, eq=False)
class EntitySpec:
    name: str
    references: tuple[Reference, ...] = ()
    has_portal: bool = False

    @cached_property
    def hard_references(self) -> tuple[Reference, ...]:
        return tuple(ref for ref in self.references if ref.hard and ref.field)


_TABLE = (
    EntitySpec("customers", has_portal=True),
    EntitySpec("products"),
    EntitySpec("orders", has_portal=True, references=(
        Reference("customers", "customer_legacy_id", hard=True, nullable=True, on_erased="keep"),
        Reference("products", None, hard=False),
    )),
    EntitySpec("shipments", references=(Reference("orders", "order_legacy_id", hard=True),)),
    EntitySpec("reviews", references=(
        Reference("products", "product_legacy_id", hard=True),
        Reference("customers", "customer_legacy_id", hard=False, nullable=True),
    )),
    EntitySpec("points", references=(Reference("customers", "customer_legacy_id", hard=True),)),
    EntitySpec("coupons", has_portal=True, references=(
        Reference("customers", "customer_legacy_id", hard=True, nullable=True),
    )),
    EntitySpec("tickets", has_portal=True, references=(
        Reference("customers", "customer_legacy_id", hard=True),
        Reference("orders", "order_legacy_id", hard=False, nullable=True),
        Reference("products", None, hard=False),
    )),
)

# In the order files are imported.
ENTITIES: dict[str, EntitySpec] = {spec.name: spec for spec in _TABLE}

EXCLUDED_PORTAL = "in"
PORTAL_CURRENCY = {"global": "USD", "uk": "GBP", "fr": "EUR", "in": "INR"}
