"""The case state machine: one explicit table, checked in one place (`transition_check`).

A plain table rather than django-fsm-2: who may make a move depends on the actor (a customer may only
close or reopen) and on time (reopening only within AFTERSALES_REOPEN_DAYS), the legacy import must write
any status with its recorded history without running transitions, and the pages and the API list the
moves open to someone straight from the table. A dict keeps all of that readable without a dependency.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Status

ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.IN_REPAIR)

# from status -> the statuses an agent may move it to. Any active case may be closed (a duplicate, or
# the customer withdrew); resolved and closed cases go back to open only by reopening (see REOPENABLE).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.IN_REPAIR, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.AWAITING_CUSTOMER, Status.IN_REPAIR, Status.RESOLVED, Status.CLOSED}),
    Status.AWAITING_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.IN_REPAIR, Status.RESOLVED, Status.CLOSED}),
    Status.IN_REPAIR: frozenset({Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
}
# Moves to `open` from these are reopenings: allowed within the reopen period only.
REOPENABLE = frozenset({Status.RESOLVED, Status.CLOSED})
# What a customer may do to their own case.
CUSTOMER_TARGETS = frozenset({Status.CLOSED, Status.OPEN})


def _table_is_complete() -> None:
    missing = set(Status.values) - set(TRANSITIONS)
    unknown = {t for targets in TRANSITIONS.values() for t in targets} - set(Status.values)
    if missing or unknown:
        raise ValueError(f"Case transition table: statuses without a row {missing}, unknown targets {unknown}")


_table_is_complete()


class TransitionNotAllowed(ValidationError):
    """A move the table, the actor or the reopen period forbids; the message says which."""


@dataclass(frozen=True)
class Actor:
    """Who acts: a customer on their own case, or an agent (admins included)."""

    is_agent: bool


CUSTOMER = Actor(is_agent=False)
AGENT = Actor(is_agent=True)
# The store itself, e.g. a customer's reply moving a case that awaited them back to in progress.
SYSTEM = Actor(is_agent=True)


def reopen_deadline(*, resolved_at: datetime | None, closed_at: datetime | None) -> datetime | None:
    ended = closed_at or resolved_at
    return ended + timedelta(days=settings.AFTERSALES_REOPEN_DAYS) if ended else None


def transition_check(*, case, to_status: str, actor: Actor, now: datetime) -> None:
    """Raises TransitionNotAllowed naming the reason unless `actor` may move `case` to `to_status`."""
    if to_status not in Status.values:
        raise TransitionNotAllowed(_("“%(status)s” is not a case status.") % {"status": to_status})
    current = Status(case.status)
    if to_status not in TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("A case that is %(current)s cannot be moved to %(target)s.")
            % {"current": current.label, "target": Status(to_status).label}
        )
    if not actor.is_agent and to_status not in CUSTOMER_TARGETS:
        raise TransitionNotAllowed(_("Customers may only close or reopen their cases."))
    if to_status == Status.OPEN and current in REOPENABLE:
        deadline = reopen_deadline(resolved_at=case.resolved_at, closed_at=case.closed_at)
        if deadline is not None and now > deadline:
            raise TransitionNotAllowed(
                _("This case can no longer be reopened: the %(days)s days to reopen it ended on %(date)s.")
                % {"days": settings.AFTERSALES_REOPEN_DAYS, "date": f"{deadline:%Y-%m-%d}"}
            )


def allowed_targets(*, case, actor: Actor, now: datetime) -> list[str]:
    """The statuses `actor` may move `case` to now, in the order of Status."""
    allowed = []
    for status in Status.values:
        try:
            transition_check(case=case, to_status=status, actor=actor, now=now)
        except TransitionNotAllowed:
            continue
        allowed.append(status)
    return allowed
