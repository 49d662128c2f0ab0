"""manage.py fold_report_deltas: folds the reports' deltas into their totals (CALL
fold_report_deltas; migration 0121, docs/backoffice.md "Reports"), then keeps the home page's
collection figures (CALL refresh_kpi_snapshot; migration 0133, docs/backoffice.md "Home pages
and KPIs"), the collectors' dunning list (CALL refresh_dunning_snapshot; migrations 0134 and
0141, docs/notices.md "The dunning list") and the aging report (CALL refresh_aging_snapshot;
migration 0140, docs/backoffice.md "Reports").

    manage.py fold_report_deltas

Every posting, reversal, billing chunk, late-fee run, cancelled bill and reading appends a delta
row to the revenue, collections or consumption report's kept figures; this job folds the
committed ones into one row per key, so that a report page sums a few rows. The figures are
exact whether it ran or not; run it every few minutes (deploy/systemd/billing-fold-report-
deltas.timer, or cron) and after a billing run. The home page shows the kept collection figures,
the dunning list its kept order and the aging report its kept rows, while they are at most 15
minutes old, and they read the live ones (seconds at 1M accounts) otherwise. Safe to run at any
time, beside postings and other folds: no step locks a bill or a payment. Exit codes: 0
success, 2 failure (docs/operations.md).
"""
from django.core.management.base import BaseCommand

from billing import services
from billing.management import jobs


class Command(BaseCommand):
    help = ("Folds the revenue, collections and consumption reports' deltas and keeps the home "
            "page's collection figures, the dunning list and the aging report.")
    requires_system_checks = []

    def handle(self, *args, **o):
        try:
            services.use_server_lock_wait()          # a batch job: the server's lock wait
            r = services.fold_report_deltas()
        except Exception as exc:  # noqa: BLE001 - an outage or a bug: exit 2 with the reason
            raise jobs.failure(f"fold_report_deltas failed: {exc}") from exc
        self.stdout.write(f"report deltas folded: {r['revenue_deltas']} revenue, "
                          f"{r['collections_deltas']} collections, "
                          f"{r['consumption_deltas']} consumption")
        try:
            k = services.refresh_kpi_snapshot()
        except Exception as exc:  # noqa: BLE001 - as above; the folded deltas stay folded
            raise jobs.failure(f"refresh_kpi_snapshot failed: {exc}") from exc
        self.stdout.write(f"home page figures kept as of {k['taken_at']:%Y-%m-%d %H:%M:%S}")
        try:
            d = services.refresh_dunning_snapshot()
        except Exception as exc:  # noqa: BLE001 - as above; the home page's figures stay kept
            raise jobs.failure(f"refresh_dunning_snapshot failed: {exc}") from exc
        self.stdout.write(f"dunning list kept as of {d['taken_at']:%Y-%m-%d %H:%M:%S}: "
                          f"{d['accounts']} accounts")
        try:
            a = services.refresh_aging_snapshot()
        except Exception as exc:  # noqa: BLE001 - as above; the dunning list stays kept
            raise jobs.failure(f"refresh_aging_snapshot failed: {exc}") from exc
        self.stdout.write(f"aging report kept as of {a['taken_at']:%Y-%m-%d %H:%M:%S}: "
                          f"{a['accounts']} accounts, {a['rows_changed']} rows written")
