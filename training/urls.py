from django.urls import path

from training import exam_views, lesson_views, views

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
    path("exams/", exam_views.exam_list, name="training_exams"),
    path("exams/new/", exam_views.blueprint_new, name="training_blueprint_new"),
    path("exams/<int:pk>/", exam_views.blueprint_detail, name="training_blueprint"),
    path("exams/<int:pk>/generate/", exam_views.blueprint_generate, name="training_blueprint_generate"),
    path("exams/<int:pk>/makeup/", exam_views.blueprint_makeup, name="training_blueprint_makeup"),
    path("exams/<int:pk>/results.xlsx", exam_views.blueprint_results_xlsx, name="training_blueprint_results"),
    path("papers/<int:pk>/", exam_views.paper, name="training_paper"),
    path("papers/<int:pk>/start/", exam_views.paper_start, name="training_paper_start"),
    path("papers/<int:pk>/save/", exam_views.paper_save, name="training_paper_save"),
    path("papers/<int:pk>/submit/", exam_views.paper_submit, name="training_paper_submit"),
]
