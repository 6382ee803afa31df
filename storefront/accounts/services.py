"""Writes for accounts, the address book and the staff roles. Each service is atomic."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from brands.models import RegionalStore

from .models import Address, User, normalize_email

SUPPORT_AGENTS_GROUP = "Support agents"
ADMINS_GROUP = "Admins"

# What an agent reads to handle an after-sales case, as (app label, model) pairs: view permission only.
SUPPORT_AGENT_VIEWED_MODELS = [
    ("accounts", "user"),
    ("accounts", "address"),
    ("orders", "order"),
    ("orders", "orderline"),
    ("orders", "shipment"),
    ("orders", "trackingevent"),
    ("catalog", "product"),
    ("catalog", "variant"),
]
# Every permission of these apps goes to agents, whatever models the apps hold when the roles are ensured.
SUPPORT_AGENT_APPS = ["aftersales"]

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postcode", "country", "phone")
PROFILE_FIELDS = ("first_name", "last_name", "phone", "preferred_language", "preferred_store")


def email_taken_error(email: str) -> ValidationError:
    """The refusal of an e-mail that another account already has (in any letter case)."""
    return ValidationError(
        _("An account with the e-mail address %(email)s already exists. Sign in or reset your password."),
        code="email_taken",
        params={"email": email},
    )


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "en",
    preferred_store: RegionalStore | None = None,
) -> User:
    """A new shopper account. Refuses an e-mail another account has in any letter case."""
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise email_taken_error(email)
    try:
        # A savepoint, so a concurrent sign-up losing the race leaves the outer transaction usable.
        with transaction.atomic():
            return User.objects.create_user(
                email,
                password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                preferred_language=preferred_language,
                preferred_store=preferred_store,
            )
    except IntegrityError as error:
        raise email_taken_error(email) from error


@transaction.atomic
def user_profile_update(*, user: User, **fields) -> User:
    """Updates the names, phone, preferred language and preferred store of an account."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    user.save(update_fields=[*fields])
    return user


def _lock_address_book(user_id: int) -> None:
    """Serializes address-book writes of one account, so two tabs cannot both set a default."""
    list(User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))


def _address_clean(address: Address) -> None:
    address.country = (address.country or "").strip().upper()
    for name in ADDRESS_FIELDS:
        value = getattr(address, name)
        if isinstance(value, str):
            setattr(address, name, value.strip())
    address.full_clean(exclude=["user", "is_default"], validate_constraints=False)


@transaction.atomic
def address_create(*, user: User, is_default: bool = False, **fields) -> Address:
    """Adds an address to the book. The first address, or one asked to be, becomes the default."""
    _lock_address_book(user.pk)
    address = Address(user=user, **{name: fields.get(name, "") for name in ADDRESS_FIELDS})
    _address_clean(address)
    has_addresses = Address.objects.filter(user=user).exists()
    if is_default or not has_addresses:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
        address.is_default = True
    address.save()
    return address


@transaction.atomic
def address_update(*, address: Address, is_default: bool | None = None, **fields) -> Address:
    """Edits an address; `is_default=True` makes it the default (unsetting the default is not allowed:
    another address must be made default instead)."""
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"Not address fields: {', '.join(sorted(unknown))}")
    _lock_address_book(address.user_id)
    for name, value in fields.items():
        setattr(address, name, value)
    _address_clean(address)
    address.save()
    if is_default:
        address_make_default(address=address)
    return address


@transaction.atomic
def address_make_default(*, address: Address) -> Address:
    """Makes this address the account's one default address."""
    _lock_address_book(address.user_id)
    Address.objects.filter(user_id=address.user_id, is_default=True).exclude(pk=address.pk).update(
        is_default=False
    )
    Address.objects.filter(pk=address.pk).update(is_default=True)
    address.is_default = True
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    """Removes an address; when it was the default, the oldest remaining address becomes the default."""
    _lock_address_book(address.user_id)
    was_default = address.is_default
    user_id = address.user_id
    address.delete()
    if was_default:
        successor = Address.objects.filter(user_id=user_id).order_by("created_at", "id").first()
        if successor is not None:
            Address.objects.filter(pk=successor.pk).update(is_default=True)


def _support_agent_permissions():
    viewed = Q()
    for app_label, model in SUPPORT_AGENT_VIEWED_MODELS:
        viewed |= Q(content_type__app_label=app_label, content_type__model=model, codename=f"view_{model}")
    return Permission.objects.filter(viewed | Q(content_type__app_label__in=SUPPORT_AGENT_APPS))


@transaction.atomic
def staff_roles_ensure() -> dict[str, Group]:
    """Creates or brings up to date the two staff groups; running it again changes nothing.

    The roles are defined here, not in the admin: each run sets the groups' permissions to exactly what
    this module says. The after-sales permissions are found by app label, so the models that app adds
    later are covered on the next migrate (a post_migrate handler runs this).
    """
    agents, _ = Group.objects.get_or_create(name=SUPPORT_AGENTS_GROUP)
    agents.permissions.set(_support_agent_permissions())
    admins, _ = Group.objects.get_or_create(name=ADMINS_GROUP)
    admins.permissions.set(Permission.objects.all())
    return {SUPPORT_AGENTS_GROUP: agents, ADMINS_GROUP: admins}


@transaction.atomic
def user_make_support_agent(*, user: User) -> User:
    """Gives an account the support-agent role: staff (to sign in to the admin) in the agents' group."""
    groups = staff_roles_ensure()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(groups[SUPPORT_AGENTS_GROUP])
    return user


@transaction.atomic
def user_make_admin(*, user: User) -> User:
    """Gives an account the admin role: staff in the Admins group, which holds every permission."""
    groups = staff_roles_ensure()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(groups[ADMINS_GROUP])
    return user
