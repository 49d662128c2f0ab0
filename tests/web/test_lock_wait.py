"""A row lock held by another session: the web's sessions wait settings.BILLING_LOCK_WAIT_TIMEOUT
(10 s, the billing connection's init_command), not the server's 50 s, and when services' attempts
are spent the clerk reads that the account is busy and nothing was posted (errors.Busy through
the one error map), never a 500 after 150 s. The batch work keeps the server's wait
(services.use_server_lock_wait)."""
import io
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connections
from django.urls import reverse

from billing import errors, runs, services
from config.dburl import database_settings
from helpers.db import holding_account_lock
from helpers.factories import make_metered_account, make_tariff
from helpers.pages import text
from helpers.real_clock import real

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])

BUSY_SENTENCE = ("The account is busy: another payment, a refund or a billing run holds it. Try "
                 "again in a minute. Nothing was saved or posted.")


def lock_waits(cursor):
    cursor.execute("SELECT @@session.innodb_lock_wait_timeout, "
                   "@@global.innodb_lock_wait_timeout")
    return cursor.fetchone()


@pytest.fixture
def fresh_billing_connection():
    """The test's own billing connection is closed before and after: the next one is made from
    the settings (init_command) again."""
    connections["billing"].close()
    yield
    connections["billing"].close()


@pytest.fixture
def short_wait(monkeypatch, fresh_billing_connection):
    """The web's lock wait lowered to 1 s, as settings would give it (the same init_command)."""
    options = database_settings(settings.BILLING_DATABASE_URL, lock_wait_timeout=1)["OPTIONS"]
    monkeypatch.setitem(connections["billing"].settings_dict["OPTIONS"], "init_command",
                        options["init_command"])


@pytest.fixture
def acc(billing_db):
    make_tariff(billing_db, code="RES")
    a = make_metered_account(billing_db, tariff_code="RES", serial="SN-L-1",
                             opened_on="2026-01-01")
    billing_db.call("record_reading", "SN-L-1", "2026-01-31", 100, "field", "staff:test")
    billing_db.call("bill_account", a.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                    "staff:test")
    return a


def test_the_web_sessions_wait_ten_seconds_for_a_lock(billing_db, fresh_billing_connection):
    assert settings.BILLING_LOCK_WAIT_TIMEOUT == 10
    assert "innodb_lock_wait_timeout=10" in settings.DATABASES["billing"]["OPTIONS"][
        "init_command"]
    with connections["billing"].cursor() as cur:
        session, _ = lock_waits(cur)
        cur.execute("SELECT @@session.sql_mode")
        mode = cur.fetchone()[0]
    assert session == 10
    assert "STRICT_ALL_TABLES" in mode and "ONLY_FULL_GROUP_BY" in mode   # the init_command's rest


def test_a_payment_on_a_held_account_says_busy_and_posts_nothing(staff_client, acc, billing_db,
                                                                 db_url, short_wait):
    url = reverse("billing:payment_create", args=[acc.account_id])
    before = billing_db.snapshot()
    data = {"amount": "5.00", "method": "cash", "idempotency_key": "counter:busy-1"}
    with holding_account_lock(db_url, acc.account_id):
        started = time.monotonic()
        r = staff_client.post(url, data)
        took = time.monotonic() - started
    assert r.status_code == 200
    assert 3 <= took < 15                # services' 3 attempts of 1 s each, not 3 x 50 s
    assert r.context["form"].non_field_errors() == [BUSY_SENTENCE]
    assert r.context["form"].errors.as_data()["__all__"][0].code == "BUSY"
    assert "Not saved: The account is busy" in text(r) and BUSY_SENTENCE in text(r)
    assert 'value="5.00"' in r.content.decode()                 # the input is kept
    # every attempt was rolled back whole: not a row written, anywhere
    assert billing_db.snapshot() == before
    # the lock gone, the same form posts once
    again = staff_client.post(url, data)
    assert again.status_code == 302
    assert billing_db.value("SELECT COUNT(*) FROM payment") == 1


def test_a_refund_on_a_held_account_says_busy(billing_admin_client, acc, billing_db, db_url,
                                              short_wait):
    billing_db.call("post_payment", acc.account_id, "50.00", "cash", None, "k-l2", "staff:test")
    before = billing_db.snapshot()
    with holding_account_lock(db_url, acc.account_id):
        r = billing_admin_client.post(reverse("billing:refund_create", args=[acc.account_id]),
                                      {"amount": "1.00", "method": "cheque",
                                       "idempotency_key": "refund:busy-2"})
    assert r.status_code == 200 and BUSY_SENTENCE in text(r)
    assert billing_db.snapshot() == before


