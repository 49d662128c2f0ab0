-- The drawer close (issue 24 §4; /payments/drawer/, billing/views/payments.py): one cashier's
-- payments of one day (posted_by = ? AND paid_at in the day's range), in paid_at order. With
-- only ix_payment_paid_at the server read every payment of the day and its row to test
-- posted_by: at 1M accounts, a day of 261,287 payments (bank files and postings), 0.19 s for a
-- cashier who took a few hundred of them. ix_payment_cashier_paid (posted_by, paid_at) makes it
-- one short range of the index, already in the page's order (paid_at, then payment_id, the
-- primary key every InnoDB entry ends with): 0.2 ms for a page or the count.
-- Cost: one more index entry written by each posting (post_payment, a bank-file segment);
-- reversals and refunds change no column of it.
ALTER TABLE payment ADD INDEX ix_payment_cashier_paid (posted_by, paid_at);
