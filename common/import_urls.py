from django.urls import path

from common import import_views

urlpatterns = [
    path("imports/jobs/<int:pk>/", import_views.job, name="import_job"),
    path("imports/jobs/<int:pk>/confirm/", import_views.confirm, name="import_confirm"),
    path("imports/jobs/<int:pk>/cancel/", import_views.cancel, name="import_cancel"),
    path("imports/jobs/<int:pk>/errors.xlsx", import_views.error_file, name="import_error_file"),
    path("imports/<slug:kind>/", import_views.upload, name="import_upload"),
    path("imports/<slug:kind>/template.xlsx", import_views.template, name="import_template"),
]

from common import generated_views  # noqa: E402

urlpatterns += [
    path("files/", generated_views.file_list, name="generated_files"),
    path("files/<int:pk>/", generated_views.file_detail, name="generated_file"),
    path("files/<int:pk>/download/", generated_views.file_download, name="generated_download"),
]
