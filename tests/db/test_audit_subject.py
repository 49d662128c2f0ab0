"""v_audit_subject (db/views/v_audit_subject.sql): the audit rows of a customer or an account
reached by index. Narrowing v_audit_log with it keeps exactly the rows v_audit_log's own
customer_id / account_id filter gives (issue 24 §4: the customer's audit page at 1M accounts),
and reads the customer's rows, not the trail."""
from helpers.factories import (give_discount, make_account, make_customer, make_metered_account,
                               make_tariff)

COLUMNS = "audit_id, table_name, row_key, action, account_id, customer_id"


def arrange(db):
    """Two customers side by side: A with two accounts (a meter exchange, a discount, a payment
    and its reversal, a reading approved, a renamed customer, a web event, direct-SQL changes
    of its meter and a discount deleted by hand), B with a payment and one web event."""
    db.execute("SET timestamp = UNIX_TIMESTAMP('2026-02-01')")
    make_tariff(db, code="SUBJ", actor="staff:setup")
    a = make_metered_account(db, tariff_code="SUBJ", serial="SUBJ-A1", opened_on="2026-01-01",
                             actor="staff:setup")
    a2 = make_account(db, tariff_code="SUBJ", customer_id=a.customer_id, opened_on="2026-01-01",
                      actor="staff:setup")
    give_discount(db, a2, actor="staff:setup")
    gone = give_discount(db, a.account_id, valid_from="2026-01-01", valid_to="2026-01-10",
                         actor="staff:setup")
    b = make_metered_account(db, tariff_code="SUBJ", serial="SUBJ-B1", opened_on="2026-01-01",
                             actor="staff:setup")
    lone = make_customer(db, actor="staff:setup")           # a customer without accounts
    db.call("exchange_meter", a.account_id, "2026-01-20", 50, "SUBJ-A2", 5, 1, 0, "staff:eve")
    db.call("record_reading", "SUBJ-A2", "2026-01-31", 40, "field", "staff:x")
    big = db.call("record_reading", "SUBJ-A2", "2026-02-01", 5000, "field", "staff:x")
    if big["status"] == "review":
        db.call("approve_reading", big["reading_id"], "staff:eve")
    db.call("update_customer", a.customer_id, "Renamed", "a@example.org", None, None, "staff:ann")
    pay = db.call("post_payment", a2, "12.00", "cash", None, "k-subj-1", "staff:bob")
    db.call("reverse_payment", pay["payment_id"], "cheque bounced", "staff:bob")
    db.call("post_payment", b.account_id, "5.00", "card", None, "k-subj-2", "customer:C2")
    db.call("record_audit_event", "web_test_event", "customer", "00" + str(a.customer_id), None,
            "staff:x")
    db.call("record_audit_event", "web_test_event", "account", str(b.account_id), None, "staff:x")
    db.call("record_audit_event", "web_test_event", "customer", str(lone), None, "staff:x")
    db.execute("SET @billing_actor = 'staff:dba'")
    db.execute("UPDATE meter SET multiplier = 2 WHERE serial_no = 'SUBJ-A1'")
    db.execute("DELETE FROM account_discount WHERE account_discount_id = %s", gone)
    return a, a2, b, lone


def by_view(db, column, value):
    return db.rows(f"SELECT {COLUMNS} FROM v_audit_log WHERE {column} = %s "
                   "ORDER BY audit_id DESC, account_id", value)


def by_subject(db, column, value):
    return db.rows(f"SELECT {COLUMNS} FROM v_audit_log WHERE {column} = %s AND audit_id IN "
                   f"(SELECT audit_id FROM v_audit_subject WHERE {column} = %s) "
                   "ORDER BY audit_id DESC, account_id", value, value)


def test_narrowed_by_v_audit_subject_the_trail_of_each_customer_and_account_is_the_same(db):
    a, a2, b, lone = arrange(db)
    customers = [r["customer_id"] for r in db.rows("SELECT customer_id FROM customer")]
    accounts = [r["account_id"] for r in db.rows("SELECT account_id FROM account")]
    for customer_id in customers:
        assert by_subject(db, "customer_id", customer_id) == by_view(db, "customer_id",
                                                                      customer_id), customer_id
    for account_id in accounts:
        assert by_subject(db, "account_id", account_id) == by_view(db, "account_id",
                                                                    account_id), account_id
    # the trail is not trivial: every kind of row of customer A is there
    mine = by_view(db, "customer_id", a.customer_id)
    kinds = {(r["table_name"], r["action"]) for r in mine}
    assert {("customer", "insert"), ("customer", "update"), ("customer", "web_test_event"),
            ("account", "insert"), ("account_discount", "insert"), ("meter", "insert"),
            ("meter", "update"), ("meter", "meter_exchanged"), ("meter_installation", "insert"),
            ("meter_installation", "update"), ("payment", "payment_posted"),
            ("payment", "payment_reversed")} <= kinds, kinds
    assert len({r["row_key"] for r in mine if r["table_name"] == "meter"}) == 2   # both meters
    assert by_view(db, "customer_id", lone)                 # its insert and its web event


def test_a_web_event_on_a_customer_is_filed_under_the_plain_id(db):
    c = make_customer(db)
    r = db.call("record_audit_event", "web_test_event", "customer", "000" + str(c), None, "x")
    assert db.value("SELECT row_key FROM audit_log WHERE audit_id = %s", r["audit_id"]) == str(c)
    assert [x["audit_id"] for x in by_subject(db, "customer_id", c)
            if x["action"] == "web_test_event"] == [r["audit_id"]]


def handler_reads(db):
    return sum(int(r["Value"]) for r in db.rows("SHOW SESSION STATUS LIKE 'Handler_read%%'"))


def test_a_customers_rows_are_read_by_index_not_by_reading_the_trail(db):
    a, a2, b, lone = arrange(db)
    # a trail of 20,000 rows of other customers' accounts
    db.execute("INSERT INTO audit_log (table_name, row_key, account_id, action, actor, db_user) "
               "WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 199) "
               "SELECT 'payment', CAST(x.i * 200 + y.i AS CHAR), %s, 'payment_posted', "
               "'staff:bulk', 'x' FROM n x CROSS JOIN n y WHERE x.i < 100", b.account_id)
    db.execute("ANALYZE TABLE audit_log")
    before = handler_reads(db)
    rows = db.rows(f"SELECT {COLUMNS} FROM v_audit_log WHERE customer_id = %s AND audit_id IN "
                   "(SELECT audit_id FROM v_audit_subject WHERE customer_id = %s) "
                   "ORDER BY audit_id DESC LIMIT 51", a.customer_id, a.customer_id)
    reads = handler_reads(db) - before
    assert 10 < len(rows) < 51
    assert reads < 2000, reads                              # the trail holds 20,000 rows more
    before = handler_reads(db)                              # v_audit_log's filter alone reads
    assert by_view(db, "customer_id", a.customer_id)[:51] == rows       # them all
    assert handler_reads(db) - before > 20000
