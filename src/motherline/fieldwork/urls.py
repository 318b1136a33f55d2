from django.urls import path

from motherline.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.new_visit, name="new_visit"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/correct/", views.correct_visit, name="correct_visit"),
    path("visits/<int:visit_id>/withdraw/", views.withdraw_visit, name="withdraw_visit"),
    path("visits/<int:visit_id>/actions/", views.add_action, name="add_action"),
    path("actions/<int:action_id>/done/", views.complete_action, name="action_done"),
    path("actions/<int:action_id>/correct/", views.correct_action, name="correct_action"),
    path("findings/<int:finding_id>/resolved/", views.resolve_finding, name="finding_resolved"),
    path("findings/<int:finding_id>/correct/", views.correct_finding, name="correct_finding"),
    path("prisons/<str:code>/", views.prison_detail, name="prison"),
    path("incidents/", views.incident_overview, name="incidents"),
    path("incidents/new/", views.new_incident, name="new_incident"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path(
        "incidents/<int:incident_id>/withdraw/", views.withdraw_incident, name="withdraw_incident"
    ),
    path("import/", views.import_upload, name="import"),
    path("escalation/", views.escalation_contacts, name="escalation"),
    path("escalation/<int:contact_id>/remove/", views.remove_contact, name="remove_contact"),
    path("training/", views.training_list, name="training"),
    path("training/new/", views.new_training, name="new_training"),
    path("training/<int:session_id>/", views.training_detail, name="training_session"),
    path("training/<int:session_id>/correct/", views.correct_training, name="correct_training"),
    path("training/<int:session_id>/withdraw/", views.withdraw_training, name="withdraw_training"),
    path("case-studies/", views.case_list, name="cases"),
    path("case-studies/new/", views.new_case, name="new_case"),
    path("case-studies/booklet/", views.case_booklet, name="case_booklet"),
    path("case-studies/<int:case_id>/", views.case_detail, name="case"),
    path("case-studies/<int:case_id>/edit/", views.edit_case, name="edit_case"),
    path("case-studies/<int:case_id>/<str:step>/", views.case_step, name="case_step"),
]
