from django.urls import path

from motherline.care import family_views, views

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
    # The child's family outside: caregivers and best-interests assessments.
    path("children/<str:reference>/caregivers/", family_views.caregivers, name="caregivers"),
    path(
        "children/<str:reference>/caregivers/link/",
        family_views.link_caregiver,
        name="link_caregiver",
    ),
    path(
        "children/<str:reference>/caregivers/<int:caregiver_id>/",
        family_views.correct_caregiver,
        name="correct_caregiver",
    ),
    path(
        "<int:plan_id>/assessments/new/",
        family_views.record_assessment,
        name="record_assessment",
    ),
    path("assessments/<int:assessment_id>/", family_views.assessment, name="assessment"),
    path(
        "assessments/<int:assessment_id>/correct/",
        family_views.correct_assessment,
        name="correct_assessment",
    ),
]
