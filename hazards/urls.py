from django.urls import path

from hazards import views

urlpatterns = [
    path("", views.hazard_list, name="hazard_list"),
    path("new/", views.hazard_new, name="hazard_new"),
    path("settings/", views.master_data, name="hazard_master"),
    path("stats/", views.hazard_stats, name="hazard_stats"),
    path("ledger.xlsx", views.hazard_ledger, name="hazard_ledger"),
    path("<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("<int:pk>/<slug:action>/", views.hazard_act, name="hazard_act"),
    path("photos/<int:pk>/", views.hazard_photo, name="hazard_photo"),
]
