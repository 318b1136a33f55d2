from django.urls import path

from motherline.people import edit_views, views

app_name = "people"

urlpatterns = [
    path("prisons/", views.prison_overview, name="prisons"),
    path("women/", views.woman_list, name="women"),
    path("women/admit/", edit_views.admit, name="admit"),
    path("women/<str:reference>/", views.woman_detail, name="woman"),
    path("women/<str:reference>/edit/", edit_views.edit_woman, name="edit_woman"),
    path("women/<str:reference>/readmit/", edit_views.readmit, name="readmit"),
    path("women/<str:reference>/merge/", edit_views.merge, name="merge"),
    path(
        "women/<str:reference>/episodes/<int:episode_id>/edit/",
        edit_views.edit_episode,
        name="edit_episode",
    ),
    path("women/<str:reference>/transfer/", edit_views.transfer, name="transfer"),
    path("women/<str:reference>/legal-status/", edit_views.legal_status, name="legal_status"),
    path("women/<str:reference>/release/", edit_views.release, name="release"),
    path("women/<str:reference>/pregnancy/", edit_views.pregnancy, name="pregnancy"),
    path(
        "women/<str:reference>/pregnancy/<int:pregnancy_id>/outcome/",
        edit_views.pregnancy_outcome,
        name="pregnancy_outcome",
    ),
    path("women/<str:reference>/child/", edit_views.add_child, name="add_child"),
    path("children/<str:reference>/", views.child_detail, name="child"),
    path("children/<str:reference>/edit/", edit_views.edit_child, name="edit_child"),
    path(
        "children/<str:reference>/birth-registration/",
        edit_views.register_birth,
        name="register_birth",
    ),
    path("children/<str:reference>/move-out/", edit_views.move_child_out, name="move_child_out"),
]
