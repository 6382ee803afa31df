"""The cases API: customers' own cases (/cases/) and the agents' queue (/support/cases/).

The same selectors and services as the pages, so the same rules: someone else's case is a 404, a case
outside an agent's scope is a 404, and a non-agent on the agents' endpoints gets a 404 too.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from storefront.api.views import OwnObjectsMixin
from storefront.catalog.models import Variant

from .. import selectors, services
from ..forms import QueueFilterForm
from ..scope import agent_scope
from ..transitions import AGENT, CUSTOMER, allowed_targets
from ..warranty import order_warranty
from . import serializers

User = get_user_model()
PARSERS = [JSONParser, MultiPartParser, FormParser]


def _raise_api_error(error: ValidationError):
    """A service's refusal as the API's 400 (`{"error": {"code": "invalid", "message": ...}}`)."""
    raise ApiValidationError(error.messages)


class CustomerMixin:
    permission_classes = [IsAuthenticated]
    parser_classes = PARSERS

    def serializer_context(self):
        return {"request": self.request, "attachment_url_name": "aftersales_portal:attachment"}

    def case_response(self, number, *, status_code=status.HTTP_200_OK):
        case = selectors.customer_case_or_404(customer=self.request.user, number=number)
        case.allowed_statuses = allowed_targets(case=case, actor=CUSTOMER, now=timezone.now())
        data = serializers.CustomerCaseSerializer(case, context=self.serializer_context()).data
        return Response(data, status=status_code)


@extend_schema(tags=["cases"])
class CustomerCaseListView(CustomerMixin, OwnObjectsMixin, ListAPIView):
    """Your own cases, new and carried over from po.co, the latest first; POST opens one."""

    serializer_class = serializers.CaseSummarySerializer

    def own_queryset(self, user):
        return selectors.customer_cases(customer=user)

    @extend_schema(request=serializers.CaseOpenInput, responses={201: serializers.CustomerCaseSerializer})
    def post(self, request):
        data = _valid(serializers.CaseOpenInput, request.data)
        order = variant = None
        if data.get("order"):
            order = selectors.customer_orders(customer=request.user).filter(number=data["order"]).first()
            if order is None:
                raise ApiValidationError({"order": [f"You have no order numbered {data['order']}."]})
        if data.get("variant"):
            variant = Variant.objects.select_related("product__brand").filter(sku=data["variant"]).first()
            if variant is None:
                raise ApiValidationError({"variant": [f"There is no product with SKU {data['variant']}."]})
        try:
            case = services.case_open(
                customer=request.user, kind=data["kind"], subject=data["subject"], body=data["body"],
                order=order, variant=variant, serial_number=data.get("serial_number", ""),
                uploads=data.get("attachments", []),
            )
        except ValidationError as error:
            _raise_api_error(error)
        return self.case_response(case.number, status_code=status.HTTP_201_CREATED)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(tags=["cases"])
class CustomerCaseDetailView(CustomerMixin, APIView):
    @extend_schema(responses=serializers.CustomerCaseSerializer)
    def get(self, request, number):
        """One of your cases with its thread (internal notes are never shown)."""
        return self.case_response(number)


@extend_schema(tags=["cases"])
class CustomerReplyView(CustomerMixin, APIView):
    @extend_schema(request=serializers.ReplyInput, responses={201: serializers.CustomerCaseSerializer})
    def post(self, request, number):
        """Reply on your case (not on a closed one)."""
        case = selectors.customer_case_or_404(customer=request.user, number=number)
        data = _valid(serializers.ReplyInput, request.data)
        try:
            services.case_reply_by_customer(case=case, customer=request.user, body=data["body"],
                                            uploads=data.get("attachments", []))
        except ValidationError as error:
            _raise_api_error(error)
        return self.case_response(number, status_code=status.HTTP_201_CREATED)


class _CustomerMoveView(CustomerMixin, APIView):
    service = None

    @extend_schema(request=None, responses=serializers.CustomerCaseSerializer)
    def post(self, request, number):
        case = selectors.customer_case_or_404(customer=request.user, number=number)
        try:
            type(self).service(case=case, customer=request.user)
        except ValidationError as error:
            _raise_api_error(error)
        return self.case_response(number)


@extend_schema(tags=["cases"], summary="Close your case")
class CustomerCloseView(_CustomerMoveView):
    service = services.case_close_by_customer


@extend_schema(tags=["cases"], summary="Reopen your case (within the reopen period)")
class CustomerReopenView(_CustomerMoveView):
    service = services.case_reopen_by_customer


# --- Agents -------------------------------------------------------------------------------------------

class AgentMixin:
    permission_classes = [IsAuthenticated]
    parser_classes = PARSERS

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.scope = agent_scope(request.user)
        if self.scope is None:
            raise NotFound()

    def serializer_context(self):
        return {"request": self.request, "attachment_url_name": "aftersales:attachment"}

    def case_response(self, number, *, status_code=status.HTTP_200_OK):
        now = timezone.now()
        case = selectors.agent_case_or_404(scope=self.scope, number=number)
        case.allowed_statuses = allowed_targets(case=case, actor=AGENT, now=now)
        case.warranty = order_warranty(case.order, now=now) if case.order else None
        return Response(serializers.AgentCaseSerializer(case, context=self.serializer_context()).data,
                        status=status_code)


QUEUE_PARAMETERS = [
    OpenApiParameter(name, str, required=False, description=description)
    for name, description in [
        ("brand", "Brand id"), ("store", "Regional store id"),
        ("status", "empty: active cases; all; or a status"), ("kind", "Kind"), ("priority", "Priority"),
        ("assigned", "me or unassigned"), ("due", "soon or breached"), ("source", "store or po.co"),
        ("q", "Case number, customer e-mail, order number, serial number or IMEI"),
        ("cursor", "From `next` of the previous page"),
    ]
]


@extend_schema(tags=["support"])
class AgentQueueView(AgentMixin, APIView):
    @extend_schema(operation_id="support_queue", parameters=QUEUE_PARAMETERS, responses=serializers.QueuePageSerializer)
    def get(self, request):
        """The cases of your brands and stores, the next deadline first, with counts per status, kind and
        priority under the same filters. Pages by keyset cursor."""
        now = timezone.now()
        form = QueueFilterForm(request.query_params, scope=self.scope)
        if not form.is_valid():
            raise ApiValidationError(form.errors)
        filters = form.filters()
        try:
            page = selectors.queue_page(selectors.case_queue(scope=self.scope, filters=filters, now=now),
                                        cursor=form.cleaned_data["cursor"], filters=filters)
        except selectors.BadCursor as error:
            raise ApiValidationError({"cursor": [str(error)]}) from error
        next_url = None
        if page.next_cursor:
            params = request.query_params.copy()
            params["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({
            "results": serializers.AgentCaseRowSerializer(page.cases, many=True).data,
            "next": next_url,
            "counts": selectors.queue_counts(scope=self.scope, filters=filters, now=now),
        })


@extend_schema(tags=["support"])
class AgentCaseDetailView(AgentMixin, APIView):
    @extend_schema(operation_id="support_case_retrieve", responses=serializers.AgentCaseSerializer)
    def get(self, request, number):
        """A case of your scope with its whole thread (internal notes too), history and warranty."""
        return self.case_response(number)


@extend_schema(tags=["support"])
class AgentReplyView(AgentMixin, APIView):
    @extend_schema(request=serializers.AgentReplyInput, responses={201: serializers.AgentCaseSerializer})
    def post(self, request, number):
        """Reply to the customer, or add an internal note (`internal: true`)."""
        case = selectors.agent_case_or_404(scope=self.scope, number=number)
        data = _valid(serializers.AgentReplyInput, request.data)
        try:
            services.case_reply_by_agent(case=case, agent=request.user, body=data["body"], internal=data["internal"],
                                         uploads=data.get("attachments", []))
        except ValidationError as error:
            _raise_api_error(error)
        return self.case_response(number, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["support"])
class AgentTransitionView(AgentMixin, APIView):
    @extend_schema(request=serializers.TransitionInput, responses=serializers.AgentCaseSerializer)
    def post(self, request, number):
        """Move the case along an allowed transition (see `allowed_statuses`)."""
        case = selectors.agent_case_or_404(scope=self.scope, number=number)
        data = _valid(serializers.TransitionInput, request.data)
        try:
            services.case_transition(case=case, to_status=data["status"], by=request.user)
        except ValidationError as error:
            _raise_api_error(error)
        return self.case_response(number)


@extend_schema(tags=["support"])
class AgentPriorityView(AgentMixin, APIView):
    @extend_schema(request=serializers.PriorityInput, responses=serializers.AgentCaseSerializer)
    def post(self, request, number):
        """Re-prioritise the case; its deadlines follow the new priority's service level."""
        case = selectors.agent_case_or_404(scope=self.scope, number=number)
        data = _valid(serializers.PriorityInput, request.data)
        try:
            services.case_priority_set(case=case, priority=data["priority"], by=request.user)
        except ValidationError as error:
            _raise_api_error(error)
        return self.case_response(number)


@extend_schema(tags=["support"])
class AgentAssignView(AgentMixin, APIView):
    @extend_schema(request=serializers.AssignInput, responses=serializers.AgentCaseSerializer)
    def post(self, request, number):
        """Assign the case to an agent whose scope covers it (yourself included), or unassign it."""
        case = selectors.agent_case_or_404(scope=self.scope, number=number)
        data = _valid(serializers.AssignInput, request.data)
        assignee = None
        if data["assignee"] is not None:
            assignee = User.objects.filter(pk=data["assignee"]).first()
            if assignee is None:
                raise ApiValidationError({"assignee": ["There is no such agent."]})
        try:
            services.case_assign(case=case, assignee=assignee, by=request.user)
        except ValidationError as error:
            _raise_api_error(error)
        return self.case_response(number)

