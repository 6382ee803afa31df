"""The demo store's line-up: the shared category tree and the Xiaomi and Redmi products it can hold.

Plain data and pure functions, no database: `seeding` turns it into rows. The line-up is fixed (its order
gives each product a stable SKU prefix); a seed only decides which products are picked, their colours,
storage, prices, stock and launch dates. POCO's products are not here: they arrive with the po.co import,
into the POCO categories of the same tree.
"""

import random
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

# (name, children): one tree for every brand. Slugs are the slugified names; paths join them with "/".
CATEGORY_TREE: list[tuple[str, list[str]]] = [
    ("Smartphones", [
        "Xiaomi Series", "Redmi Note Series", "Redmi Series",
        "POCO F Series", "POCO X Series", "POCO M Series", "POCO C Series",
    ]),
    ("Tablets", []),
    ("Wearables", ["Smart Bands", "Smart Watches"]),
    ("Audio", ["Earbuds", "Speakers"]),
    ("Smart Home", ["Robot Vacuums", "Air & Climate", "Cameras", "Lighting", "Kitchen", "Networking"]),
    ("TV & Streaming", ["TVs", "Streaming Devices"]),
    ("Laptops", []),
    ("Accessories", ["Power Banks", "Chargers & Cables"]),
    ("Lifestyle", ["Electric Scooters", "Personal Care"]),
]

# Store currency per USD, as the po.co export priced (499.00 USD = 424.15 GBP = 474.05 EUR = 39920 INR).
RATES_PER_USD = {"USD": Decimal("1"), "GBP": Decimal("0.85"), "EUR": Decimal("0.95"), "INR": Decimal("80")}

PHONE_COLOURS = ["Black", "Blue", "Green", "Silver", "Purple", "Midnight Black", "Ocean Blue", "Titan Gray",
                 "Mint Green", "Aurora Purple", "Lime Green", "Coral Orange"]
DEVICE_COLOURS = ["Black", "White", "Gray", "Blue", "Pink", "Green", "Silver"]
PHONE_STORAGE = ["4GB+128GB", "6GB+128GB", "8GB+256GB", "12GB+256GB", "12GB+512GB", "16GB+1TB"]


@dataclass(frozen=True)
class Kind:
    """How a kind of product varies: colours to pick from, storage tiers, and the price step per tier."""

    colours: list[str]
    colour_count: tuple[int, int]
    storage_step: Decimal = Decimal("0")
    storage_tiers: int = 0


KINDS = {
    "phone": Kind(PHONE_COLOURS, (2, 3), Decimal("50"), 2),
    "tablet": Kind(DEVICE_COLOURS, (1, 2), Decimal("40"), 2),
    "laptop": Kind(["Silver", "Gray"], (1, 1), Decimal("150"), 2),
    "device": Kind(DEVICE_COLOURS, (1, 3)),
    "appliance": Kind(["White", "Black"], (1, 1)),
}


@dataclass(frozen=True)
class ProductSpec:
    """One product of the line-up; `number` (its place in the line-up) makes its SKUs."""

    number: int
    brand: str  # brand slug
    name: str
    category: tuple[str, ...]  # category names from the root
    kind: str
    base_usd: Decimal
    generation: int = 0  # newer generations launched later; 0 for products without one

    @property
    def sku_prefix(self) -> str:
        return f"{'XM' if self.brand == 'xiaomi' else 'RM'}{self.number:04d}"


@dataclass(frozen=True)
class VariantSpec:
    sku: str
    attributes: dict[str, str]
    usd: Decimal


def _phones():
    tiers = {"": 650, " Pro": 900, " Ultra": 1200, "T": 550, "T Pro": 700, " Lite": 350}
    for generation in range(10, 16):
        for suffix, usd in tiers.items():
            yield "xiaomi", f"Xiaomi {generation}{suffix}", ("Smartphones", "Xiaomi Series"), "phone", \
                usd + 20 * (generation - 10), generation
    notes = {"": 200, "S": 230, " 5G": 250, " Pro": 280, " Pro 5G": 320, " Pro+ 5G": 400, " Pro 4G": 270}
    for generation in range(9, 15):
        for suffix, usd in notes.items():
            yield "redmi", f"Redmi Note {generation}{suffix}", ("Smartphones", "Redmi Note Series"), "phone", \
                usd + 10 * (generation - 9), generation
    for generation in range(10, 15):
        for suffix, usd in {"": 150, "C": 110, " 5G": 190}.items():
            yield "redmi", f"Redmi {generation}{suffix}", ("Smartphones", "Redmi Series"), "phone", usd, generation
        yield "redmi", f"Redmi A{generation - 9}", ("Smartphones", "Redmi Series"), "phone", 90, generation


