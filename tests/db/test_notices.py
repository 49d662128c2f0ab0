"""Notices (issue 23): the outbox written with its event (billing run, payment, reversal),
queue_reminders (due_soon and the dunning levels, once per bill, days from dunning_setting),
set_contact_preferences (skipped with the reason), claim_notices (SKIP LOCKED, 10-minute
claims), mark_notice (sent; failed with backoff then failed for good), v_notices, v_dunning."""
import threading

import pytest

from helpers.bills import make_bill
from helpers.db import DbError
from helpers.factories import ACTOR, make_account, make_customer, make_metered_account, make_tariff

BATCH = "batch:reminders"


@pytest.fixture
def clock(db):
    # bills of January 2026 are issued on 2026-02-01; "today" is set per test with at()
    db.set_clock("2026-02-01")


def at(db, day):
    db.set_clock(day)


def customer_account(db, email="ann@example.org", tariff=None):
    cid = make_customer(db, email=email)
    return make_metered_account(db, tariff_code=tariff, customer_id=cid, opened_on="2026-01-01")


def billed(db, acc, kwh=1000):
    db.call("record_reading", acc.serial, "2026-01-31", kwh, "field", ACTOR)
    return db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                   ACTOR)["bill_id"]                                   # due 2026-02-15


def notices(db, **where):
    cond = " AND ".join(f"{k} = %s" for k in where) or "1"
    return db.rows(f"SELECT * FROM v_notices WHERE {cond} ORDER BY notice_id", *where.values())


def kinds(db, **where):
    return [(n["kind"], n["status"]) for n in notices(db, **where)]


# --- events -------------------------------------------------------------------------------

def test_a_billing_run_writes_one_bill_issued_per_bill(db, clock):
    t = make_tariff(db)
    accs = [customer_account(db, tariff=t) for _ in range(3)]
    for a in accs:
        db.call("record_reading", a.serial, "2026-01-31", 100, "field", ACTOR)
    no_mail = customer_account(db, email=None, tariff=t)
    db.call("record_reading", no_mail.serial, "2026-01-31", 100, "field", ACTOR)
    r = db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "batch:billing")
    assert r["bills_created"] == 4
    rows = notices(db)
    assert sorted((n["account_id"], n["kind"], n["status"], n["skip_reason"]) for n in rows) == sorted(
        [(a.account_id, "bill_issued", "pending", None) for a in accs]
        + [(no_mail.account_id, "bill_issued", "skipped", "no e-mail address")])
    bills = {b["account_id"]: b["bill_id"] for b in db.rows("SELECT account_id, bill_id FROM bill")}
    assert all(n["bill_id"] == bills[n["account_id"]] for n in rows)
    assert all(n["customer_id"] == db.value("SELECT customer_id FROM account WHERE account_id = %s",
                                            n["account_id"]) for n in rows)


def test_the_runs_skip_reasons_are_the_rule_of_notice_skip_reason(db, clock):
    # the billing chunk writes the rule of _notice_skip_reason inline (one function call per
    # bill cost about what the notice row costs, docs/notices.md): both must agree on every
    # case of the bill kinds: e-mail or none, each preference (or no row), closing or not
    t = make_tariff(db)
    accs = []
    for email in ("ann@example.org", None):
        for prefs in (None, (0, 0), (0, 1), (1, 0), (1, 1)):
            for closing in (False, True):
                a = customer_account(db, email=email, tariff=t)
                if prefs is not None:
                    db.call("set_contact_preferences", a.customer_id, prefs[0], prefs[1], 0,
                            "customer:x")
                db.call("record_reading", a.serial, "2026-01-31", 100, "field", ACTOR)
                if closing:
                    db.call("close_account", a.account_id, "2026-01-31", ACTOR)
                accs.append(a)
    r = db.call("run_billing", "2026-01-01", "2026-01-31", "2026-02-01", 14, "batch:billing")
    assert r["bills_created"] == len(accs)
    rows = db.rows("""
        SELECT n.account_id, n.kind, n.status, n.skip_reason,
               _notice_skip_reason(n.kind, c.email, cp.email_bills, cp.email_reminders) AS rule
          FROM notice n
          JOIN customer c ON c.customer_id = n.customer_id
          LEFT JOIN contact_preference cp ON cp.customer_id = c.customer_id
         ORDER BY n.account_id""")
    assert [n["account_id"] for n in rows] == [a.account_id for a in accs]
    assert [n["kind"] for n in rows] == ["bill_issued", "final_bill"] * 10
    assert all((n["status"], n["skip_reason"]) == ("skipped" if n["rule"] else "pending", n["rule"])
               for n in rows), rows
    assert {n["skip_reason"] for n in rows} == {None, "no e-mail address",
                                               "opted out of e-mailed bills"}


