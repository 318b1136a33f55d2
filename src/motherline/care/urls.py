from django.urls import path

from motherline.care import views

app_name = "care"

urlpatterns = [
    path("open/<str:reference>/", views.open_plan, name="open"),
    path("extension/<str:reference>/", views.record_extension, name="extension"),
    path("<int:plan_id>/", views.plan_detail, name="plan"),
    path("<int:plan_id>/edit/", views.edit_plan, name="edit"),
    path("<int:plan_id>/next/", views.advance_plan, name="advance"),
    path("<int:plan_id>/close/", views.close_plan, name="close"),
    path("<int:plan_id>/reopen/", views.reopen_plan, name="reopen"),
    path(
        "<int:plan_id>/follow-ups/<int:follow_up_id>/",
        views.record_follow_up,
        name="follow_up",
    ),
]
