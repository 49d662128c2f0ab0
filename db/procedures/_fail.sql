-- _fail: raises one of the contract's errors (internal helper of the procedures).
--
-- Parameters
--   p_errno    the contract's error number (45001 NOT_FOUND, 45002 INVALID_ARGUMENT, ...;
--              see ../shared/spec/sql-api.md)
--   p_message  a sentence a person can read, naming the field or the object
-- Result: none; always signals SQLSTATE '45000' with MYSQL_ERRNO = p_errno.
-- Example: CALL _fail(45001, CONCAT('no account with id ', p_account_id));
CREATE PROCEDURE _fail(IN p_errno SMALLINT UNSIGNED, IN p_message VARCHAR(512))
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = p_errno, MESSAGE_TEXT = p_message;
END
