from django.urls import path, register_converter

from billing.forms import CODE_PATTERN

from billing import views
from billing import views_backoffice as bo
from billing import views_reports as reports



class CodeConverter:
    """A tariff or discount code (billing.forms.CODE_PATTERN); anything else is a 404."""
    regex = CODE_PATTERN

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CodeConverter, "code")

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
    # back office (issue 6)
    path("customers/<int:customer_id>/accounts/new/", bo.OpenAccountView.as_view(),
         name="account_open"),
    path("customers/<int:customer_id>/audit/", reports.AuditView.as_view(),
         name="customer_audit"),
    path("accounts/<int:account_id>/", bo.AccountDetailView.as_view(), name="account_detail"),
    path("accounts/<int:account_id>/close/", bo.CloseAccountView.as_view(), name="account_close"),
    path("accounts/<int:account_id>/meter/", bo.InstallMeterView.as_view(), name="meter_install"),
    path("accounts/<int:account_id>/discounts/new/", bo.AssignDiscountView.as_view(),
         name="discount_assign"),
    path("accounts/<int:account_id>/bill/", bo.BillAccountView.as_view(), name="account_bill"),
    path("accounts/<int:account_id>/pay/", bo.CounterPaymentView.as_view(),
         name="payment_create"),
    path("payments/today/", bo.CollectionsTodayView.as_view(), name="collections_day"),
    path("payments/<int:payment_id>/", bo.PaymentReceiptView.as_view(), name="payment_receipt"),
    path("payments/<int:payment_id>/reverse/", bo.ReversePaymentView.as_view(),
         name="payment_reverse"),
    path("readings/upload/", bo.ReadingUploadView.as_view(), name="reading_upload"),
    path("readings/review/", bo.ReviewQueueView.as_view(), name="review_queue"),
    path("readings/<int:reading_id>/approve/", bo.ApproveReadingView.as_view(),
         name="reading_approve"),
    path("readings/<int:reading_id>/reject/", bo.RejectReadingView.as_view(),
         name="reading_reject"),
    path("billing/runs/", bo.BillingRunListView.as_view(), name="run_list"),
    path("billing/runs/start/", bo.BillingRunStartView.as_view(), name="run_start"),
    path("billing/runs/<int:run_id>/", bo.BillingRunDetailView.as_view(), name="run_detail"),
    path("billing/runs/<int:run_id>/progress.json", bo.BillingRunProgressView.as_view(),
         name="run_progress"),
    path("billing/runs/<int:run_id>/rerun/", bo.BillingRerunView.as_view(), name="run_rerun"),
    path("billing/jobs/<str:token>/", bo.BillingJobView.as_view(), name="run_job"),
    path("billing/jobs/<str:token>/status.json", bo.BillingJobStatusView.as_view(),
         name="run_job_status"),
    path("billing/late-fees/", bo.LateFeesView.as_view(), name="late_fees"),
    path("tariffs/", bo.TariffListView.as_view(), name="tariff_list"),
    path("tariffs/new/", bo.TariffCreateView.as_view(), name="tariff_create"),
    path("tariffs/<code:code>/versions/new/", bo.TariffVersionCreateView.as_view(),
         name="tariff_version_create"),
    path("discounts/new/", bo.DiscountCreateView.as_view(), name="discount_create"),
    path("reports/", reports.ReportIndexView.as_view(), name="report_index"),
    path("reports/aging/", reports.AgingReportView.as_view(), name="report_aging"),
    path("reports/collections/", reports.CollectionsReportView.as_view(),
         name="report_collections"),
    path("reports/revenue/", reports.RevenueReportView.as_view(), name="report_revenue"),
    path("reports/consumption/", reports.ConsumptionReportView.as_view(),
         name="report_consumption"),
    path("audit/", reports.AuditView.as_view(), name="audit"),
]
