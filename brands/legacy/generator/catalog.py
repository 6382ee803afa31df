"""The POCO catalogue of the legacy shop: products, variants with unique SKUs, per-portal prices and stock.

The catalogue scales with the bundle (`product_count`); past the real line-up it repeats it as editions
("POCO F6 Pro Special Edition", refurbished units...), so names, slugs and SKUs stay unique.
"""

import hashlib
from dataclasses import dataclass, field

from .blobs import png
from .common import LEGACY_SITE, PORTALS, money

# (name, category, price in USD, kind); the kind decides the variant attributes.
LINE_UP = (
    ("POCO F6 Pro", "Smartphones/POCO F Series", 499, "phone"),
    ("POCO F6", "Smartphones/POCO F Series", 399, "phone"),
    ("POCO X6 Pro 5G", "Smartphones/POCO X Series", 349, "phone"),
    ("POCO X6 5G", "Smartphones/POCO X Series", 299, "phone"),
    ("POCO M6 Pro", "Smartphones/POCO M Series", 229, "phone"),
    ("POCO M6 5G", "Smartphones/POCO M Series", 169, "phone"),
    ("POCO C65", "Smartphones/POCO C Series", 129, "phone"),
    ("POCO F5 Pro", "Smartphones/POCO F Series", 449, "phone"),
    ("POCO F5", "Smartphones/POCO F Series", 379, "phone"),
    ("POCO X5 Pro 5G", "Smartphones/POCO X Series", 299, "phone"),
    ("POCO X5 5G", "Smartphones/POCO X Series", 249, "phone"),
    ("POCO M5s", "Smartphones/POCO M Series", 199, "phone"),
    ("POCO M5", "Smartphones/POCO M Series", 179, "phone"),
    ("POCO C61", "Smartphones/POCO C Series", 99, "phone"),
    ("POCO F4 GT", "Smartphones/POCO F Series", 599, "phone"),
    ("POCO X4 Pro 5G", "Smartphones/POCO X Series", 299, "phone"),
    ("POCO Pad", "Tablets/POCO Pad", 299, "tablet"),
    ("POCO Watch", "Wearables/Smartwatches", 79, "watch"),
    ("POCO Buds X1", "Audio/Earbuds", 39, "audio"),
    ("POCO Pods", "Audio/Earbuds", 29, "audio"),
    ("POCO 67W Charger", "Accessories/Chargers", 29, "charger"),
    ("POCO 120W HyperCharge Adapter", "Accessories/Chargers", 45, "charger"),
    ("POCO Power Bank 10000mAh", "Accessories/Power Banks", 25, "powerbank"),
    ("POCO USB-C Cable 6A", "Accessories/Cables", 12, "cable"),
    ("POCO F6 Pro Protective Case", "Accessories/Cases", 19, "case"),
    ("POCO X6 Pro Protective Case", "Accessories/Cases", 15, "case"),
)
EDITIONS = (
    "Special Edition",
    "Limited Edition",
    "Refurbished",
    "Racing Edition",
    "Anniversary Edition",
    "Explorer Edition",
    "Bundle",
    "Open Box",
)

COLOURS = {
    "phone": ("Black", "Yellow", "Blue", "Silver", "Green", "Grey"),
    "tablet": ("Grey", "Blue"),
    "watch": ("Black", "Silver", "Blue"),
    "audio": ("Black", "White"),
    "charger": ("White",),
    "powerbank": ("Black", "Yellow"),
    "cable": ("Black", "White"),
    "case": ("Black", "Clear", "Yellow"),
}
STORAGES = ("8GB+256GB", "12GB+256GB", "12GB+512GB", "16GB+1TB")
PLUGS = ("EU", "UK", "US", "IN")
RGB = {
    "Black": (25, 25, 25),
    "Yellow": (255, 205, 0),
    "Blue": (30, 90, 200),
    "Silver": (200, 200, 205),
    "Green": (40, 140, 90),
    "Grey": (120, 120, 125),
    "White": (240, 240, 240),
    "Clear": (220, 235, 240),
}
COLOUR_CODES = {
    "Black": "BLK",
    "Yellow": "YEL",
    "Blue": "BLU",
    "Silver": "SIL",
    "Green": "GRN",
    "Grey": "GRY",
    "White": "WHT",
    "Clear": "CLR",
}
POCO_YELLOW = (255, 215, 0)

# Prices per portal from the USD list price: multiplier, and how prices end (".99" or round rupees).
_PORTAL_PRICING = {"global": 1.0, "uk": 0.87, "fr": 0.97, "in": 84.0}


@dataclass
class Variant:
    sku: str
    attributes: dict
    prices: dict  # portal -> cents
    stock: dict  # portal -> units
    label: str  # the order-line name: "POCO F6 Pro 12GB+512GB Black"


@dataclass
class Image:
    path: str
    data: bytes
    sha256: str
    alt: str


@dataclass
class Product:
    legacy_id: str
    slug: str
    name: str
    category: str
    status: str
    description_html: str
    variants: list
    images: list
    legacy_urls: list
    defect: str | None = field(default=None)

    def record(self) -> dict:
        return {
            "legacy_id": self.legacy_id,
            "slug": self.slug,
            "name": self.name,
            "category": self.category,
            "description_html": self.description_html,
            "status": self.status,
            "images": [{"path": i.path, "sha256": i.sha256, "alt": i.alt} for i in self.images],
            "variants": [
                {
                    "sku": v.sku,
                    "attributes": v.attributes,
                    "prices": {p: money(c) for p, c in v.prices.items()},
                    "stock": v.stock,
                }
                for v in self.variants
            ],
            "legacy_urls": self.legacy_urls,
        }


