"""The agents' workspace (/support/): the queue, a case, replies and notes, transitions, assignment, bulk moves.

Only support agents and admins get in: anonymous visitors go to the login page, other accounts get a 404,
and a case or attachment outside the agent's brands and stores is a 404 too.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .downloads import attachment_response
from .forms import AgentReplyForm, AssignForm, BulkForm, PriorityForm, QueueFilterForm, StatusForm
from .models import Kind, Priority, Status
from .scope import agent_scope
from .transitions import AGENT, allowed_targets

User = get_user_model()


def agent_required(view):
    """Sets `request.agent_scope`; anonymous -> login, not an agent -> 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = agent_scope(request.user)
        if scope is None:
            raise Http404("Not a support agent")
        request.agent_scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
@agent_required
def queue(request):
    scope, now = request.agent_scope, timezone.now()
    form = QueueFilterForm(request.GET, scope=scope)
    page, counts, cursor_error = None, None, ""
    params = request.GET.copy()
    params.pop("cursor", None)
    if form.is_valid():
        filters = form.filters()
        cases = selectors.case_queue(scope=scope, filters=filters, now=now)
        try:
            page = selectors.queue_page(cases, cursor=form.cleaned_data["cursor"], filters=filters)
        except selectors.BadCursor as error:
            cursor_error = str(error)
        counts = selectors.queue_counts(scope=scope, filters=filters, now=now)
    facets = []
    if counts:
        for facet, choices in (("status", Status.choices), ("kind", Kind.choices), ("priority", Priority.choices)):
            others = params.copy()
            others.pop(facet, None)
            base = f"?{others.urlencode()}&{facet}="
            facets.append([(base + value, label, counts[facet][value]) for value, label in choices])
    return render(request, "aftersales/workspace/queue.html", {
        "form": form, "page": page, "counts": counts, "now": now, "cursor_error": cursor_error,
        "filter_query": params.urlencode(), "facets": facets, "bulk_form": BulkForm(),
        "bulk_agents": selectors.agents_for_scope(scope),
    })


def _back_to_queue(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("aftersales:queue")


def _user_or_none(pk) -> object | None:
    if pk in (None, ""):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise ValidationError(_("There is no such agent."))
    return user


@require_POST
@agent_required
def bulk(request):
    scope = request.agent_scope
    form = BulkForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {' '.join(errors)}")
        return _back_to_queue(request)
    data = form.cleaned_data
    try:
        if data["action"] == "assign":
            result = services.cases_bulk_assign(scope=scope, case_ids=data["cases"],
                                                assignee=_user_or_none(data.get("assignee")))
        else:
            result = services.cases_bulk_transition(scope=scope, case_ids=data["cases"], to_status=data["status"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return _back_to_queue(request)
    if result.done:
        messages.success(request, _("Done for %(count)s cases: %(numbers)s.")
                         % {"count": len(result.done), "numbers": ", ".join(result.done)})
    for number, reason in result.refused:
        messages.warning(request, _("%(number)s was left unchanged: %(reason)s") % {"number": number, "reason": reason})
    return _back_to_queue(request)


@require_GET
@agent_required
def case_detail(request, number):
    return _case_page(request, number)


def _case_page(request, number, *, reply_form=None, status=200):
    scope, now = request.agent_scope, timezone.now()
    case = selectors.agent_case_or_404(scope=scope, number=number)
    targets = allowed_targets(case=case, actor=AGENT, now=now)
    status_form = StatusForm()
    status_form.fields["status"].choices = [(s, label) for s, label in Status.choices if s in targets]
    return render(request, "aftersales/workspace/case.html", {
        "case": case,
        "now": now,
        "orders": selectors.customer_orders_with_warranty(customer=case.customer, now=now),
        "agents": selectors.agents_for_case(case) if not case.is_closed else [],
        "reply_form": reply_form or AgentReplyForm(),
        "status_form": status_form if targets else None,
        "priority_form": PriorityForm(initial={"priority": case.priority}),
    }, status=status)


@require_POST
@agent_required
def case_reply(request, number):
    case = selectors.agent_case_or_404(scope=request.agent_scope, number=number)
    form = AgentReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_reply_by_agent(case=case, agent=request.user, body=form.cleaned_data["body"],
                                         internal=form.cleaned_data["internal"],
                                         uploads=form.cleaned_data["attachments"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Internal note added.") if form.cleaned_data["internal"] else _("Reply sent."))
            return redirect("aftersales:case", number=case.number)
    return _case_page(request, number, reply_form=form, status=400)


@require_POST
@agent_required
def case_status(request, number):
    case = selectors.agent_case_or_404(scope=request.agent_scope, number=number)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _error_text(ValidationError(list(form.errors.get("status", [])))))
    else:
        try:
            services.case_transition(case=case, to_status=form.cleaned_data["status"], by=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Status changed."))
    return redirect("aftersales:case", number=case.number)


@require_POST
@agent_required
def case_priority(request, number):
    case = selectors.agent_case_or_404(scope=request.agent_scope, number=number)
    form = PriorityForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("priority", [])))
        services.case_priority_set(case=case, priority=form.cleaned_data["priority"], by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Priority changed; the deadlines follow it."))
    return redirect("aftersales:case", number=case.number)


@require_POST
@agent_required
def case_assign(request, number):
    case = selectors.agent_case_or_404(scope=request.agent_scope, number=number)
    form = AssignForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose an agent."))
        services.case_assign(case=case, assignee=_user_or_none(form.cleaned_data.get("assignee")), by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Assignment saved."))
    return redirect(reverse("aftersales:case", args=[case.number]))


@require_GET
@agent_required
def attachment(request, pk):
    return attachment_response(selectors.agent_attachment_or_404(scope=request.agent_scope, pk=pk))
