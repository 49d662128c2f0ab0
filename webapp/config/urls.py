from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from config.hardening import healthz

PORTAL_PATH = "my/"             # the customers' portal; everything else is the back office

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logged-out/", TemplateView.as_view(template_name="billing/logged_out.html"),
         name="logged_out"),
    path("favicon.ico", RedirectView.as_view(url=static("billing/favicon.svg"))),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(PORTAL_PATH, include("portal.urls")),
    path("", include("billing.urls")),
]

# a server error answers with the page of the side it happened on (staff or portal)
handler500 = "config.errorpages.server_error"
