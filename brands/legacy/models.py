"""What the legacy import keeps: its runs, the legacy map, and what each run set aside.

The legacy map (`LegacyRecord`) is what makes an import repeatable: every imported record is keyed by
(entity, legacy id) with the fingerprint of the bundle content it was imported from, the row it became,
and a hash of that row's state taken right after the import. A re-run compares fingerprints (unchanged:
nothing to do) and, for a changed record, compares the row's current state hash to the stored one to
tell an update from a conflict (the store edited the row since).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One run of `import_legacy` (dry runs too): who, when, which bundle, options, counters, state."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.CharField(max_length=150, blank=True, help_text=_("Operating-system user who ran it"))
    bundle = models.CharField(max_length=500)
    bundle_digest = models.CharField(
        max_length=64, blank=True, help_text=_("SHA-256 of the manifest: the same bundle resumes the same run")
    )
    source = models.CharField(max_length=100, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    cutover = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    message = models.TextField(blank=True, help_text=_("Why the run failed"))
    counters = models.JSONField(default=dict, blank=True, help_text=_("Per entity: read, created, ..."))
    totals = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text=_("Seconds spent per phase"))

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["bundle_digest", "state"])]
        permissions = [("import_bundle", _("Can queue the import of a bundle from the admin"))]

    def __str__(self):
        return f"Import #{self.pk} of {self.bundle} ({self.state})"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None


class Checkpoint(models.Model):
    """How far a run got in one entity's file, committed with the batch it closes.

    `lines_done` lines of the file are fully handled and their counters are in `counters`; a resumed run
    starts after them.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="checkpoints")
    entity = models.CharField(max_length=20)
    lines_done = models.PositiveIntegerField(default=0)
    done = models.BooleanField(default=False)
    counters = models.JSONField(default=dict)
    totals = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "entity"], name="one_checkpoint_per_run_entity")]

    def __str__(self):
        return f"{self.entity}: {self.lines_done} lines"


