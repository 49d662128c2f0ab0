"""Required text made only of whitespace is refused like an empty one (45002), everywhere.

"Blank" is decided in one place, the function _is_blank: NULL, empty, or nothing but whitespace,
the tab, line feed, vertical tab, form feed and carriage return included (before, only what the
collation weighs as a space was blank: ' ', NO-BREAK SPACE, ZERO WIDTH SPACE, IDEOGRAPHIC SPACE;
a name of '\\t \\n' or a tab as a cancel reason was accepted). An idempotency key may be NULL
(no key) but not blank. Optional contact details that are blank are kept as NULL.
"""
import pytest

from helpers.bills import make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, Ns, make_customer, make_discount, make_metered_account

# the characters the probe found accepted, alone and mixed, and the other White_Space ones
NEW_BLANKS = ["\t", "\n", "\r", "\x0b", "\x0c", "\t \n", "\r\n", " \t\r\n\x0b\x0c ",
              "\u0085", "\u1680", "\u2028", "\u2029"]
# refused before too (the collation weighs them as a space or ignores them): still refused
OLD_BLANKS = ["", " ", "\u00a0", "\u200b", "\u3000", "\u2003", "\u202f", "\ufeff"]
NOT_BLANK = ["a", "\ta", "a\n", " \u00a0x", "\u00ad", "-", "0"]


def test_is_blank_is_whitespace_only(db):
    for s in NEW_BLANKS + OLD_BLANKS:
        assert db.value("SELECT _is_blank(%s)", s) == 1, repr(s)
    for s in NOT_BLANK:
        assert db.value("SELECT _is_blank(%s)", s) == 0, repr(s)
    assert db.value("SELECT _is_blank(NULL)") == 1


