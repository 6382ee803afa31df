"""Who is a support agent or an admin of the workspace: decided here and nowhere else.

The roles are the accounts app's groups (`staff_roles_ensure`, `user_make_support_agent`,
`user_make_admin`): staff in "Support agents" work on the cases of their AgentProfile's brands and stores;
staff in "Admins", and superusers, see every case.
"""

from storefront.accounts.services import ADMINS_GROUP, SUPPORT_AGENTS_GROUP


def _group_names(user) -> frozenset[str]:
    """The user's group names, read once per user object (one query)."""
    names = getattr(user, "_aftersales_group_names", None)
    if names is None:
        names = user._aftersales_group_names = frozenset(user.groups.values_list("name", flat=True))
    return names


def _active_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_support_admin(user) -> bool:
    """Admins see every case of every brand and store."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (_active_staff(user) and ADMINS_GROUP in _group_names(user))


def is_support_agent(user) -> bool:
    """Staff in the "Support agents" group, or an admin."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return _active_staff(user) and bool({SUPPORT_AGENTS_GROUP, ADMINS_GROUP} & _group_names(user))
