"""call_procedure: results, the error map, the autocommit rule, the retry of deadlocks."""
import logging
import re
from pathlib import Path

import MySQLdb
import pytest
from django.db import OperationalError, connections, transaction

from billing import errors, services

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "billing"])
SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "sql-api.md"


def test_the_error_map_is_exactly_the_contracts_table():
    rows = re.findall(r"^\| (45\d\d\d) \| (\w+) \|", SPEC.read_text(), re.MULTILINE)
    assert rows, "the contract's error table was not found"
    assert {int(n): code for n, code in rows} == {n: v[0] for n, v in errors.ERRORS.items()}
    for n, (code, message) in errors.ERRORS.items():
        assert issubclass(errors.CLASSES[code], errors.BillingError) and message


def test_error_for_builds_the_class_of_the_code():
    e = errors.error_for(45010, "value 5 is below the latest reading 9")
    assert isinstance(e, errors.ReadingBackwards)
    assert (e.code, e.errno, e.message, e.field) == (
        "READING_BACKWARDS", 45010, "value 5 is below the latest reading 9", "value")
    assert errors.error_for(-20535, "x").code == "NOT_FOUND"        # PyMySQL's signed 16 bits
    unknown = errors.error_for(45999, "something new")
    assert type(unknown) is errors.BillingError and unknown.code == errors.UNKNOWN_CODE
    assert errors.error_for(45001, "no customer with id 7").field == "no"  # not a form field


def test_returns_the_one_row_result_as_a_dict(billing_db):
    r = services.create_customer(full_name="Ada", email=None, phone=None, address=None,
                                 actor="staff:t")
    assert set(r) == {"customer_id", "customer_no"}
    assert billing_db.value("SELECT customer_no FROM customer WHERE customer_id = %s",
                            r["customer_id"]) == r["customer_no"]


def test_maps_contract_errnos_to_exception_classes(billing_db):
    with pytest.raises(errors.NotFound) as e:
        services.update_customer(customer_id=987654, full_name="X", email=None, phone=None,
                                 address=None, actor="staff:t")
    assert (e.value.errno, e.value.code, e.value.message) == (
        45001, "NOT_FOUND", "no customer with id 987654")
    with pytest.raises(errors.InvalidArgument) as e:
        services.create_customer(full_name=" ", email=None, phone=None, address=None,
                                 actor="staff:t")
    assert (e.value.errno, e.value.message) == (45002, "full_name is required")
    # the connection is usable after a refusal, and nothing stayed open on it
    assert services.call_procedure("create_customer", "Ok", None, None, None, "staff:t")
    assert billing_db.value("SELECT COUNT(*) FROM customer") == 1


def test_other_database_errors_are_not_billing_errors(billing_db):
    with pytest.raises(OperationalError) as e:
        services.call_procedure("no_such_procedure", 1, "staff:t")
    assert e.value.args[0] == 1305


def test_refuses_to_run_inside_a_transaction(billing_db):
    with pytest.raises(services.ProcedureCallError, match="autocommit"):
        with transaction.atomic(using="billing"):
            services.create_customer(full_name="Ada", email=None, phone=None, address=None,
                                     actor="staff:t")
    assert billing_db.value("SELECT COUNT(*) FROM customer") == 0


def test_refuses_a_name_that_is_not_an_identifier():
    with pytest.raises(services.ProcedureCallError):
        services.call_procedure("x(); DROP TABLE customer; --", "staff:t")


def test_logs_the_procedure_and_the_actor(billing_db):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("billing.services")
    logger.addHandler(handler)
    try:
        services.create_customer(full_name="Ada", email=None, phone=None, address=None,
                                 actor="staff:clara")
        with pytest.raises(errors.BillingError):
            services.create_customer(full_name="", email=None, phone=None, address=None,
                                     actor="staff:clara")
    finally:
        logger.removeHandler(handler)
    lines = [r.getMessage() for r in records]
    assert lines[0].startswith("CALL create_customer actor=staff:clara ok")
    assert lines[1] == ("CALL create_customer actor=staff:clara refused: INVALID_ARGUMENT "
                        "full_name is required")


# --- the retry loop, on a stub connection ---------------------------------------------------
class StubCursor:
    def __init__(self, conn):
        self.conn = conn
        self.description = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, args):
        self.conn.calls.append((sql, tuple(args)))
        outcome = self.conn.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        self.description = [("payment_id",), ("replayed",)]
        self.rows = [outcome]

    def fetchall(self):
        return self.rows

    def nextset(self):
        return None


class StubConnection:
    in_atomic_block = False

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []
        self.rollbacks = 0
        self.connection = self          # the "raw" connection, for the defensive rollback

    def get_autocommit(self):
        return True

    def cursor(self):
        return StubCursor(self)

    def rollback(self):
        self.rollbacks += 1


def deadlock():
    return OperationalError(1213, "Deadlock found when trying to get lock")


