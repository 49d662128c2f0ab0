"""The back office's preview of a bank file matches an account as posting does: byte for byte
(db/views/v_staff_payment_batch*.sql). A line for "a0000001" or "A0000001 " names no account
(posting refuses it with 45001), so the preview flags it as unknown instead of showing it as
a payment to A0000001."""
import json

from helpers.factories import make_metered_account


def test_the_preview_flags_an_account_number_that_matches_only_by_case_or_spaces(db):
    acc = make_metered_account(db)
    lines = [{"account_no": n, "amount": "5.00", "method": "cash", "key": f"k{i}"}
             for i, n in enumerate([acc.account_no, acc.account_no.lower(),
                                    acc.account_no + " "])]
    batch = db.call("stage_payment_batch", "preview-case", json.dumps(lines),
                    "staff:test")["batch_id"]
    flags = [(r["account_no"], r["account_id"], r["unknown_account"]) for r in db.rows(
        "SELECT account_no, account_id, unknown_account FROM v_staff_payment_batch_line "
        "WHERE batch_id = %s ORDER BY line_no", batch)]
    assert flags == [(acc.account_no, acc.account_id, 0),
                     (acc.account_no.lower(), None, 1),
                     (acc.account_no + " ", None, 1)]
    assert db.value("SELECT unknown_account_lines FROM v_staff_payment_batch "
                    "WHERE batch_id = %s", batch) == 2
    # per account number: the account's one line, and the two unknown ones (grouped under the
    # column's collation, as the file's numbers are listed)
    per_account = db.rows("SELECT account_id, `lines` FROM v_staff_payment_batch_account "
                          "WHERE batch_id = %s ORDER BY account_id IS NULL", batch)
    assert [(r["account_id"], r["lines"]) for r in per_account] == [(acc.account_id, 1),
                                                                    (None, 2)]
    # posting agrees: the two lines are refused as no account's number
    db.call("post_payment_batch", batch, "staff:test")
    assert [(r["outcome"], r["errno"]) for r in db.rows(
        "SELECT outcome, errno FROM v_payment_batch_lines WHERE batch_id = %s ORDER BY line_no",
        batch)] == [("posted", None), ("refused", 45001), ("refused", 45001)]
