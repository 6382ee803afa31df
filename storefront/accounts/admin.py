"""The admin of accounts: the e-mail user with its address book and legacy aliases, and the staff roles."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .forms import AddressForm
from .models import Address, LegacyAlias, User, normalize_email


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise services.email_taken_error(email)
        return email


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise services.email_taken_error(email)
        return email


class AddressInline(admin.StackedInline):
    model = Address
    form = AddressForm
    extra = 0
    fields = [("name", "phone"), ("line1", "line2"), ("postcode", "city", "country"), "is_default"]


class LegacyAliasInline(admin.TabularInline):
    """Aliases come from the legacy import and are shown for support; the import owns them."""

    model = LegacyAlias
    extra = 0
    fields = ["source", "portal", "legacy_id", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class AccountAdmin(UserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "phone", "preferred_language",
                                         "preferred_store", "marketing_opt_in")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    list_display = ["email", "first_name", "last_name", "preferred_store", "preferred_language", "is_staff",
                    "is_active", "date_joined", "last_login"]
    list_select_related = ["preferred_store"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "preferred_language", "preferred_store"]
    search_fields = ["email", "first_name", "last_name", "phone"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [AddressInline, LegacyAliasInline]
    actions = ["make_support_agents", "make_admins"]

    @admin.action(description=_("Make the selected accounts support agents"), permissions=["assign_roles"])
    def make_support_agents(self, request, queryset):
        for user in queryset:
            services.user_make_support_agent(user=user)
        self._report_role(request, queryset.count(), services.SUPPORT_AGENTS_GROUP)

    @admin.action(description=_("Make the selected accounts admins"), permissions=["assign_roles"])
    def make_admins(self, request, queryset):
        for user in queryset:
            services.user_make_admin(user=user)
        self._report_role(request, queryset.count(), services.ADMINS_GROUP)

    def _report_role(self, request, count, group):
        message = ngettext("%(count)d account is now in %(group)s.", "%(count)d accounts are now in %(group)s.",
                           count)
        self.message_user(request, message % {"count": count, "group": group}, messages.SUCCESS)

    def get_inlines(self, request, obj):
        """The add page asks only for e-mail and password, like Django's own user admin."""
        return self.inlines if obj is not None else []

    def save_formset(self, request, form, formset, change):
        """Address-book edits go through the services, which keep exactly one default address."""
        if formset.model is not Address:
            return super().save_formset(request, form, formset, change)
        addresses = formset.save(commit=False)
        for address in formset.deleted_objects:
            services.address_delete(address=address)
        for address in addresses:
            fields = {name: getattr(address, name) for name in services.ADDRESS_FIELDS}
            if address.pk is None:
                services.address_create(user=form.instance, is_default=address.is_default, **fields)
            else:
                services.address_update(address=address, is_default=address.is_default, **fields)

    def has_assign_roles_permission(self, request):
        """Giving roles is for those who may edit accounts and groups (admins); agents never see it."""
        return request.user.has_perms(["accounts.change_user", "auth.change_group"])


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    """Finding addresses across accounts; they are edited in their account's page (through the services)."""

    list_display = ["name", "user", "line1", "postcode", "city", "country", "is_default"]
    list_select_related = ["user"]
    list_filter = ["country", "is_default"]
    search_fields = ["name", "line1", "postcode", "city", "user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
