from django.urls import path

from care import views

urlpatterns = [
    path("", views.home, name="care_home"),
    path("suggestions/", views.suggestion_list, name="care_suggestions"),
    path("suggestions/<int:person>/<slug:rule>/dismiss/", views.suggestion_dismiss, name="care_dismiss"),
    path("register/", views.register_list, name="care_register"),
    path("register/new/<int:person>/", views.entry_new, name="care_entry_new"),
    path("register/<int:pk>/", views.entry_detail, name="care_entry"),
    path("register/<int:pk>/<slug:action>/", views.entry_act, name="care_entry_act"),
    path("screenings/", views.screening_list, name="care_screenings"),
    path("screenings/new/", views.screening_new, name="care_screening_new"),
    path("talks/", views.talk_list, name="care_talks"),
    path("talks/new/", views.talk_new, name="care_talk_new"),
    path("talks/<int:pk>/", views.talk_detail, name="care_talk"),
    path("follow-ups/<int:pk>/close/", views.follow_up_close, name="care_follow_up_close"),
    path("coverage/", views.coverage_page, name="care_coverage"),
    path("people/<int:pk>/", views.person_file, name="care_file"),
    path("people/<int:pk>/readers/", views.file_readers, name="care_file_readers"),
    path("settings/", views.settings_page, name="care_settings"),
]
