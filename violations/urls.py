from django.urls import path

from violations import views

urlpatterns = [
    path("", views.violation_list, name="violation_list"),
    path("new/", views.violation_new, name="violation_new"),
    path("settings/", views.violation_settings, name="violation_settings"),
    path("ledger.xlsx", views.violation_export, name="violation_ledger"),
    path("<int:pk>/", views.violation_detail, name="violation_detail"),
    path("<int:pk>/photo/", views.violation_photo, name="violation_photo"),
    path("<int:pk>/reexam/", views.violation_reexam, name="violation_reexam"),
    path("<int:pk>/steps/<int:step>/", views.violation_help, name="violation_help"),
    path("<int:pk>/<slug:action>/", views.violation_act, name="violation_act"),
]
