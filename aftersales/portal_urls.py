"""The customers' cases in their account, mounted at /account/cases/."""

from django.urls import path

from . import portal_views as views

app_name = "aftersales_portal"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/reply/", views.case_reply, name="reply"),
    path("<str:number>/close/", views.case_close, name="close"),
    path("<str:number>/reopen/", views.case_reopen, name="reopen"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
