from django.urls import path

from training import views

urlpatterns = [
    path("", views.daily, name="training_daily"),
    path("daily/<int:pk>/answer/", views.daily_answer, name="training_answer"),
    path("mastery/", views.my_mastery, name="training_mastery"),
    path("branch/", views.branch, name="training_branch"),
    path("bank/", views.bank, name="training_bank"),
    path("bank/export.xlsx", views.bank_export, name="training_bank_export"),
    path("bank/<int:pk>/", views.question_detail, name="training_question"),
    path("bank/<int:pk>/status/", views.question_status, name="training_question_status"),
]
