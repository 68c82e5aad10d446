from django.urls import path

from scorecard import views

urlpatterns = [
    path("", views.index, name="scorecard_index"),
    path("indicators/", views.indicator_list, name="scorecard_indicators"),
    path("dashboard/", views.dashboard, name="scorecard_dashboard"),
    path("dashboard/mines/<int:mine>/", views.mine_dashboard, name="scorecard_mine_dashboard"),
    path("schemes/new/", views.scheme_new, name="scorecard_scheme_new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scorecard_scheme"),
    path("schemes/<int:pk>/run/", views.scheme_run, name="scorecard_scheme_run"),
    path("schemes/<int:pk>/scores/<int:component>/", views.score_enter, name="scorecard_score_enter"),
    path("runs/<int:pk>/", views.run_detail, name="scorecard_run"),
    path("runs/<int:pk>/changed/", views.run_changed, name="scorecard_run_changed"),
    path("runs/<int:pk>/branches/<int:branch>/", views.run_branch, name="scorecard_run_branch"),
    path("evaluation/", views.evaluation_index, name="evaluation_index"),
    path("evaluation/new/", views.evaluation_new, name="evaluation_new"),
    path("evaluation/<int:pk>/", views.evaluation_round, name="evaluation_round"),
    path("evaluation/<int:pk>/close/", views.evaluation_close, name="evaluation_close"),
]
urlpatterns += [
    path("runs/<int:pk>/branches/<int:branch>/report/<slug:fmt>/", views.report_start, name="scorecard_report"),
    path("reports/monthly/", views.monthly_report, name="scorecard_monthly"),
]
urlpatterns += [path("runs/<int:pk>/compare/<slug:fmt>/", views.compare_start, name="scorecard_compare")]
urlpatterns += [path("records/<slug:code>/", views.indicator_records, name="scorecard_records")]