def _tablets():
    for generation in (5, 6, 7):
        for suffix, usd in {"": 330, " Pro": 450, "S Pro 12.4": 600}.items():
            yield "xiaomi", f"Xiaomi Pad {generation}{suffix}", ("Tablets",), "tablet", usd, generation
    for name, usd in {"Redmi Pad": 250, "Redmi Pad SE": 180, "Redmi Pad SE 8.7": 120, "Redmi Pad Pro": 300,
                      "Redmi Pad 2": 200}.items():
        yield "redmi", name, ("Tablets",), "tablet", usd, 0


def _wearables():
    for generation in range(6, 10):
        for suffix, usd in {"": 45, " Pro": 70, " NFC": 55, " Active": 25}.items():
            yield "xiaomi", f"Xiaomi Smart Band {generation}{suffix}", ("Wearables", "Smart Bands"), "device", \
                usd, generation
    for name in ("Redmi Smart Band 2", "Redmi Smart Band Pro"):
        yield "redmi", name, ("Wearables", "Smart Bands"), "device", 35, 0
    for name, usd in {"Xiaomi Watch S1": 230, "Xiaomi Watch S1 Active": 180, "Xiaomi Watch S3": 150,
                      "Xiaomi Watch S4": 200, "Xiaomi Watch 2": 200, "Xiaomi Watch 2 Pro": 270}.items():
        yield "xiaomi", name, ("Wearables", "Smart Watches"), "device", usd, 0
    for generation in (3, 4, 5):
        for suffix, usd in {"": 100, " Active": 50, " Lite": 40}.items():
            yield "redmi", f"Redmi Watch {generation}{suffix}", ("Wearables", "Smart Watches"), "device", \
                usd, generation


def _audio():
    for generation in (4, 5, 6):
        for suffix, usd in {"": 40, " Pro": 70, " Lite": 20, " Active": 25, " Play": 15}.items():
            yield "redmi", f"Redmi Buds {generation}{suffix}", ("Audio", "Earbuds"), "device", usd, generation
    for generation in (3, 4, 5):
        for suffix, usd in {"": 100, " Pro": 160}.items():
            yield "xiaomi", f"Xiaomi Buds {generation}{suffix}", ("Audio", "Earbuds"), "device", usd, generation
    for name, usd in {"Xiaomi OpenWear Stereo": 120, "Xiaomi Sound Pocket": 30, "Xiaomi Sound Outdoor": 60,
                      "Xiaomi Sound Move": 130, "Xiaomi Smart Speaker Lite": 40,
                      "Mi Portable Bluetooth Speaker 16W": 45}.items():
        category = ("Audio", "Earbuds") if "OpenWear" in name else ("Audio", "Speakers")
        yield "xiaomi", name, category, "device", usd, 0


