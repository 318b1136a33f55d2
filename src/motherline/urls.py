from django.contrib.auth import views as auth_views
from django.urls import include, path

from motherline.accounts import views as account_views
from motherline.api.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("preferences/", account_views.preferences, name="preferences"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("motherline.security.urls")),
    path("api/v1/", api.urls),
    path("worklist/", include("motherline.worklist.urls")),
    path("plans/", include("motherline.care.urls")),
    path("statistics/", include("motherline.stats.urls")),
    path("fieldwork/", include("motherline.fieldwork.urls")),
    path("grants/", include("motherline.grants.urls")),
    path("legal/", include("motherline.legal.urls")),
    path("casework/", include("motherline.casework.urls")),
    path("jobs/", include("motherline.jobs.urls")),
    path("", include("motherline.people.urls")),
]
