"""The bill as a document (issue 21): everything the one bill template (portal/bill_print.html,
the portal's bill page and the PDF e-mailed with a bill_issued notice) shows besides the bill
itself, read from the views, in one place so that the page and the e-mail's PDF never differ.
Callers check first that the bill is the reader's."""
from billing import comparison
from billing.models import (BillAccountActivity, BillAccountSummary, BillLine, BillLineWords,
                            BillReading, BillReadingWords, BillSummary)


def _bill_of_account(account_id, bill_id):
    """Another bill of the same account (the bill that replaces a cancelled one, or the one a
    rebill replaces), as a dict with its number and credit note; None without one."""
    if not bill_id:
        return None
    return BillSummary.objects.filter(account_id=account_id, bill_id=bill_id).values(
        "bill_id", "bill_no", "credit_note_no").first()


def rebate_taken_back(lines):
    """True when the bill's lines (v_bill_lines) have a rebate granted and then taken back (a
    `rebate_revoked` line: the payment that earned it was reversed)."""
    return any(line.kind == "rebate_revoked" for line in lines)


def bill_document(bill):
    """The context of a bill's document (`bill`: its v_bill_summary row): its lines, the lines'
    and readings' words (v_bill_line_words, v_bill_reading_words), the account since the
    previous bill (v_bill_account_summary, v_bill_account_activity), why it differs from the
    previous bill (billing.comparison: v_bill_explanation, the usage chart), the bills of a
    correction: `replaced_by` (a cancelled bill's rebill) and `replaces` (a rebill's cancelled
    bill), whether a granted rebate was taken back (`rebate_taken_back`), and, when a meter was
    exchanged inside the window, every reading of it with its meter (`meter_readings`,
    v_staff_bill_reading)."""
    bill_id = bill.bill_id
    reading_words = BillReadingWords.objects.filter(bill_id=bill_id).first()
    lines = list(BillLine.objects.filter(bill_id=bill_id))
    return {
        "meter_readings": (list(BillReading.objects.filter(bill_id=bill_id))
                           if reading_words and reading_words.meter_exchanged else None),
        "replaced_by": _bill_of_account(bill.account_id, bill.replaced_by_bill_id),
        "replaces": _bill_of_account(bill.account_id, bill.replaces_bill_id),
        "why": comparison.why(bill_id=bill_id),
        "lines": lines,
        "rebate_taken_back": rebate_taken_back(lines),
        "line_words": {w.line_no: w for w in BillLineWords.objects.filter(bill_id=bill_id)},
        "reading_words": reading_words,
        "account_summary": BillAccountSummary.objects.filter(bill_id=bill_id).first(),
        "account_activity": list(BillAccountActivity.objects.filter(bill_id=bill_id)),
    }
