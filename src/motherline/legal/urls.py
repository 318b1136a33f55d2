from django.urls import path

from motherline.legal import views

app_name = "legal"

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("open/<str:reference>/", views.open_case, name="open_case"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/screening/", views.screening, name="round_screening"),
    path("screening/", views.screening, name="screening"),
    path("candidates/<int:candidate_id>/", views.candidate_detail, name="candidate"),
    path(
        "candidates/<int:candidate_id>/dossier-<str:language>.pdf",
        views.dossier_pdf,
        name="dossier",
    ),
]
