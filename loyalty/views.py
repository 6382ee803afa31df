"""The customer's Mi Points and coupons pages in their account. Reads come from `loyalty.selectors`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import coupons_of, legacy_coupons_not_carried_over, points_overview


@login_required
def points(request):
    return render(request, "loyalty/points.html", {"overview": points_overview(user=request.user)})


@login_required
def coupons(request):
    return render(request, "loyalty/coupons.html", {
        "coupons": list(coupons_of(user=request.user)),
        "legacy_coupons": list(legacy_coupons_not_carried_over(user=request.user)),
    })
