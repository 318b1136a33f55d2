from django.urls import path

from motherline.grants import views

app_name = "grants"

urlpatterns = [
    path("", views.grant_list, name="list"),
    path("new/", views.new_grant, name="new"),
    path("<int:grant_id>/", views.grant_detail, name="detail"),
    path("<int:grant_id>/lines/", views.add_line, name="add_line"),
    path("<int:grant_id>/report/", views.donor_report, name="report"),
    path("services/", views.delivery_list, name="deliveries"),
    path("services/new/", views.new_delivery, name="new_delivery"),
]
