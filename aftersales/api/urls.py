"""Cases in the API (namespace `api:aftersales`): customers under /api/v1/cases/, agents under
/api/v1/support/cases/."""

from django.urls import path

from . import views

app_name = "aftersales"

urlpatterns = [
    path("cases/", views.CustomerCaseListView.as_view(), name="cases"),
    path("cases/<str:number>/", views.CustomerCaseDetailView.as_view(), name="case"),
    path("cases/<str:number>/messages/", views.CustomerReplyView.as_view(), name="case-reply"),
    path("cases/<str:number>/close/", views.CustomerCloseView.as_view(), name="case-close"),
    path("cases/<str:number>/reopen/", views.CustomerReopenView.as_view(), name="case-reopen"),
    path("support/cases/", views.AgentQueueView.as_view(), name="support-queue"),
    path("support/cases/<str:number>/", views.AgentCaseDetailView.as_view(), name="support-case"),
    path("support/cases/<str:number>/messages/", views.AgentReplyView.as_view(), name="support-case-reply"),
    path("support/cases/<str:number>/transition/", views.AgentTransitionView.as_view(),
         name="support-case-transition"),
    path("support/cases/<str:number>/priority/", views.AgentPriorityView.as_view(),
         name="support-case-priority"),
    path("support/cases/<str:number>/assign/", views.AgentAssignView.as_view(), name="support-case-assign"),
]
