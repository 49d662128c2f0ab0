-- discard_preview: deletes a preview of a run (preview_billing) with its bills, lines and
-- exceptions (ON DELETE CASCADE). A preview is only a picture: discarding it changes nothing
-- else. preview_billing discards previews older than 7 days by itself.
--
-- Parameters
--   p_preview_id  the preview
--   p_actor       who acts
-- Result: preview_id
-- Errors: 45001 NOT_FOUND (no such preview), 45002 no preview id, blank actor.
-- Arguments arrive as LONGTEXT and are converted into typed locals (the _arg_* functions)
-- before anything is read or written.
-- Example: CALL discard_preview(7, 'staff:alice');
CREATE PROCEDURE discard_preview(IN p_preview_id LONGTEXT, IN p_actor LONGTEXT)
    SQL SECURITY DEFINER
    MODIFIES SQL DATA
BEGIN
    DECLARE v_preview_id INT UNSIGNED
        DEFAULT _arg_int(p_preview_id, 'preview_id', 0, 4294967295, 45001);
    DECLARE v_actor VARCHAR(100) DEFAULT _arg_text(p_actor, 'actor', 100);
    DECLARE EXIT HANDLER FOR SQLEXCEPTION
    BEGIN
        ROLLBACK;
        RESIGNAL;
    END;

    IF _is_blank(v_actor) THEN
        CALL _fail(45002, 'actor is required');
    END IF;
    IF v_preview_id IS NULL THEN
        CALL _fail(45002, 'preview_id is required');
    END IF;
    START TRANSACTION;
    IF NOT EXISTS (SELECT 1 FROM billing_preview WHERE preview_id = v_preview_id FOR UPDATE) THEN
        CALL _fail(45001, CONCAT('no preview with id ', v_preview_id));
    END IF;
    DELETE FROM billing_preview WHERE preview_id = v_preview_id;
    COMMIT;

    SELECT v_preview_id AS preview_id;
END
