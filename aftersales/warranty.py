"""Warranty of a purchase: months from the order date, by regional store (AFTERSALES_WARRANTY_MONTHS)."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, the day clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Warranty:
    months: int
    starts_on: date
    ends_on: date
    is_active: bool


def warranty_months(store_code: str) -> int:
    return settings.AFTERSALES_WARRANTY_MONTHS.get(store_code, settings.AFTERSALES_WARRANTY_DEFAULT_MONTHS)


def order_warranty(order, *, now: datetime) -> Warranty:
    """The warranty of what `order` bought: from its date, for its store's months; active through the end day."""
    months = warranty_months(order.store.code)
    starts_on = order.placed_at.date()
    ends_on = add_months(starts_on, months)
    return Warranty(months=months, starts_on=starts_on, ends_on=ends_on, is_active=now.date() <= ends_on)
