-- A bank file line whose value has the wrong JSON type (stage_payment_batch): a "key" that is
-- present but no JSON string (an object, an array, a number, true or false), or an account_no,
-- amount, method or paid_at that is an object or an array. Such a line was staged with the value
-- coerced (a scalar column of JSON_TABLE reads an object as NULL on MariaDB), so a key {"a":1}
-- became no key and was posted with an automatic key, i.e. without replay protection.
--
-- malformed: NULL for a well-formed line; else the first such field, in the order account_no,
-- amount, method, paid_at, key, and its JSON type in lower case: '<field> <JSON type>' ('key
-- object', 'amount array', 'key integer', 'key boolean'). Posting refuses such a line with 45002
-- naming the field (_post_batch_line: "idempotency_key must be a JSON string or null, not an
-- object"), before anything else is judged. The field's value is kept as received all the same
-- (an object or array as its JSON text), so the pages show it.
-- Existing lines are well-formed as far as anyone can tell now (the coerced values are gone).
-- Plain SQL that MySQL 8.4 and MariaDB 10.11 both take.
-- Example: SELECT line_no, malformed FROM payment_batch_line WHERE batch_id = 1 AND malformed IS NOT NULL;
ALTER TABLE payment_batch_line
  ADD COLUMN malformed VARCHAR(64) NULL
    COMMENT 'the first value of the wrong JSON type: ''<field> <JSON type>'', e.g. ''key object''; or NULL'
    AFTER idempotency_key;
