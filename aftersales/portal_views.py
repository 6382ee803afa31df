"""The customers' portal (/account/cases/): their own cases, new and carried over, without internal notes.

Anonymous visitors go to the login page; anyone else's case or attachment is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .downloads import attachment_response
from .forms import CaseOpenForm, CustomerReplyForm
from .models import Status
from .transitions import CUSTOMER, allowed_targets
from .warranty import order_warranty


@require_GET
@login_required
def case_list(request):
    cases = selectors.customer_cases(customer=request.user)
    return render(request, "aftersales/portal/list.html", {"cases": cases})


@require_http_methods(["GET", "POST"])
@login_required
def case_open(request):
    form = CaseOpenForm(request.POST or None, request.FILES or None, customer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                customer=request.user, kind=data["kind"], subject=data["subject"], body=data["body"],
                order=data["order"], variant=data["variant"], serial_number=data["serial_number"],
                uploads=data["attachments"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your case %(number)s is open. We will answer soon.") % {"number": case.number})
            return redirect("aftersales_portal:detail", number=case.number)
    return render(request, "aftersales/portal/open.html", {"form": form}, status=400 if form.errors else 200)


def _case_page(request, number, *, reply_form=None, status=200):
    now = timezone.now()
    case = selectors.customer_case_or_404(customer=request.user, number=number)
    targets = allowed_targets(case=case, actor=CUSTOMER, now=now)
    return render(request, "aftersales/portal/detail.html", {
        "case": case,
        "reply_form": reply_form or CustomerReplyForm(),
        "can_close": Status.CLOSED in targets,
        "can_reopen": Status.OPEN in targets,
        "warranty": order_warranty(case.order, now=now) if case.order else None,
    }, status=status)


@require_GET
@login_required
def case_detail(request, number):
    return _case_page(request, number)


@require_POST
@login_required
def case_reply(request, number):
    case = selectors.customer_case_or_404(customer=request.user, number=number)
    form = CustomerReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_reply_by_customer(case=case, customer=request.user, body=form.cleaned_data["body"],
                                            uploads=form.cleaned_data["attachments"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message was sent."))
            return redirect("aftersales_portal:detail", number=case.number)
    return _case_page(request, number, reply_form=form, status=400)


def _move(request, number, service, done_message):
    case = selectors.customer_case_or_404(customer=request.user, number=number)
    try:
        service(case=case, customer=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return redirect("aftersales_portal:detail", number=case.number)


@require_POST
@login_required
def case_close(request, number):
    return _move(request, number, services.case_close_by_customer, _("Your case is closed."))


@require_POST
@login_required
def case_reopen(request, number):
    return _move(request, number, services.case_reopen_by_customer, _("Your case is open again."))


@require_GET
@login_required
def attachment(request, pk):
    return attachment_response(selectors.customer_attachment_or_404(customer=request.user, pk=pk))
