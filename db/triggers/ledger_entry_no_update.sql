-- ledger_entry_no_update: ledger_entry is append-only: refuses every UPDATE of a ledger_entry row.
--
--   Signals IMMUTABLE (45060) for every database user, the schema owner and root included.
--   (TRUNCATE fires no trigger; only the test harness uses it to empty the schema.)
-- Errors: 45060 IMMUTABLE.
-- Example: UPDATE ledger_entry SET amount = 0 WHERE entry_id = 1;  -- ERROR 45060
CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry
FOR EACH ROW
SIGNAL SQLSTATE '45000'
    SET MYSQL_ERRNO = 45060, MESSAGE_TEXT = 'ledger_entry is append-only: a ledger row cannot be changed (post a correcting entry)'
