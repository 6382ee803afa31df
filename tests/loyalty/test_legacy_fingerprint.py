"""The legacy records' fingerprint is stored by the migrations: its bytes must never change, or every
re-imported record would turn into a conflict."""

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal

from loyalty.services import LegacyCouponRecord, LegacyPointsAccountRecord, LegacyPointsEvent, LegacyPointsLot
from loyalty.services.legacy import _canonical, fingerprint

POINTS = LegacyPointsAccountRecord(
    legacy_id="P0000001", user_id=7,
    lots=[LegacyPointsLot(120, datetime(2023, 1, 2, 3, 4, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC)),
          LegacyPointsLot(5, datetime(2022, 6, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC))],
    history=(LegacyPointsEvent(datetime(2023, 1, 2, 3, 4, tzinfo=UTC), 120, "order O0000009", "O0000009"),
             LegacyPointsEvent(datetime(2023, 6, 1, tzinfo=UTC), -5, "expired")),
)
COUPON = LegacyCouponRecord(
    legacy_id="K0000001", code="POCO-SUMMER-Ü", owner_id=None, kind="amount", value=Decimal("10.00"),
    currency="EUR", min_order_amount=Decimal("50.00"), valid_from=datetime(2024, 6, 1, tzinfo=UTC),
    valid_until=datetime(2025, 6, 1, tzinfo=UTC), usage_limit=1, times_used=0, status="active", portal="fr",
)


def _through_asdict(record) -> str:
    text = json.dumps(asdict(record), default=_canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_fingerprint_is_the_one_dataclasses_asdict_gave():
    assert fingerprint(POINTS) == _through_asdict(POINTS)
    assert fingerprint(COUPON) == _through_asdict(COUPON)


def test_the_fingerprint_of_a_known_record_is_pinned():
    assert fingerprint(POINTS) == PINNED_POINTS
    assert fingerprint(COUPON) == PINNED_COUPON


# Computed with the first implementation (json.dumps of dataclasses.asdict); never to be recomputed.
PINNED_POINTS = "3943c8831a1928dce55dfb348329ecc74e65886f54ddc001f05e3f976aedd75b"
PINNED_COUPON = "9c15d0e4cfc8f12a86e26c8660fbd6947e907b4986a9b1a34a49d928bd95218c"