def test_no_routine_decides_blank_on_its_own():
    """The probe's root cause: every routine wrote its own TRIM(x) = '' (space only). Now they
    all ask _is_blank."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "db"
    bad = []
    for f in sorted(root.rglob("*.sql")):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            code = line.split("--")[0]
            if re.search(r"\b([pv]_\w+) IS NULL OR (TRIM\(\1\)|\1) = ''", code) or \
                    re.search(r"\bTRIM\([pv]_\w+\) = ''", code):
                bad.append(f"{f.relative_to(root)}:{n}: {line.strip()}")
    # e-mail addresses are checked when stored: the notice rule only reads stored ones
    bad = [b for b in bad if "p_email" not in b and "c.email" not in b]
    assert not bad, "\n".join(bad)


@pytest.fixture
def world(db):
    acc = make_metered_account(db)
    bill = make_bill(db, acc.account_id, "100.00", "2026-02-15")
    pay = db.call("post_payment", acc.account_id, "150.00", "cash", "2026-02-01 10:00:00",
                  "k-world", ACTOR)
    notice = db.value("SELECT MAX(notice_id) FROM notice")
    reading = db.value("SELECT MAX(reading_id) FROM meter_reading")
    make_discount(db, code="DWORLD")
    preview = db.call("preview_billing", "2026-10-01", "2026-10-31", "2026-11-02", 14,
                      ACTOR)["preview_id"]
    with db.at("2026-11-02"):
        run = db.call("start_billing_run", "2026-10-01", "2026-10-31", "2026-11-02", 14,
                      ACTOR)["run_id"]
    db.set_clock(None)
    return Ns(acc=acc, a=acc.account_id, c=acc.customer_id, t=acc.tariff_code, bill=bill,
              pay=pay["payment_id"], notice=notice, reading=reading, preview=preview, run=run)


BLOCKS = '[{"up_to_kwh": null, "rate": 0.1}]'
# (procedure, the argument made blank, arguments as a function of the world w and the blank b)
CASES = [
    ("create_customer", "full_name", lambda w, b: (b, "ann@example.com", "+1 555 0100", "1 Main St", ACTOR)),
    ("create_customer", "actor", lambda w, b: ("Ann", None, None, None, b)),
    ("update_customer", "full_name", lambda w, b: (w.c, b, None, None, None, ACTOR)),
    ("update_customer", "actor", lambda w, b: (w.c, "Ann", None, None, None, b)),
    ("open_account", "tariff_code", lambda w, b: (w.c, b, "2 Main St", "2026-01-01", ACTOR)),
    ("open_account", "service_address", lambda w, b: (w.c, w.t, b, "2026-01-01", ACTOR)),
    ("open_account", "actor", lambda w, b: (w.c, w.t, "2 Main St", "2026-01-01", b)),
    ("create_tariff", "code", lambda w, b: (b, "Name", ACTOR)),
    ("create_tariff", "name", lambda w, b: ("TNEW", b, ACTOR)),
    ("create_tariff", "actor", lambda w, b: ("TNEW", "Name", b)),
    ("add_tariff_version", "tariff_code", lambda w, b: (b, "2026-06-01", "1", "0", "0", "0", 0, BLOCKS, ACTOR)),
    ("add_tariff_version", "actor", lambda w, b: (w.t, "2026-06-01", "1", "0", "0", "0", 0, BLOCKS, b)),
    ("simulate_tariff", "tariff_code", lambda w, b: (b, "1", "0", BLOCKS, "2026-01-31", "2026-03-31", ACTOR)),
    ("simulate_tariff", "actor", lambda w, b: (w.t, "1", "0", BLOCKS, "2026-01-31", "2026-03-31", b)),
    ("remove_tariff", "code", lambda w, b: (b, ACTOR)),
    ("remove_tariff", "actor", lambda w, b: (w.t, b)),
    ("create_discount", "name", lambda w, b: ("DNEW", b, "10", ACTOR)),
    ("create_discount", "actor", lambda w, b: ("DNEW", "Name", "10", b)),
    ("assign_discount", "discount_code", lambda w, b: (w.a, b, "2026-01-01", None, ACTOR)),
    ("assign_discount", "actor", lambda w, b: (w.a, "DWORLD", "2026-01-01", None, b)),
    ("close_account", "actor", lambda w, b: (w.a, "2026-03-01", b)),
    ("install_meter", "serial_no", lambda w, b: (w.a, b, 5, 1, "2026-01-01", 0, ACTOR)),
    ("install_meter", "actor", lambda w, b: (w.a, "SN-NEW", 5, 1, "2026-01-01", 0, b)),
    ("exchange_meter", "serial_no", lambda w, b: (w.a, "2026-02-01", 10, b, 5, 1, 0, ACTOR)),
    ("exchange_meter", "actor", lambda w, b: (w.a, "2026-02-01", 10, "SN-NEW", 5, 1, 0, b)),
    ("record_reading", "serial_no", lambda w, b: (b, "2026-02-01", 10, "field", ACTOR)),
    ("record_reading", "source", lambda w, b: (w.acc.serial, "2026-02-01", 10, b, ACTOR)),
    ("record_reading", "actor", lambda w, b: (w.acc.serial, "2026-02-01", 10, "field", b)),
    ("approve_reading", "actor", lambda w, b: (w.reading, b)),
    ("reject_reading", "reason", lambda w, b: (w.reading, b, ACTOR)),
    ("reject_reading", "actor", lambda w, b: (w.reading, "misread", b)),
    ("run_billing", "actor", lambda w, b: ("2026-09-01", "2026-09-30", "2026-12-01", 14, b)),
    ("start_billing_run", "actor", lambda w, b: ("2026-09-01", "2026-09-30", "2026-12-01", 14, b)),
    ("work_billing_run", "actor", lambda w, b: (w.run, b)),
    ("bill_account", "actor", lambda w, b: (w.a, "2026-09-01", "2026-09-30", "2026-12-01", 14, b)),
    ("preview_billing", "actor", lambda w, b: ("2026-09-01", "2026-09-30", "2026-12-01", 14, b)),
    ("preview_bill_account", "actor", lambda w, b: (w.a, "2026-09-01", "2026-09-30", "2026-12-01", 14, b)),
    ("discard_preview", "actor", lambda w, b: (w.preview, b)),
    ("cancel_bill", "reason", lambda w, b: (w.bill, b, ACTOR)),
    ("cancel_bill", "actor", lambda w, b: (w.bill, "wrong reading", b)),
    ("apply_late_fees", "actor", lambda w, b: ("2026-03-01", b)),
    ("preview_late_fees", "actor", lambda w, b: ("2026-03-01", b)),
    ("post_payment", "actor", lambda w, b: (w.a, "10.00", "cash", None, "k-new", b)),
    ("post_payment", "idempotency_key", lambda w, b: (w.a, "10.00", "cash", None, b, ACTOR)),
    ("preview_payment", "actor", lambda w, b: (w.a, "10.00", b)),
    ("reverse_payment", "reason", lambda w, b: (w.pay, b, ACTOR)),
    ("reverse_payment", "actor", lambda w, b: (w.pay, "bounced", b)),
    ("refund_credit", "actor", lambda w, b: (w.a, "1.00", "cheque", "r-new", b)),
    ("refund_credit", "idempotency_key", lambda w, b: (w.a, "1.00", "cheque", b, ACTOR)),
    ("set_contact_preferences", "actor", lambda w, b: (w.c, 1, 1, 0, b)),
    ("queue_reminders", "actor", lambda w, b: ("2026-03-01", b)),
    ("claim_notices", "sender", lambda w, b: (b, 10)),
    ("mark_notice", "sender", lambda w, b: (w.notice, b, "sent", "<m@x>", None)),
    ("retry_notice", "actor", lambda w, b: (w.notice, b)),
]


@pytest.mark.parametrize("proc, arg, args", CASES, ids=[f"{p}.{a}" for p, a, _ in CASES])
def test_a_blank_required_text_is_refused(db, world, proc, arg, args):
    db.set_clock("2026-12-01 10:00:00")
    before = db.snapshot()
    for blank in NEW_BLANKS[:8] + ["\u2028", " \u00a0\t"]:
        with pytest.raises(DbError) as e:
            db.call(proc, *args(world, blank))
        assert e.value.errno == 45002, (repr(blank), e.value.message)
        assert arg in e.value.message, (repr(blank), e.value.message)
    assert db.snapshot() == before


def test_the_probes_calls(db, world):
    """The outside probe's two calls: a customer named '\\t \\n' and a bill cancelled with a tab."""
    with pytest.raises(DbError) as e:
        db.call("create_customer", "\t \n", "ann@example.com", "+1 555 0100", "1 Main St",
                "staff:probe")
    assert (e.value.errno, e.value.message) == (45002, "full_name is required")
    with pytest.raises(DbError) as e:
        db.call("cancel_bill", world.bill, "\t", "staff:probe")
    assert (e.value.errno, e.value.message) == (45002, "reason is required")
    assert db.value("SELECT cancelled_at FROM bill WHERE bill_id = %s", world.bill) is None


