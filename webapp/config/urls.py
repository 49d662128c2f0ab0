from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from billing.views.login import StaffLoginView
from config.hardening import healthz

PORTAL_PATH = "my/"             # the customers' portal; everything else is the back office

urlpatterns = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logged-out/", TemplateView.as_view(template_name="billing/logged_out.html"),
         name="logged_out"),
    path("favicon.ico", RedirectView.as_view(url=static("billing/favicon.svg"))),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(PORTAL_PATH, include("portal.urls")),
    path("", include("billing.urls")),
]

# an error answers with the page of the side it happened on (staff or portal; config.errorpages)
handler403 = "config.errorpages.permission_denied"
handler404 = "config.errorpages.page_not_found"
handler500 = "config.errorpages.server_error"
