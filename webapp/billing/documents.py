"""The bill as a document (issue 21): everything the one bill template (portal/bill_print.html,
the portal's bill page and the PDF e-mailed with a bill_issued notice) shows besides the bill
itself, read from the views, in one place so that the page and the e-mail's PDF never differ.
Callers check first that the bill is the reader's."""
from billing import comparison
from billing.models import (BillAccountActivity, BillAccountSummary, BillLine, BillLineWords,
                            BillReadingWords)


def bill_document(*, bill_id):
    """The context of a bill's document: its lines, the lines' and readings' words
    (v_bill_line_words, v_bill_reading_words) and the account since the previous bill
    (v_bill_account_summary, v_bill_account_activity), and why it differs from the previous
    bill (billing.comparison: v_bill_explanation, the usage chart)."""
    return {
        "why": comparison.why(bill_id=bill_id),
        "lines": list(BillLine.objects.filter(bill_id=bill_id)),
        "line_words": {w.line_no: w for w in BillLineWords.objects.filter(bill_id=bill_id)},
        "reading_words": BillReadingWords.objects.filter(bill_id=bill_id).first(),
        "account_summary": BillAccountSummary.objects.filter(bill_id=bill_id).first(),
        "account_activity": list(BillAccountActivity.objects.filter(bill_id=bill_id)),
    }
