from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import TemplateView

from portal import messages, reconcile, staff, views
from portal.forms import CustomerPasswordResetForm, PortalSetPasswordForm

app_name = "portal"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page=reverse_lazy("portal:logged_out")),
         name="logout"),
    path("logged-out/", TemplateView.as_view(template_name="portal/logged_out.html"),
         name="logged_out"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name="portal/password_reset.html", form_class=CustomerPasswordResetForm,
        email_template_name="portal/password_reset_email.txt",
        subject_template_name="portal/password_reset_subject.txt",
        success_url=reverse_lazy("portal:password_reset_done")), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="portal/password_reset_done.html"), name="password_reset_done"),
    path("password/set/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="portal/password_set.html", form_class=PortalSetPasswordForm,
        success_url=reverse_lazy("portal:password_set_done")), name="password_reset_confirm"),
    path("password/set/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="portal/password_set_done.html"), name="password_set_done"),
    path("password/change/", views.PortalPasswordChangeView.as_view(), name="password_change"),
    path("bills/", views.BillListView.as_view(), name="bill_list"),
    path("bills/<int:bill_id>/", views.BillDetailView.as_view(), name="bill_detail"),
    path("bills/<int:bill_id>/print/", views.BillPrintView.as_view(), name="bill_print"),
    path("bills/<int:bill_id>/pdf/", views.BillPdfView.as_view(), name="bill_pdf"),
    path("accounts/<int:account_id>/pay/", views.PayView.as_view(), name="pay"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("payments/<int:payment_id>/", views.PaymentDetailView.as_view(), name="payment_detail"),
    path("payments/<int:payment_id>/pdf/", views.PaymentPdfView.as_view(), name="payment_pdf"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/preferences/", messages.PreferencesView.as_view(), name="preferences"),
    path("messages/", messages.MessageListView.as_view(), name="message_list"),
    path("messages/<int:notice_id>/", messages.MessageDetailView.as_view(), name="message_detail"),
    path("staff/customers/<int:customer_id>/login/", staff.StaffCreateLoginView.as_view(),
         name="staff_create_login"),
    path("staff/customers/<int:customer_id>/login/link/", staff.StaffLoginLinkView.as_view(),
         name="staff_login_link"),
    path("staff/reconcile/", reconcile.ReconcileListView.as_view(), name="reconcile"),
    path("staff/reconcile/<int:pk>/settle/", reconcile.SettleView.as_view(),
         name="reconcile_settle"),
]
