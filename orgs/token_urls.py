from django.urls import path

from orgs import token_views

urlpatterns = [
    path("api-tokens/", token_views.tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", token_views.token_revoke, name="api_token_revoke"),
]
