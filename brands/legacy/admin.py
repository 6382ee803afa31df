"""Admin of the legacy import: runs with their counters, and the quarantine to search and export as CSV."""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .entities import ENTITIES
from .forms import ImportBundleForm
from .models import ConflictRecord, ExcludedRecord, ImportRun, LegacyRecord, LegacyRedirect, QuarantinedRecord
from .tasks import import_bundle_task


def _total(run: ImportRun, counter: str) -> int:
    return sum(entry.get(counter, 0) for entry in (run.counters or {}).values())


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("id", "started_at", "started_by", "bundle", "dry_run", "state", "duration_display",
                    "read", "imported", "quarantined", "conflicts")
    list_filter = ("state", "dry_run")
    search_fields = ("bundle", "started_by", "source")
    readonly_fields = [field.name for field in ImportRun._meta.fields] + ["duration_display", "progress"]
    date_hierarchy = "started_at"
    change_list_template = "legacy/admin/importrun_change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="legacy_importrun_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        can_import = request.user.has_perm("legacy.import_bundle")
        return super().changelist_view(request, {**(extra_context or {}), "can_import": can_import})

    def import_view(self, request):
        """"Import a bundle": queues the `legacy.import_bundle` task (on commit) with the form's options."""
        if not request.user.has_perm("legacy.import_bundle"):
            raise PermissionDenied
        form = ImportBundleForm(request.POST or None)
        if form.is_valid():
            options = {**form.cleaned_data, "only": form.cleaned_data["only"] or None}
            transaction.on_commit(lambda: import_bundle_task.delay(**options))
            self.message_user(request, _("The import of %(bundle)s is queued; its run appears below once it has "
                                         "checked the bundle.") % {"bundle": options["bundle"]}, messages.SUCCESS)
            return redirect("admin:legacy_importrun_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": _("Import a bundle")}
        return TemplateResponse(request, "legacy/admin/import_bundle.html", context)

    @admin.display(description=_("progress"))
    def progress(self, run):
        """Lines done per entity, from the checkpoints (and the chunks of a distributed run)."""
        lines = {checkpoint.entity: (checkpoint.lines_done, checkpoint.done) for checkpoint in run.checkpoints.all()}
        chunks: dict[str, list] = {}
        for chunk in run.chunk_checkpoints.all():
            chunks.setdefault(chunk.entity, []).append(chunk)
        rows = []
        for entity in ENTITIES:
            if entity in lines and lines[entity][1]:
                rows.append((entity, _("done")))
            elif entity in chunks:
                parts = chunks[entity]
                read = sum(part.counters.get("read", 0) for part in parts)
                rows.append((entity, _("%(read)d lines, %(done)d of %(chunks)d chunks done") % {
                    "read": read, "done": sum(part.done for part in parts), "chunks": len(parts)}))
            elif entity in lines:
                rows.append((entity, _("up to line %(line)d") % {"line": lines[entity][0]}))
        return format_html_join("", "<div>{}: {}</div>", rows) if rows else "—"

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
