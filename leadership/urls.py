from django.urls import path

from leadership import views

urlpatterns = [
    path("", views.home, name="leadership_home"),
    path("teams/new/", views.team_new, name="leadership_team_new"),
    path("teams/<int:pk>/", views.team_detail, name="leadership_team"),
    path("meetings/", views.meeting_list, name="leadership_meetings"),
    path("meetings.xlsx", views.ledger, name="leadership_ledger"),
    path("meetings/new/", views.meeting_new, name="leadership_meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="leadership_meeting"),
    path("decisions/", views.decision_list, name="leadership_decisions"),
    path("decisions/<int:pk>/", views.decision_detail, name="leadership_decision"),
    path("life/", views.life_list, name="leadership_lives"),
    path("life/<int:pk>/", views.life_detail, name="leadership_life"),
    path("rectifications/", views.rectification_list, name="leadership_rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="leadership_rectification"),
    path("appraisals/new/", views.appraisal_new, name="leadership_appraisal_new"),
    path("appraisals/<int:pk>/", views.appraisal_detail, name="leadership_appraisal"),
    path("notices/", views.notice_list, name="leadership_notices"),
    path("notices/new/", views.notice_new, name="leadership_notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="leadership_notice"),
    path("reports/", views.report_list, name="leadership_reports"),
    path("reports/new/", views.report_new, name="leadership_report_new"),
    path("reports/<int:pk>/", views.report_detail, name="leadership_report"),
]