@pytest.mark.parametrize("blank", OLD_BLANKS[1:])
def test_the_unicode_spaces_refused_before_still_are(db, world, blank):
    for proc, args in (("create_customer", (blank, None, None, None, ACTOR)),
                       ("cancel_bill", (world.bill, blank, ACTOR)),
                       ("post_payment", (world.a, "10.00", "cash", None, blank, ACTOR))):
        with pytest.raises(DbError) as e:
            db.call(proc, *args)
        assert e.value.errno == 45002, (proc, e.value.message)


def test_blank_contact_details_are_kept_as_null(db):
    cid = make_customer(db, name="Ann", email="\t", phone="\r\n", address=" \t ")
    assert db.row("SELECT email, phone, address FROM customer WHERE customer_id = %s", cid) == \
        {"email": None, "phone": None, "address": None}
    db.call("update_customer", cid, "Ann", "ann@example.com", "\x0b", "\u2028", ACTOR)
    assert db.row("SELECT email, phone, address FROM customer WHERE customer_id = %s", cid) == \
        {"email": "ann@example.com", "phone": None, "address": None}


def test_text_with_whitespace_around_a_character_is_not_blank(db, world):
    """Only all-whitespace is blank: a reason or actor with a character in it is taken."""
    r = db.call("cancel_bill", world.bill, "\tmeter misread\n", "staff:probe")
    assert r["bill_id"] == world.bill
