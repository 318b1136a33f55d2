from django.urls import path

from motherline.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.jobs, name="list"),
]
