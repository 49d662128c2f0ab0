"""A missing id (NULL) is INVALID_ARGUMENT (45002) in every procedure; an id that does not exist
is NOT_FOUND (45001) (sql-api.md, Errors: 45001 "an id ... that does not exist", 45002 "a missing
... argument").

Before, post_payment, refund_credit, reverse_payment, cancel_bill, bill_account,
work_billing_run, discard_preview, mark_notice, preview_bill_account, preview_payment and
retry_notice answered a NULL id with 45001 while update_customer, open_account, close_account
and install_meter answered 45002. The other arguments are valid, so the id decides the error.
"""
import pytest

from helpers.db import DbError
from helpers.factories import ACTOR

UNKNOWN = 999999
P = ("2026-09-01", "2026-09-30", "2026-12-01", 14)
# (procedure, the id's name, arguments with the id given as x)
CASES = [
    ("update_customer", "customer_id", lambda x: (x, "Ann", None, None, None, ACTOR)),
    ("set_contact_preferences", "customer_id", lambda x: (x, 1, 1, 0, ACTOR)),
    ("open_account", "customer_id", lambda x: (x, "RES", "1 Main St", "2026-01-01", ACTOR)),
    ("close_account", "account_id", lambda x: (x, "2026-03-01", ACTOR)),
    ("install_meter", "account_id", lambda x: (x, "SN-1", 5, 1, "2026-01-01", 0, ACTOR)),
    ("exchange_meter", "account_id", lambda x: (x, "2026-02-01", 10, "SN-2", 5, 1, 0, ACTOR)),
    ("assign_discount", "account_id", lambda x: (x, "D1", "2026-01-01", None, ACTOR)),
    ("approve_reading", "reading_id", lambda x: (x, ACTOR)),
    ("reject_reading", "reading_id", lambda x: (x, "misread", ACTOR)),
    ("bill_account", "account_id", lambda x: (x, *P, ACTOR)),
    ("preview_bill_account", "account_id", lambda x: (x, *P, ACTOR)),
    ("work_billing_run", "run_id", lambda x: (x, ACTOR)),
    ("discard_preview", "preview_id", lambda x: (x, ACTOR)),
    ("cancel_bill", "bill_id", lambda x: (x, "wrong reading", ACTOR)),
    ("post_payment", "account_id", lambda x: (x, "10.00", "cash", None, "k1", ACTOR)),
    ("preview_payment", "account_id", lambda x: (x, "10.00", ACTOR)),
    ("reverse_payment", "payment_id", lambda x: (x, "bounced", ACTOR)),
    ("refund_credit", "account_id", lambda x: (x, "1.00", "cheque", "r1", ACTOR)),
    ("mark_notice", "notice_id", lambda x: (x, "sender-1", "sent", "<m@x>", None)),
    ("retry_notice", "notice_id", lambda x: (x, ACTOR)),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("proc, name, args", CASES, ids=IDS)
def test_a_null_id_is_a_missing_argument(db, proc, name, args):
    db.set_clock("2026-12-01 10:00:00")
    with pytest.raises(DbError) as e:
        db.call(proc, *args(None))
    assert (e.value.errno, e.value.message) == (45002, f"{name} is required")


@pytest.mark.parametrize("proc, name, args", CASES, ids=IDS)
def test_an_id_that_does_not_exist_is_not_found(db, proc, name, args):
    db.set_clock("2026-12-01 10:00:00")
    with pytest.raises(DbError) as e:
        db.call(proc, *args(UNKNOWN))
    assert e.value.errno == 45001, e.value.message
    assert str(UNKNOWN) in e.value.message


def test_no_procedure_answers_a_missing_argument_with_not_found():
    """No procedure of the contract signals 45001 for a NULL id (internal helpers, called with
    ids their callers checked, are left out)."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "db"
    files = [f for f in sorted((root / "procedures").glob("*.sql"))
             if not f.name.startswith("_")]
    bad = [f"{f.name}: {m.group(0)}" for f in files
           for m in re.finditer(r"_fail\(45001,\s*'[^']*is required[^']*'\)", f.read_text())]
    bad += [f"{f.name}: {m.group(0)}" for f in files
            for m in re.finditer(r"_fail\(45001, CONCAT\([^;]*COALESCE\([pv]_\w+_id, 'NULL'\)",
                                 f.read_text())]
    assert not bad, "\n".join(bad)
