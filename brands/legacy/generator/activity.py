"""What customers did besides ordering: reviews, POCO Points, coupons and after-sales tickets."""

import hashlib
from dataclasses import dataclass

from .blobs import pdf, png
from .common import CURRENCY, DAY, HOUR, fill, iso, money, pick, year_of

# --- reviews -------------------------------------------------------------------------------------------

_REVIEWS = {
    "en": {
        "good": (
            ("Love it", "Solid phone, fast charging. Battery easily lasts a day & a half."),
            ("Best value", "Flagship speed for half the price. Screen is gorgeous <3"),
            ("Great", "Camera is better than I expected; night mode is decent."),
            ("Fast!", "Games run at 120fps, no heating. 10/10 would buy again 🔥"),
        ),
        "mixed": (
            ("OK", "Good phone but the bloatware... had to remove 12 apps & disable ads."),
            ("Decent", "Battery < 1 day with 5G on. Otherwise fine."),
        ),
        "bad": (
            ("Disappointed", "Stopped charging after 3 weeks. Support was slow & unhelpful."),
            ("Not as described", "Arrived with a scratch on the screen <b>and</b> a missing cable."),
        ),
    },
    "fr": {
        "good": (
            ("Top", "Très bon rapport qualité/prix, l'écran est superbe & fluide."),
            ("Parfait", "Charge ultra rapide : 0 à 100 % en moins d'une heure."),
        ),
        "mixed": (("Bien", "Bon téléphone mais l'appareil photo est moyen la nuit < attentes."),),
        "bad": (("Déçu", "Écran cassé à la livraison, remboursement après 3 semaines."),),
    },
}
_HOSTILE = ('<script>alert("poco")</script> nice phone', "Price < 300 & performance > 600?! <img src=x>")
_RATINGS = (5,) * 45 + (4,) * 28 + (3,) * 12 + (2,) * 7 + (1,) * 8
_REPLIES = {
    "en": "Thank you for your feedback! Our team is here to help: contact POCO Support any time.",
    "fr": "Merci pour votre avis ! Notre équipe reste à votre écoute via le support POCO.",
}


def review(
    rng,
    *,
    legacy_id: str,
    product_id: str,
    customer_id: str | None,
    author: str,
    language: str,
    created_at: int,
    verified: bool,
    exported_at: int,
) -> dict:
    rating = pick(rng, _RATINGS)
    tone = "good" if rating >= 4 else ("mixed" if rating == 3 else "bad")
    title, body = pick(rng, _REVIEWS[language][tone])
    hostile = rng.random() < 0.03
    if hostile:
        body = pick(rng, _HOSTILE)
    roll = rng.random()
    status = (
        "rejected"
        if hostile and roll < 0.7
        else ("published" if roll < 0.85 else ("pending" if roll < 0.95 else "rejected"))
    )
    replies = []
    if status == "published" and rng.random() < 0.25:
        at = min(exported_at, created_at + HOUR + int(rng.random() * 5 * DAY))
        replies.append({"author_name": "POCO Support", "body": _REPLIES[language], "created_at": iso(at)})
        if rng.random() < 0.3:
            later = min(exported_at, at + int(rng.random() * 3 * DAY))
            replies.append({"author_name": author, "body": "Thanks, sorted now :)", "created_at": iso(later)})
    return {
        "legacy_id": legacy_id,
        "product_legacy_id": product_id,
        "customer_legacy_id": customer_id,
        "author_name": author,
        "rating": rating,
        "title": title,
        "body": body,
        "language": language,
        "created_at": iso(created_at),
        "status": status,
        "verified_purchase": verified,
        "replies": replies,
    }


# --- points --------------------------------------------------------------------------------------------


def points_account(
    rng, *, legacy_id: str, customer_id: str, since: int, exported_at: int, orders: list[tuple[str, int]]
) -> tuple[dict, int]:
    """A POCO Points account whose lots add up to its balance, and the points of lots still valid at export.

    `orders` are the customer's (legacy id, placed_at): purchase points and redemptions point to them.
    """
    lots, history, unexpired = [], [], 0
    for _ in range(1 + int(rng.random() * 4)):
        earned_at = since + int(rng.random() * max(DAY, exported_at - since))
        points = 10 * (5 + int(rng.random() * 150))
        expires_at = earned_at + (365 if rng.random() < 0.7 else 730) * DAY
        if expires_at == exported_at:  # "after the cutover" must be unambiguous
            expires_at += 1
        if expires_at > exported_at:
            unexpired += points
        lots.append({"points": points, "earned_at": iso(earned_at), "expires_at": iso(expires_at)})
        spent = 10 * int(rng.random() * 20) if rng.random() < 0.3 else 0
        if orders and rng.random() < 0.7:
            reason, order_id = "purchase", pick(rng, orders)[0]
        else:
            reason, order_id = pick(rng, ("signup_bonus", "review", "birthday", "campaign")), None
        history.append({"at": iso(earned_at), "delta": points + spent, "reason": reason, "order_legacy_id": order_id})
        if spent:
            redeemed_at = min(exported_at, earned_at + int(rng.random() * 60 * DAY))
            history.append(
                {
                    "at": iso(redeemed_at),
                    "delta": -spent,
                    "reason": "redeemed",
                    "order_legacy_id": pick(rng, orders)[0] if orders else None,
                }
            )
    history.sort(key=lambda entry: entry["at"])
    balance = sum(lot["points"] for lot in lots)
    record = {
        "legacy_id": legacy_id,
        "customer_legacy_id": customer_id,
        "balance": balance,
        "lots": lots,
        "history": history,
    }
    return record, unexpired