def test_the_closing_bill_is_a_final_bill(db, clock):
    acc = customer_account(db)
    db.call("record_reading", acc.serial, "2026-01-31", 100, "field", ACTOR)
    db.call("close_account", acc.account_id, "2026-01-31", ACTOR)
    bill_id = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14,
                      ACTOR)["bill_id"]
    assert bill_id is not None
    assert kinds(db, bill_id=bill_id) == [("final_bill", "pending")]


def test_a_failed_billing_writes_no_notice(db, clock):
    cid = make_customer(db, email="a@example.org")
    account_id = make_account(db, customer_id=cid)   # no meter: an exception, no bill
    r = db.call("bill_account", account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    assert r["bill_id"] is None
    assert notices(db) == []


def test_payment_received_once_not_on_replay_and_reversed(db, clock):
    acc = customer_account(db)
    billed(db, acc)
    p = db.call("post_payment", acc.account_id, "10.00", "card", None, "k1", ACTOR)
    again = db.call("post_payment", acc.account_id, "10.00", "card", None, "k1", ACTOR)
    assert again["replayed"] == 1
    assert kinds(db, payment_id=p["payment_id"]) == [("payment_received", "pending")]
    db.call("reverse_payment", p["payment_id"], "bounced", ACTOR)
    assert kinds(db, payment_id=p["payment_id"]) == [("payment_received", "pending"),
                                                     ("payment_reversed", "pending")]
    n = notices(db, kind="payment_reversed")[0]
    assert (n["account_id"], n["bill_id"]) == (acc.account_id, None)


def test_cancel_bill_and_refund_credit_write_their_notices(db, clock):
    acc = customer_account(db)
    bill_id = billed(db, acc)                                       # 100.00
    at(db, "2026-02-03")
    p = db.call("post_payment", acc.account_id, "150.00", "card", None, "k1", ACTOR)
    r = db.call("refund_credit", acc.account_id, "20.00", "card", "r1", ACTOR)
    again = db.call("refund_credit", acc.account_id, "20.00", "card", "r1", ACTOR)
    assert again["replayed"] == 1
    db.call("cancel_bill", bill_id, "wrong reading", ACTOR)
    rows = [(n["kind"], n["bill_id"], n["payment_id"], n["refund_id"], n["status"])
            for n in notices(db)]
    assert rows == [("bill_issued", bill_id, None, None, "pending"),
                    ("payment_received", None, p["payment_id"], None, "pending"),
                    ("refund_paid", None, None, r["refund_id"], "pending"),
                    ("bill_cancelled", bill_id, None, None, "pending")]


def test_a_refused_payment_writes_nothing(db, clock):
    acc = customer_account(db)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("post_payment", acc.account_id, "0", "card", None, "k", ACTOR)
    assert e.value.errno == 45020
    assert db.snapshot() == before


# --- preferences --------------------------------------------------------------------------

def test_preferences_skip_with_the_reason(db, clock):
    acc = customer_account(db)
    assert db.call("set_contact_preferences", acc.customer_id, 0, 1, 1, "customer:x") == {
        "customer_id": acc.customer_id}
    bill_id = billed(db, acc)
    p = db.call("post_payment", acc.account_id, "1.00", "card", None, "k1", ACTOR)["payment_id"]
    assert [(n["kind"], n["status"], n["skip_reason"]) for n in notices(db)] == [
        ("bill_issued", "skipped", "opted out of e-mailed bills"),
        ("payment_received", "pending", None)]
    db.call("set_contact_preferences", acc.customer_id, 1, 0, 1, "customer:x")
    at(db, "2026-02-13")
    assert db.call("queue_reminders", "2026-02-13", BATCH)["due_soon"] == 1
    n = notices(db, bill_id=bill_id, kind="due_soon")[0]
    assert (n["status"], n["skip_reason"]) == ("skipped", "opted out of e-mailed reminders")
    pref = db.row("SELECT email_bills, email_reminders, paperless, updated_by FROM contact_preference "
                  "WHERE customer_id = %s", acc.customer_id)
    assert pref == {"email_bills": 1, "email_reminders": 0, "paperless": 1, "updated_by": "customer:x"}
    assert p


@pytest.mark.parametrize("args, errno", [
    ((999999, 1, 1, 0, ACTOR), 45001),
    (("CUST", 1, 1, 0, ACTOR), 45002),
    ((None, 1, 1, 0, ACTOR), 45002),
    (("ID", 2, 1, 0, ACTOR), 45002),
    (("ID", 1, None, 0, ACTOR), 45002),
    (("ID", 1, 1, "yes", ACTOR), 45002),
    (("ID", 1, 1, 0, " "), 45002),
])
def test_set_contact_preferences_errors(db, args, errno):
    cid = make_customer(db, email="a@example.org")
    args = tuple(cid if a == "ID" else a for a in args)
    before = db.snapshot()
    with pytest.raises(DbError) as e:
        db.call("set_contact_preferences", *args)
    assert e.value.errno == errno
    assert db.snapshot() == before


# --- reminders ----------------------------------------------------------------------------

def test_reminders_each_once_on_their_days(db, clock):
    acc = customer_account(db)
    bill_id = billed(db, acc)                                       # due 2026-02-15
    expect = {  # as_of: kind written that day (global days: 3 before; 1, 14, 28 after)
        "2026-02-11": None, "2026-02-12": "due_soon", "2026-02-13": None, "2026-02-15": None,
        "2026-02-16": "overdue_1", "2026-02-28": None, "2026-03-01": "overdue_2",
        "2026-03-14": None, "2026-03-15": "final_notice", "2026-04-30": None,
    }
    for day, kind in expect.items():
        at(db, day)
        r = db.call("queue_reminders", day, BATCH)
        assert r == {k: int(k == kind) for k in ("due_soon", "overdue_1", "overdue_2", "final_notice")}, day
    assert [k for k, _ in kinds(db, bill_id=bill_id)] == [
        "bill_issued", "due_soon", "overdue_1", "overdue_2", "final_notice"]


def test_reminders_skip_paid_and_cancelled_bills_and_only_the_highest_level(db, clock):
    paid = customer_account(db)
    paid_bill = billed(db, paid)
    at(db, "2026-02-05")
    db.call("post_payment", paid.account_id, "100.00", "card", "2026-02-05 10:00:00", "kp", ACTOR)
    late = customer_account(db)
    late_bill = billed(db, late)
    at(db, "2026-03-02")                        # 15 days past due: overdue_2, not overdue_1 too
    r = db.call("queue_reminders", "2026-03-02", BATCH)
    assert r == {"due_soon": 0, "overdue_1": 0, "overdue_2": 1, "final_notice": 0}
    assert [k for k, _ in kinds(db, bill_id=late_bill)] == ["bill_issued", "overdue_2"]
    assert [k for k, _ in kinds(db, bill_id=paid_bill)] == ["bill_issued"]


def test_per_tariff_days_override_the_global_ones(db, clock):
    t = make_tariff(db)
    db.execute("INSERT INTO dunning_setting (tariff_id, due_soon_days, overdue_1_days, "
               "overdue_2_days, final_notice_days) VALUES (%s, 7, 5, 10, 20)", t.tariff_id)
    special, plain = customer_account(db, tariff=t), customer_account(db)
    b1, b2 = billed(db, special), billed(db, plain)
    at(db, "2026-02-08")                       # due - 7
    assert db.call("queue_reminders", "2026-02-08", BATCH)["due_soon"] == 1
    assert [k for k, _ in kinds(db, bill_id=b1)] == ["bill_issued", "due_soon"]
    at(db, "2026-02-16")                       # due + 1: overdue_1 for the global days only
    assert db.call("queue_reminders", "2026-02-16", BATCH)["overdue_1"] == 1
    assert [k for k, _ in kinds(db, bill_id=b2)] == ["bill_issued", "overdue_1"]
    at(db, "2026-02-20")                       # due + 5
    assert db.call("queue_reminders", "2026-02-20", BATCH)["overdue_1"] == 1
    assert [k for k, _ in kinds(db, bill_id=b1)] == ["bill_issued", "due_soon", "overdue_1"]


def test_queue_reminders_errors(db, clock):
    before = db.snapshot()
    for args in (("2026-02-02", BATCH), (None, BATCH), ("2026-02-01", ""), ("not a day", BATCH)):
        with pytest.raises(DbError) as e:
            db.call("queue_reminders", *args)
        assert e.value.errno == 45002, args
    assert db.snapshot() == before


def test_two_reminder_runs_at_once_write_each_notice_once(db, connect, clock):
    accs = [customer_account(db) for _ in range(5)]
    for a in accs:
        billed(db, a)
    at(db, "2026-02-01")
    db.call("queue_reminders", "2026-02-01", BATCH)    # the global dunning row exists (as deployed)
    results, errors = [], []

    def run():
        c = connect()
        c.set_clock("2026-02-16")
        try:
            results.append(c.call("queue_reminders", "2026-02-16", BATCH))
        except DbError as e:
            errors.append(e)
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r["overdue_1"] for r in results) == [0, 5]
    assert db.value("SELECT COUNT(*) FROM notice WHERE kind = 'overdue_1'") == 5