def test_only_what_outlasted_the_attempts_is_busy(monkeypatch):
    def fails(errno):
        def call(connection, name, args, **kw):
            raise OperationalError(errno, "Lock wait timeout exceeded; try restarting transaction")
        return call
    monkeypatch.setattr(services, "execute_call", fails(1205))
    with pytest.raises(errors.Busy) as e:
        services.call_procedure("post_payment", 1, "5.00", "cash", None, "k", "staff:t")
    assert (e.value.errno, e.value.code, e.value.message) == (1205, "BUSY", errors.BUSY_DETAIL)
    assert "Lock wait timeout" in e.value.server_message
    assert isinstance(e.value.__cause__, OperationalError)
    # a procedure that commits chunks and retries them itself: its error as the server gave it
    with pytest.raises(OperationalError):
        services.call_procedure("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14,
                                "staff:t")
    monkeypatch.setattr(services, "execute_call", fails(1305))     # not a lock: as it was
    with pytest.raises(OperationalError):
        services.call_procedure("post_payment", 1, "5.00", "cash", None, "k", "staff:t")


# --- the batch work keeps the server's wait ------------------------------------------------------
def test_a_billing_run_started_from_a_page_waits_as_long_as_the_server(billing_db, monkeypatch):
    seen = {}

    def run_billing(**kwargs):
        with connections["billing"].cursor() as cur:
            seen["waits"] = lock_waits(cur)
        return {"run_id": 1}
    monkeypatch.setattr(services, "run_billing", run_billing)
    job = runs.start(period_start=real.last, period_end=real.last_end, issue_date=real.today,
                     due_days=14, actor="staff:test")
    job.thread.join(30)
    session, server = seen["waits"]
    assert job.state == "completed" and session == server


def test_the_run_billing_command_waits_as_long_as_the_server(billing_db, monkeypatch,
                                                             fresh_billing_connection):
    tariff = make_tariff(billing_db)
    for i in range(4):
        a = make_metered_account(billing_db, tariff_code=tariff.code, opened_on=real.last,
                                 initial_read=100)
        billing_db.call("record_reading", a.serial, real.last_end, 200 + i, "field", "staff:t")
    seen, lock = [], threading.Lock()

    def spying(real_call):
        def call(**kwargs):
            with connections["billing"].cursor() as cur:
                with lock:
                    seen.append((real_call.__name__, threading.current_thread().name,
                                 lock_waits(cur)))
            return real_call(**kwargs)
        return call
    monkeypatch.setattr(services, "start_billing_run", spying(services.start_billing_run))
    monkeypatch.setattr(services, "work_billing_run", spying(services.work_billing_run))
    call_command("run_billing", "--period-start", str(real.last), "--period-end",
                 str(real.last_end), "--issue-date", str(real.today), "--due-days", "14",
                 "--workers", "2", "--chunk-size", "2", stdout=io.StringIO())
    assert billing_db.value("SELECT COUNT(*) FROM bill") == 4
    assert {name for name, _, _ in seen} == {"start_billing_run", "work_billing_run"}
    assert len({thread for _, thread, _ in seen}) == 3          # the command's and 2 workers
    assert all(session == server for _, _, (session, server) in seen)
    assert Decimal(billing_db.value("SELECT SUM(total_amount) FROM bill")) > 0


def test_an_auto_increment_lock_failure_is_busy_and_retried(monkeypatch):
    """1467 is MariaDB's deadlock or timeout on a table's AUTO-INC lock (a posting's receipt
    notice behind a reminder run's INSERT ... SELECT; found by a race probe): the call was rolled
    back whole, so it is retried like 1213 and 1205, and said as busy when every attempt met it."""
    calls = []

    def run(connection, sql, args, all_rows):
        calls.append(sql)
        raise OperationalError(1467, "Failed to read auto-increment value from storage engine")

    class Connection:
        in_atomic_block = False

        def get_autocommit(self):
            return True

    monkeypatch.setattr(services, "_run", run)
    monkeypatch.setattr(services, "_rollback_quietly", lambda connection: None)
    with pytest.raises(OperationalError):
        services.execute_call(Connection(), "post_payment", (1, "5.00", "cash", None, "k", "s:t"),
                              sleep=lambda seconds: None)
    assert len(calls) == services.MAX_ATTEMPTS
    busy = errors.error_for(1467, "Failed to read auto-increment value from storage engine")
    assert isinstance(busy, errors.Busy) and (busy.code, busy.message) == ("BUSY",
                                                                         errors.BUSY_DETAIL)