# --- coupons -------------------------------------------------------------------------------------------

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols, no look-alikes
_PERSONAL = (
    ("WELCOME", "fixed", 1000, 5000, 90),
    ("BDAY", "percent", 1000, 0, 30),
    ("SHIP", "free_shipping", 0, 0, 60),
    ("SORRY", "fixed", 2000, 0, 180),
)
_PUBLIC = (
    ("POCOF6LAUNCH", "percent", 1500, 0),
    ("BLACKFRIDAY", "fixed", 5000, 30000),
    ("FREESHIP", "free_shipping", 0, 2000),
    ("STUDENT", "percent", 1000, 0),
)


def coupon_code(prefix: str, serial: int) -> str:
    """A unique, random-looking code: `serial` scrambled by an odd multiplier is a bijection mod 32**7."""
    scrambled = (serial * 0x2F3B9A1 + 0x5A5A5) % (32**7)
    chars = []
    for _ in range(7):
        scrambled, digit = divmod(scrambled, 32)
        chars.append(_CODE_ALPHABET[digit])
    return f"{prefix}-{''.join(chars)}"


def _coupon_status(rng, valid_until: int, times_used: int, usage_limit: int, exported_at: int) -> str:
    if rng.random() < 0.03:
        return "revoked"
    if times_used >= usage_limit:
        return "used"
    if valid_until < exported_at:
        return "expired" if rng.random() < 0.9 else "active"  # the legacy shop was lazy to expire some
    return "active"


def coupon(
    rng,
    *,
    legacy_id: str,
    serial: int,
    customer_id: str | None,
    portal: str,
    valid_from: int,
    exported_at: int,
    public: bool = False,
) -> dict:
    if public:
        prefix, kind, value, minimum = pick(rng, _PUBLIC)
        days, usage_limit = 30 + int(rng.random() * 300), 10_000
        times_used = int(rng.random() * 3_000)
    else:
        prefix, kind, value, minimum, days = pick(rng, _PERSONAL)
        usage_limit = 1 if rng.random() < 0.9 else 3
        times_used = int(rng.random() * (usage_limit + 1))
    if portal == "in" and kind != "percent":
        value, minimum = value * 80, minimum * 80
    valid_until = valid_from + days * DAY
    if valid_until == exported_at:
        valid_until += 1
    return {
        "legacy_id": legacy_id,
        "code": coupon_code(prefix, serial),
        "customer_legacy_id": customer_id,
        "kind": kind,
        "value": f"{value // 100}.00" if kind == "percent" else money(value),
        "currency": None if kind == "percent" else CURRENCY[portal],
        "min_order_amount": money(minimum),
        "valid_from": iso(valid_from),
        "valid_until": iso(valid_until),
        "usage_limit": usage_limit,
        "times_used": times_used,
        "status": _coupon_status(rng, valid_until, times_used, usage_limit, exported_at),
        "portal": portal,
    }


def coupon_reissued(record: dict, exported_at_iso: str) -> bool:
    """FORMAT.md rule 6: active, not past `valid_until` at the cutover, and uses left."""
    return (
        record["status"] == "active"
        and record["valid_until"] >= exported_at_iso
        and record["times_used"] < record["usage_limit"]
    )


# --- tickets -------------------------------------------------------------------------------------------

