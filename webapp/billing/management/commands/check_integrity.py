"""manage.py check_integrity: reads v_ledger_integrity; exit 1 and the rows when it has any.

    manage.py check_integrity && echo ledger ok

Exit codes: 0 the view is empty (every invariant holds), 1 broken invariants (printed, one per
line, to stdout), 2 failure (database unreachable). Read-only; `billing_report` suffices.
"""
from django.core.management.base import BaseCommand

from billing.management import jobs


class Command(BaseCommand):
    help = "Exits non-zero when v_ledger_integrity has rows (and prints them)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="rows to print (default 1000)")

    def handle(self, *args, **o):
        try:
            rows = jobs.read("SELECT * FROM v_ledger_integrity")
        except Exception as exc:  # noqa: BLE001
            raise jobs.failure(f"check_integrity failed: {exc}") from exc
        if not rows:
            self.stdout.write("ledger integrity: ok (v_ledger_integrity is empty)")
            return
        self.stdout.write(f"ledger integrity: {len(rows)} broken invariants")
        for r in rows[:o["limit"]]:
            self.stdout.write("  " + " ".join(f"{k}={v}" for k, v in r.items() if v is not None))
        if len(rows) > o["limit"]:
            self.stdout.write(f"  ... and {len(rows) - o['limit']} more")
        raise SystemExit(jobs.EXIT_EXCEPTIONS)