# --- claim and mark -----------------------------------------------------------------------

def pending_notices(db, n=3):
    out = []
    for _ in range(n):
        acc = customer_account(db)
        billed(db, acc)
        out.append(acc)
    return out


def test_claim_returns_the_contract_columns_and_claims_once(db, clock):
    accs = pending_notices(db, 3)
    first = db.call_rows("claim_notices", "s1", 2)
    assert [list(r) for r in first] == [["notice_id", "kind", "customer_id", "email", "account_id",
                                         "bill_id", "payment_id", "refund_id"]] * 2
    assert first[0]["email"] == "ann@example.org" and first[0]["kind"] == "bill_issued"
    assert first[0]["account_id"] == accs[0].account_id
    second = db.call_rows("claim_notices", "s2", 10)
    assert [r["notice_id"] for r in second] == [notices(db)[2]["notice_id"]]
    assert (db.call_rows("claim_notices", "s3", 10) or []) == []
    # an expired claim (sender died) is claimed again
    db.execute("UPDATE notice SET claimed_at = NOW() - INTERVAL 11 MINUTE WHERE notice_id = %s",
                first[0]["notice_id"])
    again = db.call_rows("claim_notices", "s3", 10)
    assert [r["notice_id"] for r in again] == [first[0]["notice_id"]]
    assert notices(db, notice_id=first[0]["notice_id"])[0]["claimed_by"] == "s3"