_TICKET_KINDS = ("repair",) * 7 + ("return",) * 4 + ("refund",) * 3 + ("warranty",) * 3 + ("inquiry",) * 3
_SUBJECTS = {
    "repair": (
        "Screen flickering after update",
        "Charging port not working",
        "Phone restarts by itself",
        "Camera lens cracked",
    ),
    "return": ("Wrong colour delivered", "Changed my mind, want to return", "Parcel arrived damaged"),
    "refund": ("Refund not received", "Charged twice for my order", "Refund for cancelled order"),
    "warranty": ("Battery drains overnight", "Speaker crackles at high volume", "Touch screen unresponsive"),
    "inquiry": ("Where is my parcel?", "Is the F6 Pro compatible with 67W charger?", "Invoice needed"),
}
_CUSTOMER_LINES = (
    "Hello, {subject}. Can you help? Order details attached.",
    "Any news? It's been a week & I still have no answer.",
    "Thanks, I've sent the photos you asked for.",
    "OK, that works for me.",
)
_AGENT_LINES = (
    "Hello, thank you for contacting POCO Support. Could you send a photo of the device?",
    "We have received your device; the repair takes 5–7 working days.",
    "Your refund has been issued and should appear within 5 business days.",
    "We're sorry for the inconvenience. A replacement is on its way.",
)
_INTERNAL = (
    "Checked IMEI: within warranty.",
    "Customer called twice; escalate if no parts by Friday.",
    "Refund approved by team lead.",
    "Possible liquid damage, ask for photos.",
)
_SYSTEM = (
    "Your device has been received at our repair centre.",
    "Return label sent by e-mail.",
    "Case closed automatically after 14 days without reply.",
)
_PRIORITIES = ("normal",) * 12 + ("low",) * 3 + ("high",) * 4 + ("urgent",)
_FLOW = {
    "open": ("open",),
    "awaiting_customer": ("open", "awaiting_customer"),
    "in_repair": ("open", "in_repair"),
    "resolved": ("open", "in_repair", "resolved"),
    "closed": ("open", "awaiting_customer", "resolved", "closed"),
}
AGENTS = tuple(f"agent.{n}@po.co" for n in range(6))


@dataclass
class Attachment:
    path: str
    data: bytes
    record: dict


def _attachment(rng, ticket_id: str, number: int, subject: str) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of a customer's photo or receipt."""
    if rng.random() < 0.5:
        shade = int(rng.random() * 200)
        return f"IMG_{2000 + number}.png", "image/png", png(32, 24, (shade, shade, shade), (255, 105, 0))
    return "receipt.pdf", "application/pdf", pdf(["POCO receipt", f"Case {ticket_id}", subject])


def ticket(
    rng,
    *,
    legacy_id: str,
    number: int,
    portal: str,
    customer_id: str,
    customer_email: str,
    opened_at: int,
    exported_at: int,
    order: tuple | None,
) -> tuple[dict, list[Attachment]]:
    """A ticket with its thread and status history, and the attachment files its messages reference.

    `order` is (order legacy id, first line sku, is a phone) or None.
    """
    kind = pick(rng, _TICKET_KINDS)
    subject = pick(rng, _SUBJECTS[kind])
    age = exported_at - opened_at
    if age > 30 * DAY:
        status = "closed" if rng.random() < 0.8 else "resolved"
    else:
        status = pick(rng, ("open", "awaiting_customer", "in_repair", "resolved", "closed"))
    agent = None if status == "open" and rng.random() < 0.4 else pick(rng, AGENTS)
    at = opened_at
    messages, files, history = [], [], []
    flow = _FLOW[status]
    count = max(len(flow), 1 + int(rng.random() * 6))
    for n in range(count):
        if n == 0 or rng.random() < 0.35:
            author, email = "customer", customer_email
            text = pick(rng, _CUSTOMER_LINES).format(subject=subject.lower())
        elif rng.random() < 0.15:
            author, email, text = "system", "noreply@po.co", pick(rng, _SYSTEM)
        else:
            author, email = "agent", agent or pick(rng, AGENTS)
            text = pick(rng, _AGENT_LINES)
        internal = author == "agent" and rng.random() < 0.2
        if internal:
            text = pick(rng, _INTERNAL)
        attachments = []
        if author == "customer" and rng.random() < 0.3:
            filename, content_type, data = _attachment(rng, legacy_id, len(files), subject)
            path = f"files/tickets/{legacy_id}/{len(files)}-{filename}"
            entry = {
                "path": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "filename": filename,
                "content_type": content_type,
            }
            files.append(Attachment(path, data, entry))
            attachments.append(entry)
        messages.append(
            {
                "legacy_id": f"{legacy_id}-M{n}",
                "author_type": author,
                "author_email": email,
                "body": text,
                "created_at": iso(at),
                "internal": internal,
                "attachments": attachments,
            }
        )
        if n < len(flow):
            history.append(
                {
                    "at": iso(at),
                    "from": flow[n - 1] if n else None,
                    "to": flow[n],
                    "by": "system" if n == 0 else (agent or "system"),
                }
            )
        at = min(exported_at, at + HOUR + int(rng.random() * 2 * DAY))
    order_id, sku, is_phone = order or (None, None, False)
    record = {
        "legacy_id": legacy_id,
        "number": f"PS-{year_of(opened_at)}-{number:06d}",
        "portal": portal,
        "customer_legacy_id": customer_id,
        "order_legacy_id": order_id,
        "product_sku": sku,
        "serial_number": fill(rng, "#####/?#??######") if is_phone and kind != "inquiry" else None,
        "kind": kind,
        "status": status,
        "priority": pick(rng, _PRIORITIES),
        "subject": subject,
        "opened_at": iso(opened_at),
        "updated_at": messages[-1]["created_at"],
        "closed_at": history[-1]["at"] if status == "closed" else None,
        "assigned_to": agent,
        "messages": messages,
        "status_history": history,
    }
    return record, files
