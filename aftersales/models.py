"""Support cases: the case, its thread (messages and attachments), its status history, service levels,
the case-number counter and the agents' scopes.

Fields the clock and the queue read (`due_at`, `first_response_due_at`, ...) are stored, computed by the
services, and indexed so the queue sorts and filters on them without computing anything per row.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer")
    IN_REPAIR = "in_repair", _("In repair")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Kind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    RETURN = "return", _("Return")
    REFUND = "refund", _("Refund")
    WARRANTY = "warranty", _("Warranty")
    INQUIRY = "inquiry", _("Inquiry")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class AuthorType(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class Case(models.Model):
    """A customer's after-sales case in one regional store, about one brand."""

    class Source(models.TextChoices):
        STORE = "store", _("Unified store")
        POCO = "po.co", _("po.co")

    number = models.CharField(_("number"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.STORE)
    legacy_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cases"
    )
    store = models.ForeignKey("brands.RegionalStore", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="cases")
    brand = models.ForeignKey("brands.Brand", verbose_name=_("brand"), on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    subject = models.CharField(_("subject"), max_length=200)
    order = models.ForeignKey("orders.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="cases")
    variant = models.ForeignKey("catalog.Variant", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cases")
    serial_number = models.CharField(_("serial number or IMEI"), max_length=64, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="assigned_cases",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution_clock_from = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When the resolution clock started: opening or reopening")
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    due_at = models.DateTimeField(
        _("due"), null=True, blank=True,
        help_text=_("The next deadline: first response until answered, then resolution; empty once resolved"),
    )
    # Re-import safety (rule 9): a carried-over case changed in the store since its import is not overwritten.
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    changed_in_store_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = [F("due_at").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_status_known"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="case_kind_known"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="case_priority_known"),
            models.CheckConstraint(
                condition=~Q(status=Status.CLOSED) | Q(closed_at__isnull=False), name="closed_case_has_closed_at"
            ),
            # The queue reads active cases from the dated part only (selectors.queue_parts).
            models.CheckConstraint(
                condition=Q(status__in=[Status.RESOLVED, Status.CLOSED], due_at__isnull=True)
                | (~Q(status__in=[Status.RESOLVED, Status.CLOSED]) & Q(due_at__isnull=False)),
                name="case_due_at_iff_active",
            ),
            models.CheckConstraint(
                condition=Q(source="store", legacy_id__isnull=True) | Q(source="po.co", legacy_id__isnull=False),
                name="case_legacy_id_iff_carried_over",
            ),
        ]
        indexes = [
            models.Index(fields=["due_at", "id"], name="case_queue_due"),
            # Also covers the facet counts under a due filter (breached, due soon): a status and a due_at range.
            models.Index(fields=["status", "due_at", "id", "brand", "store", "kind", "priority", "source",
                                 "assigned_to"], name="case_queue_status_due"),
            models.Index(fields=["assigned_to", "due_at", "id"], name="case_queue_assignee_due"),
            models.Index(fields=["brand", "store", "due_at", "id"], name="case_queue_scope_due"),
            # Covers the facet counts (index-only scans): every column their filters read is in it. Status
            # first: every count is split by status (selectors.queue_counts); then the source (carried-over
            # cases are few among the active ones), brand and store, so the counts seek instead of scanning.
            models.Index(fields=["status", "source", "brand", "store", "kind", "priority", "due_at", "assigned_to"],
                         name="case_counts"),
            # The same counts under an assignee filter (mine, unassigned) and the unassigned totals: the
            # assignee first, so a count for someone with few cases seeks them instead of testing the
            # whole status range (an admin's "mine" on SQLite, where the assignee is last in case_counts).
            models.Index(fields=["assigned_to", "status", "source", "brand", "store", "kind", "priority", "due_at"],
                         name="case_counts_assignee"),
            models.Index(fields=["customer", "-opened_at"], name="case_customer_recent"),
            models.Index(fields=["serial_number"], name="case_serial"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_carried_over(self) -> bool:
        return self.source == self.Source.POCO

    @property
    def is_breached(self) -> bool:
        """A deadline passed unmet: no first response in time, or not resolved in time."""
        now = timezone.now()
        first_due, resolution_due = self.first_response_due_at, self.resolution_due_at
        first_late = first_due is not None and (self.first_response_at or now) > first_due
        resolution_late = resolution_due is not None and (self.resolved_at or now) > resolution_due
        return first_late or resolution_late

    @property
    def changed_since_import(self) -> bool:
        return (
            self.imported_at is not None
            and self.changed_in_store_at is not None
            and self.changed_in_store_at > self.imported_at
        )


class Message(models.Model):
    """One entry of a case's thread: to the customer, or an internal note agents alone see."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_type = models.CharField(_("author type"), max_length=8, choices=AuthorType.choices)
    author_email = models.EmailField(
        blank=True, help_text=_("As the legacy site knew the author, where no account matches")
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    legacy_id = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(author_type__in=AuthorType.values), name="message_author_type_known"),
            models.CheckConstraint(
                condition=Q(is_internal=False) | ~Q(author_type="customer"), name="customers_write_no_internal_notes"
            ),
            models.UniqueConstraint(
                fields=["case", "legacy_id"], condition=Q(legacy_id__isnull=False), name="message_legacy_id_per_case"
            ),
        ]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="message_thread")]

    def __str__(self):
        return f"{self.case_id}: {self.author_type} at {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A private path (never under a served MEDIA URL) with a random name: the original name is a field."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"private/aftersales/{instance.message.case_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file on a message, served only through the permission-checked download views."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message", "id"]

    def __str__(self):
        return self.filename


class StatusChange(models.Model):
    """One move of a case's status; `from_status` is empty for the opening entry."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_by_label = models.CharField(max_length=254, blank=True, help_text=_("Who, as the legacy site named them"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at", "id"], name="status_change_history")]

    def __str__(self):
        return f"{self.from_status or '-'} -> {self.to_status}"


class ServiceLevel(models.Model):
    """Targets for one priority; seeded from settings.AFTERSALES_SERVICE_LEVELS, editable in the admin."""

    priority = models.CharField(max_length=8, choices=Priority.choices, unique=True)
    first_response_hours = models.PositiveIntegerField()
    resolution_hours = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["priority"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0) & Q(resolution_hours__gte=F("first_response_hours")),
                name="service_level_targets_sane",
            )
        ]

    def __str__(self):
        return f"{self.get_priority_display()}: {self.first_response_hours} h / {self.resolution_hours} h"


class CaseNumberCounter(models.Model):
    """The last number handed out per series (prefix and year); incremented atomically in the database."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_counter_per_series")]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_value}"


class AgentProfile(models.Model):
    """The brands and regional stores a support agent works on: they see cases of both, and no others."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile")
    brands = models.ManyToManyField("brands.Brand", blank=True, related_name="+")
    stores = models.ManyToManyField("brands.RegionalStore", blank=True, related_name="+")

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self):
        return str(self.user)
