from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.accreditation_request, name="accreditation_request"),
    path("inviata/", views.accreditation_sent, name="accreditation_sent"),
]
