"""manage.py fold_report_deltas: folds the reports' deltas into their totals (CALL
fold_report_deltas; migration 0121, docs/backoffice.md "Reports").

    manage.py fold_report_deltas

Every posting, reversal, billing chunk, late-fee run and cancelled bill appends a delta row that
the revenue and collections reports add to their kept totals; this job moves the committed ones
into the totals, so that a report page sums a few rows. The figures are exact whether it ran or
not; run it every few minutes (deploy/systemd/billing-fold-report-deltas.timer, or cron) and
after a billing run. Safe to run at any time, beside postings and other folds. Exit codes: 0
success, 2 failure (docs/operations.md).
"""
from django.core.management.base import BaseCommand

from billing import services
from billing.management import jobs


class Command(BaseCommand):
    help = "Folds the revenue and collections reports' deltas into their totals."
    requires_system_checks = []

    def handle(self, *args, **o):
        try:
            r = services.fold_report_deltas()
        except Exception as exc:  # noqa: BLE001 - an outage or a bug: exit 2 with the reason
            raise jobs.failure(f"fold_report_deltas failed: {exc}") from exc
        self.stdout.write(f"report deltas folded: {r['revenue_deltas']} revenue, "
                          f"{r['collections_deltas']} collections")
