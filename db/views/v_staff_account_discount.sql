-- v_staff_account_discount: the discounts assigned to accounts (a helper view of the staff back
-- office, not part of the contract; see docs/backoffice.md).
--
-- Columns: account_discount_id, account_id, discount_id, code, name, pct, valid_from,
--   valid_to (NULL: open-ended), created_at
-- Example: SELECT * FROM v_staff_account_discount WHERE account_id = 7 ORDER BY valid_from;
CREATE VIEW v_staff_account_discount AS
SELECT ad.account_discount_id, ad.account_id, ad.discount_id, d.code, d.name, d.pct,
       ad.valid_from, ad.valid_to, ad.created_at
  FROM account_discount ad
  JOIN discount d ON d.discount_id = ad.discount_id
