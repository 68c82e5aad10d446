from django.urls import path

from frontline import views

urlpatterns = [
    path("", views.index, name="frontline_index"),
    path("diary/", views.diary_list, name="frontline_diary"),
    path("diary/new/", views.diary_new, name="frontline_diary_new"),
    path("diary/book.pdf", views.diary_book, name="frontline_diary_book"),
    path("diary/<int:pk>/", views.diary_detail, name="frontline_diary_detail"),
    path("diary/<int:pk>/edit/", views.diary_edit, name="frontline_diary_edit"),
    path("diary/<int:pk>/requests/", views.diary_add_request, name="frontline_diary_add_request"),
    path("requests/<int:pk>/<slug:action>/", views.request_act, name="frontline_request_act"),
    path("urgent/", views.urgent_list, name="frontline_urgent"),
    path("urgent/new/", views.urgent_new, name="frontline_urgent_new"),
    path("urgent/ledger.xlsx", views.urgent_ledger, name="frontline_urgent_ledger"),
    path("urgent/<int:pk>/", views.urgent_detail, name="frontline_urgent_detail"),
    path("campaigns/", views.campaign_list, name="frontline_campaigns"),
    path("campaigns/new/", views.campaign_new, name="frontline_campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="frontline_campaign_detail"),
    path("campaigns/<int:pk>/progress.xlsx", views.campaign_xlsx, name="frontline_campaign_xlsx"),
    path("tasks/", views.task_list, name="frontline_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="frontline_task_detail"),
    path("tasks/<int:pk>/<slug:action>/", views.task_act, name="frontline_task_act"),
    path("attachments/<int:pk>/", views.attachment, name="frontline_attachment"),
]
