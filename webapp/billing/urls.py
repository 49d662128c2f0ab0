from django.urls import path, register_converter

from billing.forms import CODE_PATTERN
from billing.views import (accounts, audit, bankfiles, billing_runs, bills, customers, home,
                           lifecycle, notices, payments, previews, readings, reports, tariffs,
                           whatif)


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
    path("", home.HomeView.as_view(), name="home"),
    path("customers/", customers.CustomerSearchView.as_view(), name="customer_search"),
    path("customers/new/", customers.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/<int:customer_id>/", customers.CustomerDetailView.as_view(),
         name="customer_detail"),
    path("customers/<int:customer_id>/edit/", customers.CustomerEditView.as_view(),
         name="customer_edit"),
    path("readings/new/", readings.ReadingEntryView.as_view(), name="reading_create"),
    path("readings/meter.json", readings.MeterContextView.as_view(), name="meter_context"),
    path("readings/<int:reading_id>/", readings.ReadingDetailView.as_view(), name="reading_detail"),
    # back office (issue 6)
    path("customers/<int:customer_id>/accounts/new/", accounts.OpenAccountView.as_view(),
         name="account_open"),
    path("customers/<int:customer_id>/notices/", notices.NoticeListView.as_view(),
         name="customer_notices"),
    path("notices/", notices.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:notice_id>/retry/", notices.RetryNoticeView.as_view(), name="notice_retry"),
    path("dunning/", notices.DunningView.as_view(), name="dunning"),
    path("customers/<int:customer_id>/audit/", audit.AuditView.as_view(),
         name="customer_audit"),
    path("accounts/<int:account_id>/", accounts.AccountDetailView.as_view(), name="account_detail"),
    path("accounts/<int:account_id>/close/", lifecycle.CloseAccountView.as_view(), name="account_close"),
    path("accounts/<int:account_id>/meter/", accounts.InstallMeterView.as_view(), name="meter_install"),
    path("accounts/<int:account_id>/meter/exchange/", lifecycle.ExchangeMeterView.as_view(),
         name="meter_exchange"),
    path("accounts/<int:account_id>/close/final/", lifecycle.CloseAccountView.as_view(),
         name="account_close_final"),
    path("accounts/<int:account_id>/discounts/new/", accounts.AssignDiscountView.as_view(),
         name="discount_assign"),
    path("accounts/<int:account_id>/bill/", accounts.BillAccountView.as_view(), name="account_bill"),
    path("accounts/<int:account_id>/pay/", payments.CounterPaymentView.as_view(),
         name="payment_create"),
    path("payments/today/", payments.CollectionsTodayView.as_view(), name="collections_day"),
    path("payments/drawer/", payments.DrawerCloseView.as_view(), name="drawer_close"),
    path("payments/<int:payment_id>/", payments.PaymentReceiptView.as_view(), name="payment_receipt"),
    path("payments/<int:payment_id>/reverse/", payments.ReversePaymentView.as_view(),
         name="payment_reverse"),
    # bank files (issue 24 §2)
    path("payments/bank-files/", bankfiles.BankFileListView.as_view(), name="bankfile_list"),
    path("payments/bank-files/upload/", bankfiles.BankFileUploadView.as_view(),
         name="bankfile_upload"),
    path("payments/bank-files/template.csv", bankfiles.BankFileTemplateView.as_view(),
         name="bankfile_template"),
    path("payments/bank-files/<int:batch_id>/", bankfiles.BankFileDetailView.as_view(),
         name="bankfile_detail"),
    path("payments/bank-files/<int:batch_id>/post/", bankfiles.BankFilePostView.as_view(),
         name="bankfile_post"),
    path("payments/bank-files/<int:batch_id>/refused.csv",
         bankfiles.BankFileRefusedCsvView.as_view(), name="bankfile_refused_csv"),
    path("readings/upload/", readings.ReadingUploadView.as_view(), name="reading_upload"),
    path("readings/upload/template.csv", readings.ReadingUploadTemplateView.as_view(),
         name="reading_upload_template"),
    path("readings/upload/refused.csv", readings.ReadingUploadRefusedView.as_view(),
         name="reading_upload_refused"),
    path("readings/review/", readings.ReviewQueueView.as_view(), name="review_queue"),
    path("readings/<int:reading_id>/approve/", readings.ApproveReadingView.as_view(),
         name="reading_approve"),
    path("readings/<int:reading_id>/reject/", readings.RejectReadingView.as_view(),
         name="reading_reject"),
    path("billing/runs/", billing_runs.BillingRunListView.as_view(), name="run_list"),
    path("billing/runs/start/", billing_runs.BillingRunStartView.as_view(), name="run_start"),
    path("billing/runs/<int:run_id>/", billing_runs.BillingRunDetailView.as_view(), name="run_detail"),
    path("billing/runs/<int:run_id>/progress.json", billing_runs.BillingRunProgressView.as_view(),
         name="run_progress"),
    path("billing/runs/<int:run_id>/rerun/", billing_runs.BillingRerunView.as_view(), name="run_rerun"),
    path("billing/jobs/<str:token>/", billing_runs.BillingJobView.as_view(), name="run_job"),
    path("billing/jobs/<str:token>/status.json", billing_runs.BillingJobStatusView.as_view(),
         name="run_job_status"),
    path("billing/late-fees/", billing_runs.LateFeesView.as_view(), name="late_fees"),
    path("billing/late-fees/preview/", billing_runs.LateFeesPreviewView.as_view(),
         name="late_fees_preview"),
    path("billing/late-fees/charged/", billing_runs.LateFeesChargedView.as_view(),
         name="late_fees_charged"),
    # bill review (issue 20 §1): preview a run, inspect, issue or discard
    path("billing/previews/", previews.PreviewStartView.as_view(), name="preview_start"),
    path("billing/previews/<int:preview_id>/", previews.PreviewDetailView.as_view(),
         name="preview_detail"),
    path("billing/previews/<int:preview_id>/accounts/<int:account_id>/",
         previews.PreviewBillView.as_view(), name="preview_bill"),
    path("billing/previews/<int:preview_id>/issue/", previews.PreviewIssueView.as_view(),
         name="preview_issue"),
    path("billing/previews/<int:preview_id>/discard/", previews.PreviewDiscardView.as_view(),
         name="preview_discard"),
    path("tariffs/", tariffs.TariffListView.as_view(), name="tariff_list"),
    path("tariffs/new/", tariffs.TariffCreateView.as_view(), name="tariff_create"),
    path("tariffs/<code:code>/remove/", tariffs.TariffRemoveView.as_view(), name="tariff_remove"),
    path("tariffs/<code:code>/versions/new/", tariffs.TariffVersionCreateView.as_view(),
         name="tariff_version_create"),
    path("tariffs/<code:code>/what-if/", whatif.TariffWhatIfView.as_view(), name="tariff_whatif"),
    path("tariffs/<code:code>/what-if/<int:simulation_id>/", whatif.TariffWhatIfView.as_view(),
         name="tariff_whatif_result"),
    path("tariffs/<code:code>/what-if/<int:simulation_id>/accounts.csv",
         whatif.TariffWhatIfCsvView.as_view(), name="tariff_whatif_csv"),
    path("discounts/new/", tariffs.DiscountCreateView.as_view(), name="discount_create"),
    path("reports/", reports.ReportIndexView.as_view(), name="report_index"),
    path("reports/aging/", reports.AgingReportView.as_view(), name="report_aging"),
    path("reports/collections/", reports.CollectionsReportView.as_view(),
         name="report_collections"),
    path("reports/revenue/", reports.RevenueReportView.as_view(), name="report_revenue"),
    path("reports/consumption/", reports.ConsumptionReportView.as_view(),
         name="report_consumption"),
    path("audit/", audit.AuditView.as_view(), name="audit"),
    # corrections (issue 19): the bill page, cancel, re-bill, true-down, refunds
    path("bills/<int:bill_id>/", bills.BillDetailView.as_view(), name="bill_detail"),
    path("bills/<int:bill_id>/cancel/", bills.CancelBillView.as_view(), name="bill_cancel"),
    path("bills/<int:bill_id>/rebill/", bills.RebillView.as_view(), name="bill_rebill"),
    path("readings/true-down/", bills.TrueDownView.as_view(), name="true_down"),
    path("accounts/<int:account_id>/refund/", bills.RefundView.as_view(), name="refund_create"),
    path("refunds/<int:refund_id>/", bills.RefundSlipView.as_view(), name="refund_slip"),
]