def product_count(customers: int) -> int:
    return max(20, customers // 500)


def _price(usd: float, portal: str) -> int:
    """Cents, ending like shop prices do: x9.99 abroad, whole hundreds of rupees minus one in India."""
    amount = usd * _PORTAL_PRICING[portal]
    if portal == "in":
        return (round(amount / 100) * 100 - 1) * 100
    return max(1, round(amount)) * 100 - 1


def _slugify(name: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in name.lower()).split())


def _sku_part(key: str, value: str) -> str:
    """`color: Black` -> `BLK`, `storage: 12GB+512GB` -> `12512`, `plug: EU` -> `EU`."""
    if key == "storage":
        return value.replace("GB", "").replace("+", "")
    if key == "color":
        return COLOUR_CODES[value]
    return value.upper()


def _variant_attributes(rng, kind: str) -> list[dict]:
    colours = list(COLOURS[kind])
    rng.shuffle(colours)
    colours = colours[: 1 + int(rng.random() * min(3, len(colours)))]
    if kind in ("phone", "tablet"):
        first = int(rng.random() * 2)
        storages = STORAGES[first : first + 1 + int(rng.random() * 3)]
        return [{"color": c, "storage": s} for c in colours for s in storages]
    if kind == "charger":
        return [{"color": c, "plug": p} for c in colours for p in PLUGS]
    return [{"color": c} for c in colours]


def _description(name: str, kind: str, rng) -> str:
    points = {
        "phone": ("Flagship-grade performance", "120Hz AMOLED display", "67W turbo charging & 5000mAh battery"),
        "tablet": ('11" 2.5K display', "Quad speakers with Dolby Atmos", "10000mAh battery"),
        "watch": ('1.6" AMOLED display', "GPS & 100+ sport modes", "Up to 14 days battery"),
        "audio": ("Active noise cancellation", "Up to 36 h with case", "Bluetooth 5.3"),
        "charger": ("GaN technology", "Universal USB-C", "Over-heat protection"),
        "powerbank": ("22.5W fast charging", "Two USB-A ports & one USB-C", "Fits in your pocket"),
        "cable": ("Supports 120W", "1 m braided", "Tested for 10,000 bends"),
        "case": ("Shock-absorbing corners", "Raised camera lip", "Slim & light"),
    }[kind]
    bullets = "".join(f"<li>{p.replace('&', '&amp;')}</li>" for p in points[: 2 + int(rng.random() * 2)])
    return f"<p><strong>{name}</strong>: everything you need, nothing you don't.</p><ul>{bullets}</ul>"


def build_catalog(rng, count: int, width: int = 5) -> list[Product]:
    """`count` products with their variants and images (image bytes included, for `files/`)."""
    products = []
    for index in range(count):
        base_name, category, usd, kind = LINE_UP[index % len(LINE_UP)]
        round_ = index // len(LINE_UP)
        if round_:
            edition = EDITIONS[(round_ - 1) % len(EDITIONS)]
            cycle = (round_ - 1) // len(EDITIONS)
            name = f"{base_name} {edition}" + (f" {cycle + 1}" if cycle else "")
            usd = usd * (0.75 if edition in ("Refurbished", "Open Box") else 1.1)
        else:
            name = base_name
        legacy_id = f"P{index + 1:0{width}d}"
        slug = _slugify(name)
        variants = []
        for attrs in _variant_attributes(rng, kind):
            extra = STORAGES.index(attrs["storage"]) * 50 if "storage" in attrs else 0
            code = "-".join(_sku_part(key, value) for key, value in attrs.items())
            variants.append(
                Variant(
                    sku=f"{legacy_id}-{code}",
                    attributes=attrs,
                    prices={p: _price(usd + extra, p) for p in PORTALS},
                    stock={p: (0 if rng.random() < 0.1 else int(rng.random() * 400)) for p in PORTALS},
                    label=" ".join([name, *attrs.values()]),
                )
            )
        images = []
        for n in range(1 + int(rng.random() * 3)):
            colour = RGB[variants[n % len(variants)].attributes["color"]]
            data = png(24 + n * 8, 32, colour, POCO_YELLOW if n % 2 else (255, 255, 255))
            images.append(
                Image(
                    f"files/products/{legacy_id}/{n}.png",
                    data,
                    hashlib.sha256(data).hexdigest(),
                    f"{name} – view {n + 1}",
                )
            )
        urls = [f"{LEGACY_SITE}/{portal}/product/{slug}/" for portal in ("global", "uk", "fr")]
        if rng.random() < 0.3:  # an older URL scheme some products were still reachable at
            urls.append(f"{LEGACY_SITE}/global/p/{legacy_id.lower()}.html")
        status = "discontinued" if (round_ and rng.random() < 0.3) or "F4" in name or "X4" in name else "active"
        products.append(
            Product(legacy_id, slug, name, category, status, _description(name, kind, rng), variants, images, urls)
        )
    return products


def popular_variants(rng, products: list[Product]) -> list[tuple[Product, Variant]]:
    """A weighted draw list of what people bought: phones and the first products of the line-up sell most."""
    draw = []
    for rank, product in enumerate(products):
        weight = max(1, 12 - rank // 3) if product.category.startswith("Smartphones") else 3
        for variant in product.variants:
            draw.extend([(product, variant)] * weight)
    rng.shuffle(draw)
    return draw
