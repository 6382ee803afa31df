"""Accounts: the e-mail is the login; addresses make the address book."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def normalize_email(email: str) -> str:
    """The form an e-mail is matched in: trimmed and case-folded (legacy customers are matched so too)."""
    return (email or "").strip().casefold()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=normalize_email(email))

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An account needs an e-mail address.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A customer or staff member. E-mails are stored normalized and unique case-insensitively."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, default="en", choices=[("en", "English"), ("fr", "Français")]
    )
    preferred_store = models.ForeignKey(
        "brands.RegionalStore", verbose_name=_("preferred store"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    marketing_opt_in = models.BooleanField(_("marketing e-mails"), default=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [models.UniqueConstraint(Lower("email"), name="account_email_unique_ci")]
        indexes = [models.Index(fields=["date_joined"])]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Address(models.Model):
    """An address-book entry; at most one default per account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(_("name"), max_length=200)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=20)
    country = models.CharField(_("country"), max_length=2, help_text="ISO 3166 alpha-2")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="one_default_address_per_account"
            ),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="address_country_iso"),
        ]

    def __str__(self):
        return f"{self.name}, {self.line1}, {self.city}"


class LegacyAlias(models.Model):
    """A customer id on a closed site (po.co, per portal) that now means this account.

    One person's accounts on several portals all point to one account; an existing Xiaomi customer's
    legacy ids point to the account they already had.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="legacy_aliases")
    source = models.CharField(max_length=20, default="po.co")
    legacy_id = models.CharField(max_length=64)
    portal = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("legacy alias")
        verbose_name_plural = _("legacy aliases")
        constraints = [
            models.UniqueConstraint(fields=["source", "legacy_id"], name="legacy_alias_unique_per_source")
        ]

    def __str__(self):
        return f"{self.source}:{self.legacy_id}"
