"""Forms of the cart and checkout pages. They parse input only; the services apply the rules and prices."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from storefront.accounts.models import Address

from .payments import Card

NEW_ADDRESS = "new"


class AddToCartForm(forms.Form):
    variant = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0)


class CheckoutForm(forms.Form):
    """Where to ship, a coupon, points and the card. Guests give their e-mail; the signed-in may pick an
    address from their book. No amount is ever read from here."""

    email = forms.EmailField(label=_("E-mail address"), required=False)
    address = forms.ChoiceField(label=_("Ship to"), widget=forms.RadioSelect, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    line1 = forms.CharField(label=_("Address line 1"), max_length=200, required=False)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    country = forms.CharField(label=_("Country (2-letter code)"), max_length=2, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    coupon_code = forms.CharField(label=_("Coupon code"), max_length=64, required=False)
    points = forms.IntegerField(label=_("Mi Points to use"), min_value=0, required=False)
    card_number = forms.CharField(label=_("Card number"), max_length=23, required=False)
    card_expiry = forms.CharField(label=_("Expiry (MM/YY)"), max_length=5, required=False)
    card_cvc = forms.CharField(label=_("Security code"), max_length=4, required=False)

    ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postcode", "country", "phone")
    REQUIRED_ADDRESS_FIELDS = ("name", "line1", "city", "postcode", "country")

    def __init__(self, *args, user=None, placing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        self.placing = placing
        self.addresses = list(Address.objects.filter(user=self.user).order_by("-is_default", "id")) if self.user else []
        self.fields["address"].choices = [
            *[(str(a.pk), f"{a.name}, {a.line1}, {a.postcode} {a.city} ({a.country})") for a in self.addresses],
            (NEW_ADDRESS, _("A new address")),
        ]
        self.fields["address"].initial = str(self.addresses[0].pk) if self.addresses else NEW_ADDRESS
        if self.user is not None:
            del self.fields["email"]

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_points(self):
        return self.cleaned_data.get("points") or 0

    def clean(self):
        data = super().clean()
        if not self.placing:
            return data
        if self.user is None and not data.get("email"):
            self.add_error("email", _("Give the e-mail address for your order confirmation."))
        if data.get("address") in (None, "", NEW_ADDRESS):
            for name in self.REQUIRED_ADDRESS_FIELDS:
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("This field is required for a new address."))
            country = data.get("country") or ""
            if country and not re.fullmatch(r"[A-Z]{2}", country):
                self.add_error("country", _("Give the country as its two-letter code, e.g. GB or FR."))
        digits = re.sub(r"[\s-]", "", data.get("card_number") or "")
        if not digits:
            self.add_error("card_number", _("Give your card number."))
        elif not digits.isdigit():
            self.add_error("card_number", _("A card number has digits only."))
        if not re.fullmatch(r"(0[1-9]|1[0-2])/\d{2}", (data.get("card_expiry") or "").strip()):
            self.add_error("card_expiry", _("Give the expiry date as MM/YY, e.g. 08/29."))
        if not re.fullmatch(r"\d{3,4}", (data.get("card_cvc") or "").strip()):
            self.add_error("card_cvc", _("The security code is the 3 or 4 digits on the back of the card."))
        return data

    def shipping_address(self):
        """The chosen address book entry, or the new address typed in, as a dict."""
        choice = self.cleaned_data.get("address")
        for address in self.addresses:
            if choice == str(address.pk):
                return {name: getattr(address, name) for name in self.ADDRESS_FIELDS}
        return {name: (self.cleaned_data.get(name) or "").strip() for name in self.ADDRESS_FIELDS}

    def card(self) -> Card:
        return Card(number=self.cleaned_data["card_number"], expiry=self.cleaned_data["card_expiry"].strip(),
                    cvc=self.cleaned_data["card_cvc"].strip())
