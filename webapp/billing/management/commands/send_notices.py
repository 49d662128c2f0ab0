"""manage.py send_notices: delivers the due notices of the outbox (billing/notices.py).

    manage.py send_notices                 # until none is due (cron/systemd: every minute)
    manage.py send_notices --limit 20 --batches 1

Claims with claim_notices (several senders may run at once: SKIP LOCKED), sends each through
Django's e-mail backend (SMTP settings from the environment, docs/notices.md) and marks it
with mark_notice right after the SMTP server's answer. Exit codes: 0 done (failures are retried
later by the database's backoff, they are not an error of the run), 2 the database refused or
is down (docs/operations.md).
"""
from django.core.management.base import BaseCommand

from billing import notices, services
from billing.errors import BillingError
from billing.management import jobs


class Command(BaseCommand):
    help = "Sends the due customer notices (bills, receipts, reminders) by e-mail."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="notices per claim (1..1000)")
        parser.add_argument("--batches", type=int, default=None,
                            help="at most this many claims (default: until none is due)")
        parser.add_argument("--sender", default=None, help="this sender's name (default host:pid)")

    def handle(self, *args, **o):
        try:
            services.use_server_lock_wait()          # a batch job: the server's lock wait
            counts = notices.send_due(sender=o["sender"], limit=o["limit"], batches=o["batches"])
        except BillingError as exc:
            raise jobs.failure(f"send_notices refused: {exc.code} ({exc.errno}): "
                               f"{exc.message}") from exc
        except Exception as exc:  # noqa: BLE001 - an outage or a bug: exit 2 with the reason
            raise jobs.failure(f"send_notices failed: {exc}") from exc
        self.stdout.write(f"notices: {counts['sent']} sent, {counts['retry']} to retry, "
                          f"{counts['failed']} failed for good")