def run(conn):
    sleeps = []
    result = services.execute_call(conn, "post_payment", (7, "10.00", "cash", None, "k1",
                                                          "staff:t"), sleep=sleeps.append)
    return result, sleeps


def test_a_deadlock_is_retried_with_the_same_arguments():
    conn = StubConnection(deadlock(), MySQLdb.OperationalError(1205, "Lock wait timeout"),
                          (41, 0))
    result, sleeps = run(conn)
    assert result == {"payment_id": 41, "replayed": 0}
    assert len(conn.calls) == 3 and len(set(conn.calls)) == 1      # same key every time
    assert conn.calls[0] == ("CALL `post_payment`(%s, %s, %s, %s, %s, %s)",
                             (7, "10.00", "cash", None, "k1", "staff:t"))
    assert len(sleeps) == 2 and 0 < sleeps[0] < sleeps[1] <= 4 * services.BACKOFF_SECONDS
    assert conn.rollbacks == 2


def test_gives_up_after_max_attempts_with_the_database_error():
    conn = StubConnection(*[deadlock() for _ in range(services.MAX_ATTEMPTS)], (1, 0))
    with pytest.raises(OperationalError) as e:
        run(conn)
    assert e.value.args[0] == 1213
    assert len(conn.calls) == services.MAX_ATTEMPTS == 3


def test_contract_errors_are_not_retried():
    conn = StubConnection(OperationalError(45022, "key k1 was used for another payment"),
                          (1, 0))
    with pytest.raises(errors.IdempotencyMismatch) as e:
        run(conn)
    assert (e.value.errno, e.value.message) == (45022, "key k1 was used for another payment")
    assert len(conn.calls) == 1


def test_the_billing_alias_runs_in_autocommit_at_repeatable_read(billing_db):
    c = connections["billing"]
    assert c.get_autocommit()
    with c.cursor() as cur:
        cur.execute("SELECT VERSION(), @@session.sql_mode, DATABASE()")
        version, mode, name = cur.fetchone()
        # MySQL 8 and MariaDB >= 11.1: transaction_isolation; MariaDB 10.11: tx_isolation
        old_name = "MariaDB" in version and tuple(map(int, version.split(".")[:2])) < (11, 1)
        cur.execute(f"SELECT @@session.{'tx' if old_name else 'transaction'}_isolation")
        iso = cur.fetchone()[0]
    assert iso == "REPEATABLE-READ"
    assert "STRICT_ALL_TABLES" in mode and "ONLY_FULL_GROUP_BY" in mode
    assert name == billing_db.value("SELECT DATABASE()")


# --- one retry layer: the owner of the transaction retries it (docs/payments.md) --------------
@pytest.mark.parametrize("name", sorted(services.SELF_RETRYING))
def test_self_retrying_procedures_are_not_retried_here(name):
    """run_billing and bill_account retry their own chunks (5 attempts inside); a deadlock that
    reaches Python is final: a second CALL would open a second billing run."""
    conn = StubConnection(deadlock(), (1, 0))
    sleeps = []
    with pytest.raises(OperationalError) as e:
        services.execute_call(conn, name, ("2026-01-01", "2026-01-31", "2026-02-01", 14,
                                           "staff:t"), sleep=sleeps.append)
    assert e.value.args[0] == 1213
    assert len(conn.calls) == 1 and sleeps == []


@pytest.mark.parametrize("name", ["post_payment", "reverse_payment", "apply_late_fees",
                                  "update_customer"])
def test_single_transaction_procedures_are_retried_here(name):
    conn = StubConnection(deadlock(), (1, 0))
    result = services.execute_call(conn, name, ("x", "staff:t"), sleep=lambda s: None)
    assert result == {"payment_id": 1, "replayed": 0} and len(conn.calls) == 2


def test_the_self_retrying_set_matches_the_procedure_headers():
    """A procedure whose header says it retries inside is in SELF_RETRYING, and only those."""
    from pathlib import Path
    root = Path(services.__file__).resolve().parents[2] / "db" / "procedures"
    inside = {p.stem for p in root.glob("[a-z]*.sql") if "retried inside" in p.read_text()
              or "tried again, 5 attempts" in p.read_text()}
    assert inside == services.SELF_RETRYING


# --- one helper puts a refusal on a form (issue 18 §4) ---------------------------------------
def test_add_to_form_puts_the_contract_code_on_the_named_field():
    from django import forms as djforms

    class F(djforms.Form):
        email = djforms.CharField(required=False)

    form = F({"email": "x"})
    assert form.is_valid()
    errors.add_to_form(form, errors.error_for(45002, "email is not a valid e-mail address"))
    assert form.has_error("email", code="INVALID_ARGUMENT")
    form = F({"email": "x"})
    form.is_valid()
    errors.add_to_form(form, errors.error_for(45003, "customer C1 exists already"))
    assert form.non_field_errors() and form.has_error("__all__", code="CONFLICT")
