"""Forms of the agents' workspace and the customers' portal. They parse input; the services hold the rules."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, RegionalStore
from storefront.accounts.models import normalize_email
from storefront.catalog.models import Variant

from .models import Case, Kind, Priority, Status
from .scope import AgentScope
from .selectors import QueueFilters, customer_orders


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); the services check each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


STATUS_ACTIVE, STATUS_ALL = "", "all"


class QueueFilterForm(forms.Form):
    """The queue's filters, shared by the workspace page and the API (GET parameters)."""

    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), required=False, label=_("Brand"))
    store = forms.ModelChoiceField(queryset=RegionalStore.objects.none(), required=False, label=_("Store"))
    status = forms.ChoiceField(
        choices=[(STATUS_ACTIVE, _("Active")), (STATUS_ALL, _("All")), *Status.choices], required=False,
        label=_("Status"),
    )
    kind = forms.ChoiceField(choices=[("", _("Any kind")), *Kind.choices], required=False, label=_("Kind"))
    priority = forms.ChoiceField(choices=[("", _("Any priority")), *Priority.choices], required=False,
                                 label=_("Priority"))
    assigned = forms.ChoiceField(
        choices=[("", _("Anyone")), ("me", _("Assigned to me")), ("unassigned", _("Unassigned"))], required=False,
        label=_("Assigned"),
    )
    due = forms.ChoiceField(
        choices=[("", _("Any time")), ("soon", _("Due soon")), ("breached", _("Breached"))], required=False,
        label=_("Due"),
    )
    source = forms.ChoiceField(
        choices=[("", _("New and carried over")), (Case.Source.STORE, _("New")), (Case.Source.POCO,
                                                                                  _("Carried over from po.co"))],
        required=False, label=_("Source"),
    )
    q = forms.CharField(required=False, max_length=254, label=_("Search"),
                        help_text=_("Case number, customer e-mail, order number, serial number or IMEI"))
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, scope: AgentScope, **kwargs):
        super().__init__(*args, **kwargs)
        brands, stores = Brand.objects.all(), RegionalStore.objects.all()
        if not scope.is_admin:
            brands, stores = brands.filter(pk__in=scope.brand_ids), stores.filter(pk__in=scope.store_ids)
        self.fields["brand"].queryset = brands
        self.fields["store"].queryset = stores

    def filters(self) -> QueueFilters:
        data = self.cleaned_data
        status = data.get("status") or STATUS_ACTIVE
        return QueueFilters(
            brand_id=data["brand"].pk if data.get("brand") else None,
            store_id=data["store"].pk if data.get("store") else None,
            status="" if status in (STATUS_ACTIVE, STATUS_ALL) else status,
            active_only=status == STATUS_ACTIVE,
            kind=data.get("kind", ""), priority=data.get("priority", ""), assigned=data.get("assigned", ""),
            due=data.get("due", ""), source=data.get("source", ""), q=data.get("q", ""),
        )


class AgentReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(label=_("Internal note (the customer does not see it)"), required=False)
    attachments = MultipleFileField(label=_("Attachments"))


class CustomerReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class AssignForm(forms.Form):
    """Empty assignee: unassign. The service checks the assignee's scope."""

    assignee = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BulkForm(forms.Form):
    ACTIONS = [("assign", _("Assign")), ("status", _("Change status"))]

    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[], label=_("Cases"))
    action = forms.ChoiceField(choices=ACTIONS, label=_("Action"))
    assignee = forms.IntegerField(required=False, label=_("Agent"))
    status = forms.ChoiceField(choices=[("", "---"), *Status.choices], required=False, label=_("New status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service only touches cases in the agent's scope.
        self.fields["cases"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        data = super().clean()
        if data.get("action") == "status" and not data.get("status"):
            self.add_error("status", _("Choose the status to move the cases to."))
        return data


class CaseOpenForm(forms.Form):
    """A customer opens a case about one of their orders or a product they bought."""

    kind = forms.ChoiceField(choices=Kind.choices, label=_("What do you need?"))
    order = forms.ModelChoiceField(queryset=None, required=False, label=_("Order"))
    variant = forms.ModelChoiceField(queryset=None, required=False, label=_("Product"))
    serial_number = forms.CharField(required=False, max_length=64, label=_("Serial number or IMEI"))
    subject = forms.CharField(max_length=200, label=_("Subject"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("Description"))
    attachments = MultipleFileField(label=_("Photos or documents"))

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = customer_orders(customer=customer)
        self.fields["order"].label_from_instance = lambda o: f"{o.number} ({o.placed_at:%Y-%m-%d})"
        email = normalize_email(customer.email)
        self.fields["variant"].queryset = (
            Variant.objects.filter(
                Q(order_lines__order__user=customer) | Q(order_lines__order__user__isnull=True,
                                                         order_lines__order__email=email)
            )
            .select_related("product")
            .distinct()
            .order_by("product__name", "sku")
        )
        self.fields["variant"].label_from_instance = lambda v: f"{v.product.name} ({v.sku})"

    def clean(self):
        data = super().clean()
        if not data.get("order") and not data.get("variant"):
            raise forms.ValidationError(_("Choose the order or the product the case is about."))
        return data
