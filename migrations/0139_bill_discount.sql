-- bill_discount: the account discounts a bill applied, one row per discount line (billing-rules.md,
-- "Bill totals": a discount line for every discount valid on be). The tariff what-if
-- (simulate_tariff) prices a bill again with "the same ... discount percentages": the bill's
-- own, read here, not the assignments valid on its be as they are now (an assignment made later
-- with a valid_from before that be would give the old bill a discount it never had).
-- Written by _store_bills with the bill's lines; append-only like them (triggers refuse UPDATE
-- and DELETE).
-- pct: the discount's percentage when the bill was made, kept here, so that a discount changed
-- since by hand (no procedure changes one) does not change what an old bill is said to have had.
-- Existing bills: each discount line is matched to the assignment of the bill's account valid
-- on the bill's period end whose line it is, by the words the engine always wrote on it
-- ('Discount: <name> (<pct>% of energy)'), with the discount's percentage now.
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.
-- Example: SELECT d.code, bd.pct FROM bill_discount bd
--            JOIN account_discount ad ON ad.account_discount_id = bd.account_discount_id
--            JOIN discount d ON d.discount_id = ad.discount_id WHERE bd.bill_id = 42;
CREATE TABLE bill_discount (
  bill_id             INT UNSIGNED NOT NULL,
  account_discount_id INT UNSIGNED NOT NULL,
  pct                 DECIMAL(5,2) NOT NULL COMMENT 'the percentage the bill applied (the discount''s then)',
  PRIMARY KEY (bill_id, account_discount_id),
  KEY ix_bill_discount_assignment (account_discount_id),
  CONSTRAINT fk_bill_discount_bill FOREIGN KEY (bill_id) REFERENCES bill (bill_id),
  CONSTRAINT fk_bill_discount_assignment FOREIGN KEY (account_discount_id)
    REFERENCES account_discount (account_discount_id),
  CONSTRAINT ck_bill_discount_pct CHECK (pct BETWEEN 0 AND 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
  COMMENT 'the account discounts each bill applied (its discount lines), with their percentage';

-- As many assignments per bill and words as the bill has lines with those words: of two
-- discounts with the same name and percentage (twins), the one assigned before the bill was
-- issued first (created_at), then the older assignment.
INSERT INTO bill_discount (bill_id, account_discount_id, pct)
SELECT m.bill_id, m.account_discount_id, m.pct
FROM (SELECT b.bill_id, ad.account_discount_id, d.pct, l.line_count,
             ROW_NUMBER() OVER (PARTITION BY b.bill_id, l.description
                                ORDER BY ad.created_at > b.created_at, ad.account_discount_id) AS n
      FROM (SELECT bill_id, description, COUNT(*) AS line_count FROM bill_line
            WHERE kind = 'discount' GROUP BY bill_id, description) l
      JOIN bill b ON b.bill_id = l.bill_id
      JOIN account_discount ad ON ad.account_id = b.account_id
           AND ad.valid_from <= b.period_end AND (ad.valid_to IS NULL OR ad.valid_to >= b.period_end)
      JOIN discount d ON d.discount_id = ad.discount_id
      WHERE l.description = CONCAT('Discount: ', d.name, ' (',
                                   TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM d.pct)), '% of energy)')) m
WHERE m.n <= m.line_count;
