from django.urls import path

from motherline.security import admin_views, audit_views, token_views, twofactor_views

app_name = "security"

urlpatterns = [
    path("two-factor/enrol/", twofactor_views.enrol, name="two_factor_enrol"),
    path("two-factor/verify/", twofactor_views.verify, name="two_factor_verify"),
    path("users/", twofactor_views.users, name="users"),
    path("users/invite/", admin_views.invite, name="invite"),
    path("users/<int:user_id>/", admin_views.account, name="account"),
    path("users/<int:user_id>/active/", admin_views.set_active, name="set_active"),
    path(
        "users/<int:user_id>/reset-two-factor/",
        admin_views.reset_two_factor,
        name="reset_two_factor",
    ),
    path("welcome/<uidb64>/<token>/", admin_views.welcome, name="welcome"),
    path("organisations/", admin_views.organisations, name="organisations"),
    path("organisations/<int:organisation_id>/", admin_views.organisation, name="organisation"),
    path("sharing/", admin_views.sharing, name="sharing"),
    path("sharing/<int:agreement_id>/end/", admin_views.end_agreement, name="end_agreement"),
    path("audit/", audit_views.audit_search, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit_export"),
    path("tokens/", token_views.own_tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", token_views.revoke_own, name="token_revoke"),
    path("users/<int:user_id>/tokens/", token_views.user_tokens, name="user_tokens"),
    path(
        "users/<int:user_id>/tokens/<int:token_id>/revoke/",
        token_views.revoke_of_user,
        name="user_token_revoke",
    ),
]
