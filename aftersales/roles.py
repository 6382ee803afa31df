"""Who is a support agent or an admin of the workspace: decided here and nowhere else.

The accounts app will own the "Support agents" group (`staff_roles_ensure`, `user_make_support_agent`);
until then membership is read by the group's name, so switching over touches this module only.
"""

from django.contrib.auth.models import AnonymousUser

SUPPORT_AGENTS_GROUP = "Support agents"


def is_support_admin(user) -> bool:
    """Admins see every case of every brand and store."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_support_agent(user) -> bool:
    """Staff in the "Support agents" group, or an admin."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    cached = getattr(user, "_is_support_agent", None)
    if cached is None:
        cached = user._is_support_agent = user.groups.filter(name=SUPPORT_AGENTS_GROUP).exists()
    return cached