def test_skip_locked_two_claimers_never_share(db, connect, clock):
    pending_notices(db, 6)
    a, b = connect(), connect()
    a.execute("START TRANSACTION")
    held = a.rows("SELECT notice_id FROM notice ORDER BY notice_id LIMIT 2 FOR UPDATE")
    got = b.call_rows("claim_notices", "b", 10)       # does not wait on a's rows
    assert sorted(r["notice_id"] for r in got) == [n["notice_id"] for n in notices(db)][2:]
    a.execute("ROLLBACK")
    assert held


def test_mark_sent_and_failed_with_backoff_then_failed(db, clock):
    pending_notices(db, 2)
    n1, n2 = [r["notice_id"] for r in db.call_rows("claim_notices", "s", 10)]
    assert db.call("mark_notice", n1, "s", "sent", "<m1@x>", None) == {"notice_id": n1, "status": "sent"}
    assert db.call("mark_notice", n1, "s", "sent", "<m1@x>", None)["status"] == "sent"   # repeat
    assert db.call("mark_notice", n1, "s", "failed", None, "late")["status"] == "sent"   # ignored
    v = notices(db, notice_id=n1)[0]
    assert (v["message_id"], v["attempts"], v["last_error"]) == ("<m1@x>", 0, None)
    assert v["sent_at"] is not None
    for attempt in range(1, 7):
        r = db.call("mark_notice", n2, "s", "failed", None, f"refused {attempt}")
        v = notices(db, notice_id=n2)[0]
        assert (v["attempts"], v["last_error"]) == (attempt, f"refused {attempt}")
        if attempt < 6:
            assert r["status"] == "pending"
            wait = db.value("SELECT TIMESTAMPDIFF(MINUTE, NOW(), next_attempt_at) FROM notice "
                            "WHERE notice_id = %s", n2)
            assert wait == 2 ** attempt
            assert (db.call_rows("claim_notices", "s", 10) or []) == []   # not due yet
            db.execute("UPDATE notice SET next_attempt_at = NOW() WHERE notice_id = %s", n2)
            assert [x["notice_id"] for x in db.call_rows("claim_notices", "s", 10)] == [n2]
        else:
            assert r["status"] == "failed"
    with pytest.raises(DbError) as e:
        db.call("mark_notice", n2, "s", "sent", "<x>", None)
    assert e.value.errno == 45003


