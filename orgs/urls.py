from django.urls import path

from orgs import views

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/sensitive/", views.person_sensitive, name="person_sensitive"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/transfer/", views.person_transfer, name="person_transfer"),
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/<int:pk>/", views.org_node, name="org_node"),
]
