from django.urls import path

from motherline.grants import views

app_name = "grants"

urlpatterns = [
    path("", views.grant_list, name="list"),
    path("new/", views.new_grant, name="new"),
    path("<int:grant_id>/", views.grant_detail, name="detail"),
    path("<int:grant_id>/correct/", views.correct_grant, name="correct"),
    path("<int:grant_id>/lines/", views.add_line, name="add_line"),
    path("<int:grant_id>/lines/<int:line_id>/correct/", views.correct_line, name="correct_line"),
    path("<int:grant_id>/report/", views.donor_report, name="report"),
    path("services/", views.delivery_list, name="deliveries"),
    path("services/new/", views.new_delivery, name="new_delivery"),
    path("services/<int:delivery_id>/", views.delivery_detail, name="delivery"),
    path("services/<int:delivery_id>/correct/", views.correct_delivery, name="correct_delivery"),
    path("services/<int:delivery_id>/withdraw/", views.withdraw_delivery, name="withdraw_delivery"),
]
