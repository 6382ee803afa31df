"""Forms of the account pages. They check input and give clear messages; the writes are services."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from brands.models import RegionalStore
from storefront.mail import email_send_on_commit

from .models import Address, User, normalize_email
from .services import ADDRESS_FIELDS, PROFILE_FIELDS, email_taken_error


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Confirm password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise email_taken_error(email)
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("The two passwords do not match."), code="mismatch"))
        elif password1:
            candidate = User(email=cleaned.get("email", ""), first_name=cleaned.get("first_name", ""),
                             last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail in any letter case; a deactivated account is told so, not "wrong password"."""

    error_messages = {
        "invalid_login": _("Enter a correct e-mail address and password. The password is case-sensitive."),
        "inactive": _("This account has been deactivated. Contact customer support to reopen it."),
    }

    def clean_username(self):
        return normalize_email(self.cleaned_data["username"])

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if self._is_inactive_account_with_right_password():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise

    def _is_inactive_account_with_right_password(self) -> bool:
        """Only someone who knows the password learns that the account is deactivated."""
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:
            return False
        user = User.objects.filter(email__iexact=email, is_active=False).first()
        return user is not None and user.check_password(password)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = PROFILE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_store"].queryset = RegionalStore.objects.filter(is_active=True)
        self.fields["preferred_store"].empty_label = _("No preference")


class AddressForm(forms.ModelForm):
    # No max_length here: "France" gets the message below, which says what to type, not a length.
    country = forms.CharField(
        label=capfirst(Address._meta.get_field("country").verbose_name),
        help_text=_("Two-letter country code, e.g. FR, GB, IN"),
        widget=forms.TextInput(attrs={"size": 2, "autocapitalize": "characters"}),
    )

    class Meta:
        model = Address
        fields = [*ADDRESS_FIELDS, "is_default"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.is_default:
            # The book keeps a default: it moves when another address is made default, never by unticking.
            self.fields["is_default"].disabled = True
            self.fields["is_default"].help_text = _("To change it, make another address the default.")

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValidationError(
                _("Enter the two-letter country code (ISO 3166), e.g. FR, not %(value)s."),
                code="country", params={"value": country},
            )
        return country


class StorePasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the store's e-mail queue (on commit, via Celery)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        email_send_on_commit(subject=subject, body=body, to=[to_email], html_body=html_body)

