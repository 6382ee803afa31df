"""The account pages: sign-up, sign-in, the account overview, profile, address book and passwords.

Views only move data between forms, services and templates.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import AddressForm, EmailAuthenticationForm, ProfileForm, SignupForm, StorePasswordResetForm


def _speak_preferred_language(response, user):
    """Pages outside a store speak the language cookie's language; after sign-in, the account's own."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, user.preferred_language, max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                email=data["email"], password=data["password1"], first_name=data["first_name"],
                last_name=data["last_name"], preferred_language=request.LANGUAGE_CODE,
                preferred_store=getattr(request, "regional_store", None),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            login(request, user)
            messages.success(request, _("Welcome! Your account is ready."))
            return _speak_preferred_language(redirect("accounts:account"), user)
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        return _speak_preferred_language(super().form_valid(form), form.get_user())


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link or an image cannot sign anybody out."""


@login_required
def account(request):
    context = {
        "profile": selectors.user_with_profile(pk=request.user.pk),
        "addresses": selectors.user_addresses(user=request.user),
    }
    return render(request, "accounts/account.html", context)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_profile_update(
            user=request.user, **{name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
        )
        messages.success(request, _("Your profile has been saved."))
        return _speak_preferred_language(redirect("accounts:account"), user)
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def addresses(request):
    return render(request, "accounts/addresses.html", {"addresses": selectors.user_addresses(user=request.user)})


def _own_address_or_404(request, pk):
    address = selectors.user_address_or_none(user=request.user, pk=pk)
    if address is None:
        raise Http404("No such address in this address book")
    return address


def _address_form_page(request, form, address=None):
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
def address_add(request):
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.address_create(user=request.user, **form.cleaned_data)
        messages.success(request, _("The address has been added."))
        return redirect("accounts:addresses")
    return _address_form_page(request, form)


@login_required
def address_edit(request, pk):
    address = _own_address_or_404(request, pk)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.address_update(address=address, **form.cleaned_data)
        messages.success(request, _("The address has been saved."))
        return redirect("accounts:addresses")
    return _address_form_page(request, form, address)


@require_POST
@login_required
def address_delete(request, pk):
    services.address_delete(address=_own_address_or_404(request, pk))
    messages.success(request, _("The address has been deleted."))
    return redirect("accounts:addresses")


@require_POST
@login_required
def address_make_default(request, pk):
    services.address_make_default(address=_own_address_or_404(request, pk))
    messages.success(request, _("This is now your default address."))
    return redirect("accounts:addresses")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = StorePasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)
