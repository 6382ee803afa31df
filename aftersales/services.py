"""Writes on cases, each atomic and enforcing the rules: transitions from the table, closed cases frozen,
agents within their scope, deadlines kept, every change stamped so a re-import can tell (rule 9).

Errors are ValidationErrors whose message names the problem; pages and the API show them as they are.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from storefront.accounts.models import normalize_email

from . import notifications
from .files import CheckedUpload, uploads_check
from .models import (
    AgentProfile,
    Attachment,
    AuthorType,
    Case,
    CaseNumberCounter,
    Kind,
    Message,
    Priority,
    Status,
    StatusChange,
)
from .scope import AgentScope, agent_scope
from .selectors import support_agents
from .service_levels import case_deadlines_set, case_due_at_set, service_level_targets
from .transitions import AGENT, CUSTOMER, SYSTEM, Actor, TransitionNotAllowed, transition_check

CLOSED_MESSAGE = gettext_lazy("This case is closed; reopen it to change it.")


def case_number_next(*, now: datetime) -> str:
    """The next number of the store's own series, e.g. MS-2026-000123.

    The counter row is incremented by an UPDATE in the database, which holds its lock until the
    transaction ends: two concurrent openings never get the same number (and `number` is unique anyway).
    """
    prefix, year = settings.AFTERSALES_CASE_NUMBER_PREFIX, now.year
    with transaction.atomic():
        counter, _created = CaseNumberCounter.objects.get_or_create(prefix=prefix, year=year)
        CaseNumberCounter.objects.filter(pk=counter.pk).update(last_value=F("last_value") + 1)
        value = CaseNumberCounter.objects.values_list("last_value", flat=True).get(pk=counter.pk)
    return f"{prefix}-{year}-{value:06d}"


def _attachments_save(*, message: Message, uploads: list[CheckedUpload], now: datetime) -> list[Attachment]:
    attachments = []
    for upload in uploads:
        attachment = Attachment(message=message, filename=upload.filename, content_type=upload.content_type,
                                size=upload.size, sha256=upload.sha256, created_at=now)
        attachment.file.save(upload.filename, upload.file, save=False)
        attachments.append(attachment)
    return Attachment.objects.bulk_create(attachments)


def _text_required(value: str, *, what: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("%(what)s is required.") % {"what": what}, code="required")
    if max_length and len(value) > max_length:
        raise ValidationError(
            _("%(what)s is too long (%(length)s characters; at most %(most)s).")
            % {"what": what, "length": len(value), "most": max_length},
            code="too_long",
        )
    return value


def _order_belongs_to(order, customer) -> bool:
    return order.user_id == customer.pk or (order.user_id is None and order.email == normalize_email(customer.email))


def _case_brand(*, order, variant, brand):
    """What the case is about decides its brand: the product, else the order's first known product."""
    if variant is not None:
        return variant.product.brand
    if order is not None:
        for line in order.lines.select_related("product__brand", "variant__product__brand"):
            product = line.product or (line.variant.product if line.variant else None)
            if product is not None:
                return product.brand
    if brand is not None:
        return brand
    raise ValidationError(_("Say which brand the case is about: choose a product, or an order of known products."),
                          code="brand_unknown")


@transaction.atomic
def case_open(
    *, customer, kind: str, subject: str, body: str, store=None, order=None, variant=None, brand=None,
    serial_number: str = "", uploads=(), priority: str = Priority.NORMAL, now: datetime | None = None,
) -> Case:
    """A customer opens a case about one of their orders or a product, with a first message."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise ValidationError(_("“%(kind)s” is not a kind of case.") % {"kind": kind}, code="kind_unknown")
    if priority not in Priority.values:
        raise ValidationError(_("“%(priority)s” is not a priority.") % {"priority": priority}, code="priority")
    subject = _text_required(subject, what=_("A subject"), max_length=200)
    body = _text_required(body, what=_("A description"))
    if order is None and variant is None:
        raise ValidationError(_("Say which order or product the case is about."), code="subject_missing")
    if order is not None and not _order_belongs_to(order, customer):
        raise ValidationError(_("That order is not one of yours."), code="order_not_yours")
    store = order.store if order is not None else (store or customer.preferred_store)
    if store is None:
        raise ValidationError(_("Say which regional store the case belongs to."), code="store_missing")
    brand = _case_brand(order=order, variant=variant, brand=brand)
    checked = uploads_check(uploads)

    case = Case(
        number=case_number_next(now=now), customer=customer, store=store, brand=brand, kind=kind, priority=priority,
        subject=subject, order=order, variant=variant, serial_number=(serial_number or "").strip()[:64],
        opened_at=now, updated_at=now,
    )
    case_deadlines_set(case, targets=service_level_targets())
    case.save()
    StatusChange.objects.create(case=case, from_status="", to_status=Status.OPEN, changed_by=customer, at=now)
    message = Message.objects.create(case=case, author=customer, author_type=AuthorType.CUSTOMER, body=body,
                                     created_at=now)
    _attachments_save(message=message, uploads=checked, now=now)
    return case


def _locked(case: Case) -> Case:
    """The case re-read under a row lock (its customer, store and assignee with it, unlocked)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("customer", "store", "assigned_to")
        .get(pk=case.pk)
    )


