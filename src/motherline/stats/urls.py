from django.urls import path

from motherline.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.statistics, name="index"),
    path("export/<str:table>.<str:fmt>", views.export, name="export"),
    path("brief/", views.brief, name="brief"),
    path("import/", views.import_returns, name="import"),
    path("import/template.<str:fmt>", views.template, name="template"),
]
