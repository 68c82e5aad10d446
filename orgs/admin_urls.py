from django.urls import path

from orgs import (
    admin_menu,  # noqa: F401  (registers the 账号 / 审计 menu entries at start-up)
    admin_views,
)

urlpatterns = [
    path("manage/accounts/", admin_views.accounts_admin, name="accounts_admin"),
    path("manage/accounts/new/", admin_views.account_new, name="account_new"),
    path("manage/accounts/person/<int:person_pk>/", admin_views.account_for_person, name="account_for_person"),
    path("manage/accounts/<int:pk>/", admin_views.account_detail, name="account_detail"),
    path("manage/accounts/<int:pk>/reset/", admin_views.account_reset, name="account_reset"),
    path("manage/accounts/<int:pk>/active/", admin_views.account_active, name="account_active"),
    path("manage/accounts/<int:pk>/roles/", admin_views.account_role_add, name="account_role_add"),
    path(
        "manage/accounts/<int:pk>/roles/<int:assignment_pk>/revoke/",
        admin_views.account_role_revoke,
        name="account_role_revoke",
    ),
    path("manage/lockouts/", admin_views.lockouts, name="lockouts"),
    path("manage/grants/", admin_views.role_grants, name="role_grants"),
    path("manage/grants/<int:pk>/", admin_views.role_grant_decide, name="role_grant_decide"),
    path("manage/audit/", admin_views.audit_log, name="audit_log"),
    path("manage/audit/sensitive/", admin_views.sensitive_log, name="sensitive_log"),
]
