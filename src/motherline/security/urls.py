from django.urls import path

from motherline.security import audit_views, twofactor_views

app_name = "security"

urlpatterns = [
    path("two-factor/enrol/", twofactor_views.enrol, name="two_factor_enrol"),
    path("two-factor/verify/", twofactor_views.verify, name="two_factor_verify"),
    path("users/", twofactor_views.users, name="users"),
    path(
        "users/<int:user_id>/reset-two-factor/",
        twofactor_views.reset_two_factor,
        name="reset_two_factor",
    ),
    path("audit/", audit_views.audit_search, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit_export"),
]
