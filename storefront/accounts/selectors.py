"""Reads of accounts shared by the account pages (and, later, the API)."""

from django.db.models import QuerySet

from .models import Address, User


def user_addresses(*, user: User) -> QuerySet[Address]:
    """The address book, default first, then in the order the addresses were added."""
    return Address.objects.filter(user=user).order_by("-is_default", "created_at", "id")


def user_address_or_none(*, user: User, pk: int) -> Address | None:
    """One address of this account; None for another account's address, so nobody edits another's book."""
    return Address.objects.filter(user=user, pk=pk).first()


def user_with_profile(*, pk: int) -> User | None:
    """An account with its preferred store, as the account page shows it."""
    return User.objects.select_related("preferred_store").filter(pk=pk).first()
