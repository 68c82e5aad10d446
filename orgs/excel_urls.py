from django.urls import path

from orgs import views

urlpatterns = [
    path("people/export.xlsx", views.people_export, name="people_export"),
]
