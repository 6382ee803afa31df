"""Writes to carts: add a variant, change a quantity, remove a line, and join a guest cart to the account.

A cart belongs to one regional store; it holds variants that store sells (an active product of a brand it
serves, with a price there) and never more of one than the store has on hand or ORDERS_MAX_LINE_QUANTITY.
"""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brands.models import BrandAvailability
from storefront.catalog.models import Price, Product, Stock, Variant

from ..exceptions import CheckoutRefused
from ..models import Cart, CartLine


def cart_get(*, store, user=None, token: uuid.UUID | None = None) -> Cart | None:
    """The account's cart in `store` (for a signed-in shopper), else the guest cart of `token`, if any."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(store=store, user=user).select_related("store").first()
    if token is None:
        return None
    return Cart.objects.filter(store=store, token=token).select_related("store").first()


def cart_get_or_create(*, store, user=None, token: uuid.UUID | None = None) -> Cart:
    """As `cart_get`, creating the cart on first use (two requests creating it at once get the same one)."""
    if user is not None and user.is_authenticated:
        owner = {"user": user}
    elif token is not None:
        owner = {"token": token}
    else:
        raise ValueError("A guest cart needs a token.")
    try:
        with transaction.atomic():
            cart, _created = Cart.objects.get_or_create(store=store, **owner)
    except IntegrityError:
        cart = Cart.objects.get(store=store, **owner)
    return cart


def _sellable_variant(*, store, variant_id) -> tuple[Variant, int]:
    """The variant if `store` sells it, with the units on hand there; a refusal naming the reason otherwise."""
    variant = Variant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None:
        raise CheckoutRefused(_("This product does not exist."), code="unknown_variant")
    product = variant.product
    priced = Price.objects.filter(variant=variant, store=store).exists()
    served = BrandAvailability.objects.filter(
        store=store, brand_id=product.brand_id, mode=BrandAvailability.Mode.SERVED
    ).exists()
    if product.status != Product.Status.ACTIVE or not priced or not served:
        raise CheckoutRefused(
            _("%(product)s is not sold in this store.") % {"product": product.name}, code="not_sold"
        )
    on_hand = Stock.objects.filter(variant=variant, store=store).values_list("quantity", flat=True).first() or 0
    return variant, on_hand


def _check_quantity(*, variant, quantity: int, on_hand: int) -> None:
    if quantity < 1:
        raise CheckoutRefused(_("The quantity must be at least 1."), code="invalid_quantity")
    if quantity > settings.ORDERS_MAX_LINE_QUANTITY:
        raise CheckoutRefused(
            _("You can buy at most %(limit)d of one item.") % {"limit": settings.ORDERS_MAX_LINE_QUANTITY},
            code="quantity_limit",
        )
    if on_hand <= 0:
        raise CheckoutRefused(
            _("%(product)s is out of stock.") % {"product": variant.product.name}, code="out_of_stock"
        )
    if quantity > on_hand:
        raise CheckoutRefused(
            ngettext(
                "Only %(available)d unit of %(product)s is left; you asked for %(quantity)d.",
                "Only %(available)d units of %(product)s are left; you asked for %(quantity)d.",
                on_hand,
            ) % {"available": on_hand, "product": variant.product.name, "quantity": quantity},
            code="not_enough_stock",
        )


@transaction.atomic
def cart_line_add(*, cart: Cart, variant_id: int, quantity: int = 1) -> CartLine:
    """Adds `quantity` of a variant (to the units already in the cart)."""
    variant, on_hand = _sellable_variant(store=cart.store, variant_id=variant_id)
    line = CartLine.objects.select_for_update().filter(cart=cart, variant=variant).first()
    in_cart = line.quantity if line else 0
    _check_quantity(variant=variant, quantity=in_cart + quantity, on_hand=on_hand)
    if line is None:
        line = CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    else:
        line.quantity = in_cart + quantity
        line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return line


@transaction.atomic
def cart_line_set_quantity(*, cart: Cart, variant_id: int, quantity: int) -> CartLine | None:
    """Sets the line's quantity; 0 removes the line (and answers None)."""
    if quantity == 0:
        cart_line_remove(cart=cart, variant_id=variant_id)
        return None
    line = CartLine.objects.select_for_update().filter(cart=cart, variant_id=variant_id).first()
    if line is None:
        raise CheckoutRefused(_("This item is not in your cart."), code="not_in_cart")
    variant, on_hand = _sellable_variant(store=cart.store, variant_id=variant_id)
    _check_quantity(variant=variant, quantity=quantity, on_hand=on_hand)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_line_remove(*, cart: Cart, variant_id: int) -> None:
    deleted, _rows = CartLine.objects.filter(cart=cart, variant_id=variant_id).delete()
    if not deleted:
        raise CheckoutRefused(_("This item is not in your cart."), code="not_in_cart")


@transaction.atomic
def carts_join_account(*, user, token: uuid.UUID | None) -> int:
    """At sign-in, each guest cart of `token` joins the account's cart of the same store, then goes.

    A variant in both keeps the larger quantity (the shopper did not mean to buy it twice), capped at
    ORDERS_MAX_LINE_QUANTITY; stock is checked again at checkout. Returns the number of lines joined.
    """
    if token is None:
        return 0
    joined = 0
    for guest in Cart.objects.filter(token=token).select_related("store"):
        cart = cart_get_or_create(store=guest.store, user=user)
        existing = {line.variant_id: line for line in CartLine.objects.select_for_update().filter(cart=cart)}
        for line in CartLine.objects.filter(cart=guest):
            quantity = min(line.quantity, settings.ORDERS_MAX_LINE_QUANTITY)
            if line.variant_id in existing:
                CartLine.objects.filter(pk=existing[line.variant_id].pk, quantity__lt=quantity).update(
                    quantity=quantity
                )
            else:
                CartLine.objects.create(cart=cart, variant_id=line.variant_id, quantity=quantity,
                                        added_at=line.added_at)
            joined += 1
        guest.delete()
    return joined


def cart_lines_remove_ordered(*, cart_id: int, variant_ids) -> None:
    """After an order: removes the ordered variants from the cart it came from."""
    CartLine.objects.filter(cart_id=cart_id, variant_id__in=list(variant_ids)).delete()
