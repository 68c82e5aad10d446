from django.urls import path

from scorecard import views

urlpatterns = [
    path("", views.index, name="scorecard_index"),
    path("evaluation/", views.evaluation_index, name="evaluation_index"),
]
