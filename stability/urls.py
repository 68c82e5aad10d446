from django.urls import path

from stability import views

urlpatterns = [
    path("", views.home, name="stability_home"),
    path("factors/", views.factor_list, name="stability_factors"),
    path("factors/new/", views.factor_new, name="stability_factor_new"),
    path("factors/<int:pk>/", views.factor_detail, name="stability_factor"),
    path("factors/<int:pk>/measures/", views.factor_measure, name="stability_factor_measure"),
    path("factors/<int:pk>/assessments/", views.factor_assessment, name="stability_factor_assessment"),
    path("factors/<int:pk>/follow-ups/", views.factor_follow_up, name="stability_factor_follow_up"),
    path("factors/<int:pk>/<slug:action>/", views.factor_act, name="stability_factor_act"),
    path("measures/<int:pk>/done/", views.measure_done, name="stability_measure_done"),
    path("petitions/", views.petition_list, name="stability_petitions"),
    path("petitions/new/", views.petition_new, name="stability_petition_new"),
    path("petitions/export.xlsx", views.petition_export, name="stability_petition_export"),
    path("petitions/local/", views.local_figures, name="stability_local"),
    path("petitions/<int:pk>/", views.petition_detail, name="stability_petition"),
    path("petitions/<int:pk>/<slug:action>/", views.petition_act, name="stability_petition_act"),
    path("plans/", views.plan_list, name="stability_plans"),
    path("plans/new/", views.plan_new, name="stability_plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="stability_plan"),
    path("plans/<int:pk>/drills/", views.plan_drill, name="stability_plan_drill"),
    path("plans/<int:pk>/triggers/", views.plan_trigger, name="stability_plan_trigger"),
    path("plans/<int:pk>/revise/", views.plan_revise, name="stability_plan_revise"),
    path("plans/<int:pk>/assess/", views.plan_assess, name="stability_plan_assess"),
    path("health/", views.health, name="stability_health"),
    path("health/fevers/", views.fevers, name="stability_fevers"),
    path("health/fevers/<int:pk>/follow/", views.fever_follow, name="stability_fever_follow"),
    path("health/campaigns/", views.campaigns, name="stability_campaigns"),
    path("health/campaigns/<int:pk>/", views.campaign_detail, name="stability_campaign"),
    path("settings/", views.settings_page, name="stability_settings"),
]