def test_a_stale_senders_failure_leaves_the_live_claim_of_another(db, clock):
    """s1's claim expires, s2 claims the notice again; s1 then reports a failure (its SMTP
    attempt timed out): the notice is s2's to mark, so nothing changes, s2's 'sent' is recorded
    and no third sender gets it. s1's own failure, while its claim is still its own, counts."""
    pending_notices(db, 2)
    n1, n2 = [r["notice_id"] for r in db.call_rows("claim_notices", "s1", 10)]
    db.execute("UPDATE notice SET claimed_at = NOW() - INTERVAL 11 MINUTE WHERE notice_id = %s", n1)
    assert [r["notice_id"] for r in db.call_rows("claim_notices", "s2", 10)] == [n1]
    before = notices(db, notice_id=n1)[0]
    assert db.call("mark_notice", n1, "s1", "failed", None, "timeout")["status"] == "pending"
    assert notices(db, notice_id=n1)[0] == before
    assert (db.call_rows("claim_notices", "s3", 10) or []) == []
    assert db.call("mark_notice", n1, "s2", "sent", "<m@x>", None)["status"] == "sent"
    assert notices(db, notice_id=n1)[0]["attempts"] == 0
    # a sender's name is matched exactly: 'S1' is not s1
    assert db.call("mark_notice", n2, "S1", "failed", None, "x")["status"] == "pending"
    assert notices(db, notice_id=n2)[0]["attempts"] == 0
    assert db.call("mark_notice", n2, "s1", "failed", None, "refused")["status"] == "pending"
    v = notices(db, notice_id=n2)[0]
    assert (v["attempts"], v["last_error"], v["claimed_by"]) == (1, "refused", None)


def test_mark_errors(db, clock):
    pending_notices(db, 1)
    nid = notices(db)[0]["notice_id"]
    for args, errno in (((999999, "s", "sent", "<x>", None), 45001),
                        ((nid, "s", "done", "<x>", None), 45002),
                        ((nid, "s", "SENT", "<x>", None), 45002),      # exactly, lower case
                        ((nid, "s", "sent ", "<x>", None), 45002),
                        ((nid, "s", "sent", "<x>", None), 45003),      # not claimed yet
                        ((nid, "", "sent", "<x>", None), 45002),
                        (("x", "s", "sent", "<x>", None), 45002)):
        with pytest.raises(DbError) as e:
            db.call("mark_notice", *args)
        assert e.value.errno == errno, args
    skipped = customer_account(db, email=None)
    billed(db, skipped)
    sid = notices(db, account_id=skipped.account_id)[0]["notice_id"]
    with pytest.raises(DbError) as e:
        db.call("mark_notice", sid, "s", "sent", "<x>", None)
    assert e.value.errno == 45003


# --- dunning view -------------------------------------------------------------------------

def test_v_dunning_lists_overdue_accounts_with_their_level(db, clock):
    late = customer_account(db)
    b1 = billed(db, late)
    db.execute("UPDATE customer SET phone = '555-0100' WHERE customer_id = %s", late.customer_id)
    on_time = customer_account(db)
    billed(db, on_time)
    at(db, "2026-02-05")
    db.call("post_payment", on_time.account_id, "100.00", "card", "2026-02-05 10:00:00", "k", ACTOR)
    at(db, "2026-02-16")
    db.call("queue_reminders", "2026-02-16", BATCH)
    [row] = db.rows("SELECT * FROM v_dunning")
    assert (row["account_id"], row["account_no"], row["phone"], row["level"], str(row["amount_overdue"]),
            str(row["oldest_due_date"]), row["last_notice_kind"], row["last_notice_at"]) == (
        late.account_id, late.account_no, "555-0100", "overdue_1", "100.00", "2026-02-15", None, None)
    claimed = db.call_rows("claim_notices", "s", 10)
    n = [c for c in claimed if c["kind"] == "overdue_1"][0]
    db.call("mark_notice", n["notice_id"], "s", "sent", "<d@x>", None)
    row = db.row("SELECT * FROM v_dunning")
    assert row["last_notice_kind"] == "overdue_1" and row["last_notice_at"] is not None
    assert b1


