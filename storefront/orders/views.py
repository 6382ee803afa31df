"""The cart and checkout pages under `/<store>/`, and "My orders" under `/account/orders/`.

Views move data between forms, services, selectors and templates; the rules and the amounts live in the
services. A refusal is shown as the message the service wrote.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.scoping import require_store

from . import selectors, services
from .discounts import loyalty_programme
from .forms import AddToCartForm, CartQuantityForm, CheckoutForm
from .session import guest_cart_token, placed_in_session, remember_placed_order


def _cart(request, store, *, create=False):
    user = request.user if request.user.is_authenticated else None
    if not create:
        return services.cart_get(store=store, user=user, token=guest_cart_token(request))
    token = None if user else guest_cart_token(request, create=True)
    return services.cart_get_or_create(store=store, user=user, token=token)


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def _back(request, store):
    """To the page the form was on (`next`, same site only), else the cart."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect_to_cart(store)


def cart_detail(request, store):
    current = require_store(request)
    cart = _cart(request, current)
    lines = list(selectors.cart_lines(cart)) if cart else []
    amounts = None
    if lines and all(selectors.line_is_sellable(line) for line in lines):
        amounts = services.checkout_preview(cart=cart, user=request.user)
    return render(request, "orders/cart.html", {"cart": cart, "lines": lines, "amounts": amounts})


@require_POST
def cart_add(request, store):
    current = require_store(request)
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a version and a quantity of at least 1."))
        return _back(request, current)
    try:
        line = services.cart_line_add(
            cart=_cart(request, current, create=True), variant_id=form.cleaned_data["variant"],
            quantity=form.cleaned_data["quantity"],
        )
    except ValidationError as error:
        messages.error(request, _refusal(error))
        return _back(request, current)
    messages.success(request, _("%(product)s was added to your cart.") % {"product": line.variant.product.name})
    return redirect_to_cart(current)


def redirect_to_cart(store):
    return redirect("cart:detail", store=store.code)


@require_POST
def cart_update(request, store, variant_id):
    current = require_store(request)
    cart = _cart(request, current)
    form = CartQuantityForm(request.POST)
    if cart is None:
        messages.error(request, _("This item is not in your cart."))
    elif not form.is_valid():
        messages.error(request, _("Give a quantity of 0 or more (0 removes the item)."))
    else:
        try:
            services.cart_line_set_quantity(cart=cart, variant_id=variant_id, quantity=form.cleaned_data["quantity"])
        except ValidationError as error:
            messages.error(request, _refusal(error))
        else:
            messages.success(request, _("Your cart was updated."))
    return redirect_to_cart(current)


@require_POST
def cart_remove(request, store, variant_id):
    current = require_store(request)
    cart = _cart(request, current)
    try:
        if cart is None:
            raise ValidationError(_("This item is not in your cart."))
        services.cart_line_remove(cart=cart, variant_id=variant_id)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("The item was removed from your cart."))
    return redirect_to_cart(current)


def checkout(request, store):
    """GET shows the form and the amounts; POST `apply` recomputes them with the coupon and points, POST
    `place` reserves, charges the card and places the order."""
    current = require_store(request)
    cart = _cart(request, current)
    lines = list(selectors.cart_lines(cart)) if cart else []
    if not lines:
        messages.info(request, _("Your cart is empty."))
        return redirect_to_cart(current)
    placing = request.method == "POST" and "place" in request.POST
    form = CheckoutForm(request.POST or None, user=request.user, placing=placing)
    form_valid = form.is_bound and form.is_valid()
    chosen = form.cleaned_data if form.is_bound else {}  # the fields that are valid, even on a form with errors
    coupon, points = (chosen.get("coupon_code") or "").strip(), chosen.get("points") or 0
    try:
        amounts = services.checkout_preview(cart=cart, user=request.user, coupon_code=coupon, points=points)
    except ValidationError as error:
        form.add_error(None, error)
        amounts = services.checkout_preview(cart=cart, user=request.user) if _sellable(lines) else None
    if placing and form_valid and not form.errors:
        details = services.CheckoutDetails(
            email=form.cleaned_data.get("email") or "", shipping_address=form.shipping_address(),
            coupon_code=coupon, points=points, language=request.LANGUAGE_CODE,
        )
        try:
            order = services.checkout_place(cart=cart, user=request.user, details=details, card=form.card())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            remember_placed_order(request, order.number)
            return redirect("cart:placed", store=current.code, number=order.number)
    balance = loyalty_programme().points_balance(user=request.user) if request.user.is_authenticated else 0
    return render(request, "orders/checkout.html", {
        "form": form, "lines": lines, "amounts": amounts, "points_balance": balance,
    })


def _sellable(lines) -> bool:
    return all(selectors.line_is_sellable(line) for line in lines)


def placed(request, store, number):
    """The confirmation after payment: for the account's own order, or a guest's order of this session."""
    current = require_store(request)
    if request.user.is_authenticated:
        order = selectors.customer_order(user=request.user, number=number)
    elif placed_in_session(request, number):
        order = selectors.order_page(number=number)
    else:
        order = None
    if order is None or order.store_id != current.pk:
        raise Http404("No such order of yours")
    return render(request, "orders/placed.html", {"order": order})


@login_required
def order_list(request):
    orders = selectors.customer_orders(user=request.user)
    return render(request, "orders/order_list.html", {"orders": orders})


@login_required
def order_detail(request, number):
    order = selectors.customer_order(user=request.user, number=number)
    if order is None:
        raise Http404("No such order of yours")
    return render(request, "orders/order_detail.html", {"order": order})
