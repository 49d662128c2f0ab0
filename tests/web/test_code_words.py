"""The database's code words (payment methods, notice kinds, dunning levels, bill line kinds)
reach staff pages in words through one formatter (billing.formatting.words, the `words`
filter): "bank_transfer" read as a typo on the drawer close and the receipts."""
import pytest

from billing import formatting


@pytest.mark.parametrize("code, shown", [
    ("bank_transfer", "bank transfer"), ("cash", "cash"), ("overdue_1", "first reminder"),
    ("overdue_2", "second reminder"), ("final_notice", "final notice"),
    ("payment_received", "payment received"), ("rebate_revoked", "rebate taken back"),
    ("late_fee", "late fee"), ("some_new_kind", "some new kind"), (None, ""), ("", ""),
])
def test_words(code, shown):
    assert formatting.words(code) == shown

