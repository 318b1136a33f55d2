from django.urls import path

from motherline.casework import referral_views, views

app_name = "casework"

urlpatterns = [
    path("my-cases/", views.my_cases, name="my_cases"),
    path("case-loads/", views.case_loads, name="case_loads"),
    path("women/<str:reference>/notes/", views.woman_notes, name="woman_notes"),
    path("children/<str:reference>/notes/", views.child_notes, name="child_notes"),
    path("notes/<int:note_id>/correct/", views.correct_note, name="correct_note"),
    path("women/<str:reference>/workers/", views.woman_workers, name="woman_workers"),
    path("children/<str:reference>/workers/", views.child_workers, name="child_workers"),
    path("women/<str:reference>/documents/", views.woman_documents, name="woman_documents"),
    path("children/<str:reference>/documents/", views.child_documents, name="child_documents"),
    path("documents/<int:document_id>/", views.download, name="document"),
    path(
        "candidates/<int:candidate_id>/file-dossier/",
        views.file_dossier,
        name="file_dossier",
    ),
    path("referrals/", referral_views.referral_list, name="referrals"),
    path("referrals/<int:referral_id>/", referral_views.referral, name="referral"),
    path("women/<str:reference>/refer/", referral_views.refer_woman, name="refer_woman"),
    path("children/<str:reference>/refer/", referral_views.refer_child, name="refer_child"),
    path("women/<str:reference>/consents/", referral_views.consents, name="consents"),
    path(
        "consents/<int:consent_id>/withdraw/",
        referral_views.withdraw_consent,
        name="withdraw_consent",
    ),
]