def _touch(case: Case, now: datetime) -> None:
    case.updated_at = now
    case.changed_in_store_at = now


def _status_apply(*, case: Case, to_status: str, by, actor: Actor, now: datetime, targets) -> StatusChange:
    """Moves `case` (in memory) after the table allows it; returns the unsaved history entry."""
    transition_check(case=case, to_status=to_status, actor=actor, now=now)
    from_status = case.status
    case.status = to_status
    if to_status == Status.RESOLVED:
        case.resolved_at = now
    elif to_status == Status.CLOSED:
        case.closed_at = now
    elif to_status == Status.OPEN:  # a reopening: the resolution clock starts again
        case.resolved_at = case.closed_at = None
        case_deadlines_set(case, targets=targets, resolution_from=now)
    case_due_at_set(case)
    _touch(case, now)
    return StatusChange(case=case, from_status=from_status, to_status=to_status, changed_by=by, at=now)


@transaction.atomic
def case_transition(*, case: Case, to_status: str, by, actor: Actor = AGENT, now: datetime | None = None) -> Case:
    """Moves a case along an allowed transition, records it, and tells the customer when an agent moved it."""
    now = now or timezone.now()
    case = _locked(case)
    change = _status_apply(case=case, to_status=to_status, by=by, actor=actor, now=now, targets=service_level_targets())
    case.save()
    change.save()
    if actor.is_agent:
        notifications.customer_notify_of_status(case=case, change=change)
    return case


def case_close_by_customer(*, case: Case, customer, now: datetime | None = None) -> Case:
    return case_transition(case=case, to_status=Status.CLOSED, by=customer, actor=CUSTOMER, now=now)


def case_reopen_by_customer(*, case: Case, customer, now: datetime | None = None) -> Case:
    return case_transition(case=case, to_status=Status.OPEN, by=customer, actor=CUSTOMER, now=now)


@transaction.atomic
def case_reply_by_customer(*, case: Case, customer, body: str, uploads=(), now: datetime | None = None) -> Message:
    """The customer answers on their case; a case awaiting them goes back to in progress."""
    now = now or timezone.now()
    body = _text_required(body, what=_("A message"))
    checked = uploads_check(uploads)
    case = _locked(case)
    if case.customer_id != customer.pk:
        raise ValidationError(_("That case is not one of yours."), code="not_yours")
    if case.is_closed:
        raise ValidationError(CLOSED_MESSAGE, code="closed")
    message = Message.objects.create(case=case, author=customer, author_type=AuthorType.CUSTOMER, body=body,
                                     created_at=now)
    _attachments_save(message=message, uploads=checked, now=now)
    if case.status == Status.AWAITING_CUSTOMER:
        _status_apply(case=case, to_status=Status.IN_PROGRESS, by=customer, actor=SYSTEM, now=now,
                      targets=None).save()
    _touch(case, now)
    case.save()
    notifications.agent_notify_of_customer_reply(case=case, message=message)
    return message


@transaction.atomic
def case_reply_by_agent(
    *, case: Case, agent, body: str, internal: bool = False, uploads=(), now: datetime | None = None
) -> Message:
    """An agent answers the customer (the first answer stops the first-response clock) or adds an internal
    note, which the customer never sees nor hears of."""
    now = now or timezone.now()
    body = _text_required(body, what=_("A message"))
    checked = uploads_check(uploads)
    case = _locked(case)
    if case.is_closed:
        raise ValidationError(CLOSED_MESSAGE, code="closed")
    message = Message.objects.create(case=case, author=agent, author_type=AuthorType.AGENT, body=body,
                                     is_internal=internal, created_at=now)
    _attachments_save(message=message, uploads=checked, now=now)
    if not internal and case.first_response_at is None:
        case.first_response_at = now
        case_due_at_set(case)
    _touch(case, now)
    case.save()
    if not internal:
        notifications.customer_notify_of_reply(case=case, message=message)
    return message


def _assignee_check(*, case: Case, assignee) -> None:
    if assignee is None:
        return
    scope = agent_scope(assignee)
    if scope is None or not scope.covers(case):
        raise ValidationError(
            _("%(agent)s cannot take case %(number)s: it is outside the brands and stores they work on.")
            % {"agent": assignee.email, "number": case.number},
            code="assignee_out_of_scope",
        )


