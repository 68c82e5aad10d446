from django.urls import path

from vanguard import views

urlpatterns = [
    path("", views.overview, name="vanguard_overview"),
    path("assign/", views.assign, name="vanguard_assign"),
    path("assignments/<int:pk>/", views.assignment_detail, name="vanguard_assignment"),
    path("members/<int:person_id>/", views.member_page, name="vanguard_member"),
    path("me/", views.my_page, name="vanguard_me"),
    path("posts/", views.posts, name="vanguard_posts"),
    path("posts/<int:pk>/", views.post_detail, name="vanguard_post"),
]
