-- v_staff_payment_reference: the cheque number or transfer reference a clerk typed at the
-- counter (a helper view of the staff back office, not part of the contract; see
-- docs/backoffice.md). No column holds it: the counter form puts it at the end of the payment's
-- idempotency key, "counter:<uuid>:ref:<reference>", so a resubmitted form still posts once and
-- the reference needs no schema change.
--
-- Columns
--   payment_id, reference (NULL when none was given)
-- Example: SELECT reference FROM v_staff_payment_reference WHERE payment_id = 12;
CREATE VIEW v_staff_payment_reference AS
SELECT p.payment_id,
       IF(CONVERT(p.idempotency_key USING utf8mb4) LIKE 'counter:%:ref:%',
          SUBSTRING(CONVERT(p.idempotency_key USING utf8mb4),
                    LOCATE(':ref:', CONVERT(p.idempotency_key USING utf8mb4)) + 5),
          NULL) AS reference
  FROM payment p
