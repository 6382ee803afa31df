"""The agents' workspace, mounted at /support/."""

from django.urls import path

from . import views

app_name = "aftersales"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/reply/", views.case_reply, name="case-reply"),
    path("cases/<str:number>/status/", views.case_status, name="case-status"),
    path("cases/<str:number>/assign/", views.case_assign, name="case-assign"),
    path("cases/<str:number>/priority/", views.case_priority, name="case-priority"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
