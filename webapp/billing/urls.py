from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("customers/", views.CustomerSearchView.as_view(), name="customer_search"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/<int:customer_id>/", views.CustomerDetailView.as_view(),
         name="customer_detail"),
    path("customers/<int:customer_id>/edit/", views.CustomerEditView.as_view(),
         name="customer_edit"),
    path("readings/new/", views.ReadingEntryView.as_view(), name="reading_create"),
    path("readings/<int:reading_id>/", views.ReadingDetailView.as_view(), name="reading_detail"),
]
