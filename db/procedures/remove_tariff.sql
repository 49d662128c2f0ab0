-- remove_tariff: removes a tariff that nothing uses yet (a code created by mistake, before its
-- first version). Internal to the back office, not in the contract (docs/backoffice.md).
--
-- A tariff can be removed only while nothing refers to it: no version, no account (open or
-- closed), no what-if simulation, no dunning override. The tariff row is locked (FOR UPDATE)
-- before anything is read: add_tariff_version locks it the same way and open_account takes a
-- shared lock on it, so a version or account added concurrently either commits first (and
-- this call sees it and refuses) or waits and then finds no tariff (45001): nothing is ever
-- orphaned. The foreign keys stay the last guard.
--
-- Parameters
--   p_code   required: the tariff's code (trimmed)
--   p_actor  who acts, required
-- Result: one row (tariff_id, code): the removed tariff's.
-- Errors: 45002 INVALID_ARGUMENT (no code, no actor); 45001 NOT_FOUND (no tariff with that
--         code); 45003 CONFLICT (the tariff has versions, accounts, simulations or a dunning
--         override: the message says which).
-- Audit: the row trigger records the deleted tariff row, and the event tariff_removed
--   (table tariff, key tariff_id, detail code and name).
-- Example: CALL remove_tariff('RES-TYPO', 'staff:alice');
CREATE PROCEDURE remove_tariff(IN p_code LONGTEXT,
                               IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    -- the arguments, checked and converted before anything is read or written
    DECLARE v_code VARCHAR(100) DEFAULT TRIM(_arg_text(p_code, 'code', 100));
    DECLARE v_actor VARCHAR(255) DEFAULT _arg_text(p_actor, 'actor', 255);
    DECLARE v_tariff_id INT UNSIGNED;
    DECLARE v_name VARCHAR(100);
    DECLARE v_versions INT;
    DECLARE v_accounts INT;
    DECLARE v_simulations INT;
    DECLARE v_dunning INT;
    DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;

    -- arguments (no lock needed)
    IF _is_blank(v_actor) OR CHAR_LENGTH(v_actor) > 100 THEN
        CALL _fail(45002, 'actor is required (at most 100 characters)');
    END IF;
    IF _is_blank(v_code) THEN
        CALL _fail(45002, 'code is required');
    END IF;

    SET @billing_actor = v_actor;
    START TRANSACTION;
    -- the tariff row first, before any consistent read: the counts below then see every
    -- version and account committed before the lock was ours, and none can come after it
    SELECT tariff_id, name INTO v_tariff_id, v_name FROM tariff WHERE code = v_code FOR UPDATE;
    IF v_tariff_id IS NULL THEN
        CALL _fail(45001, CONCAT('no tariff with code ', LEFT(v_code, 100)));
    END IF;
    SELECT COUNT(*) INTO v_versions FROM tariff_version WHERE tariff_id = v_tariff_id;
    SELECT COUNT(*) INTO v_accounts FROM account WHERE tariff_id = v_tariff_id;
    SELECT COUNT(*) INTO v_simulations FROM tariff_simulation WHERE tariff_id = v_tariff_id;
    SELECT COUNT(*) INTO v_dunning FROM dunning_setting WHERE tariff_id = v_tariff_id;
    IF v_versions > 0 THEN
        CALL _fail(45003, CONCAT('tariff ', LEFT(v_code, 20), ' has ', v_versions,
                                 ' version(s): a tariff with versions cannot be removed'));
    END IF;
    IF v_accounts > 0 THEN
        CALL _fail(45003, CONCAT('tariff ', LEFT(v_code, 20), ' has ', v_accounts,
                                 ' account(s), open or closed: it cannot be removed'));
    END IF;
    IF v_simulations > 0 THEN
        CALL _fail(45003, CONCAT('tariff ', LEFT(v_code, 20), ' has ', v_simulations,
                                 ' what-if simulation(s): it cannot be removed'));
    END IF;
    IF v_dunning > 0 THEN
        CALL _fail(45003, CONCAT('tariff ', LEFT(v_code, 20),
                                 ' has its own dunning days: it cannot be removed'));
    END IF;

    DELETE FROM tariff WHERE tariff_id = v_tariff_id;
    CALL _audit('tariff_removed', 'tariff', v_tariff_id, NULL,
                JSON_OBJECT('code', v_code, 'name', v_name), v_actor);
    COMMIT;

    SELECT v_tariff_id AS tariff_id, v_code AS code;
END
