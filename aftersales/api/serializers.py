"""API shapes of cases. Customers' shapes never carry internal notes, agents' e-mails or who moved a status."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Attachment, Case, Kind, Message, Priority, Status, StatusChange


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The permission-checked download URL")

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "url"]

    def get_url(self, attachment) -> str:
        return reverse(self.context["attachment_url_name"], args=[attachment.pk])


class CustomerMessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author_type", "body", "created_at", "attachments"]


class AgentMessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "author_type", "author", "is_internal", "body", "created_at", "attachments"]

    def get_author(self, message) -> str:
        return message.author.email if message.author else message.author_email


class CustomerStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "at"]


class AgentStatusChangeSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "at", "by"]

    def get_by(self, change) -> str:
        return change.changed_by.email if change.changed_by else change.changed_by_label


class CaseSummarySerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    brand = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    carried_over = serializers.BooleanField(source="is_carried_over", read_only=True)

    class Meta:
        model = Case
        fields = ["number", "subject", "kind", "status", "priority", "store", "brand", "order", "serial_number",
                  "carried_over", "opened_at", "updated_at", "closed_at"]


class CustomerCaseSerializer(CaseSummarySerializer):
    messages = serializers.SerializerMethodField()
    history = CustomerStatusChangeSerializer(many=True, read_only=True)
    allowed_statuses = serializers.ListField(child=serializers.ChoiceField(choices=Status.choices), read_only=True,
                                             help_text="What the customer may move the case to now")

    class Meta(CaseSummarySerializer.Meta):
        fields = [*CaseSummarySerializer.Meta.fields, "messages", "history", "allowed_statuses"]

    @extend_schema_field(CustomerMessageSerializer(many=True))
    def get_messages(self, case):
        return CustomerMessageSerializer(case.thread, many=True, context=self.context).data


class AgentCaseRowSerializer(CaseSummarySerializer):
    customer = serializers.SlugRelatedField(slug_field="email", read_only=True)
    assigned_to = serializers.SlugRelatedField(slug_field="email", read_only=True)
    breached = serializers.BooleanField(source="is_breached", read_only=True)

    class Meta(CaseSummarySerializer.Meta):
        fields = [*CaseSummarySerializer.Meta.fields, "id", "customer", "assigned_to", "due_at",
                  "first_response_due_at", "resolution_due_at", "first_response_at", "breached"]


class WarrantySerializer(serializers.Serializer):
    months = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    is_active = serializers.BooleanField()


class AgentCaseSerializer(AgentCaseRowSerializer):
    messages = serializers.SerializerMethodField()
    history = AgentStatusChangeSerializer(many=True, read_only=True)
    allowed_statuses = serializers.ListField(child=serializers.ChoiceField(choices=Status.choices), read_only=True)
    warranty = WarrantySerializer(read_only=True, allow_null=True)

    class Meta(AgentCaseRowSerializer.Meta):
        fields = [*AgentCaseRowSerializer.Meta.fields, "messages", "history", "allowed_statuses", "warranty"]

    @extend_schema_field(AgentMessageSerializer(many=True))
    def get_messages(self, case):
        return AgentMessageSerializer(case.thread, many=True, context=self.context).data


class QueueCountsSerializer(serializers.Serializer):
    status = serializers.DictField(child=serializers.IntegerField())
    kind = serializers.DictField(child=serializers.IntegerField())
    priority = serializers.DictField(child=serializers.IntegerField())
    total = serializers.DictField(child=serializers.IntegerField(), help_text="all, breached, unassigned")
    limit = serializers.IntegerField(
        help_text="Counting stops here: a count equal to it means at least that many (the page adds a +)"
    )


class QueuePageSerializer(serializers.Serializer):
    results = AgentCaseRowSerializer(many=True)
    next = serializers.CharField(allow_null=True, help_text="URL of the next page (keyset cursor), or null")
    counts = QueueCountsSerializer()


# --- Input ----------------------------------------------------------------------------------------------

class CaseOpenInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()
    order = serializers.CharField(required=False, allow_blank=True, help_text="Number of one of your orders")
    variant = serializers.CharField(required=False, allow_blank=True, help_text="SKU of the product")
    serial_number = serializers.CharField(required=False, allow_blank=True, max_length=64)
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class ReplyInput(serializers.Serializer):
    body = serializers.CharField()
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class AgentReplyInput(ReplyInput):
    internal = serializers.BooleanField(default=False)


class TransitionInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


class PriorityInput(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)


class AssignInput(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, help_text="Id of an agent; null unassigns")
