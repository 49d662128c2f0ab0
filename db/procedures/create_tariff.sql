-- create_tariff: creates a tariff (its prices come with add_tariff_version).
--
-- Parameters
--   p_code   required; trimmed, 1..20 characters, unique (case-insensitive)
--   p_name   required; trimmed, 1..100 characters
--   p_actor  who acts, required
-- Result: one row (tariff_id).
-- Errors: 45002 INVALID_ARGUMENT (no or too long code or name, no actor); 45003 CONFLICT
--         (a tariff with that code exists).
-- Arguments arrive as LONGTEXT, whatever the caller sends, and are checked and converted
-- by the _arg_* functions before the work is done by _create_tariff: a wrong type, a value
-- too long, too big or too precise, or a date that is no calendar day between
-- 1900-01-01 and 2999-12-31 is a contract error (45002, or the procedure's own number for
-- an out-of-range value), never a raw conversion error of the server.
-- Example: CALL create_tariff('RES', 'Residential', 'staff:alice');
CREATE PROCEDURE create_tariff(IN p_code LONGTEXT,
                               IN p_name LONGTEXT,
                               IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    CALL _create_tariff(_arg_text(p_code, 'code', 100),
                        _arg_text(p_name, 'name', 1000),
                        _arg_text(p_actor, 'actor', 255));
END
