"""manage.py queue_reminders: writes the day's due-soon and dunning notices into the outbox
(CALL queue_reminders) as of a day; send_notices delivers them.

    manage.py queue_reminders                    # as of the database's CURRENT_DATE
    manage.py queue_reminders --as-of 2026-11-20

Safe to re-run: a bill gets each kind of notice once. Exit codes: 0 success, 2 failure (see
docs/operations.md).
"""
from django.core.management.base import BaseCommand

from billing import services
from billing.errors import BillingError
from billing.management import jobs


class Command(BaseCommand):
    help = "Queues the due-soon and dunning notices of the day (default: as of today)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the day assessed (default: today)")
        parser.add_argument("--actor", default="batch:reminders")

    def handle(self, *args, **o):
        as_of = jobs.parse_date(o["as_of"], "--as-of") if o["as_of"] else None
        try:
            services.use_server_lock_wait()          # a batch job: the server's lock wait
            if as_of is None:
                as_of = jobs.value("SELECT CURRENT_DATE")
            r = services.queue_reminders(as_of=as_of, actor=o["actor"])
        except BillingError as exc:
            raise jobs.failure(f"queue_reminders {as_of} refused: {exc.code} ({exc.errno}): "
                               f"{exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - an outage or a bug: exit 2 with the reason
            raise jobs.failure(f"queue_reminders {as_of} failed: {exc}") from exc
        self.stdout.write(f"reminders as of {as_of}: {r['due_soon']} due soon, "
                          f"{r['overdue_1']} overdue 1, {r['overdue_2']} overdue 2, "
                          f"{r['final_notice']} final notices")
