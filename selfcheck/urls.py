from django.urls import path

from selfcheck import views

urlpatterns = [
    path("", views.index, name="selfcheck_index"),
    path("measures/", views.measure_list, name="selfcheck_measures"),
    path("measures/<int:pk>/done/", views.measure_done, name="selfcheck_measure_done"),
    path("i/<int:pk>/measures/", views.measure_add, name="selfcheck_measure_add"),
    path("i/<int:pk>/<slug:action>/", views.inspection_act, name="selfcheck_act"),
    path("<int:period>/<int:branch>/", views.inspection_page, name="selfcheck_inspection"),
]
