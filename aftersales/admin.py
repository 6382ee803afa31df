"""Admin for cases and their parts. Status, priority and deadlines are read-only here: they move through the
services (transitions recorded, deadlines recomputed); the admin edits the rest, the agents' scopes and the
service levels."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import AgentProfile, Attachment, Case, Message, ServiceLevel, StatusChange


def _download_link(attachment):
    return format_html('<a href="{}">{}</a>', reverse("aftersales:attachment", args=[attachment.pk]),
                       attachment.filename)


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    fields = ["author_type", "author", "author_email", "is_internal", "body", "created_at"]
    raw_id_fields = ["author"]
    show_change_link = True


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "from_status", "to_status", "changed_by", "changed_by_label"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "subject", "customer", "brand", "store", "kind", "priority", "status", "assigned_to",
                    "due_at", "source"]
    list_filter = ["status", "kind", "priority", "source", "brand", "store"]
    search_fields = ["=number", "=customer__email", "=serial_number", "=order__number"]
    list_select_related = ["customer", "brand", "store", "assigned_to"]
    raw_id_fields = ["customer", "order", "variant", "assigned_to"]
    # Status, priority and the clock move through the services (recorded, deadlines recomputed).
    readonly_fields = ["status", "priority", "source", "legacy_id", "opened_at", "updated_at", "first_response_at",
                       "resolved_at", "closed_at", "resolution_clock_from", "first_response_due_at",
                       "resolution_due_at", "due_at", "imported_at", "changed_in_store_at"]
    inlines = [MessageInline, StatusChangeInline]
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        """An edit here is a change in the store: a re-import must not overwrite it (FORMAT.md rule 9)."""
        if change:
            obj.updated_at = obj.changed_in_store_at = timezone.now()
        super().save_model(request, obj, form, change)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = readonly_fields = ["download", "content_type", "size", "sha256", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, attachment):
        return _download_link(attachment)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["case", "author_type", "author", "is_internal", "created_at"]
    list_filter = ["author_type", "is_internal"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "author"]
    raw_id_fields = ["case", "author"]
    inlines = [AttachmentInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "download", "content_type", "size", "message", "created_at"]
    search_fields = ["=message__case__number", "filename"]
    list_select_related = ["message"]
    readonly_fields = ["message", "file", "filename", "content_type", "size", "sha256", "created_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="download")
    def download(self, attachment):
        return _download_link(attachment)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = ["priority", "first_response_hours", "resolution_hours"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["brands", "stores"]
