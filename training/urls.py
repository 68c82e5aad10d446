from django.urls import path

from training import lesson_views, views

urlpatterns = [
    path("", views.daily, name="training_daily"),
    path("daily/<int:pk>/answer/", views.daily_answer, name="training_answer"),
    path("mastery/", views.my_mastery, name="training_mastery"),
    path("branch/", views.branch, name="training_branch"),
    path("bank/", views.bank, name="training_bank"),
    path("bank/export.xlsx", views.bank_export, name="training_bank_export"),
    path("bank/<int:pk>/", views.question_detail, name="training_question"),
    path("bank/<int:pk>/status/", views.question_status, name="training_question_status"),
    path("lessons/", lesson_views.lesson_list, name="training_lessons"),
    path("lessons/new/", lesson_views.lesson_new, name="training_lesson_new"),
    path("lessons/<int:pk>/", lesson_views.lesson_detail, name="training_lesson"),
    path("lessons/<int:pk>/check/", lesson_views.lesson_check, name="training_lesson_check"),
    path("lessons/<int:pk>/publish/", lesson_views.lesson_publish, name="training_lesson_publish"),
    path("lessons/<int:pk>/file/", lesson_views.lesson_file, name="training_lesson_file"),
]