def _smart_home():
    groups = {
        ("Smart Home", "Robot Vacuums"): {
            "Xiaomi Robot Vacuum S10": 250, "Xiaomi Robot Vacuum S10+": 450, "Xiaomi Robot Vacuum S12": 230,
            "Xiaomi Robot Vacuum S20": 300, "Xiaomi Robot Vacuum S20+": 500, "Xiaomi Robot Vacuum X10": 550,
            "Xiaomi Robot Vacuum X10+": 750, "Xiaomi Robot Vacuum X20+": 700, "Xiaomi Robot Vacuum X20 Pro": 800,
            "Xiaomi Robot Vacuum E5": 130, "Xiaomi Robot Vacuum E10": 160, "Xiaomi Robot Vacuum E12": 180},
        ("Smart Home", "Air & Climate"): {
            "Xiaomi Smart Air Purifier 4": 200, "Xiaomi Smart Air Purifier 4 Lite": 150,
            "Xiaomi Smart Air Purifier 4 Compact": 100, "Xiaomi Smart Air Purifier 4 Pro": 300,
            "Xiaomi Smart Air Purifier Elite": 400, "Xiaomi Smart Standing Fan 2": 90,
            "Xiaomi Smart Standing Fan 2 Pro": 120, "Xiaomi Smart Tower Fan": 110,
            "Xiaomi Smart Tower Heater Lite": 100, "Xiaomi Smart Dehumidifier Lite": 180},
        ("Smart Home", "Cameras"): {
            "Xiaomi Smart Camera C200": 35, "Xiaomi Smart Camera C300": 50, "Xiaomi Smart Camera C301": 55,
            "Xiaomi Smart Camera C400": 60, "Xiaomi Smart Camera C500 Pro": 80, "Xiaomi Smart Camera CW300": 70,
            "Xiaomi Smart Camera CW400": 90, "Xiaomi Outdoor Camera AW200": 60, "Xiaomi Outdoor Camera AW300": 75,
            "Xiaomi Outdoor Camera BW400 Pro": 150},
        ("Smart Home", "Lighting"): {
            "Xiaomi Smart LED Bulb": 15, "Xiaomi Smart LED Bulb Essential": 12, "Xiaomi LED Desk Lamp 1S": 50,
            "Xiaomi Smart Lightstrip": 35, "Xiaomi Motion-Activated Night Light 2": 15,
            "Xiaomi Smart Ceiling Light": 90},
        ("Smart Home", "Kitchen"): {
            "Xiaomi Smart Air Fryer 3.5L": 80, "Xiaomi Smart Air Fryer 4.5L": 100,
            "Xiaomi Smart Air Fryer 6.5L": 130, "Xiaomi Electric Kettle 2": 35, "Xiaomi Smart Kettle Pro": 60,
            "Xiaomi Smart Multifunctional Rice Cooker": 90},
        ("Smart Home", "Networking"): {
            "Xiaomi Router AX3000T": 50, "Xiaomi Router AX3000": 70, "Xiaomi Router BE3600": 80,
            "Xiaomi Router BE5000": 110, "Xiaomi Mesh System AX3000 (2-pack)": 150,
            "Xiaomi Wi-Fi Range Extender N300": 15, "Xiaomi Wi-Fi Range Extender AC1200": 30},
    }
    for category, products in groups.items():
        for name, usd in products.items():
            yield "xiaomi", name, category, "appliance", usd, 0


def _tv_laptops_accessories_lifestyle():
    for size, usd in {32: 180, 43: 280, 50: 350, 55: 420, 65: 550}.items():
        yield "xiaomi", f"Xiaomi TV A {size}\" 2025", ("TV & Streaming", "TVs"), "appliance", usd, 0
    for size, usd in {43: 350, 55: 500, 65: 650, 75: 900}.items():
        yield "xiaomi", f"Xiaomi TV A Pro {size}\"", ("TV & Streaming", "TVs"), "appliance", usd, 0
    for size, usd in {50: 500, 55: 600, 65: 800}.items():
        yield "xiaomi", f"Xiaomi TV Q2 {size}\"", ("TV & Streaming", "TVs"), "appliance", usd, 0
    for size, usd in {86: 1500, 100: 2200}.items():
        yield "xiaomi", f"Xiaomi TV Max {size}\"", ("TV & Streaming", "TVs"), "appliance", usd, 0
    for size, usd in {32: 160, 43: 260}.items():
        yield "redmi", f"Redmi Smart Fire TV {size}\"", ("TV & Streaming", "TVs"), "appliance", usd, 0
    for name, usd in {"Xiaomi TV Stick 4K": 50, "Xiaomi TV Box S (2nd Gen)": 65,
                      "Xiaomi TV Box S (3rd Gen)": 75}.items():
        yield "xiaomi", name, ("TV & Streaming", "Streaming Devices"), "appliance", usd, 0
    for name, usd in {"Xiaomi Book S 12.4\"": 700, "Xiaomi Book Pro 14": 1300}.items():
        yield "xiaomi", name, ("Laptops",), "laptop", usd, 0
    for name, usd in {"RedmiBook 15": 550, "RedmiBook Pro 14": 800, "RedmiBook Pro 15": 900}.items():
        yield "redmi", name, ("Laptops",), "laptop", usd, 0
    accessories = {
        ("Accessories", "Power Banks"): {
            "Xiaomi 33W Power Bank 10000mAh (Pocket Edition)": ("xiaomi", 30),
            "Xiaomi 212W Power Bank 25000mAh": ("xiaomi", 90),
            "Xiaomi Magnetic Power Bank 5000mAh": ("xiaomi", 35),
            "Xiaomi 22.5W Power Bank 20000mAh": ("xiaomi", 35),
            "Redmi 18W Fast Charge Power Bank 20000mAh": ("redmi", 25),
            "Redmi Power Bank 10000mAh": ("redmi", 15)},
        ("Accessories", "Chargers & Cables"): {
            "Xiaomi 67W Charging Combo (Type-A)": ("xiaomi", 30),
            "Xiaomi 120W HyperCharge Combo": ("xiaomi", 45),
            "Xiaomi 33W Charger (Type-C)": ("xiaomi", 20),
            "Xiaomi 65W GaN Charger 2C1A": ("xiaomi", 45),
            "Xiaomi USB-C to USB-C Cable 100W 1m": ("xiaomi", 12),
            "Xiaomi 50W Wireless Charging Stand": ("xiaomi", 60),
            "Xiaomi Wireless Car Charger Pro": ("xiaomi", 50),
            "Redmi 18W Fast Charger": ("redmi", 10)},
        ("Lifestyle", "Electric Scooters"): {
            "Xiaomi Electric Scooter 4": ("xiaomi", 500), "Xiaomi Electric Scooter 4 Pro": ("xiaomi", 800),
            "Xiaomi Electric Scooter 4 Lite": ("xiaomi", 400), "Xiaomi Electric Scooter 4 Ultra": ("xiaomi", 1000),
            "Xiaomi Electric Scooter 4 Go": ("xiaomi", 350),
            "Xiaomi Electric Scooter 4 Pro (2nd Gen)": ("xiaomi", 850),
            "Xiaomi Electric Scooter 3 Lite": ("xiaomi", 350)},
        ("Lifestyle", "Personal Care"): {
            "Xiaomi Smart Electric Toothbrush T302": ("xiaomi", 40),
            "Xiaomi Electric Toothbrush T501": ("xiaomi", 55), "Xiaomi Electric Shaver S301": ("xiaomi", 50),
            "Xiaomi Electric Shaver S700": ("xiaomi", 100), "Xiaomi Hair Clipper": ("xiaomi", 40),
            "Xiaomi Ionic Hair Dryer H300": ("xiaomi", 50), "Xiaomi Ionic Hair Dryer H500": ("xiaomi", 80),
            "Xiaomi Portable Electric Air Compressor 1S": ("xiaomi", 50)},
    }
    for category, products in accessories.items():
        for name, (brand, usd) in products.items():
            yield brand, name, category, "appliance", usd, 0


