"""Service-level clock: the targets per priority and the deadlines they give a case.

A case stores its deadlines (`first_response_due_at`, `resolution_due_at`) and the next one (`due_at`,
empty once resolved or closed), so the queue sorts and filters by an indexed column. Editing a service
level applies to cases opened (or re-prioritised, or reopened) afterwards.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from .models import Case, ServiceLevel, Status


@dataclass(frozen=True)
class Targets:
    first_response_hours: int
    resolution_hours: int


def service_level_targets() -> dict[str, Targets]:
    """Targets by priority: the ServiceLevel rows, and the settings' defaults for any priority without one."""
    targets = {
        priority: Targets(first_response_hours=first, resolution_hours=resolution)
        for priority, (first, resolution) in settings.AFTERSALES_SERVICE_LEVELS.items()
    }
    for level in ServiceLevel.objects.all():
        targets[level.priority] = Targets(level.first_response_hours, level.resolution_hours)
    return targets


def case_deadlines_set(case: Case, *, targets: dict[str, Targets], resolution_from: datetime | None = None) -> None:
    """Sets the case's deadlines (in memory). The clock starts at `opened_at` (a carried-over case's legacy
    opening time); `resolution_from` restarts the resolution clock (a reopened case)."""
    target = targets[case.priority]
    case.resolution_clock_from = resolution_from or case.opened_at
    case.first_response_due_at = case.opened_at + timedelta(hours=target.first_response_hours)
    case.resolution_due_at = case.resolution_clock_from + timedelta(hours=target.resolution_hours)
    case_due_at_set(case)


def case_due_at_set(case: Case) -> None:
    """The next deadline: the first response until there is one, then the resolution; none once resolved."""
    if case.status in (Status.RESOLVED, Status.CLOSED):
        case.due_at = None
    elif case.first_response_at is None:
        case.due_at = case.first_response_due_at
    else:
        case.due_at = case.resolution_due_at