class ChunkCheckpoint(models.Model):
    """How far one chunk of an entity got in a distributed run (`--workers N`, brands/legacy/distributed.py).

    The coordinator splits an entity's lines into `chunks` parts; each part is imported by a Celery task
    that commits this row with every batch, like `Checkpoint` for a serial run. When every chunk of the
    entity is done, the coordinator writes the entity's `Checkpoint` (the sums), so resuming, the
    resolution maps and the report see it as a serial run's. `error` keeps why a chunk task failed.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="chunk_checkpoints")
    entity = models.CharField(max_length=20)
    chunk = models.PositiveSmallIntegerField()
    chunks = models.PositiveSmallIntegerField(help_text=_("How many chunks the entity was split into"))
    lines_done = models.PositiveIntegerField(default=0, help_text=_("Number of the chunk's last handled line"))
    done = models.BooleanField(default=False)
    counters = models.JSONField(default=dict)
    totals = models.JSONField(default=dict)
    timings = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "entity", "chunk"], name="one_checkpoint_per_run_entity_chunk"),
            models.CheckConstraint(condition=Q(chunk__lt=models.F("chunks")), name="chunk_within_chunks"),
        ]

    def __str__(self):
        return f"{self.entity} chunk {self.chunk + 1}/{self.chunks}: line {self.lines_done}"


class IndexedFile(models.Model):
    """The superseded lines of a bundle file, by the SHA-256 of its bytes (which the bundle check verifies).

    Which lines are superseded depends on the bytes alone (each line's legacy id), so an import that meets
    the same file again (a re-import of the bundle, a resumed run, a later bundle that kept a file as it was)
    takes them from here instead of indexing the whole file again (3.1 s of a 36 to 50 s re-import of
    1,000,000 records).
    `superseded` is as in `ChunkPlan`: zlib-compressed (line, last line of its legacy id) pairs.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    superseded = models.BinaryField()
    indexed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.sha256


class ChunkPlan(models.Model):
    """Which chunk of a distributed run imports each line of an entity file, and which lines are superseded.

    The coordinator decides it once for the whole file before the entity's chunks start (it reads every line's
    partition key and legacy id), so that a chunk reads only its own lines' records; when every chunk did
    that over the whole file for itself, the work grew with the number of workers. A resumed run keeps it.
    Both fields are zlib-compressed: `assignment` one byte per line (its chunk), `superseded` the pairs
    (line, last line of its legacy id) as 4-byte unsigned integers in line order.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="chunk_plans")
    entity = models.CharField(max_length=20)
    chunks = models.PositiveSmallIntegerField()
    assignment = models.BinaryField()
    superseded = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "entity"], name="one_chunk_plan_per_run_entity")]

    def __str__(self):
        return f"{self.entity} in {self.chunks} chunks"


class QuarantinedRecord(models.Model):
    """A line that could not be imported: kept with its line number, raw text and the reason."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="quarantine")
    entity = models.CharField(max_length=20)
    legacy_id = models.CharField(max_length=64, blank=True, help_text=_("Empty when the line had none"))
    line = models.PositiveIntegerField()
    reason = models.TextField()
    raw = models.TextField(help_text=_("The line as read; bytes that were not UTF-8 are shown escaped"))

    class Meta:
        ordering = ["run", "entity", "line"]
        indexes = [models.Index(fields=["run", "entity", "legacy_id"])]

    def __str__(self):
        return f"{self.entity} line {self.line}: {self.reason}"


class ExcludedRecord(models.Model):
    """A record a run left out on purpose (India portal, erased customer, hangs on an excluded record).

    Only the legacy id and the reason are kept, never the record's content; dependants resolve against
    these rows, so a resumed run knows what was excluded before it stopped.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="excluded")
    entity = models.CharField(max_length=20)
    legacy_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=200)
    erased = models.BooleanField(default=False, help_text=_("An erased customer (data-erasure request)"))

    class Meta:
        ordering = ["run", "entity", "legacy_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "entity", "legacy_id"], name="excluded_once_per_run")
        ]

    def __str__(self):
        return f"{self.entity} {self.legacy_id}: {self.reason}"


class ConflictRecord(models.Model):
    """A record changed both in the bundle and in the store since its last import: left as the store has it."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="conflicts")
    entity = models.CharField(max_length=20)
    legacy_id = models.CharField(max_length=64)
    line = models.PositiveIntegerField()
    reason = models.TextField()

    class Meta:
        ordering = ["run", "entity", "line"]

    def __str__(self):
        return f"{self.entity} {self.legacy_id}: {self.reason}"


class LegacyRecord(models.Model):
    """The legacy map: an imported record, the row it became, and fingerprints to compare re-runs against."""

    entity = models.CharField(max_length=20)
    legacy_id = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the record's canonical content"))
    line_digest = models.CharField(
        max_length=64, blank=True,
        help_text=_("SHA-256 of the line as read and of its entity's schema: the same line again is unchanged "
                    "without being encoded again; empty for records imported before it was kept"),
    )
    target_pk = models.BigIntegerField(null=True, blank=True, help_text=_("Primary key of the row it became"))
    state_hash = models.CharField(
        max_length=64, blank=True,
        help_text=_("Hash of the target row's state right after the import; empty when the row is not ours"),
    )
    first_run = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, related_name="+")
    last_run = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, related_name="+")
    target_created = models.BooleanField(default=False, help_text=_("This record's import created the row"))
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "legacy_id"], name="legacy_record_unique_per_entity")
        ]
        indexes = [models.Index(fields=["entity", "target_pk"])]

    def __str__(self):
        return f"{self.entity}:{self.legacy_id} -> {self.target_pk}"


class LegacyRedirect(models.Model):
    """A URL of the closed site and what it now means in the store; the redirects middleware answers it.

    `store_code` is the portal the URL belonged to; the target is named by entity and primary key so the
    middleware builds the current URL (slugs may change after the import).
    """

    source_url = models.URLField(max_length=500, unique=True)
    entity = models.CharField(max_length=20)
    legacy_id = models.CharField(max_length=64)
    target_pk = models.BigIntegerField()
    store_code = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["entity", "legacy_id"])]
        constraints = [
            models.CheckConstraint(condition=~Q(source_url=""), name="legacy_redirect_has_source"),
        ]

    def __str__(self):
        return f"{self.source_url} -> {self.entity}#{self.target_pk}"




class WelcomeNote(models.Model):
    """The once-only note a migrated po.co customer sees at their first sign-in: what moved with them.

    Its row is written at that sign-in (brands/legacy/welcome.py), with the counts shown, so the note is
    never shown twice, even with two sign-ins at once (one row per account).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="legacy_welcome_note"
    )
    shown_at = models.DateTimeField(default=timezone.now)
    moved = models.JSONField(default=dict, help_text=_("What the note listed: orders, points, coupons, cases"))

    class Meta:
        verbose_name = _("po.co welcome note")
        verbose_name_plural = _("po.co welcome notes")

    def __str__(self):
        return f"Welcome note of user #{self.user_id}"
