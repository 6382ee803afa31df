"""Small shared pieces of the generator: portals, clock, money, templated strings and legacy ids."""

import calendar
import time
from datetime import datetime

PORTALS = ("global", "uk", "fr", "in")
CURRENCY = {"global": "USD", "uk": "GBP", "fr": "EUR", "in": "INR"}
LEGACY_SITE = "https://www.po.co"

DEFAULT_EXPORTED_AT = "2024-12-12T00:00:00Z"
# The oldest records of the legacy shop (it opened in 2019).
SHOP_OPENED = calendar.timegm((2019, 3, 1, 0, 0, 0))

DAY = 86_400
HOUR = 3_600

_UPPER = "ABDEFGHJLNPQRSTUWXYZ"  # letters that postcodes and tracking numbers use


def parse_timestamp(text: str) -> int:
    """Epoch seconds of an ISO 8601 timestamp with an offset or `Z` (the bundle's only accepted form)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no offset")
    return int(moment.timestamp())


_DATES: dict[int, str] = {}  # day number -> "YYYY-MM-DDT" (a few thousand days at most)


def iso(ts: int) -> str:
    """The bundle's timestamp form: ISO 8601 in UTC with `Z` (hot: a million records hold several each)."""
    day, seconds = divmod(ts, DAY)
    date = _DATES.get(day)
    if date is None:
        date = _DATES[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * DAY))
    hours, seconds = divmod(seconds, HOUR)
    minutes, seconds = divmod(seconds, 60)
    return f"{date}{hours:02d}:{minutes:02d}:{seconds:02d}Z"


def year_of(ts: int) -> int:
    return time.gmtime(ts).tm_year


def money(cents: int) -> str:
    """A decimal string with two places, from an amount in cents (the legacy shop stored cents)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def fill(rng, template: str) -> str:
    """Replace `#` by a random digit and `?` by a random capital letter: postcodes, phones, tracking."""
    digits = iter(f"{rng.getrandbits(64):020d}"[-template.count("#") :] if "#" in template else "")
    out = []
    for char in template:
        if char == "#":
            out.append(next(digits))
        elif char == "?":
            out.append(_UPPER[int(rng.random() * len(_UPPER))])
        else:
            out.append(char)
    return "".join(out)


def pick(rng, items):
    """`rng.choice` without its overhead (the generator calls it millions of times)."""
    return items[int(rng.random() * len(items))]


def legacy_id(prefix: str, number: int, width: int) -> str:
    return f"{prefix}{number:0{width}d}"
