-- _fail: raises one of the contract's errors (internal helper of the procedures).
--
-- Parameters
--   p_errno    the contract's error number (45001 NOT_FOUND, 45002 INVALID_ARGUMENT, ...;
--              see ../shared/spec/sql-api.md)
--   p_message  a sentence a person can read, naming the field or the object; at most 128
--              characters (MySQL's limit for MESSAGE_TEXT; MariaDB's is 512): a longer one is
--              cut to 128 here, and tests/static checks that no caller's message can be longer
-- Result: none; always signals SQLSTATE '45000' with MYSQL_ERRNO = p_errno.
-- Example: CALL _fail(45001, CONCAT('no account with id ', p_account_id));
CREATE PROCEDURE _fail(IN p_errno SMALLINT UNSIGNED, IN p_message VARCHAR(512))
    SQL SECURITY INVOKER
    NO SQL
BEGIN
    -- SIGNAL takes a variable, not an expression
    DECLARE v_message VARCHAR(128) DEFAULT LEFT(p_message, 128);
    SIGNAL SQLSTATE '45000' SET MYSQL_ERRNO = p_errno, MESSAGE_TEXT = v_message;
END