def lineup() -> list[ProductSpec]:
    """Every product the demo store can hold, in a fixed order."""
    rows = [*_phones(), *_tablets(), *_wearables(), *_audio(), *_smart_home(), *_tv_laptops_accessories_lifestyle()]
    return [
        ProductSpec(number=number, brand=brand, name=name, category=category, kind=kind,
                    base_usd=Decimal(usd), generation=generation)
        for number, (brand, name, category, kind, usd, generation) in enumerate(rows, start=1)
    ]


def colour_code(colour: str) -> str:
    """`Midnight Black` -> `MIDBLA`: three letters a word, as the po.co SKUs do (`BLA`)."""
    return "".join(word[:3] for word in colour.upper().split())


def storage_code(storage: str) -> str:
    """`8GB+256GB` -> `8256`, `16GB+1TB` -> `161T`."""
    return storage.replace("GB", "").replace("TB", "T").replace("+", "")


def variants_for(spec: ProductSpec, rng: random.Random) -> list[VariantSpec]:
    """The product's variants: colours times storage tiers; a storage tier up costs one price step more."""
    kind = KINDS[spec.kind]
    colours = rng.sample(kind.colours, rng.randint(*kind.colour_count))
    if not kind.storage_tiers:
        return [VariantSpec(f"{spec.sku_prefix}-{colour_code(c)}", {"color": c}, spec.base_usd) for c in colours]
    # Dearer models start higher up the storage ladder.
    first = min(len(PHONE_STORAGE) - kind.storage_tiers, int(spec.base_usd // 250) + rng.randint(0, 1))
    storages = PHONE_STORAGE[first:first + kind.storage_tiers]
    return [
        VariantSpec(
            f"{spec.sku_prefix}-{colour_code(colour)}-{storage_code(storage)}",
            {"color": colour, "storage": storage},
            spec.base_usd + tier * kind.storage_step,
        )
        for colour in colours
        for tier, storage in enumerate(storages)
    ]


def store_price(usd: Decimal, currency: str) -> Decimal:
    """A shelf price in `currency` for a USD list price: converted, then ending in .99 (rupees in 999).

    650 USD -> 649.99 USD, 552.99 GBP, 617.99 EUR, 51999 INR.
    """
    converted = usd * RATES_PER_USD[currency]
    if currency == "INR":
        step = Decimal("1000") if converted >= 5000 else Decimal("100")
        rounded = (converted / step + Decimal("0.5")).to_integral_value(ROUND_FLOOR) * step
        return max(rounded, step) - 1
    return (converted + Decimal("0.5")).to_integral_value(ROUND_FLOOR) - Decimal("0.01")
