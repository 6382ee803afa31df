"""Admin of the legacy import: runs with their counters, and the quarantine to search and export as CSV."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from .models import ConflictRecord, ExcludedRecord, ImportRun, LegacyRecord, LegacyRedirect, QuarantinedRecord


def _total(run: ImportRun, counter: str) -> int:
    return sum(entry.get(counter, 0) for entry in (run.counters or {}).values())


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "started_at", "started_by", "bundle", "dry_run", "state", "duration_display",
                    "read", "imported", "quarantined", "conflicts")
    list_filter = ("state", "dry_run")
    search_fields = ("bundle", "started_by", "source")
    readonly_fields = [field.name for field in ImportRun._meta.fields] + ["duration_display"]
    date_hierarchy = "started_at"

    @admin.display(description=_("duration"))
    def duration_display(self, run):
        return str(run.duration).split(".")[0] if run.duration else "—"

    @admin.display(description=_("read"))
    def read(self, run):
        return _total(run, "read")

    @admin.display(description=_("imported"))
    def imported(self, run):
        return sum(_total(run, counter) for counter in ("created", "updated", "unchanged", "linked"))

    @admin.display(description=_("quarantined"))
    def quarantined(self, run):
        return _total(run, "quarantined")

    @admin.display(description=_("conflicts"))
    def conflicts(self, run):
        return _total(run, "conflicts")

    def has_add_permission(self, request):
        return False


def _csv_response(queryset, filename: str, fields: tuple[str, ...]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(fields)
    for row in queryset.order_by("run_id", "entity", "line").values_list(*fields).iterator(chunk_size=2000):
        writer.writerow(row)
    return response


class _SetAsideAdmin(admin.ModelAdmin):
    list_select_related = ("run",)
    list_filter = ("entity", "run")
    search_fields = ("entity", "legacy_id", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuarantinedRecord)
class QuarantinedRecordAdmin(_SetAsideAdmin):
    list_display = ("run", "entity", "legacy_id", "line", "reason")
    actions = ["download_csv"]

    @admin.action(description=_("Download the selected quarantined records as CSV"))
    def download_csv(self, request, queryset):
        return _csv_response(queryset, "quarantine.csv", ("run_id", "entity", "legacy_id", "line", "reason", "raw"))


@admin.register(ConflictRecord)
class ConflictRecordAdmin(_SetAsideAdmin):
    list_display = ("run", "entity", "legacy_id", "line", "reason")
    actions = ["download_csv"]

    @admin.action(description=_("Download the selected conflicts as CSV"))
    def download_csv(self, request, queryset):
        return _csv_response(queryset, "conflicts.csv", ("run_id", "entity", "legacy_id", "line", "reason"))


@admin.register(ExcludedRecord)
class ExcludedRecordAdmin(_SetAsideAdmin):
    list_display = ("run", "entity", "legacy_id", "reason", "erased")
    list_filter = ("entity", "erased", "run")


@admin.register(LegacyRecord)
class LegacyRecordAdmin(admin.ModelAdmin):
    list_display = ("entity", "legacy_id", "target_pk", "imported_at", "last_run")
    list_filter = ("entity",)
    search_fields = ("=legacy_id",)
    list_select_related = ("last_run",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LegacyRedirect)
class LegacyRedirectAdmin(admin.ModelAdmin):
    list_display = ("source_url", "entity", "legacy_id", "target_pk", "store_code")
    list_filter = ("entity", "store_code")
    search_fields = ("source_url", "=legacy_id")
