"""manage.py apply_late_fees: charges the late fees (CALL apply_late_fees) as of a day.

    manage.py apply_late_fees                    # as of the database's CURRENT_DATE
    manage.py apply_late_fees --as-of 2026-11-20

Safe to re-run: a bill gets its late fee once. Exit codes: 0 success, 2 failure (see
docs/operations.md).
"""
from django.core.management.base import BaseCommand

from billing import services
from billing.errors import BillingError
from billing.management import jobs


class Command(BaseCommand):
    help = "Charges the late fee on every overdue bill (default: as of today)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day the fees are assessed (default: today)")
        parser.add_argument("--actor", default="batch:late_fees")

    def handle(self, *args, **o):
        as_of = jobs.parse_date(o["as_of"], "--as-of") if o["as_of"] else None
        try:
            services.use_server_lock_wait()          # a batch job: the server's lock wait
            if as_of is None:
                as_of = jobs.value("SELECT CURRENT_DATE")
            r = services.apply_late_fees(as_of=as_of, actor=o["actor"])
        except BillingError as exc:
            raise jobs.failure(f"apply_late_fees {as_of} refused: {exc.code} ({exc.errno}): "
                               f"{exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - an outage or a bug: exit 2 with the reason
            raise jobs.failure(f"apply_late_fees {as_of} failed: {exc}") from exc
        self.stdout.write(f"late fees as of {as_of}: {r['bills_charged']} bills charged, "
                          f"total fees {r['total_fees']}")