@transaction.atomic
def case_assign(*, case: Case, assignee, by, now: datetime | None = None) -> Case:
    """Assigns the case to an agent whose scope covers it, or unassigns it (`assignee=None`)."""
    now = now or timezone.now()
    case = _locked(case)
    if case.is_closed:
        raise ValidationError(CLOSED_MESSAGE, code="closed")
    _assignee_check(case=case, assignee=assignee)
    case.assigned_to = assignee
    _touch(case, now)
    case.save()
    return case


@transaction.atomic
def case_priority_set(*, case: Case, priority: str, by, now: datetime | None = None) -> Case:
    """Re-prioritises a case; its deadlines follow the new priority's targets, counted from its opening."""
    now = now or timezone.now()
    if priority not in Priority.values:
        raise ValidationError(_("“%(priority)s” is not a priority.") % {"priority": priority}, code="priority")
    case = _locked(case)
    if case.is_closed:
        raise ValidationError(CLOSED_MESSAGE, code="closed")
    case.priority = priority
    case_deadlines_set(case, targets=service_level_targets(), resolution_from=case.resolution_clock_from)
    _touch(case, now)
    case.save()
    return case


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # case numbers
    refused: list[tuple[str, str]] = field(default_factory=list)  # (case number, why)


def _bulk_cases(*, scope: AgentScope, case_ids) -> list[Case]:
    cases = scope.cases(Case.objects.select_for_update(of=("self",)).select_related("customer", "store"))
    return list(cases.filter(pk__in=list(case_ids)).order_by("pk"))


@transaction.atomic
def cases_bulk_assign(*, scope: AgentScope, case_ids, assignee, now: datetime | None = None) -> BulkResult:
    """Assigns many cases of the agent's scope at once; closed ones and ones outside the assignee's scope are
    refused with the reason. A fixed number of queries however many cases."""
    now = now or timezone.now()
    result, changed = BulkResult(), []
    assignee_scope = agent_scope(assignee) if assignee is not None else None
    if assignee is not None and assignee_scope is None:
        raise ValidationError(_("%(user)s is not a support agent.") % {"user": assignee.email}, code="not_agent")
    for case in _bulk_cases(scope=scope, case_ids=case_ids):
        if case.is_closed:
            result.refused.append((case.number, str(CLOSED_MESSAGE)))
        elif assignee_scope is not None and not assignee_scope.covers(case):
            result.refused.append((case.number, _("outside the brands and stores of %(agent)s")
                                   % {"agent": assignee.email}))
        else:
            case.assigned_to = assignee
            _touch(case, now)
            changed.append(case)
            result.done.append(case.number)
    Case.objects.bulk_update(changed, ["assigned_to", "updated_at", "changed_in_store_at"])
    return result


@transaction.atomic
def cases_bulk_transition(*, scope: AgentScope, case_ids, to_status: str, now: datetime | None = None) -> BulkResult:
    """Moves many cases of the agent's scope at once; each move the table forbids is refused with its reason."""
    now = now or timezone.now()
    targets = service_level_targets()
    result, changed, changes = BulkResult(), [], []
    for case in _bulk_cases(scope=scope, case_ids=case_ids):
        try:
            changes.append(_status_apply(case=case, to_status=to_status, by=scope.user, actor=AGENT, now=now,
                                         targets=targets))
        except TransitionNotAllowed as error:
            result.refused.append((case.number, " ".join(error.messages)))
            continue
        changed.append(case)
        result.done.append(case.number)
    Case.objects.bulk_update(changed, ["status", "resolved_at", "closed_at", "first_response_due_at",
                                       "resolution_due_at", "resolution_clock_from", "due_at", "updated_at",
                                       "changed_in_store_at"])
    StatusChange.objects.bulk_create(changes)
    for case, change in zip(changed, changes, strict=True):
        notifications.customer_notify_of_status(case=case, change=change)
    return result


def breach_digest_send(*, now: datetime | None = None) -> int:
    """Mails each agent the cases of their brands and stores past a deadline (the most overdue first, at most
    AFTERSALES_DIGEST_MAX_CASES listed); agents with none get nothing. Returns the number of e-mails.

    One query for the agents and their scopes, then one per agent with breached cases (agents are few).
    """
    now = now or timezone.now()
    most = settings.AFTERSALES_DIGEST_MAX_CASES
    sent = 0
    profiles = (
        AgentProfile.objects.filter(user__in=support_agents())
        .select_related("user")
        .prefetch_related("brands", "stores")
    )
    for profile in profiles:
        cases = Case.objects.filter(
            due_at__lt=now,
            brand__in=[b.pk for b in profile.brands.all()],
            store__in=[s.pk for s in profile.stores.all()],
        )
        listed = list(cases.order_by("due_at", "id")[: most + 1])
        if not listed:
            continue
        total = len(listed) if len(listed) <= most else cases.count()
        notifications.agent_send_breach_digest(agent=profile.user, cases=listed[:most], total=total)
        sent += 1
    return sent
