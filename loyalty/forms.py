"""Forms of the loyalty admin. They check input; the rules live in `loyalty.services` and the database."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Coupon, CouponAlias
from .selectors import coupon_code_in_use


class PointsAdjustmentForm(forms.Form):
    delta = forms.IntegerField(
        label=_("Points"), help_text=_("Positive to credit, negative to take away"),
        min_value=-1_000_000, max_value=1_000_000,
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, help_text=_("Recorded in the customer's ledger"))

    def clean_delta(self):
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("An adjustment of zero points changes nothing."))
        return delta


def _clean_unique_code(code: str, coupon_id: int | None) -> str:
    code = code.strip()
    if coupon_code_in_use(code=code, coupon_id=coupon_id):
        raise forms.ValidationError(
            _("The code “%(code)s” already redeems another coupon (as its code or an alias)."), params={"code": code}
        )
    return code


class CouponAdminForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = ["code", "kind", "value", "currency", "min_order_amount", "valid_from", "valid_until", "usage_limit",
                  "per_customer_limit", "owner", "brands", "categories", "stores", "is_active"]

    def clean_code(self):
        return _clean_unique_code(self.cleaned_data["code"], self.instance.pk)


class CouponAliasForm(forms.ModelForm):
    class Meta:
        model = CouponAlias
        fields = ["code"]

    def clean_code(self):
        return _clean_unique_code(self.cleaned_data["code"], self.instance.coupon_id)
