"""At sign-in, the guest cart joins the account (the rule lives in `services.carts_join_account`)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import carts_join_account
from .session import guest_cart_token, guest_cart_token_forget


@receiver(user_logged_in, dispatch_uid="orders.join_guest_cart")
def join_guest_cart(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    carts_join_account(user=user, token=guest_cart_token(request))
    guest_cart_token_forget(request)
