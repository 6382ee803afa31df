"""Receivers of the legacy app: the once-only welcome of migrated po.co customers (welcome.py)."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from .welcome import legacy_welcome_take, welcome_message


@receiver(user_logged_in, dispatch_uid="legacy_welcome_on_first_login")
def show_legacy_welcome(sender, request, user, **kwargs):
    """Shows the note on the page after sign-in. A sign-in without the messages middleware (the test
    client's `force_login`) consumes the note silently."""
    note = legacy_welcome_take(user=user)
    if note is not None and request is not None:
        with translation.override(user.preferred_language or None):
            messages.info(request, welcome_message(note.moved), fail_silently=True)
