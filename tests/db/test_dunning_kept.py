"""The collectors' dunning list kept by the 5-minute job (refresh_dunning_snapshot, migration 0134;
v_dunning_kept, v_dunning_kept_total) against v_dunning, on the demo data and on a few rows made
here: the same accounts in the list's order, the heading their count and sum, a second refresh in
place of the first, and a refresh that neither waits for a posting nor counts it early."""
from decimal import Decimal

from helpers.factories import ACTOR, make_metered_account, make_tariff

ORDER = "ORDER BY level_no DESC, amount_overdue DESC, account_id"
COLS = ("account_id, account_no, customer_id, customer_name, phone, email, level_no, level, "
        "amount_overdue, oldest_due_date")


def _kept_and_live(d):
    kept = d.rows(f"SELECT {COLS} FROM v_dunning_kept {ORDER}")
    live = d.rows(f"SELECT {COLS} FROM v_dunning {ORDER}")
    return kept, live


def test_the_kept_list_is_v_dunning_in_its_order(demo):
    taken = demo.call("refresh_dunning_snapshot")
    kept, live = _kept_and_live(demo)
    assert len(live) > 10
    assert kept == live
    head = demo.row("SELECT * FROM v_dunning_kept_total")
    assert (head["accounts"], head["overdue"]) == (
        len(live), sum((r["amount_overdue"] for r in live), Decimal(0)))
    now = demo.row("SELECT accounts, overdue FROM v_staff_dunning_total")
    assert (head["accounts"], head["overdue"]) == (now["accounts"], now["overdue"])
    assert (head["taken_at"], head["as_of"], head["accounts"], head["overdue"]) == (
        taken["taken_at"], taken["as_of"], taken["accounts"], taken["overdue"])
    assert 0 <= head["age_seconds"] <= 5
    # a second refresh replaces the list, never adds to it
    demo.call("refresh_dunning_snapshot")
    assert [demo.value(f"SELECT COUNT(*) FROM {t}") for t in
            ("dunning_snapshot", "dunning_snapshot_account")] == [1, len(live)]


def _two_overdue(db):
    """Two accounts overdue on the real clock: `big` (1,000 kWh) billed 2026-02-20, due the next
    day, and `small` (100 kWh) billed 2026-02-01, due 2026-02-15, which the reminders of
    2026-03-01 find 14 days overdue: a higher dunning level than big's 8 days."""
    make_tariff(db, code="RES")
    big = make_metered_account(db, tariff_code="RES", serial="SN-DK-1", opened_on="2026-01-01")
    small = make_metered_account(db, tariff_code="RES", serial="SN-DK-2", opened_on="2026-01-01")
    db.call("record_reading", "SN-DK-1", "2026-01-31", 1000, "field", ACTOR)
    db.call("record_reading", "SN-DK-2", "2026-01-31", 100, "field", ACTOR)
    db.call("bill_account", small.account_id, "2026-01-01", "2026-01-31", "2026-02-01", 14, ACTOR)
    db.call("bill_account", big.account_id, "2026-01-01", "2026-01-31", "2026-02-20", 1, ACTOR)
    db.set_clock("2026-03-01")
    db.call("queue_reminders", "2026-03-01", "batch:reminders")
    db.set_clock(None)
    return big, small


def test_the_kept_list_puts_the_higher_level_first(db):
    big, small = _two_overdue(db)
    db.call("refresh_dunning_snapshot")
    kept, live = _kept_and_live(db)
    assert [r["account_id"] for r in kept] == [small.account_id, big.account_id]
    assert kept[0]["level_no"] > kept[1]["level_no"]
    assert kept[0]["amount_overdue"] < kept[1]["amount_overdue"]
    assert kept == live


def test_the_kept_list_stays_as_taken_until_the_next_refresh(db):
    """A payment after the refresh changes v_dunning, not the kept list; the next refresh has it.
    An account paid off leaves the list at the next refresh."""
    big, small = _two_overdue(db)
    db.call("refresh_dunning_snapshot")
    before, _ = _kept_and_live(db)
    db.call("post_payment", small.account_id, "1.00", "cash", None, "dk-1", ACTOR)
    kept, live = _kept_and_live(db)
    assert kept == before
    assert live[0]["amount_overdue"] == kept[0]["amount_overdue"] - Decimal("1.00")
    owed = db.value("SELECT amount_overdue FROM v_dunning WHERE account_id = %s", big.account_id)
    db.call("post_payment", big.account_id, str(owed), "cash", None, "dk-2", ACTOR)
    db.call("refresh_dunning_snapshot")
    kept, live = _kept_and_live(db)
    assert [r["account_id"] for r in kept] == [small.account_id]
    assert db.row("SELECT accounts, overdue FROM v_dunning_kept_total") == {
        "accounts": 1, "overdue": live[0]["amount_overdue"]}


def test_a_refresh_writes_only_the_rows_that_changed(db):
    """rows_changed: both rows the first time; none when nothing changed; one for a part payment
    (its amount); one when the reminders raise an account's level; one for an account paid off
    (deleted). After each refresh the kept list is v_dunning in its order."""
    big, small = _two_overdue(db)
    assert db.call("refresh_dunning_snapshot")["rows_changed"] == 2
    assert db.call("refresh_dunning_snapshot")["rows_changed"] == 0
    db.call("post_payment", big.account_id, "1.00", "cash", None, "dk-3", ACTOR)
    assert db.call("refresh_dunning_snapshot")["rows_changed"] == 1
    kept, live = _kept_and_live(db)
    assert kept == live
    level = db.value("SELECT level_no FROM v_dunning WHERE account_id = %s", big.account_id)
    db.set_clock("2026-03-20")
    db.call("queue_reminders", "2026-03-20", "batch:reminders")
    db.set_clock(None)
    assert db.value("SELECT level_no FROM v_dunning WHERE account_id = %s",
                    big.account_id) > level
    assert db.call("refresh_dunning_snapshot")["rows_changed"] >= 1
    kept, live = _kept_and_live(db)
    assert kept == live
    owed = db.value("SELECT amount_overdue FROM v_dunning WHERE account_id = %s", small.account_id)
    db.call("post_payment", small.account_id, str(owed), "cash", None, "dk-4", ACTOR)
    assert db.call("refresh_dunning_snapshot")["rows_changed"] == 1
    kept, live = _kept_and_live(db)
    assert kept == live and [r["account_id"] for r in kept] == [big.account_id]


def test_a_refresh_neither_waits_for_a_posting_nor_counts_it_before_it_commits(db, connect):
    """The refresh reads under READ COMMITTED and takes no lock on an account or a bill: a
    posting that holds the account and its open bills (post_payment's locks) and has not
    committed does not hold it up (a lock wait of 1 s would fail it; a foreign key from the kept
    rows to account would, as its check locks each account row), and its money is not counted."""
    big, small = _two_overdue(db)
    before = db.value("SELECT overdue FROM v_staff_dunning_total")
    holder, refresher = connect(), connect()
    holder.execute("START TRANSACTION")
    for acc in (big, small):
        holder.rows("SELECT account_id FROM account WHERE account_id = %s FOR UPDATE", acc.account_id)
        holder.execute("UPDATE bill SET amount_paid = amount_paid + 1 WHERE account_id = %s",
                       acc.account_id)
    refresher.execute("SET SESSION innodb_lock_wait_timeout = 1")
    refresher.call("refresh_dunning_snapshot")
    assert refresher.value("SELECT overdue FROM v_dunning_kept_total") == before
    holder.execute("ROLLBACK")
