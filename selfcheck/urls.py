from django.urls import path

from selfcheck import views

urlpatterns = [
    path("", views.index, name="selfcheck_index"),
]