def test_queue_reminders_does_not_wait_on_a_payment_in_progress(db, connect, clock):
    """Bills are read without share locks: a posting holding an account and its open bill, which
    gets no notice today, does not hold up the run (nor would the run hold up the posting)."""
    held = customer_account(db)
    held_bill = billed(db, held)                                     # due 2026-02-15
    acc = customer_account(db)
    db.call("record_reading", acc.serial, "2026-01-31", 100, "field", ACTOR)
    bill_id = db.call("bill_account", acc.account_id, "2026-01-01", "2026-01-31",
                      "2026-02-01", 15, ACTOR)["bill_id"]             # due 2026-02-16
    at(db, "2026-02-16")
    assert db.call("queue_reminders", "2026-02-16", BATCH)["overdue_1"] == 1   # the held one's
    holder, runner = connect(), connect()
    holder.execute("START TRANSACTION")
    holder.rows("SELECT * FROM account WHERE account_id = %s FOR UPDATE", held.account_id)
    holder.rows("SELECT * FROM bill WHERE bill_id = %s FOR UPDATE", held_bill)
    runner.execute("SET SESSION innodb_lock_wait_timeout = 1")
    runner.set_clock("2026-02-17")
    try:
        r = runner.call("queue_reminders", "2026-02-17", BATCH)
    finally:
        holder.execute("ROLLBACK")
    assert r == {"due_soon": 0, "overdue_1": 1, "overdue_2": 0, "final_notice": 0}
    assert [k for k, _ in kinds(db, bill_id=bill_id)] == ["bill_issued", "overdue_1"]


def test_a_run_waiting_for_a_held_account_leaves_other_postings_their_notices(db, connect, clock):
    """The run's INSERT ... SELECT holds the notice table's AUTO-INC lock for the whole statement;
    while it waited there for an account held by a posting (a foreign key's share lock), every
    other writer of a notice waited behind it: a posting on another account timed out, or failed
    with 1467 when the held posting wrote its own notice (found by a race probe). The run now
    share-locks the rows its notices refer to before the INSERT, so it waits without the lock."""
    held, other = customer_account(db), customer_account(db, email="bo@example.org")
    held_bill, other_bill = billed(db, held), billed(db, other)       # due 2026-02-15
    at(db, "2026-02-16")
    holder, runner, payer = connect(), connect(), connect()
    holder.execute("START TRANSACTION")
    holder.rows("SELECT * FROM account WHERE account_id = %s FOR UPDATE", held.account_id)
    holder.rows("SELECT * FROM bill WHERE bill_id = %s FOR UPDATE", held_bill)
    runner.set_clock("2026-02-16")
    payer.set_clock("2026-02-16")
    payer.execute("SET SESSION innodb_lock_wait_timeout = 3")
    runner_id = runner.value("SELECT CONNECTION_ID()")
    out = {}

    def run():
        out["run"] = runner.call("queue_reminders", "2026-02-16", BATCH)

    t = threading.Thread(target=run)
    t.start()
    try:
        from helpers.races import wait_for_lock_waits
        wait_for_lock_waits(db, [runner_id], 1)
        paid = payer.call("post_payment", other.account_id, "10.00", "cash",
                          "2026-02-16 10:00:00", "k-other", ACTOR)      # while the run waits
    finally:
        holder.execute("ROLLBACK")
        t.join(30)
    assert paid["payment_id"] and [k for k, _ in kinds(db, payment_id=paid["payment_id"])] == [
        "payment_received"]
    assert out["run"]["overdue_1"] == 2
    assert [k for k, _ in kinds(db, bill_id=held_bill)] == ["bill_issued", "overdue_1"]
    assert [k for k, _ in kinds(db, bill_id=other_bill)] == ["bill_issued", "overdue_1"]
    assert db.rows("SELECT * FROM v_ledger_integrity") == []
