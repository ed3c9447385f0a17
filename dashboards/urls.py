from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("<int:page_id>/grafico/<str:block_id>/immagine/", views.chart_image, name="chart_image"),
    path("<int:page_id>/grafico/<str:block_id>/dati.<str:file_format>", views.chart_data, name="chart_data"),
]
