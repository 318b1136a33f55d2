from django.urls import path

from motherline.worklist import views

app_name = "worklist"

urlpatterns = [
    path("", views.worklist, name="list"),
]
